/// How a backup file is stored: zlib-compressed (`.db.zlib`) or as the raw snapshot (`.db`). Reading
/// accepts gzip too, and tells the kinds apart by their first bytes, not by the name.
public enum BackupCompression: String, Sendable, CaseIterable {
    case zlib
    case none

    /// The file name's ending.
    public var suffix: String {
        switch self {
        case .zlib: ".db.zlib"
        case .none: ".db"
        }
    }

    /// What a file's first bytes say it holds.
    public enum Content: Sendable, Equatable {
        case zlib
        case gzip
        /// Anything else: read as a raw snapshot (its own checks reject what is not one).
        case raw
    }

    /// The content of a file that starts with `header` (two bytes suffice).
    public static func content(startingWith header: [UInt8]) -> Content {
        guard header.count >= 2 else { return .raw }
        if header[0] == 0x1F && header[1] == 0x8B { return .gzip }
        // RFC 1950: method 8 (deflate), a window of at most 32 KiB, and a header check multiple of 31.
        let isDeflate = header[0] & 0x0F == 8 && header[0] >> 4 <= 7
        if isDeflate && (UInt16(header[0]) << 8 | UInt16(header[1])) % 31 == 0 { return .zlib }
        return .raw
    }
}
