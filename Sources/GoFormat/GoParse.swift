/// Go's parsers for flag values (strconv and time), which etcdctl's and etcd-ops' flags go through.
public enum GoParse {
    /// Go's `strconv.ParseBool`.
    public static func bool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    /// Go's `strconv.ParseInt` as pflag uses it, hex with `0x` included.
    public static func int64(_ text: String) -> Int64? {
        if let value = Int64(text) { return value }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return Int64(text.dropFirst(2), radix: 16) }
        return nil
    }

    /// Go's `strconv.ParseUint` in base 10.
    public static func uint64(_ text: String) -> UInt64? {
        UInt64(text)
    }

    /// Go's `time.ParseDuration`: a sequence of decimal numbers with units (`ns us µs ms s m h`), an
    /// optional sign; `0` alone.
    public static func duration(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { return nil }
        var total: Double = 0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !$0.isNumber && $0 != "." }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs", "μs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return nil
            }
            total += value * scale
        }
        let nanoseconds = Int64((total * 1e9).rounded())
        return .nanoseconds(negative ? -nanoseconds : nanoseconds)
    }
}
