import Foundation

/// A recursive-descent parser for ``Template`` that tracks lines and columns for its errors.
struct TemplateParser {
    private let characters: [Character]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ source: String) {
        characters = Array(source)
    }

    /// What ends the sequence being parsed.
    private enum Context {
        case top
        case choice(TemplatePosition)
        case optional(TemplatePosition)
    }

    mutating func parseTemplate() throws(TemplateParseError) -> [TemplateNode] {
        let (nodes, _) = try parseSequence(.top)
        return nodes
    }

    private var position: TemplatePosition { TemplatePosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < characters.count ? characters[index + offset] : nil
    }

    private func starts(with text: String) -> Bool {
        var offset = 0
        for character in text {
            guard peek(offset) == character else { return false }
            offset += 1
        }
        return true
    }

    private mutating func advance() {
        guard index < characters.count else { return }
        if characters[index].isNewline {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private func found() -> String {
        guard let character = peek() else { return "end of template" }
        if character.isNewline { return "end of line" }
        return "'\(character)'"
    }

    private func error(_ expected: String, at place: TemplatePosition? = nil) -> TemplateParseError {
        let place = place ?? position
        return TemplateParseError(line: place.line, column: place.column, expected: expected, found: found())
    }

    /// Parses until the context's closer; for a choice, returns the alternatives it read.
    private mutating func parseSequence(_ context: Context) throws(TemplateParseError) -> ([TemplateNode], [[TemplateNode]]) {
        var alternatives: [[TemplateNode]] = []
        var nodes: [TemplateNode] = []
        var text = ""
        func flush() {
            if !text.isEmpty {
                nodes.append(.text(text))
                text = ""
            }
        }
        while let character = peek() {
            switch character {
            case "\\":
                let escapePosition = position
                advance()
                guard let escaped = peek() else {
                    throw TemplateParseError(
                        line: escapePosition.line,
                        column: escapePosition.column,
                        expected: "a character after '\\' (one of { } [ ] | \\)",
                        found: "end of template"
                    )
                }
                guard "{}[]|\\".contains(escaped) else {
                    throw error("one of { } [ ] | \\ after '\\' (other characters need no escape)")
                }
                text.append(escaped)
                advance()
            case "{":
                flush()
                if starts(with: "{{"), !starts(with: "{{{") {
                    nodes.append(.slot(try parseSlot()))
                } else {
                    let opened = position
                    advance()
                    let (_, inner) = try parseSequence(.choice(opened))
                    nodes.append(.choice(inner, opened))
                }
            case "[":
                flush()
                let opened = position
                advance()
                let (inner, _) = try parseSequence(.optional(opened))
                nodes.append(.optional(inner, opened))
            case "|":
                if case .choice = context {
                    flush()
                    alternatives.append(nodes)
                    nodes = []
                    advance()
                } else {
                    text.append(character)
                    advance()
                }
            case "}":
                if case .choice = context {
                    flush()
                    alternatives.append(nodes)
                    advance()
                    return ([], alternatives)
                }
                throw error("text, a slot or a group (write \\} for a literal brace)")
            case "]":
                if case .optional = context {
                    flush()
                    advance()
                    return (nodes, [])
                }
                throw error("text, a slot or a group (write \\] for a literal bracket)")
            default:
                text.append(character)
                advance()
            }
        }
        switch context {
        case .top:
            flush()
            return (nodes, [])
        case .choice(let opened):
            throw error("'|' or '}' to close the alternatives opened at line \(opened.line), column \(opened.column)")
        case .optional(let opened):
            throw error("']' to close the optional part opened at line \(opened.line), column \(opened.column)")
        }
    }

    private mutating func skipSpaces() {
        while let character = peek(), character == " " || character == "\t" { advance() }
    }

    private mutating func parseIdentifier() -> String {
        var name = ""
        while let character = peek(), character.isASCII, character.isLetter || character.isNumber || character == "_" {
            name.append(character)
            advance()
        }
        return name
    }

    private mutating func parseSlot() throws(TemplateParseError) -> TemplateSlot {
        let opened = position
        advance()
        advance()
        skipSpaces()
        guard let first = peek(), first.isASCII, first.isLetter || first == "_" else {
            throw error("a slot name (letters, digits and _, starting with a letter)")
        }
        let name = parseIdentifier()
        var filters: [TemplateFilter] = []
        skipSpaces()
        while peek() == "|" {
            advance()
            skipSpaces()
            filters.append(try parseFilter())
            skipSpaces()
        }
        guard starts(with: "}}") else {
            if peek() == nil {
                throw error("'}}' to close the slot opened at line \(opened.line), column \(opened.column)")
            }
            throw error("'|' and a filter, or '}}' to close the slot opened at line \(opened.line), column \(opened.column)")
        }
        advance()
        advance()
        return TemplateSlot(name: name, filters: filters, line: opened.line, column: opened.column)
    }

    private mutating func parseFilter() throws(TemplateParseError) -> TemplateFilter {
        let start = position
        let name = parseIdentifier()
        switch name {
        case "upper": return .upper
        case "lower": return .lower
        case "title": return .title
        case "capitalize": return .capitalize
        case "truncate":
            guard peek() == "(" else { throw error("'(' and a length after truncate, as in truncate(20)") }
            advance()
            skipSpaces()
            let numberStart = position
            var digits = ""
            while let character = peek(), character.isASCII, character.isNumber {
                digits.append(character)
                advance()
            }
            guard let limit = Int(digits), limit >= 1, limit <= 100_000 else {
                throw error("a whole number from 1 to 100000 in truncate(n)", at: digits.isEmpty ? nil : numberStart)
            }
            skipSpaces()
            guard peek() == ")" else { throw error("')' to close truncate(\(limit)") }
            advance()
            return .truncate(limit)
        default:
            if name.isEmpty { throw error("a filter (\(TemplateFilter.names))") }
            throw TemplateParseError(
                line: start.line,
                column: start.column,
                expected: "a filter (\(TemplateFilter.names))",
                found: "'\(name)'"
            )
        }
    }
}
