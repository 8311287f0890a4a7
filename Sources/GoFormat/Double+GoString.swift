extension Double {
    /// The number as Go's `strconv.FormatFloat(x, 'g', -1, 64)` writes it, which Prometheus' Go client uses
    /// for sample values and bucket bounds: the shortest digits that read back as the same number, in
    /// exponent form when the decimal exponent is below -4 or at least 6 (`1`, `0.25`, `20480`,
    /// `2.147483648e+09`, `3.365e-06`); `+Inf`, `-Inf` and `NaN` as Prometheus writes them.
    public var goString: String {
        if self.isNaN { return "NaN" }
        if self.isInfinite { return self < 0 ? "-Inf" : "+Inf" }
        if self == 0 { return self.sign == .minus ? "-0" : "0" }
        let (digits, point) = Self.shortestDigits(of: self.magnitude)
        let sign = self < 0 ? "-" : ""
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let magnitude = exponent.magnitude
            return sign + mantissa + (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        return sign + digits.prefix(point) + "." + digits.dropFirst(point)
    }

    /// The shortest significant digits of a positive finite `value` (no leading or trailing zeros) and the
    /// position of the decimal point relative to them: `value` = 0.`digits` × 10^`point`. Swift's
    /// `description` already prints the shortest digits that round-trip; this reads them back out of it.
    private static func shortestDigits(of value: Double) -> (digits: String, point: Int) {
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        let mantissa = parts[0]
        let integer = mantissa.prefix { $0 != "." }
        let fraction = mantissa.contains(".") ? mantissa.drop { $0 != "." }.dropFirst() : ""
        var digits = String(integer) + fraction
        var point = integer.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, point)
    }
}
