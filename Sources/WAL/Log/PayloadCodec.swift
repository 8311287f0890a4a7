import EtcdProto
import Foundation
import Raft
import RaftWire
import SwiftProtobuf

/// The WAL's payloads: Raft values in their memberpb form (the conversions are RaftWire's), and the
/// WAL's own metadata and markers.
enum PayloadCodec {
    static func encode(_ entry: Entry) -> [UInt8] {
        serialize(entry.proto)
    }

    static func decodeEntry(_ bytes: [UInt8]) throws -> Entry {
        let message = try Memberpb_Entry(serializedBytes: bytes)
        guard let entry = Entry(proto: message) else {
            throw PayloadError(description: "unknown entry type \(message.type.rawValue)")
        }
        return entry
    }

    static func encode(_ state: HardState) -> [UInt8] {
        serialize(state.proto)
    }

    static func decodeHardState(_ bytes: [UInt8]) throws -> HardState {
        HardState(proto: try Memberpb_HardState(serializedBytes: bytes))
    }

    static func encode(_ metadata: WALMetadata) -> [UInt8] {
        var message = Memberpb_WALMetadata()
        message.memberID = metadata.memberID
        message.clusterID = metadata.clusterID
        return serialize(message)
    }

    static func decodeMetadata(_ bytes: [UInt8]) throws -> WALMetadata {
        let message = try Memberpb_WALMetadata(serializedBytes: bytes)
        return WALMetadata(memberID: message.memberID, clusterID: message.clusterID)
    }

    static func encode(_ marker: SnapshotMarker) -> [UInt8] {
        var message = Memberpb_WALSnapshot()
        message.index = marker.index
        message.term = marker.term
        message.confState = marker.confState.proto
        return serialize(message)
    }

    static func decodeMarker(_ bytes: [UInt8]) throws -> SnapshotMarker {
        let message = try Memberpb_WALSnapshot(serializedBytes: bytes)
        return SnapshotMarker(index: message.index, term: message.term, confState: ConfState(proto: message.confState))
    }

    static func encode(_ snapshot: Snapshot) -> [UInt8] {
        var file = Memberpb_SnapshotFile()
        file.snapshot = snapshot.proto
        return serialize(file)
    }

    static func decodeSnapshot(_ bytes: [UInt8]) throws -> Snapshot {
        Snapshot(proto: try Memberpb_SnapshotFile(serializedBytes: bytes).snapshot)
    }

    private static func serialize(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        do {
            return try message.serializedBytes()
        } catch {
            preconditionFailure("encoding \(type(of: message)) cannot fail: \(error)")
        }
    }
}

/// A payload whose bytes passed the CRC but do not decode.
struct PayloadError: Error, CustomStringConvertible {
    let description: String
}
