import Backend
import Foundation
import Lease
import MVCC

/// Opens a store and reports how long it took and the process's memory (VmRSS, VmHWM).
enum OpenProbe {
    static func run(path: String, kind: KeyIndexKind) throws {
        let baseline = memory()
        let started = ContinuousClock.now
        let backend = try Backend(configuration: BackendConfiguration(path: path))
        let store = try KVStore(backend: backend, leases: try LeaseIndex(backend: backend), configuration: StoreConfiguration(keyIndex: kind))
        let elapsed = seconds(since: started)
        let opened = memory()
        report("open time, \(store.indexedKeyCount) keys", elapsed * 1000, unit: "ms")
        report("VmRSS after open (before: \(baseline.rss / 1024) MiB)", Double(opened.rss) / 1024, unit: "MiB")
        report("  of which anonymous (RssAnon: heap, index)", Double(opened.anonymous) / 1024, unit: "MiB")
        report("  of which file pages (RssFile: LMDB map, binary)", Double(opened.file) / 1024, unit: "MiB")
        report("VmHWM (peak) during open", Double(opened.hwm) / 1024, unit: "MiB")
        store.close()
        backend.close()
    }

    /// VmRSS, VmHWM, RssAnon and RssFile of this process in KiB, from /proc/self/status.
    static func memory() -> (rss: Int, hwm: Int, anonymous: Int, file: Int) {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
        }
        return (field("VmRSS"), field("VmHWM"), field("RssAnon"), field("RssFile"))
    }
}
