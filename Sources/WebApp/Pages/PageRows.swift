import Mustache

// Rows that a page repeats by the hundred name their fields for the templates themselves. swift-mustache otherwise
// finds each `{{name}}` by reflection, walking a `Mirror` of the row field by field at every use (and of each
// enclosing model when the row lacks the name): that was half the calendar's render time with 1,000 posts.
// `PageRowsTests` checks that each answers every field it has, as reflection would (a nil optional answers nil, as
// swift-mustache's reflection does).

extension CalendarPages.Model.Item: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "iso": iso
        case "time": time
        case "state": state
        case "kind": kind
        case "slug": slug
        case "campaign": campaign
        case "channel": channel
        case "account": account
        default: nil
        }
    }
}

extension CalendarPages.Model.Day: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "iso": iso
        case "label": label
        case "outside": outside
        case "isToday": isToday
        case "items": items
        case "hasItems": hasItems
        case "more": more
        default: nil
        }
    }
}

extension CalendarPages.Model.Week: MustacheParent {
    func child(named name: String) -> Any? {
        name == "days" ? days : nil
    }
}

extension CampaignPages.CampaignModel.Publication: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "iso": iso
        case "scheduled": scheduled
        case "variant": variant
        case "channel": channel
        case "state": state
        case "error": error
        case "canRetry": canRetry
        default: nil
        }
    }
}

extension CampaignPages.CampaignModel.AutopilotAction: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "kind": kind
        case "state": state
        case "reason": reason
        case "iso": iso
        case "when": when
        case "decided": decided
        case "pending": pending
        case "applied": applied
        case "canAct": canAct
        default: nil
        }
    }
}
