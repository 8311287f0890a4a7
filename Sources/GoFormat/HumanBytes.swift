/// Sizes as go-humanize's `Bytes` writes them (SI units: `61 kB`, `1.2 MB`), which etcd uses in its logs
/// and etcdctl in its tables.
public enum HumanBytes {
    /// `bytes` in SI units: up to 10 of a unit with one decimal (`1.5 MB`), whole above (`61 kB`).
    public static func string(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        guard bytes >= 10 else { return "\(bytes) B" }
        var exponent = 0
        var value = Double(bytes)
        while value >= 1000 && exponent < units.count - 1 {
            value /= 1000
            exponent += 1
        }
        let rounded = (value * 10).rounded() / 10
        let text = rounded < 10 ? String(format: "%.1f", rounded) : String(format: "%.0f", value.rounded())
        return "\(text) \(units[exponent])"
    }
}
