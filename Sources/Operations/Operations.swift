/// etcd-ops' operations as a library: backups of a cluster (compressed while streaming, with a manifest,
/// a retention policy, a lock and metrics), their verification and restore, the cluster's status, and
/// schedules. The `etcd-ops` executable parses arguments and calls into it.
public enum Operations {}
