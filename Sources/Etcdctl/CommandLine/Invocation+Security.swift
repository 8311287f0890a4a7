import EtcdClient
import EtcdProto
import Synchronization

extension Invocation {
    /// The TLS settings the flags describe, as etcdctl 3.4 builds them: settings exist when a certificate,
    /// key or CA file is named, or when `--insecure-transport=false` asks for TLS without any (the system's
    /// roots); `--insecure-skip-tls-verify` applies only when they exist. A flag given as an empty string,
    /// a lone certificate or key, or a file that cannot be used ends the command with exit code 128.
    func tls(_ flags: SecurityFlags) throws(CommandError) -> ClientTLS? {
        if flags.refusesEmpty {
            for name in [flags.cert, flags.key, flags.cacert] where self.isGiven(name) && self.string(name).isEmpty {
                throw CommandError(.badArgs, "empty string is passed to --\(name) option")
            }
        }
        do {
            return try ClientTLS.fromFlags(
                caFile: self.string(flags.cacert), certFile: self.string(flags.cert), keyFile: self.string(flags.key),
                insecureTransport: self.bool(flags.insecureTransport),
                insecureSkipVerify: flags.skipVerify.map { self.bool($0) } ?? false
            )
        } catch {
            throw CommandError(.badArgs, error.message)
        }
    }

    /// The credentials the flags give, as etcdctl reads them: `--user name:password` splits at the first colon;
    /// with `--password` the whole of `--user` is the name; a name alone asks for the password (once per
    /// run, however many clients the command makes). Nil without `--user`.
    func credentials(_ flags: SecurityFlags) -> Credentials? {
        Credentials.fromFlags(user: self.string(flags.user), password: self.string(flags.password)) { _ in
            self.answers.password(for: flags.prompt, console: self.console)
        }
    }
}

/// The passwords asked for during one run, by prompt, so that a command making several clients asks once.
final class PromptAnswers: Sendable {
    private let answers = Mutex<[String: String]>([:])

    init() {}

    /// The answer to `prompt`, asking on the terminal the first time.
    func password(for prompt: String, console: Console) -> String {
        self.answers.withLock { answers in
            if let answer = answers[prompt] { return answer }
            let answer = PasswordPrompt.askOnce(prompt, console: console)
            answers[prompt] = answer
            return answer
        }
    }
}
