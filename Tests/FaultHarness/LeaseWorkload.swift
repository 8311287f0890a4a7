import EtcdClient
import EtcdProto
import Foundation
import HistoryCheck
import Raft
import Synchronization

/// Leases with keys attached, worked on while faults happen: each lease is granted, gets a key, and is
/// then revoked, left to expire, or kept alive to the end. What the client saw is recorded; once the
/// cluster is whole again, ``check(client:)`` holds the members to etcd's lease promises: a key whose
/// lease was revoked is gone as soon as the revoke is answered; a key whose lease expired is gone; a
/// lease kept alive (no gap between answered renewals as long as its TTL) still exists with its key.
public final class LeaseWorkload: Sendable {
    /// What became of a lease.
    enum Fate: String, Sendable {
        case revoke, expire, keepAlive
    }

    /// One lease as its client saw it.
    struct Story: Sendable, CustomStringConvertible {
        let id: Int64
        let key: String
        let fate: Fate
        let ttl: Int64
        /// When the grant was answered (nanoseconds on the run's clock).
        let granted: UInt64
        /// When the revoke was answered, and what a read right after it answered (nil: no answer came).
        var revoked: UInt64?
        var keyAfterRevoke: String??
        /// Renewals: the last answered one, and the longest time between two.
        var lastRenewal: UInt64
        var longestRenewalGap: UInt64 = 0

        var description: String {
            "lease \(String(self.id, radix: 16)) (TTL \(self.ttl) s, \(self.fate.rawValue)) with key \(self.key), granted at \(Seconds.text(self.granted))"
                + (self.revoked.map { ", revoke answered at \(Seconds.text($0))" } ?? "")
                + (self.fate == .keepAlive ? ", longest gap between renewals \(Seconds.text(self.longestRenewalGap)) s" : "")
        }
    }

    /// TTLs of the leases left to expire or revoked, and of those kept alive.
    let shortTTL: Int64
    let keptTTL: Int64
    private let stories = Mutex<[Story]>([])

    public init(shortTTL: Int64 = 2, keptTTL: Int64 = 10) {
        self.shortTTL = shortTTL
        self.keptTTL = keptTTL
    }

    /// How many leases were granted (and recorded).
    public var count: Int { self.stories.withLock { $0.count } }

    /// Grants, attaches and revokes or abandons leases through `etcd` until `stop` is set, keeping at most
    /// two alive (renewing each every second).
    public func run(client: Int, etcd: EtcdClient, seed: UInt64, recorder: HistoryRecorder, stop: StopFlag) async {
        var random = SplitMix64(seed: seed)
        var kept: [Int] = []
        var made = 0
        while !stop.isSet {
            for position in kept { await self.renew(position, etcd: etcd, recorder: recorder) }
            made += 1
            let fate: Fate = kept.count < 2 && random.below(4) == 0 ? .keepAlive : (random.below(2) == 0 ? .revoke : .expire)
            let ttl = fate == .keepAlive ? self.keptTTL : self.shortTTL
            guard let grant = try? await etcd.grantLease(ttl: ttl, timeout: .seconds(2)) else {
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            let key = "lease/c\(client).\(made)"
            let now = recorder.now()
            let position = self.stories.withLock { stories in
                stories.append(Story(id: grant.id, key: key, fate: fate, ttl: grant.ttl, granted: now, lastRenewal: now))
                return stories.count - 1
            }
            var put = Etcdserverpb_PutRequest()
            put.key = Data(key.utf8)
            put.value = Data(key.utf8)
            put.lease = grant.id
            _ = try? await etcd.put(put, timeout: .seconds(2))
            switch fate {
            case .keepAlive:
                kept.append(position)
            case .revoke:
                try? await Task.sleep(for: .milliseconds(Int64(random.below(300))))
                if (try? await etcd.revokeLease(grant.id, timeout: .seconds(2))) != nil {
                    let revoked = recorder.now()
                    self.stories.withLock { $0[position].revoked = revoked }
                    do {
                        let after = try await etcd.get(key).map { String(decoding: $0.value, as: UTF8.self) }
                        self.stories.withLock { $0[position].keyAfterRevoke = .some(after) }
                    } catch {
                        // No answer, nothing learned.
                    }
                }
            case .expire:
                break
            }
            try? await Task.sleep(for: .milliseconds(Int64(100 + random.below(400))))
        }
    }

    private func renew(_ position: Int, etcd: EtcdClient, recorder: HistoryRecorder) async {
        let (id, last) = self.stories.withLock { ($0[position].id, $0[position].lastRenewal) }
        guard recorder.now() - last >= 1_000_000_000 else { return }
        guard let answer = try? await etcd.keepAliveOnce(id, timeout: .seconds(2)), answer.ttl > 0 else { return }
        let now = recorder.now()
        self.stories.withLock { stories in
            stories[position].longestRenewalGap = max(stories[position].longestRenewalGap, now - stories[position].lastRenewal)
            stories[position].lastRenewal = now
        }
    }

    /// Once the cluster is whole and every short lease's TTL has passed: the keys of revoked and expired
    /// leases are gone and the leases with them; kept leases (renewed in time) exist with their keys.
    public func check(client: EtcdClient, recorder: HistoryRecorder) async throws -> [Anomaly] {
        let stories = self.stories.withLock { $0 }
        let lastShortGrant = stories.filter { $0.fate != .keepAlive }.map(\.granted).max() ?? 0
        // A new leader gives every lease its whole TTL again plus an election timeout (etcd's promotion), and
        // the last fault may have changed the leader just before the work stopped: allow for both, and for
        // the leader's expiry check and the revoke's round through the log.
        let settled = lastShortGrant + UInt64(self.shortTTL + 8) * 1_000_000_000
        let kept = stories.indices.filter { stories[$0].fate == .keepAlive }
        while recorder.now() < settled {
            for position in kept { await self.renew(position, etcd: client, recorder: recorder) }
            try await Task.sleep(for: .milliseconds(200))
        }
        let renewed = self.stories.withLock { $0 }
        var anomalies: [Anomaly] = []
        for story in renewed {
            let live = try await client.leaseTimeToLive(story.id, timeout: .seconds(5)).ttl
            let value = try await client.get(story.key).map { String(decoding: $0.value, as: UTF8.self) }
            if story.revoked != nil, case .some(.some(let seen)) = story.keyAfterRevoke {
                anomalies.append(Anomaly(kind: "a key read after its lease's revoke was answered", excerpt: ["\(story)", "read: \(seen)"]))
            }
            switch story.fate {
            case .revoke, .expire:
                if live > 0 || value != nil {
                    anomalies.append(Anomaly(
                        kind: "a lease \(story.fate == .revoke ? "revoked" : "left to expire") is still there",
                        excerpt: ["\(story)", "TTL now \(live), key \(value ?? "absent")"]
                    ))
                }
            case .keepAlive:
                let renewedInTime = story.longestRenewalGap < UInt64(story.ttl) * 1_000_000_000
                    && recorder.now() - story.lastRenewal < UInt64(story.ttl) * 1_000_000_000
                if renewedInTime, live <= 0 || value == nil {
                    anomalies.append(Anomaly(kind: "a lease kept alive was revoked", excerpt: ["\(story)", "TTL now \(live), key \(value ?? "absent")"]))
                }
            }
        }
        return anomalies
    }
}
