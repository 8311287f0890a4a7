import Foundation
import Testing

/// Runs every scenario in `testdata/`; with `RAFT_REWRITE_TRANSCRIPTS=1` it writes the actual output back into
/// the files instead, to be reviewed as a diff.
@Suite("Transcripts")
struct TranscriptTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("testdata")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }()

    @Test("testdata has scenarios")
    func scenariosExist() {
        #expect(Self.files.count >= 11)
    }

    @Test("scenario", arguments: files)
    func scenario(_ name: String) throws {
        let url = Self.directory.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        let file = try TranscriptFile(text: text)
        let env = InteractionEnv()
        var outputs: [[String]] = []
        for step in file.steps {
            let output: [String]
            do {
                output = try env.handle(step.command)
            } catch {
                Issue.record("\(name):\(step.line): \(step.command): \(error)")
                return
            }
            outputs.append(output)
        }
        if ProcessInfo.processInfo.environment["RAFT_REWRITE_TRANSCRIPTS"] == "1" {
            try file.rendered(with: outputs).write(to: url, atomically: true, encoding: .utf8)
            return
        }
        for (step, output) in zip(file.steps, outputs) where step.expected != output {
            Issue.record("""
                \(name):\(step.line): output of '\(step.command)' differs (- expected, + actual):
                \(LineDiff.render(expected: step.expected, actual: output))
                """)
            return
        }
    }
}
