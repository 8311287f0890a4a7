import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion with `posix_spawn` and waits for it with `waitpid`, so its exit status is
/// the kernel's and never a value Foundation's own reaping thread has not recorded yet.
public enum SpawnedProgram {
    /// What a finished program printed and how it ended (128 + signal when a signal ended it).
    public struct Outcome: Sendable {
        public var status: Int32
        public var standardOutput: Data
        public var standardError: Data
    }

    /// The program did not finish in time; it was killed.
    public struct TimedOut: Error, CustomStringConvertible {
        public let command: String
        public var description: String { "timed out: \(self.command)" }
    }

    /// A system call failed before the program could run.
    public struct SpawnFailed: Error, CustomStringConvertible {
        public let call: String
        public let code: Int32
        public var description: String { "\(self.call) failed: \(String(cString: strerror(self.code)))" }
    }

    /// Runs `path` with `arguments` (and `environment`, or this process's), writes `input` to its standard
    /// input and closes it, collects both outputs, and kills it if it has not exited within `timeout`.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String]?, input: Data, timeout: Duration
    ) throws -> Outcome {
        let stdin = try self.pipe()
        let stdout = try self.pipe()
        let stderr = try self.pipe()
        let pid: pid_t
        do {
            pid = try self.spawn(path, arguments, environment, stdin: stdin.read, stdout: stdout.write, stderr: stderr.write)
        } catch {
            for fd in [stdin.read, stdin.write, stdout.read, stdout.write, stderr.read, stderr.write] { close(fd) }
            throw error
        }
        close(stdin.read)
        close(stdout.write)
        close(stderr.write)
        let writer = Thread {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(stdin.write, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(stdin.write)
        }
        writer.start()
        let deadline = ContinuousClock.now + timeout
        var outputs = [Data(), Data()]
        var open = [stdout.read, stderr.read]
        while open.contains(where: { $0 >= 0 }) {
            let left = deadline - .now
            guard left > .zero else { return try self.kill(pid, path, arguments, closing: open) }
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let milliseconds = Int32(min(left.components.seconds * 1000 + 1, 1000))
            if poll(&polled, nfds_t(polled.count), milliseconds) < 0 && errno != EINTR {
                throw SpawnFailed(call: "poll", code: errno)
            }
            for index in polled.indices where polled[index].fd >= 0 && polled[index].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(polled[index].fd, &buffer, buffer.count)
                if count > 0 {
                    outputs[index].append(contentsOf: buffer[..<count])
                } else if count == 0 || errno != EINTR {
                    close(open[index])
                    open[index] = -1
                }
            }
        }
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
                return Outcome(status: code, standardOutput: outputs[0], standardError: outputs[1])
            }
            if reaped < 0 && errno != EINTR { throw SpawnFailed(call: "waitpid", code: errno) }
            if ContinuousClock.now > deadline { return try self.kill(pid, path, arguments, closing: []) }
            usleep(2_000)
        }
    }

    private static func kill(_ pid: pid_t, _ path: String, _ arguments: [String], closing fds: [Int32]) throws -> Outcome {
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        for fd in fds where fd >= 0 { close(fd) }
        throw TimedOut(command: ([path] + arguments).joined(separator: " "))
    }

    private static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard systemPipe2(&fds, O_CLOEXEC) == 0 else { throw SpawnFailed(call: "pipe2", code: errno) }
        return (fds[0], fds[1])
    }

    private static func spawn(
        _ path: String, _ arguments: [String], _ environment: [String: String]?, stdin: Int32, stdout: Int32, stderr: Int32
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let environment = environment ?? ProcessInfo.processInfo.environment
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnFailed(call: "posix_spawn \(path)", code: code) }
        return pid
    }
}

/// glibc's `pipe2`, which its module map leaves out: both ends are created close-on-exec in one step, so a
/// program spawned at the same moment by another thread cannot inherit them.
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
