import Foundation
import GoFormat
import Glibc
import Synchronization

/// The progress line etcdctl's checks draw on standard output (the `pb` bar with the format `Bom !`):
/// ` <done> / <total> `, a bar as wide as the terminal leaves room for (none when standard output is not a
/// terminal), the percentage and the time left (the time taken, once finished), redrawn after a carriage
/// return five times a second.
final class ProgressBar: Sendable {
    private static let refresh: Duration = .milliseconds(200)

    private let total: Int
    private let console: Console
    private let current = Atomic<Int>(0)
    private let started = ContinuousClock.now
    /// The redrawing task, and whether the final line is out: lines are drawn under this lock, so no
    /// redraw can follow the final line (a redraw already past its sleep when `finish` cancels it).
    private let drawing: Mutex<(task: Task<Void, Never>?, finished: Bool)> = Mutex((nil, false))

    /// A bar counting up to `total`, drawn from now on.
    init(total: Int, console: Console) {
        self.total = total
        self.console = console
        let task = Task { [weak self] in
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: Self.refresh)
                } catch {
                    return
                }
                guard let self else { return }
                self.drawing.withLock { drawing in
                    guard !drawing.finished else { return }
                    self.console.out("\r" + self.line(finished: false))
                }
            }
        }
        self.drawing.withLock { $0.task = task }
    }

    /// Counts one more done.
    func increment() {
        self.current.add(1, ordering: .relaxed)
    }

    /// Stops redrawing and draws the final line, ended by a newline.
    func finish() {
        let task = self.drawing.withLock { drawing -> Task<Void, Never>? in
            if !drawing.finished {
                drawing.finished = true
                self.console.out("\r" + self.line(finished: true) + "\n")
            }
            return drawing.task
        }
        task?.cancel()
    }

    private func line(finished: Bool) -> String {
        let current = min(self.current.load(ordering: .relaxed), self.total)
        let counters = " \(current) / \(self.total) "
        let fraction = self.total > 0 ? Double(current) / Double(self.total) : 0
        let percent = " " + String(format: "%6.2f%%", fraction * 100)
        let elapsed = ContinuousClock.now - self.started
        var time = ""
        if finished {
            time = " " + Duration.seconds(elapsed.components.seconds).goString
        } else if current > 0 {
            let left = elapsed / current * (self.total - current)
            if left > .zero { time = " " + Duration.seconds(left.components.seconds).goString }
        }
        let size = Self.terminalWidth() - (counters.count + 2 + percent.count + time.count)
        var bar = ""
        if size > 0 {
            let filled = min(Int((fraction * Double(size)).rounded(.up)), size)
            let empty = size - filled
            bar = "B"
            if empty <= 0 {
                bar += String(repeating: "o", count: filled)
            } else if filled > 0 {
                bar += String(repeating: "o", count: filled - 1) + "m"
            }
            bar += String(repeating: " ", count: empty) + "!"
        }
        return counters + bar + percent + time
    }

    /// The terminal's width in columns; 0 when standard output is not a terminal.
    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0 else { return 0 }
        return Int(size.ws_col)
    }
}
