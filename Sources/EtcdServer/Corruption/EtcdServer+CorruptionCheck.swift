import GoFormat
import EtcdProto
import Logging
import MVCC
import Membership
import Telemetry

extension EtcdServer {
    /// The error a member stops with when `--experimental-initial-corrupt-check` finds its data differs.
    func dataInconsistency() -> EtcdError {
        EtcdError(.dataLoss, "\(MemberIdentity.hex(self.memberID)) found data inconsistency with peers")
    }

    /// etcd's initial corruption check (`--experimental-initial-corrupt-check`): before the member
    /// serves, its hash of its whole history is compared with every reachable peer's at the same revision.
    /// A peer with the same compaction and a different hash stops the member; peers that cannot answer
    /// (unreachable, behind, compacted further) are only logged.
    func checkInitialHashKV() async throws {
        guard self.configuration.initialCorruptCheck else { return }
        let memberID = MemberIdentity.hex(self.memberID)
        self.logger.info(
            "starting initial corruption check",
            metadata: ["local-member-id": "\(memberID)", "timeout": "\(self.configuration.requestTimeout.goString)"]
        )
        let local = try self.reading { stores in try stores.store.hashKV() }
        var mismatches = 0
        for peer in await self.peerHashes(at: local.revision) {
            var metadata: Logger.Metadata = [
                "local-member-id": "\(memberID)", "local-member-revision": "\(local.revision)",
                "local-member-compact-revision": "\(local.compactRevision)", "local-member-hash": "\(local.hash)",
                "remote-peer-id": "\(MemberIdentity.hex(peer.memberID))",
            ]
            if let response = peer.response {
                guard response.hash != local.hash else { continue }
                metadata["remote-peer-revision"] = "\(response.header.revision)"
                metadata["remote-peer-compact-revision"] = "\(response.compactRevision)"
                metadata["remote-peer-hash"] = "\(response.hash)"
                if response.compactRevision == local.compactRevision {
                    self.logger.warning("found different hash values from remote peer", metadata: metadata)
                    mismatches += 1
                } else {
                    self.logger.warning("found different compact revision values from remote peer", metadata: metadata)
                }
            } else if let error = peer.error {
                metadata["error"] = "\(error)"
                switch error {
                case .futureRevision: self.logger.warning("cannot fetch hash from slow remote peer", metadata: metadata)
                case .compacted: self.logger.warning("cannot fetch hash from remote peer; local member is behind", metadata: metadata)
                default: self.logger.warning("failed hash kv request", metadata: metadata)
                }
            }
        }
        guard mismatches == 0 else { throw self.dataInconsistency() }
        self.logger.info("initial corruption checking passed; no corruption", metadata: ["local-member-id": "\(memberID)"])
    }

    /// etcd's periodic corruption check (`--experimental-corrupt-check-time`): every interval the leader
    /// compares its history with the followers' and raises the CORRUPT alarm (for member 0: which member
    /// is wrong is not known) when they cannot all be right.
    func runCorruptionChecks() async throws {
        let interval = self.configuration.corruptCheckInterval
        guard interval > .zero else { return }
        self.logger.info(
            "enabled corruption checking",
            metadata: ["local-member-id": "\(MemberIdentity.hex(self.memberID))", "interval": "\(interval.goString)"]
        )
        while true {
            try await Task.sleep(for: interval)
            guard self.leader.current.leader == self.memberID else { continue }
            do {
                try await self.checkHashKV()
            } catch {
                self.logger.warning("failed to check hash KV", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One leader-side check. A follower ahead of the leader, compacted further than it, or with the
    /// leader's compaction but another hash is corrupt; so is the leader when its own hash of the same
    /// revisions changed between two reads.
    func checkHashKV() async throws {
        let first = try self.reading { stores in try stores.store.hashKV() }
        let peers = await self.peerHashes(at: first.revision)
        try await self.linearizableRead()
        let second = try self.reading { stores in try stores.store.hashKV() }
        var mismatch = false
        if second.hash != first.hash && second.revision == first.revision && second.compactRevision == first.compactRevision {
            self.logger.warning(
                "found hash mismatch",
                metadata: [
                    "revision-1": "\(first.revision)", "compact-revision-1": "\(first.compactRevision)", "hash-1": "\(first.hash)",
                    "revision-2": "\(second.revision)", "compact-revision-2": "\(second.compactRevision)", "hash-2": "\(second.hash)",
                ]
            )
            mismatch = true
        }
        var checked = 0
        for peer in peers {
            guard let response = peer.response else { continue }
            checked += 1
            let follower = MemberIdentity.hex(peer.memberID)
            if response.header.revision > second.revision {
                self.logger.warning(
                    "revision from follower must be less than or equal to leader's",
                    metadata: ["leader-revision": "\(second.revision)", "follower-revision": "\(response.header.revision)", "follower-peer-id": "\(follower)"]
                )
                mismatch = true
            }
            if response.compactRevision > second.compactRevision {
                self.logger.warning(
                    "compact revision from follower must be less than or equal to leader's",
                    metadata: [
                        "leader-compact-revision": "\(second.compactRevision)",
                        "follower-compact-revision": "\(response.compactRevision)", "follower-peer-id": "\(follower)",
                    ]
                )
                mismatch = true
            }
            if response.compactRevision == first.compactRevision && response.hash != first.hash {
                self.logger.warning(
                    "same compact revision then hashes must match",
                    metadata: [
                        "leader-compact-revision": "\(second.compactRevision)", "leader-hash": "\(first.hash)",
                        "follower-compact-revision": "\(response.compactRevision)", "follower-hash": "\(response.hash)",
                        "follower-peer-id": "\(follower)",
                    ]
                )
                mismatch = true
            }
        }
        if mismatch { try await self.raiseAlarm(.corrupt, for: 0) }
        self.logger.info("finished peer corruption check", metadata: ["number-of-peers-checked": "\(checked)"])
    }
}
