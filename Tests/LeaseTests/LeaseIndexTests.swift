import Backend
import Foundation
import Lease
import Testing

@Suite struct LeaseIndexTests {
    private final class Fixture {
        let directory: String
        var backend: Backend
        var leases: LeaseIndex

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            backend = try Backend(configuration: BackendConfiguration(path: directory + "/db"))
            leases = try LeaseIndex(backend: backend)
        }

        deinit {
            backend.close()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func reopen() throws {
            try backend.writer.commit()
            let configuration = backend.configuration
            backend.close()
            backend = try Backend(configuration: configuration)
            leases = try LeaseIndex(backend: backend)
        }
    }

    @Test func grantValidatesLikeEtcd() throws {
        let fixture = try Fixture()
        #expect(throws: LeaseError.notFound) { try fixture.leases.grant(id: 0, ttlSeconds: 10) }
        #expect(throws: LeaseError.ttlTooLarge) { try fixture.leases.grant(id: 1, ttlSeconds: LeaseIndex.maxTTLSeconds + 1) }
        let record = try fixture.leases.grant(id: 1, ttlSeconds: LeaseIndex.maxTTLSeconds)
        #expect(record == LeaseRecord(id: 1, ttlSeconds: 9_000_000_000))
        #expect(throws: LeaseError.alreadyExists) { try fixture.leases.grant(id: 1, ttlSeconds: 5) }
        #expect(fixture.leases.list() == [record])

        #expect(LeaseError.notFound.grpcMessage == "etcdserver: requested lease not found")
        #expect(LeaseError.notFound.grpcCode == .notFound)
        #expect(LeaseError.alreadyExists.grpcMessage == "etcdserver: lease already exists")
        #expect(LeaseError.alreadyExists.grpcCode == .failedPrecondition)
        #expect(LeaseError.ttlTooLarge.grpcMessage == "etcdserver: too large lease TTL")
        #expect(LeaseError.ttlTooLarge.grpcCode == .outOfRange)
        #expect(LeaseError.notFound.message == "lease not found")
    }

    @Test func recordsAndCheckpointsSurviveAReopen() throws {
        let fixture = try Fixture()
        _ = try fixture.leases.grant(id: 7, ttlSeconds: 60)
        _ = try fixture.leases.grant(id: -5, ttlSeconds: 30)
        _ = try fixture.leases.grant(id: Int64.max, ttlSeconds: 1)
        try fixture.leases.checkpoint(id: 7, remainingTTLSeconds: 42)
        try fixture.leases.checkpoint(id: 99, remainingTTLSeconds: 1)
        try fixture.reopen()
        #expect(fixture.leases.list() == [
            LeaseRecord(id: -5, ttlSeconds: 30), LeaseRecord(id: 7, ttlSeconds: 60, remainingTTLSeconds: 42),
            LeaseRecord(id: Int64.max, ttlSeconds: 1),
        ])
        #expect(fixture.leases.lookup(7)?.effectiveTTLSeconds == 42)
        #expect(fixture.leases.lookup(-5)?.effectiveTTLSeconds == 30)
        #expect(fixture.leases.lookup(99) == nil)
    }

    @Test func recordsUseEtcdsLeaseFormat() throws {
        let fixture = try Fixture()
        _ = try fixture.leases.grant(id: 0x0102, ttlSeconds: 300)
        try fixture.leases.checkpoint(id: 0x0102, remainingTTLSeconds: 150)
        let view = try fixture.backend.read()
        defer { view.close() }
        let stored = try view.get(fixture.backend.database("lease"), [0, 0, 0, 0, 0, 0, 0x01, 0x02])
        // leasepb.Lease{ID: 258, TTL: 300, RemainingTTL: 150}: three int64 varint fields.
        #expect(stored == [0x08, 0x82, 0x02, 0x10, 0xAC, 0x02, 0x18, 0x96, 0x01])
    }

    @Test func attachmentsFollowAttachAndDetach() throws {
        let fixture = try Fixture()
        _ = try fixture.leases.grant(id: 1, ttlSeconds: 10)
        #expect(fixture.leases.attach([0x62], to: 1))
        #expect(fixture.leases.attach([0x61], to: 1))
        #expect(!fixture.leases.attach([0x63], to: 2), "no such lease")
        #expect(fixture.leases.keys(of: 1) == [[0x61], [0x62]])
        #expect(fixture.leases.lease(attachedTo: [0x61]) == 1)
        fixture.leases.detach([0x61], from: 1)
        #expect(fixture.leases.keys(of: 1) == [[0x62]])
        #expect(fixture.leases.lease(attachedTo: [0x61]) == nil)
        #expect(fixture.leases.keys(of: 2) == nil)
        fixture.leases.remove(1)
        #expect(fixture.leases.lookup(1) == nil)
        #expect(fixture.leases.lease(attachedTo: [0x62]) == nil)
    }

    @Test func aGrantThatDoesNotFitChangesNothing() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lease-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = BackendConfiguration(path: directory + "/db")
        configuration.mapSizeBytes = 1024 * 1024
        let backend = try Backend(configuration: configuration)
        defer { backend.close() }
        let leases = try LeaseIndex(backend: backend)
        let filler = backend.database("key")
        var index = 0
        while true {
            do {
                try backend.writer.apply([.put(filler, key: Array("f\(index)".utf8), value: [UInt8](repeating: 1, count: 2000))])
                index += 1
            } catch {
                break
            }
        }
        var granted = 0
        var failure: LeaseError?
        for id in 1...10_000 {
            do {
                _ = try leases.grant(id: Int64(id), ttlSeconds: 5)
                granted += 1
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure)
        #expect(error.backendError == .mapFull)
        #expect(leases.list().count == granted)
    }
}
