import Foundation

/// Standard output written at once, line by line, so that a pipe or a container log sees each line as it is
/// printed (a scheduled backup service runs for days; `print` would hold its lines in a buffer).
enum Output {
    /// Writes `text` and a newline.
    static func line(_ text: String) {
        Self.text(text + "\n")
    }

    /// Writes `text` as it is.
    static func text(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
