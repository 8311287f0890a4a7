import Foundation
import ProcessTestSupport
import Synchronization

/// The outcome of a finished program.
struct ProgramResult: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs programs to completion and collects what they print.
enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `input` on standard input, and waits at most `timeout`.
    static func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: String? = nil,
        timeout: Duration = .seconds(30)
    ) async throws -> ProgramResult {
        try await offload {
            try runBlocking(executable, arguments, environment: environment, input: input, timeout: timeout)
        }
    }

    private static func runBlocking(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String]?,
        input: String?,
        timeout: Duration
    ) throws -> ProgramResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let collected = Collected()
        let group = DispatchGroup()
        for (isError, pipe) in [(false, output), (true, error)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                if isError {
                    collected.error.withLock { $0 = data }
                } else {
                    collected.output.withLock { $0 = data }
                }
                group.leave()
            }
        }
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
        if group.wait(timeout: deadline) == .timedOut {
            process.terminate()
            throw TimedOut(command: ([executable.path] + arguments).joined(separator: " "))
        }
        let status = ProcessExit.wait(for: process)
        return ProgramResult(
            status: status,
            standardOutput: String(decoding: collected.output.withLock { $0 }, as: UTF8.self),
            standardError: String(decoding: collected.error.withLock { $0 }, as: UTF8.self)
        )
    }

    struct TimedOut: Error, CustomStringConvertible {
        let command: String
        var description: String { "timed out: \(command)" }
    }

    private final class Collected: Sendable {
        let output = Mutex(Data())
        let error = Mutex(Data())
    }
}
