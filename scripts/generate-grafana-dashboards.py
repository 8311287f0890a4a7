#!/usr/bin/env python3
"""Writes grafana/dashboards/*.json: the cluster and backup dashboards, with stable uids, no numeric ids,
and a unit and a description on every panel. Run it after changing a panel; the JSON is committed."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
MEMBER = 'job="$job",instance=~"$instance"'


def panel(title, description, unit, targets, kind="timeseries", width=8, height=7):
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "gridPos": {"w": width, "h": height},
        "targets": [
            {"refId": chr(ord("A") + index), "expr": expr, "legendFormat": legend, "datasource": {"type": "prometheus", "uid": "${datasource}"}}
            for index, (expr, legend) in enumerate(targets)
        ],
    }


def layout(panels):
    x = y = row_height = 0
    for item in panels:
        width, height = item["gridPos"]["w"], item["gridPos"]["h"]
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        item["gridPos"].update({"x": x, "y": y})
        x += width
        row_height = max(row_height, height)
    return panels


def variable(name, label, query, multi=False):
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "query": {"query": query, "refId": name},
        "definition": query,
        "refresh": 2,
        "multi": multi,
        "includeAll": multi,
        "allValue": ".*" if multi else None,
        "sort": 1,
    }


def dashboard(uid, title, description, variables, panels):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["etcd"],
        "timezone": "utc",
        "schemaVersion": 39,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "templating": {
            "list": [
                {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "refresh": 1},
            ]
            + variables
        },
        "panels": layout(panels),
    }


def rate(metric, by="instance"):
    return f"sum by ({by}) (rate({metric}{{{MEMBER}}}[$__rate_interval]))"


def p99(metric, by="instance"):
    return f"histogram_quantile(0.99, sum by ({by}, le) (rate({metric}{{{MEMBER}}}[$__rate_interval])))"


cluster = dashboard(
    "etcd-cluster",
    "etcd cluster",
    "One etcd cluster (a Prometheus job): members, leadership, Raft proposals, storage, network, gRPC, watches, "
    "leases and the members' processes. Works for our members and for Go etcd's: every query reads etcd's metric names.",
    [
        variable("job", "Cluster (job)", "label_values(etcd_server_has_leader, job)"),
        variable("instance", "Member", 'label_values(etcd_server_has_leader{job="$job"}, instance)', multi=True),
    ],
    [
        panel("Members up", "Members Prometheus reaches (the up series of the job).", "none",
              [('sum(up{job="$job"})', "up")], kind="stat", width=4, height=4),
        panel("Has a leader", "1 when every member knows a leader; 0 when any member has none (no writes there).", "none",
              [('min(etcd_server_has_leader{job="$job"})', "has leader")], kind="stat", width=4, height=4),
        panel("Leader changes (1h)", "Leader changes the members saw in the last hour; more than a few means "
              "an unstable network or overloaded disks.", "none",
              [('max(increase(etcd_server_leader_changes_seen_total{job="$job"}[1h]))', "changes")], kind="stat", width=4, height=4),
        panel("Keys", "Keys in each member's store (the latest revision of every key).", "none",
              [(f"etcd_debugging_mvcc_keys_total{{{MEMBER}}}", "{{instance}}")], kind="stat", width=4, height=4),
        panel("Leader", "Which member leads (1) over time.", "none",
              [(f"etcd_server_is_leader{{{MEMBER}}}", "{{instance}}")], width=8, height=4),
        panel("Proposals committed", "Raft proposals committed per second on each member.", "ops",
              [(rate("etcd_server_proposals_committed_total"), "{{instance}}")]),
        panel("Proposals applied", "Raft proposals applied per second on each member; a gap to committed is apply lag.", "ops",
              [(rate("etcd_server_proposals_applied_total"), "{{instance}}")]),
        panel("Proposals pending and failed", "Proposals waiting to commit (pending) and failing per second "
              "(failed: no leader, timeouts, leader changes).", "short",
              [(f"etcd_server_proposals_pending{{{MEMBER}}}", "pending {{instance}}"),
               (rate("etcd_server_proposals_failed_total"), "failed/s {{instance}}")]),
        panel("Database size against quota", "Backend size on disk, the part in use, and the quota "
              "(--quota-backend-bytes); reaching the quota raises the NOSPACE alarm.", "bytes",
              [(f"etcd_mvcc_db_total_size_in_bytes{{{MEMBER}}}", "size {{instance}}"),
               (f"etcd_mvcc_db_total_size_in_use_in_bytes{{{MEMBER}}}", "in use {{instance}}"),
               (f"etcd_server_quota_backend_bytes{{{MEMBER}}}", "quota {{instance}}")]),
        panel("WAL fsync p99", "99th percentile of the WAL's fsync; above 10 ms the disk slows every write.", "s",
              [(p99("etcd_disk_wal_fsync_duration_seconds_bucket"), "{{instance}}")]),
        panel("Backend commit p99", "99th percentile of the backend's commit; above 25 ms the disk is too slow.", "s",
              [(p99("etcd_disk_backend_commit_duration_seconds_bucket"), "{{instance}}")]),
        panel("Peer round trip p99", "99th percentile of the round trip to each peer, by member and peer.", "s",
              [(p99("etcd_network_peer_round_trip_time_seconds_bucket", by="instance, To"), "{{instance}} to {{To}}")]),
        panel("Peer traffic", "Bytes per second sent to and received from peers.", "Bps",
              [(rate("etcd_network_peer_sent_bytes_total"), "sent {{instance}}"),
               (rate("etcd_network_peer_received_bytes_total"), "received {{instance}}")]),
        panel("Client traffic", "Bytes per second of gRPC traffic with clients.", "Bps",
              [(rate("etcd_network_client_grpc_sent_bytes_total"), "sent {{instance}}"),
               (rate("etcd_network_client_grpc_received_bytes_total"), "received {{instance}}")]),
        panel("gRPC requests by method and code", "Completed gRPC calls per second, by method and status code.", "reqps",
              [(f"sum by (grpc_method, grpc_code) (rate(grpc_server_handled_total{{{MEMBER}}}[$__rate_interval]))",
                "{{grpc_method}} {{grpc_code}}")], width=16),
        panel("Watch streams and watchers", "Open watch streams and the watchers on them, per member.", "short",
              [(f"etcd_debugging_mvcc_watch_stream_total{{{MEMBER}}}", "streams {{instance}}"),
               (f"etcd_debugging_mvcc_watcher_total{{{MEMBER}}}", "watchers {{instance}}")]),
        panel("Leases", "Leases granted and revoked per second.", "ops",
              [(rate("etcd_debugging_lease_granted_total"), "granted {{instance}}"),
               (rate("etcd_debugging_lease_revoked_total"), "revoked {{instance}}")]),
        panel("Memory", "Resident memory of each member's process.", "bytes",
              [(f"process_resident_memory_bytes{{{MEMBER}}}", "{{instance}}")]),
        panel("CPU", "CPU time each member's process uses, in cores.", "short",
              [(rate("process_cpu_seconds_total"), "{{instance}}")]),
        panel("Open file descriptors", "Open file descriptors of each member's process.", "short",
              [(f"process_open_fds{{{MEMBER}}}", "{{instance}}")]),
    ],
)

BACKUP = 'job="$job"'
backup = dashboard(
    "etcd-backup",
    "etcd backups",
    "The backup service (etcd-ops backup --schedule): age, size and duration of the newest backup, and failures.",
    [variable("job", "Backup service (job)", "label_values(etcd_ops_backup_last_attempt_timestamp_seconds, job)")],
    [
        panel("Age of the newest backup", "Time since the last successful backup; alerts fire when it grows past the schedule.", "s",
              [(f"time() - etcd_ops_backup_last_success_timestamp_seconds{{{BACKUP}}}", "{{instance}}")], kind="stat", width=6, height=4),
        panel("Size", "Size of the newest backup file (compressed).", "bytes",
              [(f"etcd_ops_backup_size_bytes{{{BACKUP}}}", "{{instance}}")], kind="stat", width=6, height=4),
        panel("Duration", "How long the newest backup took.", "s",
              [(f"etcd_ops_backup_duration_seconds{{{BACKUP}}}", "{{instance}}")], kind="stat", width=6, height=4),
        panel("Revision", "Store revision the newest backup holds.", "none",
              [(f"etcd_ops_backup_revision{{{BACKUP}}}", "{{instance}}")], kind="stat", width=6, height=4),
        panel("Failures (1h)", "Failed backup attempts in the last hour, by reason.", "none",
              [(f"sum by (reason) (increase(etcd_ops_backup_failures_total{{{BACKUP}}}[1h]))", "{{reason}}")], width=12),
        panel("Age of the newest backup over time", "Time since the last successful backup; a sawtooth is healthy.", "s",
              [(f"time() - etcd_ops_backup_last_success_timestamp_seconds{{{BACKUP}}}", "{{instance}}"),
               (f"time() - etcd_ops_backup_last_attempt_timestamp_seconds{{{BACKUP}}}", "since last attempt {{instance}}")], width=12),
    ],
)

for name, content in [("etcd-cluster.json", cluster), ("etcd-backup.json", backup)]:
    (ROOT / "grafana" / "dashboards" / name).write_text(json.dumps(content, indent=2) + "\n")
