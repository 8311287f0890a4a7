import Foundation
import Testing

/// The test support's own contract: a member process that cannot start is an error for the test that
/// started it, and releasing it afterwards neither traps (Foundation's status of a process that never ran is
/// a failed precondition) nor signals anything else.
@Suite struct MemberProcessTests {
    @Test func aMemberThatCannotStartThrowsAndIsReleasedQuietly() {
        let missing = URL(fileURLWithPath: "/nonexistent/etcd")
        #expect(throws: (any Error).self) { _ = try MemberProcess(executable: missing) }
    }
}
