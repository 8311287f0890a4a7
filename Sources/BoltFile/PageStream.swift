/// A bbolt file handed out as it is made, in file order and in blocks of at least `blockBytes` (the last
/// one may be shorter), for a writer that was given its ``BoltLayout`` first.
final class PageStream {
    private let blockBytes: Int
    private let output: ([UInt8]) -> Bool
    private var block: [UInt8] = []
    /// The pages handed to the block so far.
    private(set) var pagesWritten: UInt64 = 0

    /// `output` takes each block and returns false when nobody reads the stream any more.
    init(blockBytes: Int, output: @escaping ([UInt8]) -> Bool) {
        self.blockBytes = max(1, blockBytes)
        self.output = output
        self.block.reserveCapacity(self.blockBytes)
    }

    /// Appends whole pages starting at `pageID`, which must be the next page of the file.
    func append(_ bytes: [UInt8], atPage pageID: UInt64, pageSizeBytes: Int) throws(BoltError) {
        guard pageID == self.pagesWritten else {
            throw BoltError(.misuse, "a streamed file needs page \(self.pagesWritten) next, not page \(pageID)")
        }
        self.block.append(contentsOf: bytes)
        self.pagesWritten += UInt64(bytes.count / pageSizeBytes)
        if self.block.count >= self.blockBytes {
            try self.handOver()
        }
    }

    /// Hands over the last block; the stream must hold exactly `pageCount` pages.
    func finish(pageCount: UInt64) throws(BoltError) {
        guard pageCount == self.pagesWritten else {
            throw BoltError(.misuse, "the stream holds \(self.pagesWritten) pages, not the \(pageCount) planned")
        }
        if !self.block.isEmpty {
            try self.handOver()
        }
    }

    private func handOver() throws(BoltError) {
        let full = self.block
        self.block = []
        self.block.reserveCapacity(self.blockBytes)
        guard self.output(full) else {
            throw BoltError(.io, "the reader of the streamed file went away")
        }
    }
}
