/// The revisions of one key, grouped into generations: a generation runs from the put that creates
/// the key to the delete (tombstone) that ends it; a delete also opens a new, empty generation.
///
/// Worked example, for puts at 2 and 3, a delete at 4, a put at 5 and a delete at 6 of key "k":
///
///     generations: {2.0, 3.0, 4.0(t)}  {5.0, 6.0(t)}  {}
///
/// Reading at revision 3 finds 3.0 (version 2, created 2); at 4 and at 6 the key does not exist; at 5
/// it is 5.0 (version 1, created 5).
///
/// Compacting at revision `c` drops every revision below `c` except the newest one at or below `c` in
/// its generation, and drops whole generations that ended (tombstone) before `c`. A tombstone at exactly
/// `c` is kept (etcd 3.5.15+, so that a watch from `c` still sees that delete). Compact(3) above gives
/// `{3.0, 4.0(t)} {5.0, 6.0(t)} {}`; compact(4) gives `{4.0(t)} {5.0, 6.0(t)} {}`; compact(7) leaves
/// `{}` and the key leaves the index.
struct KeyIndex: Sendable, Equatable {
    struct Generation: Sendable, Equatable {
        /// Number of puts in the generation (the key's version at its last put).
        var version: Int64
        /// The revision of the put that created the generation.
        var created: Revision
        /// Every revision of the generation, ascending; the last one is a tombstone unless the
        /// generation is the key's current one.
        var revisions: [Revision]

