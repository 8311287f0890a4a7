/// Takes a bbolt file's contents in file order: buckets in ascending name order, each with its keys in
/// ascending byte order. ``BoltWriter`` writes them; ``BoltLayoutPlanner`` lays out the file from their
/// sizes alone, so the same producer can drive a planning pass and then a streaming write.
public protocol BoltEntryReceiver {
    /// Ends the current bucket, if any, and starts the bucket `name`.
    mutating func beginBucket(_ name: [UInt8]) throws(BoltError)
    /// Adds an entry to the current bucket; the buffers are read during the call only.
    mutating func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(BoltError)
}
