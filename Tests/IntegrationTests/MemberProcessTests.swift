import Foundation
import Testing

/// The test support's own contract: a member process that cannot start is an error for the test that
/// started it, and releasing it afterwards neither traps (Foundation's status of a process that never ran is
/// a failed precondition) nor signals anything else. And what an operator sees of a running member's
/// process: its long-lived threads carry their names (`top -H`, `perf`, `/proc/PID/task/*/comm`).
@Suite struct MemberProcessTests {
    @Test func aMemberThatCannotStartThrowsAndIsReleasedQuietly() {
        let missing = URL(fileURLWithPath: "/nonexistent/etcd")
        #expect(throws: (any Error).self) { _ = try MemberProcess(executable: missing) }
    }

    @Test func aServingMembersThreadsAreNamed() async throws {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let tasks = "/proc/\(member.process.processIdentifier)/task"
        let names = try FileManager.default.contentsOfDirectory(atPath: tasks).map { task in
            try String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8).trimmingCharacters(in: .newlines)
        }
        for name in ["raft", "apply", "mvcc-watch-sync"] {
            #expect(names.contains(name), "\(names)")
        }
        _ = try await member.terminate()
    }
}
