/// Why the WAL could not be created or opened. Damage is reported with the file and byte offset where it
/// was found; the WAL never skips damage silently (only a torn final record is repaired, see
/// ``WAL/open(directory:from:fileSystem:options:)``).
public struct WALError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, stable for matching.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// `create` found segments already in the directory.
        public static let alreadyExists = Code("alreadyExists")
        /// No segment at or before the requested snapshot marker.
        public static let fileNotFound = Code("fileNotFound")
        /// A segment's sequence number is missing between two others.
        public static let missingSegment = Code("missingSegment")
        /// A segment's name does not match the indices written before it, or entries skip an index.
        public static let indexMismatch = Code("indexMismatch")
        /// A record's bytes are damaged (CRC, header, padding, length, type) outside the repairable tail.
        public static let corruptRecord = Code("corruptRecord")
        /// A record's CRC is intact but its payload does not decode, or segment records are misordered.
        public static let badRecord = Code("badRecord")
        /// Two segments carry different metadata.
        public static let metadataConflict = Code("metadataConflict")
        /// The requested snapshot marker is not in the log.
        public static let snapshotNotFound = Code("snapshotNotFound")
        /// The marker at the requested index has another term.
        public static let snapshotMismatch = Code("snapshotMismatch")
        /// A file operation failed while reading.
        public static let io = Code("io")
    }

    /// The kind of failure.
    public let code: Code
    /// The full message, etcd's text first where etcd has one, then the location.
    public let message: String
    /// The file involved, if any.
    public let path: String?
    /// The byte offset in ``path`` where the damage starts, if any.
    public let offset: Int64?

    init(_ code: Code, _ text: String, path: String? = nil, offset: Int64? = nil) {
        self.code = code
        self.path = path
        self.offset = offset
        switch (path, offset) {
        case (let path?, let offset?): self.message = "\(text) (file \(path), offset \(offset))"
        case (let path?, nil): self.message = "\(text) (file \(path))"
        default: self.message = text
        }
    }

    public var description: String { self.message }
}
