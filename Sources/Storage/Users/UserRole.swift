/// What a person may do in the web back office of their workspace: the same roles, ranked the same way, as API tokens
/// have (``TokenRole``), so one check serves both.
public typealias UserRole = TokenRole
