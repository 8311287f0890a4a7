/// What to run, from the command line:
/// `LoadGenerator --endpoints H:P[,H:P..] --op put|range|scrape --clients N --connections C --total T
///  --key-size 16 --value-size 256 --key-space K [--serializable] [--sequential-keys] [--watchers W] [--library]
///  [--json-values]`.
/// `--json-values` makes each value a JSON-like document of about `--value-size` bytes (fields and words that
/// vary with the key) instead of one repeated byte, for measuring compression on realistic data.
/// `--library` sends puts and ranges through the EtcdClient library (to the first endpoint, or the leader
/// for puts) instead of grpc-swift's generated client.
/// `paced` puts one key every `--interval-ms` (default 10) through EtcdClient over every endpoint until the
/// file `--until-file` exists, and reports the longest gap between acknowledged puts.
/// `scrape` opens W watchers on the first endpoint, then times T scrapes of its `/metrics` while the
/// clients put.
/// `--cacert F --cert F --key F` (TLS) and `--user name:password` (auth) apply to `--library` runs; with TLS
/// the endpoints are `https://`. `authenticate` sends etcd's Authenticate with `--user`'s name and password
/// as its request (the bcrypt cost of each is the member's).
struct Options: Sendable {
    /// The kind of request every client sends.
    enum Operation: String, Sendable { case put, range, scrape, paced, authenticate }

    var endpoints: [MemberAddress] = [MemberAddress(host: "127.0.0.1", port: 2379)]
    var operation = Operation.put
    var clients = 1
    var connections = 1
    var total = 10_000
    var keySize = 16
    var valueSize = 256
    var keySpace = 1
    /// Ranges are served by the member that receives them, without a ReadIndex round.
    var serializable = false
    /// Request `i` uses key `i % keySpace` instead of a random key, so `total >= keySpace` writes every key.
    var sequentialKeys = false
    /// Watchers the scrape benchmark opens.
    var watchers = 10_000
    /// Requests go through the EtcdClient library.
    var library = false
    /// Values are JSON-like documents rather than one repeated byte.
    var jsonValues = false
    /// The paced writer's interval between puts.
    var intervalMilliseconds = 10
    /// The paced writer stops once this file exists.
    var untilFile = ""
    /// TLS files for `--library` runs: CA bundle, client certificate and key.
    var caFile: String?
    var certFile: String?
    var keyFile: String?
    /// `name:password` to authenticate with (library runs, and the authenticate operation).
    var user: String?

    /// Parses `arguments` (without the program name).
    init(arguments: [String]) throws(UsageError) {
        var rest = arguments[...]
        func value(_ flag: String) throws(UsageError) -> String {
            guard let value = rest.popFirst() else { throw UsageError("\(flag) needs a value") }
            return value
        }
        func number(_ flag: String) throws(UsageError) -> Int {
            let text = try value(flag)
            guard let number = Int(text), number > 0 else { throw UsageError("\(flag) needs a positive integer, not \(text)") }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--endpoints":
                self.endpoints = []
                for text in try value(flag).split(separator: ",") { self.endpoints.append(try MemberAddress(parsing: String(text))) }
            case "--op":
                let name = try value(flag)
                guard let operation = Operation(rawValue: name) else {
                    throw UsageError("--op is put, range, scrape, paced or authenticate, not \(name)")
                }
                self.operation = operation
            case "--clients": self.clients = try number(flag)
            case "--connections": self.connections = try number(flag)
            case "--total": self.total = try number(flag)
            case "--key-size": self.keySize = try number(flag)
            case "--value-size": self.valueSize = try number(flag)
            case "--key-space": self.keySpace = try number(flag)
            case "--serializable": self.serializable = true
            case "--sequential-keys": self.sequentialKeys = true
            case "--json-values": self.jsonValues = true
            case "--watchers": self.watchers = try number(flag)
            case "--library": self.library = true
            case "--interval-ms": self.intervalMilliseconds = try number(flag)
            case "--until-file": self.untilFile = try value(flag)
            case "--cacert": self.caFile = try value(flag)
            case "--cert": self.certFile = try value(flag)
            case "--key": self.keyFile = try value(flag)
            case "--user": self.user = try value(flag)
            default: throw UsageError("unknown flag \(flag)")
            }
        }
        guard String(self.keySpace - 1).count <= self.keySize else {
            throw UsageError("--key-size \(self.keySize) is too short for --key-space \(self.keySpace)")
        }
        guard !self.endpoints.isEmpty else { throw UsageError("--endpoints is empty") }
        guard self.operation != .paced || !self.untilFile.isEmpty else { throw UsageError("--op paced needs --until-file") }
        guard self.operation != .authenticate || self.user?.contains(":") == true else { throw UsageError("--op authenticate needs --user name:password") }
    }
}

/// A member's client address, `host:port`, with or without an `http://` prefix.
struct MemberAddress: Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init(parsing text: String) throws(UsageError) {
        var address = text.hasPrefix("http://") ? String(text.dropFirst("http://".count)) : text
        if address.hasPrefix("https://") { address = String(address.dropFirst("https://".count)) }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw UsageError("endpoint \(text) is not host:port")
        }
        self.init(host: String(address[..<colon]), port: port)
    }

    var description: String { "\(self.host):\(self.port)" }
}

/// A command-line mistake, reported with the usage line.
struct UsageError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
