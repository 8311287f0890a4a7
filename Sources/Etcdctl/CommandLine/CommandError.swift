/// A failure that ends etcdctl: the message it prints after `Error: ` and the exit code, with etcdctl's
/// codes (cobrautl's).
struct CommandError: Error, Sendable {
    enum Exit: Int32, Sendable {
        case error = 1
        case badConnection = 2
        case invalidInput = 3
        case badFeature = 4
        case interrupted = 5
        case io = 6
        case badArgs = 128
        /// A command line cobra refused (unknown flag or command, bad flag value): code 1, usage shown.
        case usage = 255
    }

    let exit: Exit
    let message: String

    init(_ exit: Exit, _ message: String) {
        self.exit = exit
        self.message = message
    }

    /// The process exit status.
    var status: Int32 { self.exit == .usage ? 1 : self.exit.rawValue }
}
