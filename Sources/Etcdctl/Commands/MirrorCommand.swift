import EtcdClient
import EtcdProto
import Foundation
import Synchronization

/// make-mirror: copies the keys under a prefix to another cluster as of one revision (clientv3's mirror
/// syncer, in pages of 1000), then replays every later change there, one transaction per source revision,
/// until interrupted. The number of keys mirrored so far is printed every 30 seconds.
enum MirrorCommand {
    /// Keys per page of the base copy (clientv3's mirror batch limit).
    static let pageSize: Int64 = 1000
    /// How often the running total is printed.
    static let reportInterval: Duration = .seconds(30)

    static let makeMirror = Command(
        "make-mirror [options] <destination>", "Makes a mirror at the destination etcd cluster",
        flags: [
            Flag("prefix", .string, "", "Key-value prefix to mirror"),
            Flag("dest-prefix", .string, "", "destination prefix to mirror a prefix to a different prefix in the destination cluster"),
            Flag("no-dest-prefix", .bool, "false", "mirror key-values to the root of the destination cluster"),
            Flag("dest-cert", .string, "", "Identify secure client using this TLS certificate file for the destination cluster"),
            Flag("dest-key", .string, "", "Identify secure client using this TLS key file"),
            Flag("dest-cacert", .string, "", "Verify certificates of TLS enabled secure servers using this CA bundle"),
            Flag("dest-insecure-transport", .bool, "true", "Disable transport security for client connections"),
            Flag("dest-user", .string, "", "Destination username[:password] for authentication (prompt if password is not supplied)"),
            Flag(
                "dest-password", .string, "",
                "Destination password for authentication (if this option is used, --user option shouldn't include password)"
            ),
        ]
    ) { invocation in
        guard invocation.arguments.count == 1 else {
            throw CommandError(.badArgs, "make-mirror takes one destination argument")
        }
        let destination = try await invocation.client(endpoints: [invocation.arguments[0]], timed: false, security: .mirrorDestination)
        let source = try await invocation.client(timed: false)
        let mirror = Mirror(invocation: invocation, source: source, destination: destination)
        let reporter = Task {
            while true {
                try await Task.sleep(for: Self.reportInterval)
                invocation.console.line("\(mirror.total.load(ordering: .relaxed))")
            }
        }
        defer { reporter.cancel() }
        do {
            try await mirror.run()
        } catch {
            throw CommandError(failure: error)
        }
    }
}

/// One make-mirror run: the base copy, then the replay of changes.
private final class Mirror: Sendable {
    let total = Atomic<Int64>(0)
    private let invocation: Invocation
    private let source: EtcdClient
    private let destination: EtcdClient
    private let prefix: String

    init(invocation: Invocation, source: EtcdClient, destination: EtcdClient) {
        self.invocation = invocation
        self.source = source
        self.destination = destination
        self.prefix = invocation.string("prefix")
    }

    /// Mirrors until the watch fails (a compacted revision ends it with etcd's compaction error).
    func run() async throws {
        // The revision the copy is taken at comes first, as the syncer reads it before anything is checked.
        let revision = try await self.source.range(RangeRequests.key(Array("foo".utf8))).header.revision
        let destinationPrefix = try self.destinationPrefix()
        try await self.copyBase(at: revision, into: destinationPrefix)
        var options = WatchOptions.prefix(of: Array(self.prefix.utf8))
        options.startRevision = revision + 1
        for try await response in self.source.watch(Array(self.prefix.utf8), options: options) {
            try await self.replay(response.events, into: destinationPrefix)
        }
    }

    /// What replaces the source prefix in the destination's keys: `--dest-prefix`, nothing with
    /// `--no-dest-prefix`, else the source prefix itself.
    private func destinationPrefix() throws(CommandError) -> String {
        let given = self.invocation.string("dest-prefix")
        let toRoot = self.invocation.bool("no-dest-prefix")
        if toRoot && !given.isEmpty {
            throw CommandError(.badArgs, "`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one")
        }
        return toRoot ? "" : (given.isEmpty ? self.prefix : given)
    }

    /// Puts every key under the prefix as of `revision` into the destination, page by page.
    private func copyBase(at revision: Int64, into destinationPrefix: String) async throws {
        var request = self.prefix.isEmpty ? RangeRequests.from([0]) : RangeRequests.prefix(Array(self.prefix.utf8))
        request.limit = MirrorCommand.pageSize
        request.revision = revision
        while true {
            let page = try await self.source.range(request)
            for kv in page.kvs {
                var put = Etcdserverpb_PutRequest()
                put.key = self.renamed(kv.key, to: destinationPrefix)
                put.value = kv.value
                _ = try await self.destination.put(put)
                self.total.add(1, ordering: .relaxed)
            }
            guard page.more, let last = page.kvs.last else { return }
            request.key = last.key + Data([0])
        }
    }

    /// Applies `events` to the destination: the events of one source revision in one transaction.
    private func replay(_ events: [Mvccpb_Event], into destinationPrefix: String) async throws {
        var operations: [Etcdserverpb_RequestOp] = []
        var revision: Int64 = 0
        for event in events {
            if revision != 0 && event.kv.modRevision > revision {
                try await self.commit(operations)
                operations = []
            }
            revision = event.kv.modRevision
            var operation = Etcdserverpb_RequestOp()
            if event.type == .delete {
                var delete = Etcdserverpb_DeleteRangeRequest()
                delete.key = self.renamed(event.kv.key, to: destinationPrefix)
                operation.requestDeleteRange = delete
            } else {
                var put = Etcdserverpb_PutRequest()
                put.key = self.renamed(event.kv.key, to: destinationPrefix)
                put.value = event.kv.value
                operation.requestPut = put
            }
            operations.append(operation)
            self.total.add(1, ordering: .relaxed)
        }
        if !operations.isEmpty { try await self.commit(operations) }
    }

    private func commit(_ operations: [Etcdserverpb_RequestOp]) async throws {
        var transaction = Etcdserverpb_TxnRequest()
        transaction.success = operations
        _ = try await self.destination.txn(transaction)
    }

    /// `key` with the first occurrence of the source prefix replaced by `destinationPrefix` (Go's
    /// `strings.Replace(key, prefix, destPrefix, 1)`; an empty prefix puts `destinationPrefix` in front).
    private func renamed(_ key: Data, to destinationPrefix: String) -> Data {
        let source = Array(self.prefix.utf8)
        let bytes = Array(key)
        guard let start = Self.firstIndex(of: source, in: bytes) else { return key }
        return Data(bytes[..<start] + Array(destinationPrefix.utf8) + bytes[(start + source.count)...])
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
