/// A broken promise a check found: what it is, and the operations or events that show it, one per line.
public struct Anomaly: Sendable, CustomStringConvertible {
    public var kind: String
    public var excerpt: [String]

    public init(kind: String, excerpt: [String]) {
        self.kind = kind
        self.excerpt = excerpt
    }

    public var description: String {
        ([kind] + self.excerpt.map { "  " + $0 }).joined(separator: "\n")
    }
}
