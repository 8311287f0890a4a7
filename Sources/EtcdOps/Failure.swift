import ArgumentParser
import Foundation
import Operations

/// How a command ends on an ``OpsError``: `etcd-ops: <message>` on standard error, the kind's exit code.
enum Failure {
    /// Runs `body`; an ``OpsError`` is printed and becomes its exit code.
    static func reporting<T>(_ body: () async throws(OpsError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            Self.print(error.message)
            throw ExitCode(error.kind.rawValue)
        }
    }

    /// Writes `etcd-ops: <message>` to standard error.
    static func print(_ message: String) {
        FileHandle.standardError.write(Data("etcd-ops: \(message)\n".utf8))
    }
}
