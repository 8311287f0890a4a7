// Long fault runs on demand: `swift build -c release` then `.build/release/FaultRunner`. Variables:
// FAULT_SEED (random unless given), FAULT_MEMBERS (5), FAULT_MINUTES (10: about one fault every six
// seconds, kinds drawn from the seed), FAULT_SCHEDULE (fault names instead), FAULT_COMPARE_GO=1 (the same
// schedule against Go etcd 3.4, /usr/bin/etcd or FAULT_GO_ETCD, in the same run). Prints each run's summary
// line and report, and per fault kind the mean and worst longest time without an answered write. Needs root.
import FaultHarness
import Foundation

let environment = ProcessInfo.processInfo.environment
let seed = environment["FAULT_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
let minutes = environment["FAULT_MINUTES"].flatMap { Double($0) } ?? 10
var settings = FaultRun.Settings(seed: seed)
settings.members = environment["FAULT_MEMBERS"].flatMap { Int($0) } ?? 5
if let schedule = environment["FAULT_SCHEDULE"] {
    settings.faults = schedule.split(separator: ",").compactMap { Fault(rawValue: String($0)) }
} else {
    settings.faults = FaultRun.Settings.randomSchedule(seed: seed, count: max(1, Int(minutes * 10)))
}

var programs = [("ours", HarnessCluster.defaultExecutable)]
if environment["FAULT_COMPARE_GO"] == "1" {
    programs.append(("Go etcd 3.4", environment["FAULT_GO_ETCD"] ?? "/usr/bin/etcd"))
}
var reports: [(String, FaultReport)] = []
for (name, executable) in programs {
    var run = settings
    run.executable = executable
    do {
        let report = try await FaultRun(settings: run).run()
        print("[\(name)] \(report)")
        let perMinute = 60 / report.seconds
        print("[\(name)] \(Int(Double(report.operations) * perMinute)) operations checked per minute, "
            + "\(String(format: "%.1f", Double(report.faults.count) * perMinute)) faults per minute, \(report.anomalies.count) anomalies")
        reports.append((name, report))
    } catch {
        print("[\(name)] the run could not go on: \(error)")
        exit(2)
    }
}

print("longest time without an answered write per fault kind, in seconds: mean / worst (count)")
print("fault".padding(toLength: 18, withPad: " ", startingAt: 0) + reports.map { $0.0.padding(toLength: 24, withPad: " ", startingAt: 0) }.joined()
    + (reports.count == 2 ? "ratio of means" : ""))
for fault in Fault.allCases {
    let outages = reports.map { _, report in report.outages.filter { $0.fault.fault == fault }.map(\.seconds) }
    guard outages.contains(where: { !$0.isEmpty }) else { continue }
    let means = outages.map { $0.isEmpty ? nil : $0.reduce(0, +) / Double($0.count) }
    var line = fault.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)
    for (values, mean) in zip(outages, means) {
        let text = mean.map { String(format: "%.3f / %.3f (%d)", $0, values.max()!, values.count) } ?? "-"
        line += text.padding(toLength: 24, withPad: " ", startingAt: 0)
    }
    if means.count == 2, let ours = means[0], let theirs = means[1], theirs > 0 { line += String(format: "%.2f", ours / theirs) }
    print(line)
}
exit(reports.contains { !$0.1.anomalies.isEmpty } ? 1 : 0)
