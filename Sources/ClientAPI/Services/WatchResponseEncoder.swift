import EtcdProto
import SwiftProtobuf

/// Encodes the watch responses of one batch as etcd's `WatchResponse` messages, byte for byte as
/// SwiftProtobuf would, but each event list once: a revision's events go to every watcher of the key in
/// one shared array (see `WatchHub`), so a hundred watchers of a key cost one encoding of the event, not a
/// hundred. The header is encoded once per distinct header too.
///
/// An event list is recognized by its array storage, which the batch being encoded keeps alive: two
/// arrays on the same storage hold the same events. Use one encoder per batch and drop it with the batch.
@_spi(Testing) public struct WatchResponseEncoder {
    private var eventLists: [UnsafeRawPointer: [UInt8]] = [:]
    private var lastHeader: Etcdserverpb_ResponseHeader?
    private var lastHeaderBytes: [UInt8] = []

    /// An encoder for one batch.
    public init() {}

    /// `message`'s encoding; fields this encoder does not write by hand (none that etcd's server sets are
    /// missing) make it fall back to SwiftProtobuf.
    public mutating func encode(_ message: Etcdserverpb_WatchResponse) throws -> [UInt8] {
        guard message.unknownFields.data.isEmpty else { return try message.serializedBytes() }
        let events = try self.encodedEvents(message.events)
        let header = try self.encodedHeader(message)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.count + 40 + message.cancelReason.utf8.count + events.count)
        bytes.append(contentsOf: header)
        if message.watchID != 0 { ProtobufWire.appendVarint(field: 2, UInt64(bitPattern: message.watchID), to: &bytes) }
        if message.created { ProtobufWire.appendVarint(field: 3, 1, to: &bytes) }
        if message.canceled { ProtobufWire.appendVarint(field: 4, 1, to: &bytes) }
        if message.compactRevision != 0 {
            ProtobufWire.appendVarint(field: 5, UInt64(bitPattern: message.compactRevision), to: &bytes)
        }
        if !message.cancelReason.isEmpty { ProtobufWire.appendLengthDelimited(field: 6, Array(message.cancelReason.utf8), to: &bytes) }
        if message.fragment { ProtobufWire.appendVarint(field: 7, 1, to: &bytes) }
        bytes.append(contentsOf: events)
        return bytes
    }

    /// Field 1, the header, encoded once for a run of responses with the same header.
    private mutating func encodedHeader(_ message: Etcdserverpb_WatchResponse) throws -> [UInt8] {
        guard message.hasHeader else { return [] }
        if let lastHeader = self.lastHeader, lastHeader == message.header { return self.lastHeaderBytes }
        var bytes: [UInt8] = []
        ProtobufWire.appendLengthDelimited(field: 1, try message.header.serializedBytes(), to: &bytes)
        self.lastHeader = message.header
        self.lastHeaderBytes = bytes
        return bytes
    }

    /// Field 11, the events, encoded once per event list.
    private mutating func encodedEvents(_ events: [Mvccpb_Event]) throws -> [UInt8] {
        guard !events.isEmpty else { return [] }
        let storage = events.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) }
        if let known = self.eventLists[storage] { return known }
        var bytes: [UInt8] = []
        for event in events {
            ProtobufWire.appendLengthDelimited(field: 11, try event.serializedBytes(), to: &bytes)
        }
        self.eventLists[storage] = bytes
        return bytes
    }
}
