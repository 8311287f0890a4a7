import Backend
import EtcdProto
import Foundation
import Lease
import MVCC
import Testing

/// A store on a fresh backend in a temporary directory, removed on release.
/// Shared between tasks only as the tests document: writes on `apply`, reads anywhere.
final class StoreFixture: @unchecked Sendable {
    let directory: String
    let kind: KeyIndexKind
    let storeConfiguration: StoreConfiguration
    /// The thread writes run on in async tests, which also closes the store; nil in synchronous tests,
    /// whose writes and teardown share the test's thread.
    let apply: ApplyThread?
    private(set) var backend: Backend
    private(set) var leases: LeaseIndex
    private(set) var store: KVStore
    private(set) var applier: KVApplier

    init(
        kind: KeyIndexKind = .memory, compactionBatchLimit: Int = StoreConfiguration.defaultCompactionBatchLimit,
        applyThread: Bool = false, configure: (inout BackendConfiguration) -> Void = { _ in },
        configureStore: (inout StoreConfiguration) -> Void = { _ in }
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mvcc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.kind = kind
        apply = applyThread ? ApplyThread() : nil
        var storeConfiguration = StoreConfiguration(keyIndex: kind)
        storeConfiguration.compactionBatchLimit = compactionBatchLimit
        configureStore(&storeConfiguration)
        self.storeConfiguration = storeConfiguration
        var configuration = BackendConfiguration(path: (directory as NSString).appendingPathComponent("db"))
        configure(&configuration)
        backend = try Backend(configuration: configuration)
        leases = try LeaseIndex(backend: backend)
        store = try KVStore(backend: backend, leases: leases, configuration: storeConfiguration)
        applier = KVApplier(store: store)
    }

    deinit {
        let store = store
        let backend = backend
        let teardown = {
            store.close()
            backend.close()
        }
        if let apply {
            try? apply.run(teardown)
        } else {
            teardown()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `body` on the apply thread (async tests) or right here (synchronous tests).
    @discardableResult
    func write<R>(_ body: @escaping () throws -> R) throws -> R {
        guard let apply else { return try body() }
        return try apply.run(body)
    }

    /// Commits, closes and opens everything again, as a restart does.
    func reopen() throws {
        try store.commit()
        store.close()
        let configuration = backend.configuration
        backend.close()
        backend = try Backend(configuration: configuration)
        leases = try LeaseIndex(backend: backend)
        store = try KVStore(backend: backend, leases: leases, configuration: storeConfiguration)
        applier = KVApplier(store: store)
    }

    /// Runs the store's maintenance until no compaction work is left.
    func finishMaintenance() throws {
        while try store.runMaintenance() {}
    }

    @discardableResult
    func put(_ key: String, _ value: String, lease: Int64 = 0) throws -> Etcdserverpb_PutResponse {
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value.utf8)
        request.lease = lease
        return try applier.put(request)
    }

    @discardableResult
    func delete(_ key: String, end: String? = nil) throws -> Etcdserverpb_DeleteRangeResponse {
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = Data(key.utf8)
        if let end {
            request.rangeEnd = Data(end.utf8)
        }
        return try applier.deleteRange(request)
    }

    func get(_ key: String, end: String? = nil, revision: Int64 = 0) throws -> Etcdserverpb_RangeResponse {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        if let end {
            request.rangeEnd = Data(end.utf8)
        }
        request.revision = revision
        return try applier.range(request)
    }

    /// Every live key and value at the current revision.
    func snapshot() throws -> [String: String] {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data([0])
        request.rangeEnd = Data([0])
        var result: [String: String] = [:]
        for keyValue in try applier.range(request).kvs {
            result[String(decoding: keyValue.key, as: UTF8.self)] = String(decoding: keyValue.value, as: UTF8.self)
        }
        return result
    }
}

extension Data {
    var text: String { String(decoding: self, as: UTF8.self) }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Expects `body` to throw exactly `expected`.
func expectKVError<R>(_ expected: KVError, _ body: () throws -> R, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try body()
        Issue.record("expected \(expected.message)", sourceLocation: sourceLocation)
    } catch let error as KVError {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
