/// What one watcher received: from which revision it watched which prefix, the events in the order they
/// came, and the revision at which a compaction cancelled it, if one did.
public struct WatchLog: Sendable {
    /// One event: the key set to a value, or deleted (nil), at a revision.
    public struct Event: Hashable, Sendable, CustomStringConvertible {
        public var revision: Int64
        public var key: String
        public var value: String?

        public init(revision: Int64, key: String, value: String?) {
            self.revision = revision
            self.key = key
            self.value = value
        }

        public var description: String { "@\(self.revision) \(self.key) \(self.value.map { "= " + $0 } ?? "deleted")" }
    }

    public var watcher: String
    public var prefix: String
    public var startRevision: Int64
    public var events: [Event]
    public var compactedAt: Int64?

    public init(watcher: String, prefix: String, startRevision: Int64, events: [Event], compactedAt: Int64? = nil) {
        self.watcher = watcher
        self.prefix = prefix
        self.startRevision = startRevision
        self.events = events
        self.compactedAt = compactedAt
    }
}

/// etcd's watch promises, checked on every watcher against the others and against the key-value history:
/// ordered (revisions never go back), unique (no event twice), reliable (no revision another watcher or an
/// answered write shows is missing between a watcher's first and last revision, unless a compaction
/// cancelled it), and true to the history (an event at a write's revision is that write; an event at no
/// answered write's revision is a write whose answer never came; every watcher saw the same events at a
/// revision).
public enum WatchChecks {
    public typealias Op = Operation<KVRequest, KVResponse>

    public static func check(_ watches: [WatchLog], history: [Op]) -> [Anomaly] {
        var anomalies: [Anomaly] = []
        var written: [Int64: Set<WatchLog.Event>] = [:]
        var unanswered: Set<String> = []
        for operation in history {
            if let output = operation.output {
                guard RevisionChecks.putsSomething(operation) else { continue }
                for write in operation.input.writes(succeeded: output.succeeded) {
                    written[output.revision, default: []].insert(WatchLog.Event(revision: output.revision, key: write.key, value: write.value))
                }
            } else {
                for write in operation.input.writes(succeeded: true) + operation.input.writes(succeeded: false) {
                    unanswered.insert("\(write.key)=\(write.value ?? "")")
                }
            }
        }

        var seen: [Int64: (watcher: String, events: Set<WatchLog.Event>)] = [:]
        // The revision at which each unanswered write was seen: one write makes one revision.
        var unansweredAt: [String: Int64] = [:]
        for watch in watches {
            var previous: WatchLog.Event?
            var delivered: Set<WatchLog.Event> = []
            for event in watch.events {
                if let previous, event.revision < previous.revision {
                    anomalies.append(Anomaly(kind: "\(watch.watcher): events out of order", excerpt: ["\(previous)", "\(event)"]))
                }
                if !delivered.insert(event).inserted {
                    anomalies.append(Anomaly(kind: "\(watch.watcher): an event delivered twice", excerpt: ["\(event)"]))
                }
                if event.revision < watch.startRevision {
                    anomalies.append(Anomaly(kind: "\(watch.watcher): an event before the start revision \(watch.startRevision)", excerpt: ["\(event)"]))
                }
                if !event.key.hasPrefix(watch.prefix) {
                    anomalies.append(Anomaly(kind: "\(watch.watcher): an event outside the prefix \(watch.prefix)", excerpt: ["\(event)"]))
                }
                if let writes = written[event.revision] {
                    if !writes.contains(event) {
                        anomalies.append(Anomaly(
                            kind: "\(watch.watcher): an event that is not the write at its revision",
                            excerpt: ["\(event)"] + writes.map { "written: \($0)" }
                        ))
                    }
                } else if !unanswered.contains("\(event.key)=\(event.value ?? "")") {
                    anomalies.append(Anomaly(kind: "\(watch.watcher): an event no write made", excerpt: ["\(event)"]))
                } else if let other = unansweredAt["\(event.key)=\(event.value ?? "")"], other != event.revision {
                    anomalies.append(Anomaly(
                        kind: "\(watch.watcher): one write seen at revisions \(other) and \(event.revision)", excerpt: ["\(event)"]
                    ))
                } else {
                    unansweredAt["\(event.key)=\(event.value ?? "")"] = event.revision
                }
                previous = event
            }
            for (revision, events) in Dictionary(grouping: watch.events, by: \.revision) {
                let events = Set(events)
                if let other = seen[revision], other.events.filter({ $0.key.hasPrefix(watch.prefix) }) != events {
                    anomalies.append(Anomaly(
                        kind: "\(watch.watcher) and \(other.watcher) saw different events at revision \(revision)",
                        excerpt: events.map { "\(watch.watcher): \($0)" } + other.events.map { "\(other.watcher): \($0)" }
                    ))
                } else if seen[revision] == nil {
                    seen[revision] = (watch.watcher, events)
                }
            }
        }

        // Every revision known to have written under a watcher's prefix, between its start and its last event.
        var known: [Int64: Set<WatchLog.Event>] = written
        for (revision, entry) in seen { known[revision, default: []].formUnion(entry.events) }
        for watch in watches {
            guard let last = watch.events.last?.revision else { continue }
            let received = Set(watch.events.map(\.revision))
            let missing = known.filter { revision, events in
                revision >= watch.startRevision && revision <= last && !received.contains(revision)
                    && events.contains { $0.key.hasPrefix(watch.prefix) }
                    && (watch.compactedAt.map { revision > $0 } ?? true)
            }
            for revision in missing.keys.sorted().prefix(5) {
                anomalies.append(Anomaly(
                    kind: "\(watch.watcher): revision \(revision) missing between \(watch.startRevision) and \(last)",
                    excerpt: known[revision]!.map { "\($0)" }
                ))
            }
        }
        return anomalies
    }
}
