import Foundation

/// A text template with slots, alternatives, optional parts and filters.
///
/// ```text
/// {Meet|Say hello to} {{product | title}}[, built for {{audience}}]. {{offer | upper}}!
/// ```
/// - `{{name}}` is a slot filled from values; filters follow a bar: `{{name | upper | truncate(20)}}`
///   (`upper`, `lower`, `title`, `truncate(n)`).
/// - `{a|b|c}` chooses one alternative; alternatives nest and may be empty.
///   `{{` always opens a slot: write `{{{` for a group that starts with a slot, and `{ {a|b}|c}` (or just
///   `{a|b|c}`) for one that starts with a group.
/// - `[...]` is an optional part: present or absent. When a slot inside it has no value, the part is left out.
/// - `\{`, `\}`, `\[`, `\]`, `\|` and `\\` are literal characters. Outside `{...}` a bar is literal.
///
/// A template counts its combinations without expanding them (``combinationCount``), renders any one
/// of them by index, and samples distinct ones (``sample(_:values:using:)``).
public struct Template: Sendable, Equatable, CustomStringConvertible {
    /// The text the template was parsed from.
    public let source: String
    /// The parsed template.
    let nodes: [TemplateNode]

    /// Parses a template.
    ///
    /// - Throws: ``TemplateParseError`` with the line and column of the problem and what was expected there.
    public init(_ source: String) throws(TemplateParseError) {
        self.source = source
        var parser = TemplateParser(source)
        self.nodes = try parser.parseTemplate()
    }

    /// Parses a template that ships with Herald (the phrase library); a parse error there is a bug.
    init(library source: String) {
        do {
            try self.init(source)
        } catch {
            preconditionFailure("phrase library template \"\(source)\" does not parse: \(error)")
        }
    }

    public var description: String { source }

    /// The names of the slots the template uses, sorted, each once.
    public var slotNames: [String] {
        var names = Set<String>()
        Self.collectSlots(nodes, into: &names)
        return names.sorted()
    }

    /// The slots that must have values to render: those outside optional parts.
    public var requiredSlotNames: [String] {
        var names = Set<String>()
        Self.collectSlots(nodes, into: &names, required: true)
        return names.sorted()
    }

    private static func collectSlots(_ nodes: [TemplateNode], into names: inout Set<String>, required: Bool = false) {
        for node in nodes {
            switch node {
            case .text: break
            case .slot(let slot): names.insert(slot.name)
            case .choice(let alternatives, _):
                for alternative in alternatives { collectSlots(alternative, into: &names, required: required) }
            case .optional(let inner, _): if !required { collectSlots(inner, into: &names) }
            }
        }
    }

    /// How many distinct combinations of choices the template has, without expanding them;
    /// `Int.max` when there are at least that many.
    ///
    /// - Complexity: O(n) in the size of the template.
    public var combinationCount: Int { Self.count(nodes) }

    static func count(_ nodes: [TemplateNode]) -> Int {
        var total = 1
        for node in nodes {
            let (product, overflow) = total.multipliedReportingOverflow(by: count(node))
            total = overflow ? Int.max : product
        }
        return total
    }

    static func count(_ node: TemplateNode) -> Int {
        switch node {
        case .text, .slot: return 1
        case .choice(let alternatives, _):
            var sum = 0
            for alternative in alternatives {
                let (next, overflow) = sum.addingReportingOverflow(count(alternative))
                sum = overflow ? Int.max : next
            }
            return sum
        case .optional(let inner, _):
            let (next, overflow) = count(inner).addingReportingOverflow(1)
            return overflow ? Int.max : next
        }
    }

    /// Renders the combination numbered `index` (in `0..<combinationCount`).
    ///
    /// - Throws: ``TemplateRenderError`` when a slot has no value.
    public func render(combination index: Int, values: [String: String]) throws(TemplateRenderError) -> String {
        var output = ""
        try Self.render(nodes, index: min(max(index, 0), max(combinationCount - 1, 0)), values: values, into: &output)
        return output
    }

