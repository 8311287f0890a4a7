/// The entries of one leaf node being filled: an element table and the key/value bytes, appended in
/// order, turned into a page image (16-byte header, 16-byte elements, packed keys and values) on demand.
struct LeafBuffer {
    private struct Element {
        var flags: UInt32
        var keyBytes: Int
        var valueBytes: Int
    }

    private var elements: [Element] = []
    private var data: [UInt8] = []

    /// The number of entries.
    var count: Int { self.elements.count }

    /// The size of the node's image: header, element table and data.
    var encodedBytes: Int { PageLayout.headerBytes + PageLayout.elementBytes * self.elements.count + self.data.count }

    /// What one entry adds to ``encodedBytes``.
    static func cost(keyBytes: Int, valueBytes: Int) -> Int {
        PageLayout.elementBytes + keyBytes + valueBytes
    }

    /// The first entry's key; the node must not be empty.
    var firstKey: [UInt8] {
        precondition(!self.elements.isEmpty, "an empty leaf has no first key")
        return Array(self.data[0..<self.elements[0].keyBytes])
    }

    mutating func append(flags: UInt32, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        self.elements.append(Element(flags: flags, keyBytes: key.count, valueBytes: value.count))
        self.data.append(contentsOf: key)
        self.data.append(contentsOf: value)
    }

    /// Calls `body` with every entry in order; the buffers are valid only during the call.
    func forEach(_ body: (UInt32, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(BoltError) -> Void) throws(BoltError) {
        var offset = 0
        var failure: BoltError?
        self.data.withUnsafeBytes { data in
            for element in self.elements {
                let keyEnd = offset + element.keyBytes
                let valueEnd = keyEnd + element.valueBytes
                do throws(BoltError) {
                    try body(element.flags, UnsafeRawBufferPointer(rebasing: data[offset..<keyEnd]),
                             UnsafeRawBufferPointer(rebasing: data[keyEnd..<valueEnd]))
                } catch {
                    failure = error
                    return
                }
                offset = valueEnd
            }
        }
        if let failure { throw failure }
    }

    /// The node's image with page id 0 and no overflow (the page sink stamps both; an inline bucket
    /// keeps them so).
    func image() -> [UInt8] {
        precondition(self.elements.count < PageLayout.freelistCountEscape, "a page holds fewer than 65535 elements")
        var image = [UInt8]()
        image.reserveCapacity(self.encodedBytes)
        image.appendLittleEndian(UInt64(0))
        image.appendLittleEndian(PageLayout.leafFlag)
        image.appendLittleEndian(UInt16(self.elements.count))
        image.appendLittleEndian(UInt32(0))
        var dataOffset = PageLayout.headerBytes + PageLayout.elementBytes * self.elements.count
        for (index, element) in self.elements.enumerated() {
            let elementOffset = PageLayout.headerBytes + PageLayout.elementBytes * index
            image.appendLittleEndian(element.flags)
            image.appendLittleEndian(UInt32(dataOffset - elementOffset))
            image.appendLittleEndian(UInt32(element.keyBytes))
            image.appendLittleEndian(UInt32(element.valueBytes))
            dataOffset += element.keyBytes + element.valueBytes
        }
        image.append(contentsOf: self.data)
        return image
    }
}
