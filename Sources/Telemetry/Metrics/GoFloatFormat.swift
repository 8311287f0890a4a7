/// Makes rendered numbers read as Prometheus' Go client writes them, where the two differ.
enum GoFloatFormat {
    /// Rewrites whole-number bucket bounds from Swift's `le="1.0"` to Go's `le="1"`. Prometheus takes the
    /// `le` label as text, so a dashboard's `le="1"` would not match `1.0`.
    static func normaliseBucketBounds(_ text: inout [UInt8]) {
        let marker = Array(#"le=""#.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            output.append(text[index])
            index += 1
            guard output.count >= marker.count, output.suffix(marker.count).elementsEqual(marker) else { continue }
            guard let close = text[index...].firstIndex(of: UInt8(ascii: "\"")) else { continue }
            let value = text[index..<close]
            if value.count > 2, value.suffix(2).elementsEqual(".0".utf8),
                value.dropLast(2).allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            {
                output.append(contentsOf: value.dropLast(2))
            } else {
                output.append(contentsOf: value)
            }
            index = close
        }
        text = output
    }
}
