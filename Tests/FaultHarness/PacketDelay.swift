import Foundation
import Glibc
import ProcessTestSupport

/// One `PacketDelayer` process inside a member's namespace, holding the packets that namespace's `NFQUEUE`
/// rule sends it (a delay the kernel's missing `sch_netem` cannot make). Started, it has bound its queue;
/// ``stop()`` closes its standard input, on which it lets every held packet go and exits.
final class PacketDelay: Sendable {
    private let process: Process
    private let input: FileHandle

    /// Starts the delayer with `command` (which puts it in the namespace) on queue `queue`, and waits until
    /// it has bound the queue.
    init(command: ([String]) -> [String], queue: Int, delay: Duration, jitter: Duration) throws {
        let milliseconds = { (duration: Duration) in String(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command([BuildProducts.program("PacketDelayer").path, String(queue), milliseconds(delay), milliseconds(jitter)])
        let (input, output, errors) = (Pipe(), Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        self.process = process
        self.input = input.fileHandleForWriting
        let said = String(decoding: output.fileHandleForReading.readData(ofLength: 6), as: UTF8.self)
        guard said == "ready\n" else {
            self.stop()
            let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw HarnessError("the packet delayer did not start: \(said)\(complaint)")
        }
    }

    deinit {
        self.stop()
    }

    /// Lets the held packets go and waits for the delayer to exit (SIGKILL after a second).
    func stop() {
        try? self.input.close()
        let deadline = ContinuousClock.now + .seconds(1)
        while ProcessExit.poll(self.process) == nil {
            guard ContinuousClock.now < deadline else {
                kill(self.process.processIdentifier, SIGKILL)
                _ = ProcessExit.wait(for: self.process)
                return
            }
            usleep(10_000)
        }
    }
}
