extension CronField {
    /// The values one field's text matches, as a bit set (bit `v` set when `v` matches). The text is a
    /// comma-separated list of items; each item is `*`, a value, or a range `a-b`, optionally followed by a
    /// step `/n`. `a/n` runs from `a` to the field's maximum. Day-of-week 7 is stored as 0, Sunday.
    func parse(_ text: Substring) throws(CronError.Reason) -> UInt64 {
        var values: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw .emptyItem(self, list: text) }
            values |= try parseItem(item)
        }
        return values
    }

    private func parseItem(_ item: Substring) throws(CronError.Reason) -> UInt64 {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw .extraStep(self, item: item) }
        let step = parts.count == 2 ? try parseStep(parts[1]) : nil
        let range = try parseRange(parts[0], stepped: step != nil)
        var values: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step ?? 1) {
            values |= 1 << (self == .dayOfWeek && value == 7 ? 0 : value)
        }
        return values
    }

    /// The values an item's part before the slash covers. A lone value followed by a step runs to the maximum.
    private func parseRange(_ base: Substring, stepped: Bool) throws(CronError.Reason) -> ClosedRange<Int> {
        if base == "*" { return full }
        guard base.contains("-") else {
            let value = try parseValue(base)
            return stepped ? value...max(value, full.upperBound) : value...value
        }
        let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, !bounds[0].isEmpty, !bounds[1].isEmpty else {
            throw .malformedRange(self, range: base)
        }
        let low = try parseValue(bounds[0])
        let high = try parseValue(bounds[1])
        guard low <= high else { throw .backwardsRange(self, range: base) }
        return low...high
    }

    private func parseValue(_ token: Substring) throws(CronError.Reason) -> Int {
        if let named = names[token.uppercased()] { return named }
        guard let value = Self.decimal(token) else { throw .notANumber(self, token: token) }
        guard accepted.contains(value) else { throw .outOfRange(self, token: token) }
        return value
    }

    private func parseStep(_ token: Substring) throws(CronError.Reason) -> Int {
        guard let step = Self.decimal(token) else { throw .stepNotANumber(self, token: token) }
        guard steps.contains(step) else { throw .stepOutOfRange(self, token: token) }
        return step
    }

    /// The value of a token made only of ASCII digits; `Int.max` when it has too many digits for an `Int`,
    /// so that it reads as out of range rather than as not a number.
    private static func decimal(_ token: Substring) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(token) ?? Int.max
    }
}
