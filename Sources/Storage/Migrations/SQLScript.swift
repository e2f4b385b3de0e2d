import Foundation

/// Splits a SQL script into statements at top-level semicolons.
///
/// PostgresNIO sends every query through the extended protocol, which takes one statement
/// at a time, so a migration file is run statement by statement. Semicolons inside
/// 'strings', "identifiers", $tag$ dollar quotes $tag$, -- line comments and /* block
/// comments */ do not split.
///
/// - Complexity: O(n) in the script's length.
enum SQLScript {
    static func statements(in script: String) -> [String] {
        let scalars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty && !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }

        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            switch scalar {
            case "'", "\"":
                // Quoted string or identifier; a doubled quote stays inside.
                current.append(scalar)
                index += 1
                while index < scalars.count {
                    current.append(scalars[index])
                    if scalars[index] == scalar {
                        if index + 1 < scalars.count, scalars[index + 1] == scalar {
                            current.append(scalars[index + 1])
                            index += 2
                            continue
                        }
                        break
                    }
                    index += 1
                }
                index += 1
            case "-" where next == "-":
                while index < scalars.count, scalars[index] != "\n" {
                    current.append(scalars[index])
                    index += 1
                }
            case "/" where next == "*":
                var depth = 0
                repeat {
                    if scalars[index] == "/", index + 1 < scalars.count, scalars[index + 1] == "*" {
                        depth += 1
                        current.append(contentsOf: [scalars[index], scalars[index + 1]])
                        index += 2
                    } else if scalars[index] == "*", index + 1 < scalars.count, scalars[index + 1] == "/" {
                        depth -= 1
                        current.append(contentsOf: [scalars[index], scalars[index + 1]])
                        index += 2
                    } else {
                        current.append(scalars[index])
                        index += 1
                    }
                } while depth > 0 && index < scalars.count
            case "$":
                // A dollar-quote tag: $$ or $name$ (name: letters, digits, underscores, not starting with a digit).
                var end = index + 1
                while end < scalars.count,
                    scalars[end] == "_" || scalars[end].properties.isAlphabetic
                        || (end > index + 1 && ("0"..."9").contains(scalars[end]))
                {
                    end += 1
                }
                guard end < scalars.count, scalars[end] == "$" else {
                    current.append(scalar)
                    index += 1
                    continue
                }
                let tag = Array(scalars[index...end])
                current.append(contentsOf: tag)
                index = end + 1
                while index < scalars.count {
                    if scalars[index] == "$", index + tag.count <= scalars.count,
                        Array(scalars[index..<(index + tag.count)]) == tag
                    {
                        current.append(contentsOf: tag)
                        index += tag.count
                        break
                    }
                    current.append(scalars[index])
                    index += 1
                }
            case ";":
                flush()
                index += 1
            default:
                current.append(scalar)
                index += 1
            }
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
    }
}
