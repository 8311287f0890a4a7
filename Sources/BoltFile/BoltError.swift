#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a bbolt file could not be written, opened or read. Every damage the reader detects has its own
/// ``Code`` and a one-line ``description`` naming the page where it was found.
public struct BoltError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, stable for matching.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// Neither meta page carries bbolt's magic number: not a bbolt file (or one from a big-endian host).
        public static let badMagic = Code("badMagic")
        /// The meta pages carry the magic but a format version other than 2.
        public static let badVersion = Code("badVersion")
        /// Neither meta page's FNV-64a checksum matches its contents.
        public static let metaChecksum = Code("metaChecksum")
        /// The newest valid meta page holds an impossible value (page size, root, freelist or page count).
        public static let invalidMeta = Code("invalidMeta")
        /// The file ends before the pages its meta page says it has.
        public static let truncated = Code("truncated")
        /// A page's header names another page id than the position it was read from.
        public static let pageIDMismatch = Code("pageIDMismatch")
        /// A reference (or a page's overflow) points at or past the high-water mark.
        public static let pageOutOfBounds = Code("pageOutOfBounds")
        /// A page is reached twice: a cycle in the tree or a page shared between two parents.
        public static let cycle = Code("cycle")
        /// Keys do not ascend strictly, within a page or across the ranges set by branch keys.
        public static let keysOutOfOrder = Code("keysOutOfOrder")
        /// A page where a branch or leaf was expected (or the freelist) carries other type flags.
        public static let wrongPageType = Code("wrongPageType")
        /// A page's element table, key, value or bucket header does not fit where it must.
        public static let malformedPage = Code("malformedPage")
        /// A reachable page is also listed as free, or a page is neither reachable nor free.
        public static let pageAccounting = Code("pageAccounting")
        /// The freelist page lists ids that are unsorted, duplicated, reserved or past the high-water mark.
        public static let badFreelist = Code("badFreelist")
        /// A top-level entry is a plain key/value where etcd expects a bucket.
        public static let notABucket = Code("notABucket")
        /// A key of etcd's `key` bucket is too short to be a revision.
        public static let badRevisionKey = Code("badRevisionKey")
        /// The writer was given a key (or bucket name) that does not sort after the previous one.
        public static let keyOutOfOrder = Code("keyOutOfOrder")
        /// The writer was given the same key (or bucket name) twice in a row.
        public static let duplicateKey = Code("duplicateKey")
        /// The writer was given an empty key, a key over 32768 bytes or a value over 2³¹−2 bytes.
        public static let invalidEntry = Code("invalidEntry")
        /// The writer was used out of sequence: a key before any bucket, or anything after `finish()`.
        public static let misuse = Code("misuse")
        /// A system call on the file failed.
        public static let io = Code("io")
    }

    /// The kind of failure.
    public let code: Code
    /// The one-line message, with the page id when one is involved.
    public let message: String
    /// The page where the damage was found, if any.
    public let pageID: UInt64?

    init(_ code: Code, _ text: String, page: UInt64? = nil) {
        self.code = code
        self.pageID = page
        if let page {
            self.message = "bbolt: page \(page): \(text)"
        } else {
            self.message = "bbolt: \(text)"
        }
    }

    /// An I/O error for `operation`, with the text of `errno`.
    static func system(_ operation: String, errno code: Int32) -> BoltError {
        BoltError(.io, "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))")
    }

    /// The `cycle` error for a page reached a second time.
    static func reachedTwice(_ pageID: UInt64) -> BoltError {
        BoltError(.cycle, "reached twice (a cycle or a page shared by two parents)", page: pageID)
    }

    public var description: String { self.message }
}
