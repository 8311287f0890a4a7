import Backend
import EtcdProto
import MVCC
import Membership

extension MemberStateMachine {
    /// etcd's alarm request as applied: GET lists the alarms of a type (all for NONE), ACTIVATE raises one
    /// (NONE is ignored), DEACTIVATE clears one (member 0 clears every member's). Raising the first alarm
    /// of a type, or clearing the last, changes what the member accepts from then on.
    func applyAlarm(_ request: Etcdserverpb_AlarmRequest) throws(KVError) -> Etcdserverpb_AlarmResponse {
        let alarms = self.stores.alarms
        var response = Etcdserverpb_AlarmResponse()
        switch request.action {
        case .get:
            response.alarms = alarms.alarms(of: request.alarm)
        case .activate:
            guard request.alarm != .none else { break }
            let wasActive = alarms.isActive(request.alarm)
            let (member, write) = alarms.activate(memberID: request.memberID, type: request.alarm)
            response.alarms = [member]
            if let write { try self.write([write]) }
            if !wasActive {
                self.logger.warning(
                    "alarm raised",
                    metadata: ["alarm": "\(request.alarm.etcdName)", "from": "\(MemberIdentity.hex(request.memberID))"]
                )
            }
        case .deactivate:
            let (cleared, writes) = alarms.deactivate(memberID: request.memberID, type: request.alarm)
            response.alarms = cleared
            try self.write(writes)
            for type in Set(cleared.map(\.alarm)) where !alarms.isActive(type) {
                self.logger.info("alarm disarmed", metadata: ["alarm": "\(type.etcdName)"])
            }
        case .UNRECOGNIZED:
            break
        }
        return response
    }

    /// Why `request` (costing `cost`, see ``BackendQuota/cost(of:)``) may not be applied under the raised
    /// alarms, or nil: with CORRUPT, etcd refuses every write (and compactions and leases); with NOSPACE,
    /// every request that would grow the data.
    func alarmRefusal(of request: Memberpb_InternalRequest, cost: Int) -> EtcdError? {
        let alarms = self.stores.alarms
        switch request.request {
        case .put, .deleteRange, .txn, .compaction, .leaseGrant, .leaseRevoke:
            if alarms.isActive(.corrupt) { return .corrupt }
        default:
            break
        }
        if cost > 0 && alarms.isActive(.nospace) { return .noSpace }
        return nil
    }

    /// The outcome of a request that was applied although the backend was over quota before it: the
    /// proposer gets etcd's no-space error, and the member raises NOSPACE unless it is already raised.
    func overQuota(_ result: ApplyResult) -> ApplyResult {
        if case .failure = result { return result }
        if !self.stores.alarms.isActive(.nospace) {
            self.logger.warning(
                "message exceeded backend quota; raising alarm",
                metadata: [
                    "quota-size-bytes": "\(self.quota.limitBytes ?? -1)",
                    "db-size-bytes": "\(self.stores.backend.sizeBytes())",
                ]
            )
            self.events.quotaExceeded()
        }
        return .failure(.noSpace)
    }

    /// Applies `mutations` to the backend's open batch, failing as the store does.
    func write(_ mutations: [Mutation]) throws(KVError) {
        do {
            try self.stores.backend.writer.apply(mutations)
        } catch {
            throw KVError.backend(error)
        }
    }
}
