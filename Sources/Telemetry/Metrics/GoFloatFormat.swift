import GoFormat

/// Makes rendered numbers read as Prometheus' Go client writes them: every sample value and every `le` and
/// `quantile` label in Go's shortest form (`1` for Swift's `1.0`, `2.147483648e+09` for `2147483648.0`,
/// `le="1.048576e+06"` for `le="1048576.0"`). Prometheus reads both alike, but takes `le` as text, so a
/// query matching `le="1"` would miss `1.0`; and a scrape should not tell our member from Go etcd's.
enum GoFloatFormat {
    private static let newline = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let quote = UInt8(ascii: "\"")
    private static let numericLabels = [Array(#"le=""#.utf8), Array(#"quantile=""#.utf8)]

    /// Rewrites the numbers of the text exposition `text` in place; comment lines are kept as they are.
    static func normalise(_ text: inout [UInt8]) {
        var output: [UInt8] = []
        output.reserveCapacity(text.count + text.count / 8)
        var start = 0
        while start < text.count {
            let end = text[start...].firstIndex(of: Self.newline) ?? text.count
            let line = text[start..<end]
            if line.first == UInt8(ascii: "#") {
                output.append(contentsOf: line)
            } else {
                Self.appendSample(line, to: &output)
            }
            if end < text.count { output.append(Self.newline) }
            start = end + 1
        }
        text = output
    }

    /// A sample line: the series (its numeric labels rewritten), a space, the value rewritten. The value is
    /// the last field: label values may hold spaces, values never do.
    private static func appendSample(_ line: ArraySlice<UInt8>, to output: inout [UInt8]) {
        guard let space = line.lastIndex(of: Self.space) else {
            output.append(contentsOf: line)
            return
        }
        Self.appendSeries(line[..<space], to: &output)
        output.append(Self.space)
        Self.appendNumber(line[(space + 1)...], to: &output)
    }

    private static func appendSeries(_ series: ArraySlice<UInt8>, to output: inout [UInt8]) {
        var index = series.startIndex
        while index < series.endIndex {
            let byte = series[index]
            output.append(byte)
            index += 1
            guard byte == UInt8(ascii: "{") || byte == UInt8(ascii: ",") else { continue }
            guard let label = Self.numericLabels.first(where: { series[index...].starts(with: $0) }) else { continue }
            output.append(contentsOf: label)
            index += label.count
            guard let close = series[index...].firstIndex(of: Self.quote) else { continue }
            Self.appendNumber(series[index..<close], to: &output)
            index = close
        }
    }

    private static func appendNumber(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text != "+Inf", text != "-Inf", text != "NaN", let value = Double(text) else {
            output.append(contentsOf: bytes)
            return
        }
        output.append(contentsOf: value.goString.utf8)
    }
}
