/// Where a bbolt file's root tree and freelist will be and how many pages it will have, worked out by
/// ``BoltLayoutPlanner`` before any page is written. It is what a file's meta pages say, so a writer
/// given it can put the meta pages first and stream the whole file in order.
public struct BoltLayout: Sendable, Equatable {
    /// The writer options the layout was planned for.
    public var options: BoltWriter.Options
    /// The root bucket's root page.
    public var rootPageID: UInt64
    /// The freelist page, or nil when none is written.
    public var freelistPageID: UInt64?
    /// Pages `0..<pageCount` make up the file.
    public var pageCount: UInt64

    /// The file's size in bytes.
    public var totalSizeBytes: Int64 { Int64(self.pageCount) * Int64(self.options.pageSizeBytes) }

    /// The meta page the layout describes, with transaction id `transactionID`.
    func meta(transactionID: UInt64) -> BoltMeta {
        BoltMeta(
            pageSizeBytes: self.options.pageSizeBytes,
            rootPageID: self.rootPageID,
            freelistPageID: self.freelistPageID,
            pageCount: self.pageCount,
            transactionID: transactionID
        )
    }
}
