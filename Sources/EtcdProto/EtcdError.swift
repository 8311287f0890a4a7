/// An error a client can see, with the gRPC status code and the exact message etcd uses for it, so that
/// clients which match on etcd's texts (clientv3's `rpctypes`, etcdctl, Python clients) behave the same.
/// Every failure a user can cause has one named value here; the gRPC layer maps ``code`` mechanically.
public struct EtcdError: Error, Hashable, Sendable, CustomStringConvertible {
    /// gRPC status codes (the numbering of grpc's `codes` package).
    public enum Code: Int, Sendable, Hashable {
        case canceled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case alreadyExists = 6
        case permissionDenied = 7
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case outOfRange = 11
        case unimplemented = 12
        case internalError = 13
        case unavailable = 14
        case dataLoss = 15
        case unauthenticated = 16
    }

    public let code: Code
    public let message: String

    /// An error with a code and message; prefer the named values below.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}

// MARK: - Requests and the key space

extension EtcdError {
    public static let emptyKey = EtcdError(.invalidArgument, "etcdserver: key is not provided")
    public static let keyNotFound = EtcdError(.invalidArgument, "etcdserver: key not found")
    public static let valueProvided = EtcdError(.invalidArgument, "etcdserver: value is provided")
    public static let leaseProvided = EtcdError(.invalidArgument, "etcdserver: lease is provided")
    public static let tooManyOperations = EtcdError(.invalidArgument, "etcdserver: too many operations in txn request")
    public static let duplicateKey = EtcdError(.invalidArgument, "etcdserver: duplicate key given in txn request")
    public static let invalidSortOption = EtcdError(.invalidArgument, "etcdserver: invalid sort option")
    public static let compacted = EtcdError(.outOfRange, "etcdserver: mvcc: required revision has been compacted")
    public static let futureRevision = EtcdError(.outOfRange, "etcdserver: mvcc: required revision is a future revision")
    public static let noSpace = EtcdError(.resourceExhausted, "etcdserver: mvcc: database space exceeded")
    public static let requestTooLarge = EtcdError(.invalidArgument, "etcdserver: request is too large")
    public static let tooManyRequests = EtcdError(.resourceExhausted, "etcdserver: too many requests")
}

// MARK: - Leases

extension EtcdError {
    public static let leaseNotFound = EtcdError(.notFound, "etcdserver: requested lease not found")
    public static let leaseExists = EtcdError(.failedPrecondition, "etcdserver: lease already exists")
    public static let leaseTTLTooLarge = EtcdError(.outOfRange, "etcdserver: too large lease TTL")
}

// MARK: - Watches

extension EtcdError {
    public static let watchCanceled = EtcdError(.canceled, "etcdserver: watch canceled")
}

// MARK: - Membership

extension EtcdError {
    public static let memberExists = EtcdError(.failedPrecondition, "etcdserver: member ID already exist")
    public static let peerURLExists = EtcdError(.failedPrecondition, "etcdserver: Peer URLs already exists")
    public static let memberNotEnoughStarted = EtcdError(
        .failedPrecondition,
        "etcdserver: re-configuration failed due to not enough started members"
    )
    public static let memberBadURLs = EtcdError(.invalidArgument, "etcdserver: given member URLs are invalid")
    public static let memberNotFound = EtcdError(.notFound, "etcdserver: member not found")
    public static let memberNotLearner = EtcdError(.failedPrecondition, "etcdserver: can only promote a learner member")
    public static let learnerNotReady = EtcdError(
        .failedPrecondition,
        "etcdserver: can only promote a learner member which is in sync with leader"
    )
    public static let tooManyLearners = EtcdError(.failedPrecondition, "etcdserver: too many learner members in cluster")
}

// MARK: - Auth

extension EtcdError {
    public static let rootUserNotExist = EtcdError(.failedPrecondition, "etcdserver: root user does not exist")
    public static let rootRoleNotExist = EtcdError(.failedPrecondition, "etcdserver: root user does not have root role")
    public static let userAlreadyExists = EtcdError(.failedPrecondition, "etcdserver: user name already exists")
    public static let userEmpty = EtcdError(.invalidArgument, "etcdserver: user name is empty")
    public static let userNotFound = EtcdError(.failedPrecondition, "etcdserver: user name not found")
    public static let roleAlreadyExists = EtcdError(.failedPrecondition, "etcdserver: role name already exists")
    public static let roleNotFound = EtcdError(.failedPrecondition, "etcdserver: role name not found")
    public static let roleEmpty = EtcdError(.invalidArgument, "etcdserver: role name is empty")
    public static let authFailed = EtcdError(
        .invalidArgument,
        "etcdserver: authentication failed, invalid user ID or password"
    )
    public static let permissionDenied = EtcdError(.permissionDenied, "etcdserver: permission denied")
    public static let roleNotGranted = EtcdError(.failedPrecondition, "etcdserver: role is not granted to the user")
    public static let permissionNotGranted = EtcdError(
        .failedPrecondition,
        "etcdserver: permission is not granted to the role"
    )
    public static let authNotEnabled = EtcdError(.failedPrecondition, "etcdserver: authentication is not enabled")
    public static let invalidAuthToken = EtcdError(.unauthenticated, "etcdserver: invalid auth token")
    public static let invalidAuthManagement = EtcdError(.invalidArgument, "etcdserver: invalid auth management")
    public static let authOldRevision = EtcdError(.invalidArgument, "etcdserver: revision of auth store is old")
    public static let permissionNotGiven = EtcdError(.invalidArgument, "etcdserver: permission not given")
}

// MARK: - The server and the cluster

extension EtcdError {
    public static let noLeader = EtcdError(.unavailable, "etcdserver: no leader")
    public static let notLeader = EtcdError(.failedPrecondition, "etcdserver: not leader")
    public static let leaderChanged = EtcdError(.unavailable, "etcdserver: leader changed")
    public static let notCapable = EtcdError(.unavailable, "etcdserver: not capable")
    public static let stopped = EtcdError(.unavailable, "etcdserver: server stopped")
    public static let timeout = EtcdError(.unavailable, "etcdserver: request timed out")
    public static let timeoutDueToLeaderFail = EtcdError(
        .unavailable,
        "etcdserver: request timed out, possibly due to previous leader failure"
    )
    public static let timeoutDueToConnectionLost = EtcdError(
        .unavailable,
        "etcdserver: request timed out, possibly due to connection lost"
    )
    public static let timeoutWaitAppliedIndex = EtcdError(
        .unavailable,
        "etcdserver: request timed out, waiting for the applied index took too long"
    )
    public static let unhealthy = EtcdError(.unavailable, "etcdserver: unhealthy cluster")
    public static let corrupt = EtcdError(.dataLoss, "etcdserver: corrupt cluster")
    public static let notSupportedForLearner = EtcdError(.unavailable, "etcdserver: rpc not supported for learner")
    public static let badLeaderTransferee = EtcdError(.failedPrecondition, "etcdserver: bad leader transferee")
    /// Ours: a watch stream whose member replaced its store with the leader's snapshot. UNAVAILABLE (and
    /// not etcd's "no leader") so that clientv3 and etcdctl open the stream again and resume each watch
    /// from its next revision.
    public static let watchStoreReplaced = EtcdError(
        .unavailable,
        "etcdserver: the member installed the leader's snapshot; watch again from the next revision"
    )
    /// etcd's lessor error for a keep-alive on a member that cannot confirm it leads (gRPC code Unknown,
    /// as etcd answers it).
    public static let notPrimaryLessor = EtcdError(.unknown, "not a primary lessor")
}

extension EtcdError {
    /// The error as grpc-go prints a status (`rpc error: code = PermissionDenied desc = ...`), the form etcd
    /// puts in a refused watch's cancel reason.
    public var grpcStatusText: String {
        "rpc error: code = \(self.code.goName) desc = \(self.message)"
    }
}

extension EtcdError.Code {
    /// grpc-go's name of the code (`codes.Code.String()`).
    public var goName: String {
        switch self {
        case .canceled: "Canceled"
        case .unknown: "Unknown"
        case .invalidArgument: "InvalidArgument"
        case .deadlineExceeded: "DeadlineExceeded"
        case .notFound: "NotFound"
        case .alreadyExists: "AlreadyExists"
        case .permissionDenied: "PermissionDenied"
        case .resourceExhausted: "ResourceExhausted"
        case .failedPrecondition: "FailedPrecondition"
        case .aborted: "Aborted"
        case .outOfRange: "OutOfRange"
        case .unimplemented: "Unimplemented"
        case .internalError: "Internal"
        case .unavailable: "Unavailable"
        case .dataLoss: "DataLoss"
        case .unauthenticated: "Unauthenticated"
        }
    }
}
