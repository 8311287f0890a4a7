import Foundation
import MVCC
import Telemetry

extension CompactionMetrics {
    /// Records one compaction step as etcd's compaction metrics count it: each step's pause, the revisions
    /// deleted, and at the end the database phase's duration and the time it finished.
    func record(_ step: CompactionStep) {
        switch step {
        case .index(let pause):
            self.indexPauseMilliseconds.record(pause.wholeMilliseconds)
        case .database(let pause, let deleted):
            self.databasePauseMilliseconds.record(pause.wholeMilliseconds)
            self.keysTotal.increment(by: Double(deleted))
        case .finished(let databaseTotal):
            self.databaseTotalMilliseconds.record(databaseTotal.wholeMilliseconds)
            self.last.set(to: Date().timeIntervalSince1970.rounded(.down))
        }
    }
}
