import Yams

extension CampaignSpec {
    /// Why a composed YAML document cannot be read as a campaign: a mapping key that is not a plain scalar (a list or
    /// mapping as a key, `? [a]` or `{[a]: b}`), which Yams cannot turn into a dictionary key; nil when every key is a
    /// scalar.
    static func unsupportedKey(in node: Node) -> String? {
        var pending = [node]
        while let next = pending.popLast() {
            switch next {
            case .scalar, .alias:
                continue
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .mapping(let mapping):
                for (key, value) in mapping {
                    guard case .scalar = key else {
                        let place = key.mark.map { " at line \($0.line), column \($0.column)" } ?? ""
                        return "not valid JSON or YAML: a key\(place) is a list or mapping; keys must be plain names"
                    }
                    pending.append(value)
                }
            }
        }
        return nil
    }
}
