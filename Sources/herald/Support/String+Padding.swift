extension String {
    /// The string right-aligned in `width` columns (unchanged when it is as wide already).
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
