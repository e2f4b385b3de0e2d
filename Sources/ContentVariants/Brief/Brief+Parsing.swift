import Foundation
import HeraldCore
import Yams

extension Brief {
    /// The fields a brief may have.
    static let knownFields = [
        "product", "offer", "audience", "link", "cta", "hashtags", "tone", "language", "benefit", "proof", "deadline", "brand",
        "emoji", "templates", "safety",
    ]

    /// Parses a brief from JSON or YAML text and validates it.
    ///
    /// - Parameters:
    ///   - text: The document.
    ///   - source: The file or payload it came from; errors are located as `source:line:column`.
    /// - Throws: ``ValidationError`` naming the field and its line and column.
    public init(parsing text: String, source: String) throws(ValidationError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.describe(error, source: source)
        } catch {
            throw ValidationError(location: source, field: "", reason: "not valid JSON or YAML: \(error)")
        }
        guard let root, let mapping = root.mapping else {
            throw ValidationError(
                location: Self.place(source, root?.mark),
                field: "",
                reason: "expected a mapping with at least product (and offer, audience, link, hashtags...)"
            )
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string, Self.knownFields.contains(name) else {
                throw ValidationError(
                    location: Self.place(source, key.mark),
                    field: key.string ?? "",
                    reason: "unknown field (expected one of \(Self.knownFields.joined(separator: ", ")))"
                )
            }
            fields[name] = value
        }
        func string(_ name: String) throws(ValidationError) -> String? {
            guard let node = fields[name] else { return nil }
            if node.null != nil { return nil }
            guard let scalar = node.scalar else {
                throw ValidationError(location: Self.place(source, node.mark), field: name, reason: "expected text")
            }
            return scalar.string
        }
        func strings(_ name: String) throws(ValidationError) -> [(String, Mark?)] {
            guard let node = fields[name] else { return [] }
            if let scalar = node.scalar {
                // `hashtags: "#a #b"` is read as a list too.
                return scalar.string.split(whereSeparator: { $0 == " " || $0 == "," }).map { (String($0), node.mark) }
            }
            guard let sequence = node.sequence else {
                throw ValidationError(location: Self.place(source, node.mark), field: name, reason: "expected a list")
            }
            var values: [(String, Mark?)] = []
            for (index, item) in sequence.enumerated() {
                guard let scalar = item.scalar else {
                    throw ValidationError(location: Self.place(source, item.mark), field: "\(name)[\(index)]", reason: "expected text")
                }
                values.append((scalar.string, item.mark))
            }
            return values
        }
        guard let product = try string("product") else {
            throw ValidationError(location: Self.place(source, root.mark), field: "product", reason: "is required (what the variants promote)")
        }
        var tone: Tone?
        if let toneText = try string("tone") {
            guard let parsed = Tone(rawValue: toneText.lowercased()) else {
                throw ValidationError(
                    location: Self.place(source, fields["tone"]?.mark),
                    field: "tone",
                    reason: "\"\(toneText)\" is not one of \(Tone.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            tone = parsed
        }
        var templates: [Template] = []
        for (index, (template, mark)) in try strings("templates").enumerated() {
            do {
                templates.append(try Template(template))
            } catch {
                throw error.validationError(field: "templates[\(index)]", location: Self.place(source, mark))
            }
        }
        var safety = SafetyPolicy.none
        if let node = fields["safety"] {
            guard let safetyMapping = node.mapping else {
                throw ValidationError(
                    location: Self.place(source, node.mark),
                    field: "safety",
                    reason: "expected a mapping with banned_words, disclosures and sms_opt_out"
                )
            }
            var banned: [String] = []
            var disclosures: [String] = []
            var optOut: String?
            for (key, value) in safetyMapping {
                let name = key.string ?? ""
                let list = (value.sequence.map { Array($0) } ?? [value]).compactMap(\.string)
                switch name {
                case "banned_words": banned = list
                case "disclosures": disclosures = list
                case "sms_opt_out":
                    guard let line = value.scalar?.string, !line.contains(where: \.isNewline) else {
                        throw ValidationError(
                            location: Self.place(source, value.mark),
                            field: "safety.sms_opt_out",
                            reason: "expected one line of text"
                        )
                    }
                    optOut = line
                default:
                    throw ValidationError(
                        location: Self.place(source, key.mark),
                        field: "safety.\(name)",
                        reason: "unknown field (expected banned_words, disclosures or sms_opt_out)"
                    )
                }
            }
            safety = SafetyPolicy(bannedWords: banned, requiredDisclosures: disclosures, smsOptOut: optOut)
        }
        var emoji = true
        if let node = fields["emoji"], node.null == nil {
            guard let value = node.bool else {
                throw ValidationError(location: Self.place(source, node.mark), field: "emoji", reason: "expected true or false")
            }
            emoji = value
        }
        let hashtagList = try strings("hashtags")
        self.init(
            product: product.trimmingCharacters(in: .whitespaces),
            offer: try string("offer"),
            audience: try string("audience"),
            link: try string("link"),
            cta: try string("cta"),
            hashtags: hashtagList.map(\.0),
            tone: tone,
            language: try string("language") ?? "en",
            benefit: try string("benefit"),
            proof: try string("proof"),
            deadline: try string("deadline"),
            brand: try string("brand"),
            templates: templates,
            safety: safety,
            emoji: emoji
        )
        do {
            try validate()
        } catch {
            // Point at the offending value.
            let name = error.field.split(separator: "[").first.map(String.init) ?? error.field
            var mark = fields[name]?.mark
            if name == "hashtags", let index = Int(error.field.drop(while: { $0 != "[" }).dropFirst().prefix(while: \.isNumber)),
                index < hashtagList.count
            {
                mark = hashtagList[index].1
            }
            throw error.at(Self.place(source, mark ?? root.mark))
        }
    }

    /// `source:line:column`, or `source` alone when the place is unknown.
    static func place(_ source: String, _ mark: Mark?) -> String {
        guard let mark else { return source }
        return source.isEmpty ? "\(mark.line):\(mark.column)" : "\(source):\(mark.line):\(mark.column)"
    }

    static func describe(_ error: YamlError, source: String) -> ValidationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return ValidationError(location: place(source, mark), field: "", reason: "not valid JSON or YAML: \(problem)\(while_)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ValidationError(
                location: place(source, context.mark),
                field: duplicates.joined(separator: ", "),
                reason: "is given twice"
            )
        default:
            return ValidationError(location: source, field: "", reason: "not valid JSON or YAML: \(error)")
        }
    }
}