        /// The index of the newest revision whose main revision is at most `atRev`, or nil.
        func lastIndex(atOrBelow atRev: Int64) -> Int? {
            var low = 0
            var high = revisions.count
            while low < high {
                let middle = (low + high) / 2
                if revisions[middle].main <= atRev {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low == 0 ? nil : low - 1
        }
    }

    /// The generations in the form that costs least: most keys hold one revision (written once, restored
    /// from the key database, or compacted down to their last put), which `single` keeps without the two
    /// arrays of the general form (about 110 bytes of heap per key).
    private enum History: Sendable {
        /// One generation, the current one, whose only revision is `modified`.
        case single(created: Revision, version: Int64)
        /// Any generations, as ``KeyIndex/generations`` describes them.
        case general([Generation])
    }

    /// The key.
    let key: [UInt8]
    /// The newest revision of the key.
    private(set) var modified = Revision(main: 0)
    private var history = History.general([])

    init(key: [UInt8]) {
        self.key = key
    }

    /// A key index from its parts, as `KeyIndexCodec` decodes it.
    init(key: [UInt8], modified: Revision, generations: [Generation]) {
        self.key = key
        self.modified = modified
        self.generations = generations
    }

    static func == (left: KeyIndex, right: KeyIndex) -> Bool {
        left.key == right.key && left.modified == right.modified && left.generations == right.generations
    }

    /// The generations, oldest first; the last one is the current generation (empty after a delete).
    private(set) var generations: [Generation] {
        get {
            switch history {
            case .single(let created, let version):
                return [Generation(version: version, created: created, revisions: [modified])]
            case .general(let generations):
                return generations
            }
        }
        set {
            if newValue.count == 1, newValue[0].revisions.count == 1, newValue[0].revisions[0] == modified {
                history = .single(created: newValue[0].created, version: newValue[0].version)
            } else {
                history = .general(newValue)
            }
        }
    }

    /// True when the index holds no live or historical revision: only an empty current generation.
    var isEmpty: Bool {
        guard case .general(let generations) = history else { return false }
        return generations.count == 1 && generations[0].revisions.isEmpty
    }

    /// Records a put at `revision`, which must be newer than every revision of the key.
    mutating func put(_ revision: Revision) {
        precondition(revision > modified, "put at \(revision) is not after the key's last change \(modified)")
        var generations = self.generations
        history = .general([])
        if generations.isEmpty {
            generations.append(Generation(version: 0, created: revision, revisions: []))
        }
        let last = generations.count - 1
        if generations[last].revisions.isEmpty {
            generations[last].created = revision
        }
        generations[last].revisions.append(revision)
        generations[last].version += 1
        modified = revision
        self.generations = generations
    }

    /// Starts the index of a key found in the key database at `modified` with a generation created at
    /// `created` holding `version` puts (revisions before `modified` are compacted away).
    mutating func restore(created: Revision, modified: Revision, version: Int64) {
        precondition(generations.isEmpty, "restore into a non-empty key index")
        self.modified = modified
        history = .single(created: created, version: version)
    }

    /// Records a delete at `revision`: closes the current generation and opens an empty one. Returns
    /// false, changing nothing, when the key has no current generation to close.
    mutating func tombstone(_ revision: Revision) -> Bool {
        if case .general(let generations) = history {
            guard let last = generations.last, !last.revisions.isEmpty else { return false }
        }
        put(revision)
        var generations = self.generations
        history = .general([])
        generations.append(Generation(version: 0, created: Revision(main: 0), revisions: []))
        self.generations = generations
        return true
    }

    /// Undoes the latest `put(_:)`, restoring `previousModified` as the newest revision. A key the put
    /// created is left empty (`isEmpty`) for the caller to remove.
    mutating func undoPut(previousModified: Revision) {
        var generations = self.generations
        history = .general([])
        let last = generations.count - 1
        generations[last].revisions.removeLast()
        generations[last].version -= 1
        if generations[last].revisions.isEmpty {
            generations[last].created = Revision(main: 0)
        }
        modified = previousModified
        self.generations = generations
    }

    /// Undoes the latest successful `tombstone(_:)`.
    mutating func undoTombstone(previousModified: Revision) {
        var generations = self.generations
        history = .general([])
        generations.removeLast()
        self.generations = generations
        undoPut(previousModified: previousModified)
    }

    /// The revision, creation revision and version of the key as of `atRev`, or nil when the key does
    /// not exist at `atRev`.
    func get(atRev: Int64) -> (modified: Revision, created: Revision, version: Int64)? {
        if case .single(let created, let version) = history {
            return modified.main <= atRev ? (modified, created, version) : nil
        }
        guard let generationIndex = findGeneration(atRev) else { return nil }
        let generation = generations[generationIndex]
        guard let index = generation.lastIndex(atOrBelow: atRev) else { return nil }
        let newer = Int64(generation.revisions.count - 1 - index)
        return (generation.revisions[index], generation.created, generation.version - newer)
    }

    /// Compacts at `atRev` (see the type's comment). The caller removes the key when it becomes empty.
    mutating func compact(atRev: Int64) {
        precondition(!isEmpty, "compaction of an empty key index")
        // A single revision is the newest of the current generation: a compaction keeps it.
        guard case .general = history else { return }
        let (generationIndex, revisionIndex) = compactionPoint(atRev)
        var generations = self.generations
        history = .general([])
        if let revisionIndex, revisionIndex > 0 {
            generations[generationIndex].revisions.removeFirst(revisionIndex)
        }
        if generationIndex > 0 {
            generations.removeFirst(generationIndex)
        }
        self.generations = generations
    }

    /// The revision a compaction at `atRev` keeps below or at `atRev`, leaving out a tombstone (the
    /// definition etcd's `HashKV` uses to skip history a compaction has or will have removed).
    func keep(atRev: Int64) -> Revision? {
        guard !isEmpty else { return nil }
        if case .single = history {
            return modified.main <= atRev ? modified : nil
        }
        let (generationIndex, revisionIndex) = compactionPoint(atRev)
        guard let revisionIndex else { return nil }
        let generation = generations[generationIndex]
        if revisionIndex == generation.revisions.count - 1, generationIndex != generations.count - 1 {
            return nil
        }
        return generation.revisions[revisionIndex]
    }

    /// True when `revision` is still part of this index.
    func contains(_ revision: Revision) -> Bool {
        if case .single = history {
            return revision == modified
        }
        for generation in generations {
            let revisions = generation.revisions
            var low = 0
            var high = revisions.count
            while low < high {
                let middle = (low + high) / 2
                if revisions[middle] < revision {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            if low < revisions.count, revisions[low] == revision {
                return true
            }
        }
        return false
    }

    /// The generation a compaction at `atRev` starts from (the first one whose tombstone is at or after
    /// `atRev`, or the current one) and the index in it of the newest revision at or below `atRev`.
    private func compactionPoint(_ atRev: Int64) -> (Int, Int?) {
        var generationIndex = 0
        while generationIndex < generations.count - 1 {
            if generations[generationIndex].revisions.last!.main >= atRev {
                break
            }
            generationIndex += 1
        }
        return (generationIndex, generations[generationIndex].lastIndex(atOrBelow: atRev))
    }

    /// The generation holding `atRev`, or nil when the key did not exist at `atRev` (before its first
    /// revision, or between a tombstone and the next put).
    private func findGeneration(_ atRev: Int64) -> Int? {
        let last = generations.count - 1
        var index = last
        while index >= 0 {
            let generation = generations[index]
            guard let first = generation.revisions.first else {
                index -= 1
                continue
            }
            if index != last, generation.revisions.last!.main <= atRev {
                return nil
            }
            if first.main <= atRev {
                return index
            }
            index -= 1
        }
        return nil
    }
}
