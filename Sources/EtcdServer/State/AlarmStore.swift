import Backend
import EtcdProto
import Synchronization

/// The cluster's active alarms (NOSPACE, CORRUPT), as etcd keeps them: raised and cleared only by applying
/// log entries, stored in the backend's `alarm` database (the key is the marshalled `AlarmMember`, the
/// value empty) so they survive restarts and travel with snapshots.
///
/// Threading: changed on the apply thread only; readable from any thread.
public final class AlarmStore: Sendable {
    private let database: Database
    private let active: Mutex<Set<AlarmKey>>

    /// One alarm of one member, hashable and ordered by member then type.
    struct AlarmKey: Hashable, Comparable, Sendable {
        let memberID: UInt64
        let type: Int

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.memberID, lhs.type) < (rhs.memberID, rhs.type)
        }

        var member: Etcdserverpb_AlarmMember {
            var member = Etcdserverpb_AlarmMember()
            member.memberID = self.memberID
            member.alarm = Etcdserverpb_AlarmType(rawValue: self.type) ?? .none
            return member
        }
    }

    /// Loads the alarms `backend` holds.
    public init(backend: Backend) throws {
        self.database = backend.database("alarm")
        let view = try backend.read()
        defer { view.close() }
        var loaded: Set<AlarmKey> = []
        var decodeFailure: (any Error)?
        try view.scan(self.database) { key, _ in
            do {
                let member = try Etcdserverpb_AlarmMember(serializedBytes: Array(key))
                loaded.insert(AlarmKey(memberID: member.memberID, type: member.alarm.rawValue))
                return true
            } catch {
                decodeFailure = error
                return false
            }
        }
        if let decodeFailure { throw decodeFailure }
        self.active = Mutex(loaded)
    }

    /// Every active alarm, ordered by member then type.
    public var alarms: [Etcdserverpb_AlarmMember] {
        self.active.withLock { $0 }.sorted().map(\.member)
    }

    /// The active alarms of `type`; every alarm for `.none`.
    public func alarms(of type: Etcdserverpb_AlarmType) -> [Etcdserverpb_AlarmMember] {
        type == .none ? self.alarms : self.alarms.filter { $0.alarm == type }
    }

    /// Whether any member has an alarm of `type` raised.
    public func isActive(_ type: Etcdserverpb_AlarmType) -> Bool {
        self.active.withLock { alarms in alarms.contains { $0.type == type.rawValue } }
    }

    /// Raises `type` for `memberID`. Returns the alarm and, when it was not already raised, the write that
    /// records it. Apply thread.
    public func activate(memberID: UInt64, type: Etcdserverpb_AlarmType) -> (Etcdserverpb_AlarmMember, Mutation?) {
        let key = AlarmKey(memberID: memberID, type: type.rawValue)
        let inserted = self.active.withLock { $0.insert(key).inserted }
        return (key.member, inserted ? Mutation.put(self.database, key: Self.encode(key), value: []) : nil)
    }

    /// Clears `type` (every type for `.none`) for `memberID`, or for every member when `memberID` is 0.
    /// Returns the alarms cleared and the writes that remove them. Apply thread.
    public func deactivate(memberID: UInt64, type: Etcdserverpb_AlarmType) -> ([Etcdserverpb_AlarmMember], [Mutation]) {
        let cleared = self.active.withLock { alarms in
            let matching = alarms.filter { key in
                (memberID == 0 || key.memberID == memberID) && (type == .none || key.type == type.rawValue)
            }
            alarms.subtract(matching)
            return matching.sorted()
        }
        return (cleared.map(\.member), cleared.map { Mutation.delete(self.database, key: Self.encode($0)) })
    }

    private static func encode(_ key: AlarmKey) -> [UInt8] {
        do {
            return try key.member.serializedBytes()
        } catch {
            preconditionFailure("an AlarmMember did not serialize: \(error)")
        }
    }
}
