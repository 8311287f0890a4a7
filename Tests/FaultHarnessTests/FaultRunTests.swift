import FaultHarness
import Foundation
import ProcessTestSupport
import Testing

/// Real three-member clusters of ours in network namespaces under every kind of fault, their clients'
/// histories checked; and the canary that proves the checks can see a stale read. Root only (namespaces
/// and iptables). `FAULT_SEED`, `FAULT_MEMBERS` and `FAULT_SCHEDULE` (fault names, comma-separated)
/// replay a run; `FAULT_ETCD` runs another member program (Go etcd) through the same harness.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for network namespaces and iptables"))
struct FaultRunTests {
    static var settings: FaultRun.Settings {
        let environment = ProcessInfo.processInfo.environment
        var settings = FaultRun.Settings(seed: environment["FAULT_SEED"].flatMap { UInt64($0) } ?? 21)
        if let members = environment["FAULT_MEMBERS"].flatMap({ Int($0) }) { settings.members = members }
        if let schedule = environment["FAULT_SCHEDULE"] {
            settings.faults = schedule.split(separator: ",").compactMap { Fault(rawValue: String($0)) }
        }
        return settings
    }

    @Test func everyKindOfFaultLeavesAHistoryThatKeepsEtcdsPromises() async throws {
        let settings = Self.settings
        let report = try await FaultRun(settings: settings).run()
        print(report)
        #expect(Set(report.faults.map(\.fault)) == Set(settings.schedule), "every fault of the schedule was injected")
        #expect(report.anomalies.isEmpty, "\(report)")
        #expect(report.answered > 500, "the clients got work done: \(report.summary)")
    }

    /// Clients that read with `serializable` from whichever member they reach, while the leader is cut off
    /// with half the cluster's clients: the minority's reads are stale, and the check must say so.
    @Test func serializableReadsThroughAMinorityAreCaughtAsStale() async throws {
        var settings = Self.settings
        settings.faults = [.isolateLeader, .splitMinority]
        settings.hold = .seconds(4)
        settings.workload.serializableReads = true
        settings.leaseClients = 0
        let report = try await FaultRun(settings: settings).run()
        print(report.summary)
        let stale = report.anomalies.first { $0.kind.hasPrefix("not linearizable") }
        #expect(stale != nil, "\(report)")
        print(stale.map { "the canary's first stale read: \($0)" } ?? "")
    }
}
