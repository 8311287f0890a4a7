import Crypto
import EtcdClient
import Foundation
import Testing

/// A damaged or unsuitable snapshot, or a target in the way, is refused by `etcdctl snapshot restore`
/// with one clear line and a non-zero exit, and leaves nothing behind: not the target, not a staging
/// directory beside it.
@Suite(.serialized) struct SnapshotDamageTests {
    /// A good snapshot of a member holding a few hundred keys (a tree more than one page deep).
    private static func snapshot(in scratch: Scratch) async throws -> [UInt8] {
        let member = try MemberProcess()
        try await member.waitUntilServing()
        let client = try EtcdClient(endpoints: ["127.0.0.1:\(member.clientPort)"])
        for index in 0..<600 { _ = try await client.put("key/\(index)", String(repeating: "v", count: 40)) }
        await client.close()
        let file = scratch.path + "/good.db"
        let saved = try await ProcessRunner.run(Binaries.etcdctl, ["--endpoints", "127.0.0.1:\(member.clientPort)", "snapshot", "save", file])
        #expect(saved.status == 0, "\(saved.standardError)")
        _ = try await member.terminate()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// `bytes` with its last 32 bytes replaced by the SHA-256 of the rest (a damaged file that still
    /// passes the trailer check, so the damage itself must be found).
    private static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        let body = Array(bytes.dropLast(32))
        return body + Array(SHA256.hash(data: body))
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    @Test func damagedFilesAndTargetsInTheWayAreRefusedWithOneLine() async throws {
        let scratch = try Scratch()
        let good = try await Self.snapshot(in: scratch)
        let rootPage = Int(Self.littleEndian(good, at: 32))
        var flipped = good
        flipped[rootPage * 4096] ^= 0x01
        var wrongTrailer = good
        wrongTrailer[wrongTrailer.count - 1] ^= 0xFF
        let notBbolt = [UInt8](repeating: 0x2A, count: 8192)
        let cases: [(name: String, bytes: [UInt8], flags: [String], message: String)] = [
            ("truncated", Array(good.prefix(good.count / 2)), [], "snapshot missing hash but --skip-hash-check=false"),
            ("truncated-unchecked", Array(good.prefix(good.count / 2)), ["--skip-hash-check"], "bbolt: "),
            ("flipped-bit", Self.resealed(flipped), [], "bbolt: page \(rootPage): "),
            ("wrong-trailer", wrongTrailer, [], "expected sha256 ["),
            ("not-bbolt", notBbolt, ["--skip-hash-check"], "invalid database"),
        ]
        for damage in cases {
            let file = scratch.path + "/\(damage.name).db"
            try Data(damage.bytes).write(to: URL(fileURLWithPath: file))
            let target = scratch.path + "/target-\(damage.name)"
            let result = try await self.restore(file, into: target, damage.flags)
            self.expectRefused(result, damage.message, damage.name)
            #expect(!FileManager.default.fileExists(atPath: target), "\(damage.name): the target was made")
        }

        let goodFile = scratch.path + "/good.db"
        let directorySnapshot = try await self.restore(scratch.path, into: scratch.path + "/target-dir", [])
        self.expectRefused(directorySnapshot, "is a directory", "a directory as the snapshot")

        let occupied = scratch.path + "/occupied"
        try FileManager.default.createDirectory(atPath: occupied + "/member", withIntermediateDirectories: true)
        let inTheWay = try await self.restore(goodFile, into: occupied, [])
        self.expectRefused(inTheWay, "data-dir \"\(occupied)\" not empty or could not be read", "a non-empty data directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied) == ["member"], "the occupied directory was changed")

        let walInTheWay = scratch.path + "/wal-exists"
        try FileManager.default.createDirectory(atPath: walInTheWay, withIntermediateDirectories: true)
        let walResult = try await self.restore(goodFile, into: scratch.path + "/target-wal", ["--wal-dir", walInTheWay])
        self.expectRefused(walResult, "wal-dir \"\(walInTheWay)\" exists", "an existing WAL directory")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/target-wal"))

        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains(".restore-") }
        #expect(leftovers.isEmpty, "staging directories were left behind: \(leftovers)")

        let fine = try await self.restore(goodFile, into: scratch.path + "/fine", [])
        #expect(fine.status == 0, "the undamaged file restores: \(fine.standardError)")
    }

    private func restore(_ file: String, into target: String, _ flags: [String]) async throws -> ProgramResult {
        try await ProcessRunner.run(Binaries.etcdctl, ["snapshot", "restore", file, "--data-dir", target] + flags)
    }

    /// A refusal: a non-zero exit and, after etcdctl's deprecation note, exactly one error line with `message`.
    private func expectRefused(_ result: ProgramResult, _ message: String, _ what: String) {
        #expect(result.status != 0, "\(what): restore succeeded")
        let errors = result.standardError.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        #expect(errors.count == 1 && errors[0].contains(message), "\(what): \(result.standardError)")
    }
}
