/// A scenario file: commands, each followed by `----` and the output it is expected to print, up to a blank
/// line. Lines starting with `#` are comments.
///
/// ```
/// # Node 1 wins an election.
/// campaign 1
/// ----
/// ok
/// ```
struct TranscriptFile {
    struct Step {
        /// Comments and blank lines before the command, kept for rewriting.
        var preamble: [String]
        var command: String
        var expected: [String]
        /// 1-based line of the command, for failure messages.
        var line: Int
    }

    var steps: [Step] = []
    var trailer: [String] = []

    init(text: String) throws(HarnessError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var preamble: [String] = []
        var position = 0
        while position < lines.count {
            let line = lines[position]
            if line.isEmpty || line.hasPrefix("#") {
                preamble.append(line)
                position += 1
                continue
            }
            guard position + 1 < lines.count, lines[position + 1] == "----" else {
                throw HarnessError("line \(position + 1): command without a '----' line: \(line)")
            }
            var expected: [String] = []
            var cursor = position + 2
            while cursor < lines.count && !lines[cursor].isEmpty {
                expected.append(lines[cursor])
                cursor += 1
            }
            self.steps.append(Step(preamble: preamble, command: line, expected: expected, line: position + 1))
            preamble = []
            // The blank line that ends the output belongs to the step, not to the next preamble.
            position = cursor < lines.count ? cursor + 1 : cursor
        }
        self.trailer = preamble
    }

    /// The file with `outputs` (one per step) in place of the expected outputs.
    func rendered(with outputs: [[String]]) -> String {
        var lines: [String] = []
        for (step, output) in zip(self.steps, outputs) {
            lines.append(contentsOf: step.preamble)
            lines.append(step.command)
            lines.append("----")
            lines.append(contentsOf: output)
            lines.append("")
        }
        lines.append(contentsOf: self.trailer)
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A parsed command line: `name positional... key=value key=(a,b)`.
struct Command {
    let name: String
    let positional: [String]
    let options: [String: String]

    init(_ line: String) throws(HarnessError) {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first else { throw HarnessError("empty command") }
        var positional: [String] = []
        var options: [String: String] = [:]
        for word in words.dropFirst() {
            if let equals = word.firstIndex(of: "=") {
                options[String(word[..<equals])] = String(word[word.index(after: equals)...])
            } else {
                positional.append(word)
            }
        }
        self.name = name
        self.positional = positional
        self.options = options
    }

    func string(_ position: Int) throws(HarnessError) -> String {
        guard position < self.positional.count else {
            throw HarnessError("\(self.name): missing argument \(position + 1)")
        }
        return self.positional[position]
    }

    func number(_ position: Int) throws(HarnessError) -> UInt64 {
        let text = try self.string(position)
        guard let value = UInt64(text) else { throw HarnessError("\(self.name): '\(text)' is not a number") }
        return value
    }

    /// All positional arguments as node ids.
    func nodeIDs() throws(HarnessError) -> [NodeIDValue] {
        var ids: [NodeIDValue] = []
        for position in self.positional.indices { ids.append(try self.number(position)) }
        return ids
    }

    func option(_ key: String) -> String? { self.options[key] }

    func numberOption(_ key: String) throws(HarnessError) -> UInt64? {
        guard let text = self.options[key] else { return nil }
        guard let value = UInt64(text) else { throw HarnessError("\(self.name): \(key)='\(text)' is not a number") }
        return value
    }

    func boolOption(_ key: String) throws(HarnessError) -> Bool? {
        guard let text = self.options[key] else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw HarnessError("\(self.name): \(key)='\(text)' is not true or false")
        }
    }

    /// A list option such as `voters=(1,2,3)`.
    func listOption(_ key: String) throws(HarnessError) -> [NodeIDValue]? {
        guard var text = self.options[key] else { return nil }
        guard text.hasPrefix("("), text.hasSuffix(")") else {
            throw HarnessError("\(self.name): \(key) needs (a,b,...)")
        }
        text.removeFirst()
        text.removeLast()
        var values: [NodeIDValue] = []
        for item in text.split(separator: ",") {
            guard let value = UInt64(item) else { throw HarnessError("\(self.name): bad id '\(item)' in \(key)") }
            values.append(value)
        }
        return values
    }
}

/// The harness's own id type name, so parsing code does not depend on the module under test.
typealias NodeIDValue = UInt64

/// A mistake in a scenario file or harness use (not a Raft outcome, which is printed as output).
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
