import Backend
import EtcdProto
import Foundation
import EtcdServer
import Testing

/// Alarms persist in the backend's `alarm` database, keyed as etcd keys them.
struct AlarmStoreTests {
    @Test func alarmsAreRaisedClearedAndReloaded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alarms-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = BackendConfiguration(path: "\(directory)/db")
        var backend = try Backend(configuration: configuration)
        var alarms = try AlarmStore(backend: backend)
        #expect(alarms.alarms.isEmpty && !alarms.isActive(.nospace))

        let (raised, write) = alarms.activate(memberID: 7, type: .nospace)
        #expect(raised.memberID == 7 && raised.alarm == .nospace)
        try backend.writer.apply([try #require(write)])
        #expect(alarms.activate(memberID: 7, type: .nospace).1 == nil, "raising it again writes nothing")
        try backend.writer.apply([try #require(alarms.activate(memberID: 3, type: .nospace).1)])
        try backend.writer.apply([try #require(alarms.activate(memberID: 0, type: .corrupt).1)])
        try backend.writer.commit()
        #expect(alarms.alarms.map(\.compactText) == ["alarm:CORRUPT ", "memberID:3 alarm:NOSPACE ", "memberID:7 alarm:NOSPACE "])

        let view = try backend.read()
        var expectedKey = Etcdserverpb_AlarmMember()
        expectedKey.memberID = 7
        expectedKey.alarm = .nospace
        #expect(try view.get(backend.database("alarm"), try expectedKey.serializedBytes()) == [])
        view.close()

        backend.close()
        backend = try Backend(configuration: configuration)
        alarms = try AlarmStore(backend: backend)
        #expect(alarms.alarms.count == 3 && alarms.isActive(.corrupt))

        let (cleared, deletes) = alarms.deactivate(memberID: 0, type: .nospace)
        #expect(cleared.map(\.memberID) == [3, 7], "member 0 clears the alarm of every member")
        try backend.writer.apply(deletes)
        #expect(!alarms.isActive(.nospace) && alarms.isActive(.corrupt))
        #expect(alarms.alarms(of: .none).count == 1)
        try backend.writer.commit()
        backend.close()
    }
}