    /// Renders one combination chosen uniformly at random.
    public func render(values: [String: String], using random: inout some RandomNumberGenerator) throws(TemplateRenderError) -> String {
        try render(combination: Int.random(in: 0..<max(combinationCount, 1), using: &random), values: values)
    }

    /// Renders up to `count` distinct combinations, in random order, without repeating a combination.
    /// (Two combinations can still render the same text, e.g. `{a|a}`; callers that care compare texts.)
    ///
    /// - Complexity: O(`count` × template size).
    public func sample(_ count: Int, values: [String: String], using random: inout some RandomNumberGenerator) throws(TemplateRenderError) -> [String]
    {
        var texts: [String] = []
        for index in sampleDistinct(count, below: combinationCount, using: &random) {
            texts.append(try render(combination: index, values: values))
        }
        return texts
    }

    /// Renders every combination, in index order; for small templates and tests.
    public func expandAll(values: [String: String], limit: Int = 10_000) throws(TemplateRenderError) -> [String] {
        var texts: [String] = []
        for index in 0..<min(combinationCount, limit) { texts.append(try render(combination: index, values: values)) }
        return texts
    }

    // Mixed-radix decoding: a sequence's index is split across its nodes, a choice's index picks an
    // alternative by cumulative counts, an optional's index 0 means absent. When counts saturate at
    // Int.max the decoding stays valid for indexes below the saturated total (later parts see index 0).
    private static func render(_ nodes: [TemplateNode], index: Int, values: [String: String], into output: inout String) throws(TemplateRenderError) {
        var rest = index
        for node in nodes {
            let radix = count(node)
            let digit = radix == 0 ? 0 : rest % radix
            rest = radix == 0 ? rest : rest / radix
            try render(node, index: digit, values: values, into: &output)
        }
    }

    private static func render(_ node: TemplateNode, index: Int, values: [String: String], into output: inout String) throws(TemplateRenderError) {
        switch node {
        case .text(let text):
            output += text
        case .slot(let slot):
            guard let value = values[slot.name] else {
                throw TemplateRenderError(slot: slot.name, line: slot.line, column: slot.column)
            }
            output += slot.filters.reduce(value) { $1.apply(to: $0) }
        case .choice(let alternatives, _):
            var rest = index
            for alternative in alternatives {
                let size = count(alternative)
                if rest < size {
                    try render(alternative, index: rest, values: values, into: &output)
                    return
                }
                rest -= size
            }
        case .optional(let inner, _):
            guard index > 0 else { return }
            var part = ""
            do {
                try render(inner, index: index - 1, values: values, into: &part)
            } catch {
                // An optional part whose value is missing is left out.
                return
            }
            output += part
        }
    }
}

/// A parsed piece of a template.
indirect enum TemplateNode: Sendable, Equatable {
    /// Literal text (escapes resolved).
    case text(String)
    /// A slot with its filters.
    case slot(TemplateSlot)
    /// Alternatives, one of which is rendered; with where the group opened.
    case choice([[TemplateNode]], TemplatePosition)
    /// A part rendered or left out; with where it opened.
    case optional([TemplateNode], TemplatePosition)
}

/// A line and column (both from 1, columns in characters) in a template's source.
struct TemplatePosition: Sendable, Equatable {
    var line: Int
    var column: Int
}

/// A `{{name | filter}}` slot.
struct TemplateSlot: Sendable, Equatable {
    var name: String
    var filters: [TemplateFilter]
    var line: Int
    var column: Int
}

/// A slot that had no value when the template was rendered.
public struct TemplateRenderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The slot's name.
    public var slot: String
    /// Where the slot is in the template.
    public var line: Int
    public var column: Int

    public var description: String { "line \(line), column \(column): no value for the slot {{\(slot)}}" }
}
