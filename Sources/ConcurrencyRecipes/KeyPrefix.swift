/// Ranges of keys by prefix, as clientv3 computes them.
public enum KeyPrefix {
    /// The end of the range of every key that starts with `prefix` (clientv3's `GetPrefixRangeEnd`): the prefix
    /// with its last byte below 0xFF incremented and what follows dropped; `[0]` (every key from the start)
    /// when there is no such byte.
    public static func rangeEnd(of prefix: some Collection<UInt8>) -> [UInt8] {
        var end = Array(prefix)
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}
