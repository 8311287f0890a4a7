import Foundation
import Glibc

/// How etcdctl reads a password: `--interactive=false` takes the first word of standard input (Go's
/// `fmt.Scanf("%s")`); otherwise it asks twice, with echo off on a terminal, as Go's `speakeasy` does.
enum PasswordPrompt {
    /// The first whitespace-separated word on standard input (empty at its end).
    static func word() -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 {
            if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                if bytes.isEmpty { continue }
                break
            }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The password of `name`, asked twice: etcdctl's errors when it is empty or the two differ.
    static func ask(for name: String, console: Console) throws(CommandError) -> String {
        let first = Self.askOnce("Password of \(name): ", console: console)
        guard !first.isEmpty else { throw CommandError(.badArgs, "empty password") }
        let second = Self.askOnce("Type password of \(name) again for confirmation: ", console: console)
        guard first == second else { throw CommandError(.badArgs, "given passwords are different") }
        return first
    }

    /// Prints `prompt`, reads one line with echo off on a terminal, and ends the prompt's line, as Go's
    /// `speakeasy.Ask` does (on a terminal or not).
    static func askOnce(_ prompt: String, console: Console) -> String {
        console.out(prompt)
        var saved = termios()
        let terminal = isatty(0) == 1 && tcgetattr(0, &saved) == 0
        if terminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSANOW, &quiet)
        }
        defer {
            if terminal { tcsetattr(0, TCSANOW, &saved) }
            console.out("\n")
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1, byte != 0x0A {
            if byte != 0x0D { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
