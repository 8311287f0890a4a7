import Foundation

/// Child processes for the Go oracle tests, started with `posix_spawn` and reaped with `waitpid` (no
/// Foundation `Process`, whose waiting can miss exits when many tests run at once). Output goes to files.
struct ChildProcess {
    let pid: pid_t

    /// The result of a finished run.
    struct Result {
        var status: Int32
        var output: String
        var errorOutput: String
    }

    /// Starts `path` with `arguments`, reading stdin from `stdinPath` and sending stdout and stderr to files.
    init(_ path: String, _ arguments: [String], environment: [String], stdinPath: String = "/dev/null",
         stdoutPath: String, stderrPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard result == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO)
        }
        self.pid = pid
    }

    /// Waits up to `timeout` for the exit status (128 + signal if a signal ended it); kills the child
    /// and returns nil when it takes longer.
    func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = self.exitStatus() { return status }
            if ContinuousClock.now > deadline {
                self.stop()
                return nil
            }
            usleep(10_000)
        }
    }

    /// The exit status (128 + signal if a signal ended it) once the child has ended, reaping it; nil while
    /// it runs.
    func exitStatus() -> Int32? {
        var status: Int32 = 0
        guard waitpid(self.pid, &status, WNOHANG) == self.pid else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Ends the child: SIGTERM, then SIGKILL if it is still there after two seconds; reaps it.
    func stop() {
        kill(self.pid, SIGTERM)
        for _ in 0..<200 {
            var status: Int32 = 0
            if waitpid(self.pid, &status, WNOHANG) == self.pid { return }
            usleep(10_000)
        }
        kill(self.pid, SIGKILL)
        var status: Int32 = 0
        waitpid(self.pid, &status, 0)
    }

    /// Runs `path` to completion in `directory` (for its output files) and returns what it printed.
    static func run(_ path: String, _ arguments: [String], environment: [String] = [], stdinPath: String = "/dev/null",
                    in directory: TempDirectory, timeout: Duration = .seconds(30)) throws -> Result {
        let name = UUID().uuidString
        let stdoutPath = directory.file("\(name).out")
        let stderrPath = directory.file("\(name).err")
        let child = try ChildProcess(path, arguments, environment: environment, stdinPath: stdinPath,
                                     stdoutPath: stdoutPath, stderrPath: stderrPath)
        let status = child.wait(timeout: timeout) ?? -1
        let output = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let errorOutput = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return Result(status: status, output: output, errorOutput: errorOutput)
    }
}
