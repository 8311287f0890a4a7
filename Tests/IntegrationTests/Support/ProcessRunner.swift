import Foundation
import ProcessTestSupport

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
        let outcome = try SpawnedProgram.run(
            executable.path, arguments, environment: environment, input: Data((input ?? "").utf8), timeout: timeout
        )
        return ProgramResult(
            status: outcome.status,
            standardOutput: String(decoding: outcome.standardOutput, as: UTF8.self),
            standardError: String(decoding: outcome.standardError, as: UTF8.self)
        )
    }
}
