import Foundation

extension JSONEncoder.DateEncodingStrategy {
    /// Dates as ``Timestamp/format(_:)`` writes them: UTC, `Z`, milliseconds only when there are some
    /// (`2026-03-01T09:30:00Z`, `2026-03-01T09:30:00.123Z`); ``Timestamp/parse(_:)`` reads them back.
    public static var timestamp: Self {
        .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
    }
}
