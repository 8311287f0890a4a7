import Foundation

/// The progress of one replacement, kept in a small JSON file so that a run interrupted at any step can be
/// run again: the old member's id (after its removal the cluster no longer names it) and whether the
/// backup was taken. Written before the first change and removed when the replacement is done.
struct ReplacementJournal: Codable, Equatable {
    var request: ReplacementRequest
    var oldID: UInt64
    var oldName: String
    var backupTaken = false

    /// The journal at `path`, nil when there is none. Throws when it cannot be read, or belongs to another
    /// replacement (a different new member).
    static func load(_ path: String, for request: ReplacementRequest) throws(OpsError) -> ReplacementJournal? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let journal: ReplacementJournal
        do {
            journal = try JSONDecoder().decode(ReplacementJournal.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw OpsError(.failed, "cannot read the replacement journal \(path): \(error.localizedDescription)")
        }
        guard journal.request.newName == request.newName, journal.request.newPeerURL == request.newPeerURL else {
            throw OpsError(.usage, "\(path) journals another replacement (\(journal.oldName) by \(journal.request.newName) at \(journal.request.newPeerURL)); finish it first or remove the file")
        }
        return journal
    }

    /// Writes the journal to `path` durably and atomically (``FileOutput``).
    func save(_ path: String) throws(OpsError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let bytes: Data
        do {
            bytes = try encoder.encode(self)
        } catch {
            throw OpsError(.output, "cannot encode the replacement journal: \(error.localizedDescription)")
        }
        try FileOutput.writeAtomically(bytes + Data([0x0A]), to: path)
    }

    /// Removes the journal at `path` once the replacement is done.
    static func remove(_ path: String) throws(OpsError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw OpsError(.output, "the replacement is done but its journal \(path) cannot be removed: \(error.localizedDescription)")
        }
    }
}
