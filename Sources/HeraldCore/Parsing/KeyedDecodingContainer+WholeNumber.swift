extension KeyedDecodingContainer {
    /// Decodes an integer, saying "must be a whole number" for 10.5 where Foundation's decoder only says
    /// the data is not valid JSON.
    public func decodeWholeNumber(forKey key: Key) throws -> Int {
        let value = try decode(Double.self, forKey: key)
        guard value.isFinite, value.rounded() == value, abs(value) <= 9_007_199_254_740_992 else {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: self,
                debugDescription: "must be a whole number, found \(value)"
            )
        }
        return Int(value)
    }
}
