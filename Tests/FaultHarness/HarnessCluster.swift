import EtcdClient
import EtcdProto
import Foundation
import ProcessTestSupport

/// The members of a fault run on the run's namespace network, with a client of its own to each member for
/// the harness's questions (who leads, is everyone healthy). Released (or ``remove()``d), it kills the
/// members and removes the network and the data directories.
public final class HarnessCluster: Sendable {
    public let network: NamespaceNetwork
    public let members: [HarnessMember]
    private let root: String
    private let probes: [EtcdClient]

    /// The member program: our `etcd` beside the tests, or the one `FAULT_ETCD` names (Go etcd, say).
    public static var defaultExecutable: String {
        ProcessInfo.processInfo.environment["FAULT_ETCD"] ?? BuildProducts.program("etcd").path
    }

    /// Makes the network and `size` members (not started), with etcd's default timeouts (heartbeat 100 ms,
    /// election 1 s).
    public init(size: Int, prefix: String, executable: String = HarnessCluster.defaultExecutable) throws {
        let network = try NamespaceNetwork(prefix: prefix, members: size)
        self.network = network
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-fault-\(UUID().uuidString)").path
        self.root = root
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let initialCluster = (0..<size).map { "m\($0)=http://\(network.address($0)):2380" }.joined(separator: ",")
        let token = "fault-\(UUID().uuidString.prefix(8))"
        let members = (0..<size).map { index in
            HarnessMember(
                index: index, address: network.address(index), root: root,
                initialCluster: initialCluster, token: token, executable: executable,
                command: { network.command(in: index, $0) }
            )
        }
        self.members = members
        var probes: [EtcdClient] = []
        do {
            for member in members {
                try FileManager.default.createDirectory(atPath: member.disk, withIntermediateDirectories: true)
                try NamespaceNetwork.run(["mount", "-t", "tmpfs", "-o", "size=\(Self.diskMegabytes)m", "tmpfs", member.disk])
                var configuration = ClientConfiguration(endpoints: [try Endpoint(parsing: member.clientURL)])
                configuration.dialTimeout = .milliseconds(500)
                configuration.requestTimeout = .seconds(1)
                probes.append(try EtcdClient(configuration: configuration))
            }
        } catch {
            Self.unmount(members)
            network.remove()
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
        self.probes = probes
    }

    deinit {
        self.removeAll()
    }

    /// Starts every member.
    public func startAll() throws {
        for member in self.members { try member.start() }
    }

    /// Waits until every member answers a status with the same leader; throws after `timeout`, or at once
    /// when a member's process has stopped by itself.
    public func waitUntilHealthy(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let stopped = self.members.first(where: { !$0.isRunning }) {
                throw HarnessError("\(stopped.name) stopped by itself:\n\(stopped.logTail())")
            }
            var leaders: Set<UInt64> = []
            var answered = 0
            for index in self.members.indices {
                if let status = try? await self.probes[index].status(timeout: .seconds(1)), status.leader != 0 {
                    leaders.insert(status.leader)
                    answered += 1
                }
            }
            if answered == self.members.count, leaders.count == 1 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessError("the cluster did not become healthy within \(timeout):\n\(self.logTails())")
    }

    /// The index of the member that leads, as the members that answer see it; nil when none knows.
    public func leader() async -> Int? {
        for (index, member) in self.members.enumerated() where member.isRunning {
            guard let status = try? await self.probes[index].status(timeout: .seconds(1)), status.leader != 0 else { continue }
            return await self.index(ofMemberID: status.leader, asking: index)
        }
        return nil
    }

    /// A client of member `index` only (for the harness's maintenance calls: compaction, defragmentation).
    public func probe(_ index: Int) -> EtcdClient {
        self.probes[index]
    }

    private func index(ofMemberID id: UInt64, asking index: Int) async -> Int? {
        guard let members = try? await self.probes[index].memberList(timeout: .seconds(1)).members,
            let member = members.first(where: { $0.id == id })
        else { return nil }
        return self.members.firstIndex { member.peerUrls.contains($0.peerURL) }
    }

    /// The end of every member's log, for a report.
    public func logTails() -> String {
        self.members.map { "--- \($0.name)\n\($0.logTail())" }.joined(separator: "\n")
    }

    /// Kills the members, closes the probes' connections, removes the network and the data.
    public func remove() async {
        for probe in self.probes { await probe.close() }
        self.removeAll()
    }

    private func removeAll() {
        for member in self.members { member.kill() }
        Self.unmount(self.members)
        self.network.remove()
        try? FileManager.default.removeItem(atPath: self.root)
    }

    /// The size of each member's tmpfs.
    static let diskMegabytes = 256

    private static func unmount(_ members: [HarnessMember]) {
        for member in members {
            _ = try? NamespaceNetwork.run(["umount", member.disk])
        }
    }
}

/// A fault run that could not go on (a cluster that never became healthy, a command that failed).
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
