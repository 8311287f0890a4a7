import CSystemd

/// Tells systemd (`Type=notify` units) about the member's state through `sd_notify(3)`.
/// Every call is a no-op when `NOTIFY_SOCKET` is not set, as outside systemd.
public enum SystemdNotifier {
    /// The member serves clients: systemd considers the unit started; `status` says how.
    public static func ready(status: String) {
        send("READY=1\nSTATUS=\(status)")
    }

    /// The member is shutting down.
    public static func stopping() {
        send("STOPPING=1\nSTATUS=stopping")
    }

    /// A one-line status shown by `systemctl status`.
    public static func status(_ text: String) {
        send("STATUS=\(text)")
    }

    private static func send(_ state: String) {
        _ = sd_notify(0, state)
    }
}
