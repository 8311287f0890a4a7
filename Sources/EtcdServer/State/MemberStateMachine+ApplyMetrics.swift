import EtcdProto
import GoFormat
import MVCC

extension MemberStateMachine {
    /// Records how long applying `request` took, as etcd does for every request it applies: in
    /// `etcd_server_apply_duration_seconds` by kind and outcome (a request refused only because its revision
    /// was compacted counts as a success, as in etcd), and, past `--experimental-warning-apply-duration`, in
    /// `etcd_server_slow_apply_total` with a warning.
    func recordApply(of request: Memberpb_InternalRequest, result: ApplyResult, took: Duration) {
        let metrics = self.configuration.metrics.requests
        let operation = Self.operationName(of: request)
        metrics.applySeconds(operation: operation, succeeded: Self.succeeded(result)).record(took.inSeconds)
        guard took > self.configuration.warningApplyDuration else { return }
        metrics.slowApplies.increment()
        self.logger.warning(
            "apply request took too long",
            metadata: [
                "took": "\(took.goString)",
                "expected-duration": "\(self.configuration.warningApplyDuration.goString)",
                "request": "\(operation)",
            ]
        )
    }

    private static let compactedMessage = EtcdError(KVError.compacted).message

    private static func succeeded(_ result: ApplyResult) -> Bool {
        guard case .failure(let error) = result else { return true }
        return error.message == Self.compactedMessage
    }

    /// etcd's name of the request's kind: the field of its internal request that is set.
    static func operationName(of request: Memberpb_InternalRequest) -> String {
        switch request.request {
        case .range: "Range"
        case .put: "Put"
        case .deleteRange: "DeleteRange"
        case .txn: "Txn"
        case .compaction: "Compaction"
        case .leaseGrant: "LeaseGrant"
        case .leaseRevoke: "LeaseRevoke"
        case .leaseCheckpoint: "LeaseCheckpoint"
        case .alarm: "Alarm"
        case .memberAttributes: "ClusterMemberAttrSet"
        case .clusterVersion: "ClusterVersionSet"
        case .authEnable: "AuthEnable"
        case .authDisable: "AuthDisable"
        case .authenticate: "Authenticate"
        case .authUserAdd: "AuthUserAdd"
        case .authUserDelete: "AuthUserDelete"
        case .authUserChangePassword: "AuthUserChangePassword"
        case .authUserGrantRole: "AuthUserGrantRole"
        case .authUserRevokeRole: "AuthUserRevokeRole"
        case .authRoleAdd: "AuthRoleAdd"
        case .authRoleDelete: "AuthRoleDelete"
        case .authRoleGrantPermission: "AuthRoleGrantPermission"
        case .authRoleRevokePermission: "AuthRoleRevokePermission"
        case .none: "unknown"
        }
    }
}
