@_spi(Testing) import ClientAPI
import EtcdProto
import Foundation
import SwiftProtobuf
import Testing

/// The watch stream's hand-made encoding is SwiftProtobuf's, byte for byte, whatever the response holds,
/// and an event list shared by several responses is encoded once without mixing up lists that differ.
@Suite struct WatchResponseEncoderTests {
    private static func event(_ key: String, revision: Int64, delete: Bool = false, previous: Bool = false) -> Mvccpb_Event {
        var event = Mvccpb_Event()
        event.type = delete ? .delete : .put
        event.kv.key = Data(key.utf8)
        event.kv.value = delete ? Data() : Data(repeating: 7, count: 300)
        event.kv.createRevision = 2
        event.kv.modRevision = revision
        event.kv.version = delete ? 0 : 3
        event.kv.lease = 0x1234_5678_9abc
        if previous {
            event.prevKv.key = Data(key.utf8)
            event.prevKv.value = Data("before".utf8)
            event.prevKv.modRevision = revision - 1
        }
        return event
    }

    private static func response(
        watchID: Int64, revision: Int64, events: [Mvccpb_Event] = [], configure: (inout Etcdserverpb_WatchResponse) -> Void = { _ in }
    ) -> Etcdserverpb_WatchResponse {
        var message = Etcdserverpb_WatchResponse()
        message.header.clusterID = 0xdead_beef_0123
        message.header.memberID = 0x8e9e_05c5_2164_694d
        message.header.revision = revision
        message.header.raftTerm = 7
        message.watchID = watchID
        message.events = events
        configure(&message)
        return message
    }

    @Test func everyKindOfResponseEncodesAsSwiftProtobufDoes() throws {
        let shared = [Self.event("a", revision: 9), Self.event("b", revision: 9, delete: true)]
        let messages = [
            Self.response(watchID: 0, revision: 8) { $0.created = true },
            Self.response(watchID: 1, revision: 9, events: shared),
            Self.response(watchID: 2, revision: 9, events: shared),
            Self.response(watchID: 3, revision: 9, events: [Self.event("a", revision: 9, previous: true)]),
            Self.response(watchID: 300, revision: 10, events: [Self.event("c", revision: 10)]) { $0.fragment = true },
            Self.response(watchID: -1, revision: 10),
            Self.response(watchID: 4, revision: 10) {
                $0.canceled = true
                $0.compactRevision = 5
            },
            Self.response(watchID: -1, revision: 11) {
                $0.created = true
                $0.canceled = true
                $0.cancelReason = "etcdserver: permission denied"
            },
            Etcdserverpb_WatchResponse(),
        ]
        var encoder = WatchResponseEncoder()
        for message in messages {
            let expected: [UInt8] = try message.serializedBytes()
            #expect(try encoder.encode(message) == expected, "\(message)")
            #expect(try Etcdserverpb_WatchResponse(serializedBytes: try encoder.encode(message)) == message)
        }
    }

    @Test func listsOfTheSameLengthButOtherEventsAreNotMixedUp() throws {
        let first = [Self.event("a", revision: 9)]
        let second = [Self.event("z", revision: 9)]
        var encoder = WatchResponseEncoder()
        let messages = [Self.response(watchID: 1, revision: 9, events: first), Self.response(watchID: 1, revision: 9, events: second)]
        for message in messages {
            let expected: [UInt8] = try message.serializedBytes()
            #expect(try encoder.encode(message) == expected)
        }
    }
}
