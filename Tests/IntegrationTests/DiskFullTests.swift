import EtcdProto
import Foundation
import Glibc
import GRPCCore
import ProcessTestSupport
import Testing

/// A member whose disk fills up (not its quota): writes are refused cleanly, the member keeps running and
/// serving reads, and writes come back once space is freed. The member runs in its own mount namespace
/// on a small tmpfs, which needs root.
@Suite(.serialized) struct DiskFullTests {
    @Test(.enabled(if: getuid() == 0, "mounting a tmpfs in a new mount namespace needs root"))
    func aFullDiskRefusesWritesAndRecoversWhenSpaceReturns() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-swift-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clientPort = try FreePort.next()
        let peerPort = try FreePort.next()
        let client = "http://127.0.0.1:\(clientPort)"
        let peer = "http://127.0.0.1:\(peerPort)"
        let flags = [
            "--name full", "--data-dir \(directory)/data", "--listen-client-urls \(client)", "--advertise-client-urls \(client)",
            "--listen-peer-urls \(peer)", "--initial-advertise-peer-urls \(peer)", "--initial-cluster full=\(peer)",
        ].joined(separator: " ")
        let member = try MemberProcess(
            arguments: ["-m", "sh", "-c", "mount -t tmpfs -o size=200m tmpfs \(directory) && exec \(Binaries.etcd.path) \(flags)"],
            clientPort: clientPort,
            peerPort: peerPort,
            executable: URL(fileURLWithPath: "/usr/bin/unshare")
        )
        try await member.waitUntilServing()
        let clients = try EndpointClients(ports: [clientPort])
        for index in 0..<20 {
            do {
                try await clients.put("kept/\(index)", "value-\(index)", port: clientPort, timeout: .seconds(20))
            } catch {
                Issue.record("put kept/\(index) before the disk filled: \(error); \(self.space(of: member, directory)); \(member.log.suffix(3000))")
                throw error
            }
        }

        // The member's view of the directory: its tmpfs, reached through its own root.
        let inside = "/proc/\(member.process.processIdentifier)/root\(directory)"
        let filler = "\(inside)/filler"
        try self.fill(filler, leavingFreeBytes: 40 * 1024 * 1024, on: inside)
        // The member trusts a measurement of plentiful space for 100 ms.
        try await Task.sleep(for: .milliseconds(250))
        do {
            try await clients.put("refused", "value", port: clientPort)
            Issue.record("a put succeeded on a full disk")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted && error.message == "etcdserver: mvcc: database space exceeded")
        }
        #expect(member.isRunning)
        #expect(try await clients.value(of: "kept/3", port: clientPort) == "value-3", "reads go on")
        var delete = Etcdserverpb_DeleteRangeRequest()
        delete.key = Data("kept/19".utf8)
        #expect(try await clients.kv(clientPort).deleteRange(delete).deleted == 1, "deletes go on")
        #expect(member.log.contains("refusing writes: the disk is nearly full"))

        try FileManager.default.removeItem(atPath: filler)
        // Writes come back by themselves; the first one measures the disk again.
        var failures: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                try await clients.put("after", "space returned", port: clientPort, timeout: .seconds(5))
                break
            } catch {
                failures.append("\(error) (\(self.space(of: member, directory)))")
                guard ContinuousClock.now < deadline else {
                    Issue.record("writes did not come back: \(failures.suffix(3)); \(member.log.suffix(3000))")
                    throw error
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        if failures.count > 1 {
            // Seen once under a loaded machine (not understood yet); the member recovered by itself.
            print("DiskFullTests: writes came back after \(failures.count) refusals: \(failures.prefix(3))")
        }
        #expect(try await clients.value(of: "after", port: clientPort) == "space returned")
        #expect(try await clients.read(prefix: "kept/", port: clientPort, serializable: false).values.count == 19)
        #expect(member.log.contains("accepting writes again: disk space returned"))
        #expect(try await Etcdctl.run(["127.0.0.1:\(clientPort)"], ["alarm", "list"]).standardOutput == "", "a full disk raises no alarm")
        await clients.close()
    }

    /// The free and total bytes of the member's data filesystem, as the member sees it.
    private func space(of member: MemberProcess, _ directory: String) -> String {
        var stats = statvfs()
        guard statvfs("/proc/\(member.process.processIdentifier)/root\(directory)", &stats) == 0 else { return "statvfs failed: errno \(errno)" }
        return "free \(Int64(stats.f_bavail) * Int64(stats.f_frsize)) of \(Int64(stats.f_blocks) * Int64(stats.f_frsize)) bytes"
    }

    /// Writes zeros to `path` until the filesystem of `directory` has about `free` bytes left.
    private func fill(_ path: String, leavingFreeBytes free: Int64, on directory: String) throws {
        var stats = statvfs()
        #expect(statvfs(directory, &stats) == 0)
        let available = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        let chunk = Data(count: 1024 * 1024)
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        for _ in 0..<max(0, (available - free) / Int64(chunk.count)) { try handle.write(contentsOf: chunk) }
    }
}
