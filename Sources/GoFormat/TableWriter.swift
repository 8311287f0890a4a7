/// Tables as etcdctl draws them (olekukonko/tablewriter with its defaults and right-aligned cells):
/// borders of `+`, `-` and `|`, the header upper-cased and centred, every cell padded by one space.
public enum TableWriter {
    public static func render(header: [String], rows: [[String]]) -> String {
        let titles = header.map { $0.uppercased() }
        var widths = titles.map { $0.unicodeScalars.count }
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.unicodeScalars.count)
            }
        }
        let border = "+" + widths.map { String(repeating: "-", count: $0 + 2) + "+" }.joined() + "\n"
        var output = border
        output += "|" + zip(titles, widths).map { title, width in
            let gap = width - title.unicodeScalars.count
            return " " + String(repeating: " ", count: gap / 2) + title + String(repeating: " ", count: gap - gap / 2) + " |"
        }.joined() + "\n"
        output += border
        for row in rows {
            output += "|" + widths.enumerated().map { column, width in
                let cell = column < row.count ? row[column] : ""
                return " " + String(repeating: " ", count: width - cell.unicodeScalars.count) + cell + " |"
            }.joined() + "\n"
        }
        output += border
        return output
    }
}
