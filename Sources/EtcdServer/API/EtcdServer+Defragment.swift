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
        let failure = try await self.applyLoop.perform { () -> BackendError? in
            do throws(BackendError) {
                try stateMachine.stores.backend.defragment()
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            self.logger.warning("failed to defragment", metadata: ["error": "\(failure)"])
            throw EtcdError(failure.grpcCode, failure.grpcMessage)
        }
        let took = ContinuousClock.now - started
        metrics.backendDefragSeconds.record(took.inSeconds)
        self.logger.info(
            "finished defragment",
            metadata: [
                "current-db-size-bytes-diff": "\(self.stores.backend.sizeBytes() - before)",
                "current-db-size-bytes": "\(self.stores.backend.sizeBytes())",
                "took": "\(took.goString)",
            ]
        )
        var response = Etcdserverpb_DefragmentResponse()
        response.header = self.header(revision: self.stores.store.currentRevision)
        return response
    }
}
