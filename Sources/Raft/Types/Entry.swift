/// One entry of the replicated log.
public struct Entry: Sendable, Hashable {
    /// What `data` holds.
    public enum Kind: UInt8, Sendable, Hashable {
        /// An application command (or empty: the entry a new leader appends at the start of its term).
        case normal = 0
        /// An encoded ``ConfChange``.
        case confChange = 1
    }

    public var term: UInt64
    public var index: UInt64
    public var kind: Kind
    public var data: [UInt8]

    /// Creates an entry.
    public init(term: UInt64, index: UInt64, kind: Kind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// The size counted against message and uncommitted-size limits: the payload plus a fixed overhead
    /// for the term, index and kind.
    public var byteSize: Int {
        self.data.count + Self.overheadBytes
    }

    /// Bytes counted per entry besides its payload.
    public static let overheadBytes = 24
}
