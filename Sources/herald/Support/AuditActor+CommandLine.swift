import Foundation
import Storage

extension AuditActor {
    /// The operator at this terminal (`cli:<login name>`): whoever runs `herald` with access to the database may do
    /// everything, and is recorded by their login name.
    static var commandLine: AuditActor { .cli(login: ProcessInfo.processInfo.userName) }
}
