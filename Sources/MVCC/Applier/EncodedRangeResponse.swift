import EtcdProto

/// etcd's `RangeResponse` ready for the gRPC wire but for its header: a plain range carries its key-values
/// as the bytes stored for them (etcd stores each as an encoded `mvccpb.KeyValue`, the very bytes a
/// response holds), so serving it decodes and encodes none of them. A range that needs its key-values
/// decoded (a sort by anything but the key, revision filters, keys only) keeps the typed response.
public struct EncodedRangeResponse: Sendable {
    enum Body: Sendable {
        /// Field 2's entries as stored, then `more` and `count`.
        case stored(EncodedKeyValues, more: Bool)
        case message(Etcdserverpb_RangeResponse)
    }

    let body: Body

    /// The revision the response header carries.
    public var revision: Int64 {
        switch self.body {
        case .stored(let keyValues, _): keyValues.revision
        case .message(let response): response.header.revision
        }
    }

    /// The response's serialized bytes with `header`, byte for byte what SwiftProtobuf makes of the typed
    /// response (fields in number order, defaults left out).
    public func serializedBytes(header: Etcdserverpb_ResponseHeader) throws -> [UInt8] {
        switch self.body {
        case .message(var response):
            response.header = header
            return try response.serializedBytes()
        case .stored(let keyValues, let more):
            let headerBytes: [UInt8] = try header.serializedBytes()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(headerBytes.count + keyValues.bytes.count + 16)
            ProtobufWire.appendLengthDelimited(field: 1, headerBytes, to: &bytes)
            bytes.append(contentsOf: keyValues.bytes)
            if more { ProtobufWire.appendVarint(field: 3, 1, to: &bytes) }
            if keyValues.total != 0 { ProtobufWire.appendVarint(field: 4, UInt64(keyValues.total), to: &bytes) }
            return bytes
        }
    }
}

extension KVApplier {
    /// etcd's `Range`, for a response serialized without decoding its key-values when the request allows
    /// (see ``EncodedRangeResponse``). Any thread.
    public func encodedRange(_ request: Etcdserverpb_RangeRequest) throws(KVError) -> EncodedRangeResponse {
        try KVRequestValidation.check(request)
        let context = PinnedRead(store: store)
        guard Self.takesStoredKeyValues(request) else {
            return EncodedRangeResponse(body: .message(try range(request, in: context)))
        }
        let options = RangeOptions(limit: request.limit, revision: request.revision)
        let keyValues = try context.encodedRange(KeyRange(key: request.key, rangeEnd: request.rangeEnd), options: options, field: 2)
        let more = request.limit > 0 && keyValues.total > request.limit
        return EncodedRangeResponse(body: .stored(keyValues, more: more))
    }

    /// Whether a range's response holds its key-values exactly as stored, in key order: no sort but by the
    /// key ascending, no revision filter, values kept, key-values wanted.
    static func takesStoredKeyValues(_ request: Etcdserverpb_RangeRequest) -> Bool {
        request.sortTarget == .key && (request.sortOrder == .none || request.sortOrder == .ascend)
            && request.minModRevision == 0 && request.maxModRevision == 0
            && request.minCreateRevision == 0 && request.maxCreateRevision == 0
            && !request.keysOnly && !request.countOnly
    }
}
