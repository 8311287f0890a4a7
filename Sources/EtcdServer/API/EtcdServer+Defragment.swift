import GoFormat
import EtcdProto
import Backend
import Telemetry

extension EtcdServer {
    /// etcd's `Defragment`: rebuilds this member's data file without its free pages, so the database
    /// size falls to what is in use. Runs on the apply thread between batches: committed entries wait for
    /// the copy (they are not lost, Raft keeps them), reads continue until the file is swapped.
    public func defragment() async throws -> Etcdserverpb_DefragmentResponse {
        let metrics = self.configuration.metrics.disk
        let stateMachine = self.stateMachine
        self.logger.info("starting defragment")
        metrics.defragInflight.set(to: 1)
        defer { metrics.defragInflight.set(to: 0) }
        let started = ContinuousClock.now
        let before = self.stores.backend.sizeBytes()
        let outcome = try await self.applyLoop.perform {
            Result { () throws(BackendError) in try stateMachine.stores.backend.defragment() }
        }
        if case .failure(let failure) = outcome {
            self.logger.warning("failed to defragment", metadata: ["error": "\(failure)"])
            throw EtcdError(failure.grpcCode, failure.grpcMessage)
        }
        let took = ContinuousClock.now - started
        metrics.backendDefragSeconds.record(took.inSeconds)
        let after = self.stores.backend.sizeBytes()
        self.logger.info(
            "finished defragment",
            metadata: [
                "current-db-size-bytes-diff": "\(after - before)", "current-db-size-bytes": "\(after)",
                "took": "\(took.goString)",
            ]
        )
        var response = Etcdserverpb_DefragmentResponse()
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }
}
