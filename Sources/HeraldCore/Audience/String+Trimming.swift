import Foundation

extension String {
    /// The text without surrounding white space and line breaks; itself, without copying, when there is none (the
    /// usual case for a field of a contacts file, read a million times).
    var trimmedOfWhitespace: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        if !first.properties.isWhitespace && !last.properties.isWhitespace { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
