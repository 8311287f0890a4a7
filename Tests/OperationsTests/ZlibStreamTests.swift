import Foundation
import Operations
import Testing

/// The zlib stream against itself and against the bytes' kinds: round trips at every level and piece size,
/// gzip read back, damaged, truncated and trailing data refused.
struct ZlibStreamTests {
    private static func document(_ count: Int) -> [UInt8] {
        Array((0..<count).map { "{\"id\":\($0),\"name\":\"member-\($0 % 97)\",\"ok\":true}\n" }.joined().utf8)
    }

    private static func compress(_ input: [UInt8], level: Int32, piece: Int) throws -> [UInt8] {
        let stream = try ZlibStream(.compress(level: level))
        var output: [UInt8] = []
        for start in stride(from: 0, to: input.count, by: piece) {
            output += try stream.process(Array(input[start..<min(start + piece, input.count)]))
        }
        return output + (try stream.finish())
    }

    private static func decompress(_ input: [UInt8], piece: Int) throws -> [UInt8] {
        let stream = try ZlibStream(.decompress)
        var output: [UInt8] = []
        for start in stride(from: 0, to: input.count, by: piece) {
            output += try stream.process(Array(input[start..<min(start + piece, input.count)]))
        }
        _ = try stream.finish()
        return output
    }

    @Test(arguments: [1, 6, 9])
    func aRoundTripGivesTheBytesBack(level: Int32) throws {
        let input = Self.document(20_000)
        for piece in [1_000, 32 * 1024, input.count] {
            let compressed = try Self.compress(input, level: level, piece: piece)
            #expect(compressed.count < input.count / 4, "JSON-like text compresses")
            #expect(BackupCompression.content(startingWith: compressed) == .zlib)
            #expect(try Self.decompress(compressed, piece: 777) == input)
        }
    }

    @Test func gzipIsReadToo() throws {
        let input = Self.document(500)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zlib-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("doc")
        try Data(input).write(to: file)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", file.path]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = [UInt8](try Data(contentsOf: file.appendingPathExtension("gz")))
        #expect(BackupCompression.content(startingWith: compressed) == .gzip)
        #expect(try Self.decompress(compressed, piece: 100) == input)
    }

    @Test func damagedTruncatedAndTrailingDataAreRefused() throws {
        let compressed = try Self.compress(Self.document(2_000), level: 6, piece: 4_096)
        var damaged = compressed
        damaged[damaged.count / 2] ^= 0xFF
        #expect(throws: ZlibError.self) { try Self.decompress(damaged, piece: 512) }
        #expect(throws: ZlibError.self) { try Self.decompress(Array(compressed.dropLast(10)), piece: 512) }
        #expect(throws: ZlibError.self) { try Self.decompress(compressed + [1, 2, 3], piece: 512) }
        #expect(throws: ZlibError.self) { try ZlibStream(.compress(level: 12)) }
    }

    @Test func rawSnapshotsAreNotTakenForCompressedData() {
        // A bbolt file starts with its page header: page id 0, then flags.
        #expect(BackupCompression.content(startingWith: [0, 0, 0, 0, 0, 0, 0, 0, 4, 0]) == .raw)
        #expect(BackupCompression.content(startingWith: []) == .raw)
    }
}
