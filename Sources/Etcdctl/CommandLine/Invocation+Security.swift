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
        let files = [flags.cacert, flags.cert, flags.key].map { name in self.string(name).isEmpty ? nil : self.string(name) }
        let skipVerify = flags.skipVerify.map { self.bool($0) } ?? false
        guard files.contains(where: { $0 != nil }) || !self.bool(flags.insecureTransport) else { return nil }
        do {
            return try ClientTLS(caFile: files[0], certFile: files[1], keyFile: files[2], insecureSkipVerify: skipVerify)
        } catch {
            throw CommandError(.badArgs, error.message)
        }
    }

    /// The credentials the flags give, as etcdctl reads them: `--user name:password` splits at the first colon;
    /// with `--password` the whole of `--user` is the name; a name alone asks for the password (once per
    /// run, however many clients the command makes). Nil without `--user`.
    func credentials(_ flags: SecurityFlags) -> Credentials? {
        let user = self.string(flags.user)
        guard !user.isEmpty else { return nil }
        let password = self.string(flags.password)
        if !password.isEmpty { return Credentials(user: user, password: password) }
        if let colon = user.firstIndex(of: ":") {
            return Credentials(user: String(user[..<colon]), password: String(user[user.index(after: colon)...]))
        }
        return Credentials(user: user, password: self.answers.password(for: flags.prompt, console: self.console))
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
