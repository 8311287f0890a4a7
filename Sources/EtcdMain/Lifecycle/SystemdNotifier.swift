import Glibc
import Logging

/// Tells systemd (`Type=notify` units) about the member's state: newline-separated assignments sent as one
/// datagram to the socket `NOTIFY_SOCKET` names (sd_notify(3)'s protocol, spoken directly as Go etcd's
/// go-systemd does, so the member needs no libsystemd). Every call does nothing when `NOTIFY_SOCKET` is not
/// set, as outside systemd; a failed send is logged and changes nothing else.
public enum SystemdNotifier {
    /// The member serves clients: systemd considers the unit started; `status` says how.
    public static func ready(status: String, logger: Logger) {
        self.send("READY=1\nSTATUS=\(status)", purpose: "readiness", logger: logger)
    }

    /// The member is shutting down.
    public static func stopping(logger: Logger) {
        self.send("STOPPING=1\nSTATUS=stopping", purpose: "stopping", logger: logger)
    }

    /// A one-line status shown by `systemctl status`.
    public static func status(_ text: String, logger: Logger) {
        self.send("STATUS=\(text)", purpose: "status", logger: logger)
    }

    private static func send(_ state: String, purpose: String, logger: Logger) {
        guard let variable = getenv("NOTIFY_SOCKET") else { return }
        let path = String(cString: variable)
        guard !path.isEmpty else { return }
        if let problem = self.send(state, to: path) {
            logger.error("failed to notify systemd for \(purpose)", metadata: ["socket": "\(path)", "error": "\(problem)"])
        }
    }

    /// Sends `state` to the datagram socket at `path` (`@` first names an abstract socket); nil when sent,
    /// otherwise what went wrong.
    private static func send(_ state: String, to path: String) -> String? {
        var bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") || bytes.first == UInt8(ascii: "@") else {
            return "unsupported socket address (only file system and abstract unix sockets are)"
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return "socket path too long" }
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return "socket: \(String(cString: strerror(errno)))" }
        defer { close(descriptor) }
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        guard sent == message.count else { return "sendto: \(String(cString: strerror(errno)))" }
        return nil
    }
}
