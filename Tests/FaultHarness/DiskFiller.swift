import Foundation
import Glibc
import ProcessTestSupport

/// Fills a file system to the last block with one file, so that the next write there fails with ENOSPC.
enum DiskFiller {
    /// Writes zeros to the file `path` until the file system holding it is full.
    static func fill(with path: String) throws {
        let outcome = try SpawnedProgram.run(
            "/usr/bin/env", ["dd", "if=/dev/zero", "of=\(path)", "bs=1M"], environment: nil, input: Data(), timeout: .seconds(60)
        )
        let errors = String(decoding: outcome.standardError, as: UTF8.self)
        guard errors.contains("No space left on device") else {
            throw HarnessError("dd did not fill the disk of \(path) (exit \(outcome.status)): \(errors)")
        }
    }
}
