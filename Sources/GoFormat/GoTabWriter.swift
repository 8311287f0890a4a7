/// Text aligned as Go's `text/tabwriter` aligns it with tabs as the padding character (cobra's and
/// etcdctl's help output): cells are the tab-terminated pieces of a line; a column's cells, over the run
/// of adjacent lines that have one, are padded with tabs to the widest cell plus `padding`, rounded up to
/// a multiple of `tabWidth`.
public enum GoTabWriter {
    public static func format(_ text: String, minWidth: Int = 0, tabWidth: Int = 8, padding: Int = 1) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        let endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        var output = ""
        var widths: [Int] = []
        Self.format(lines, 0, lines.count, &widths, minWidth: minWidth, tabWidth: tabWidth, padding: padding, into: &output)
        return endsWithNewline ? output : String(output.dropLast())
    }

    private static func format(
        _ lines: [[String]], _ first: Int, _ end: Int, _ widths: inout [Int],
        minWidth: Int, tabWidth: Int, padding: Int, into output: inout String
    ) {
        let column = widths.count
        var start = first
        var index = first
        while index < end {
            if column >= lines[index].count - 1 {
                index += 1
                continue
            }
            Self.write(lines, start, index, widths, tabWidth: tabWidth, into: &output)
            start = index
            var width = minWidth
            while index < end, column < lines[index].count - 1 {
                width = max(width, lines[index][column].unicodeScalars.count + padding)
                index += 1
            }
            widths.append(width)
            Self.format(lines, start, index, &widths, minWidth: minWidth, tabWidth: tabWidth, padding: padding, into: &output)
            widths.removeLast()
            start = index
        }
        Self.write(lines, start, end, widths, tabWidth: tabWidth, into: &output)
    }

    private static func write(_ lines: [[String]], _ first: Int, _ end: Int, _ widths: [Int], tabWidth: Int, into output: inout String) {
        guard first < end else { return }
        for line in lines[first..<end] {
            for (position, cell) in line.enumerated() {
                output += cell
                guard position < line.count - 1 else { continue }
                guard position < widths.count else {
                    output += "\t"
                    continue
                }
                let cellWidth = (widths[position] + tabWidth - 1) / tabWidth * tabWidth
                let pad = cellWidth - cell.unicodeScalars.count
                output += String(repeating: "\t", count: (pad + tabWidth - 1) / tabWidth)
            }
            output += "\n"
        }
    }
}
