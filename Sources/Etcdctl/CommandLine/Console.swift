import Foundation
import Glibc

/// Where etcdctl writes: standard output and standard error, each line written at once (a watch's
/// events must reach a pipe as they come), and standard input for commands that read it.
struct Console: Sendable {
    /// Writes `text` to standard output.
    func out(_ text: String) {
        Self.write(text, to: 1)
    }

    /// Writes `text` and a newline to standard output.
    func line(_ text: String = "") {
        Self.write(text + "\n", to: 1)
    }

    /// Writes `text` to standard error.
    func error(_ text: String) {
        Self.write(text, to: 2)
    }

    /// Writes raw bytes to standard output.
    func out(bytes: [UInt8]) {
        bytes.withUnsafeBytes { Self.write($0, to: 1) }
    }

    /// Everything on standard input.
    func readInput() -> [UInt8] {
        [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { self.write(UnsafeRawBufferPointer($0), to: descriptor) }
    }

    private static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
