extension Duration {
    /// The duration as Go's `time.Duration.String` writes it in etcd's logs: `1h2m3.5s`, `4.25ms`, `300µs`,
    /// `0s`.
    public var goString: String {
        let (seconds, attoseconds) = self.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        if magnitude < 1_000 { return "\(sign)\(magnitude)ns" }
        if magnitude < 1_000_000 { return sign + Self.decimal(magnitude, scale: 1_000) + "µs" }
        if magnitude < 1_000_000_000 { return sign + Self.decimal(magnitude, scale: 1_000_000) + "ms" }
        let hours = magnitude / 3_600_000_000_000
        let minutes = magnitude / 60_000_000_000 % 60
        let rest = Self.decimal(magnitude % 60_000_000_000, scale: 1_000_000_000) + "s"
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(rest)" }
        if minutes > 0 { return "\(sign)\(minutes)m\(rest)" }
        return sign + rest
    }

    /// `value / scale` with its fraction written exactly, trailing zeros dropped.
    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale
        var fraction = value % scale
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(scale).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
