import Foundation
import ProcessTestSupport
import Synchronization

/// The network of a fault run: one network namespace per member, each joined to one bridge by a veth pair,
/// with an address on a private /24 (the bridge itself holds `.1`, so this machine reaches every member).
/// Faults are iptables rules inside the members' namespaces, so nothing outside the run is touched; delays
/// are `NFQUEUE` rules whose packets a `PacketDelayer` in the namespace holds (this machine's kernel has no
/// `sch_netem`, so tc cannot delay). ``remove()`` (also on release)
/// deletes the namespaces, the bridge and the one host rule that lets bridged traffic through a FORWARD
/// policy of DROP (Docker's).
public final class NamespaceNetwork: Sendable {
    /// What an `ip`, `iptables` or `tc` command said when it failed.
    public struct CommandFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let prefix: String
    public let members: Int
    /// The first three octets of the run's /24 (10.<a>.<b>).
    private let subnet: String
    /// The packet delayers running now, healed with the rest.
    private let delays = Mutex<[PacketDelay]>([])

    public var bridge: String { "\(self.prefix)br" }

    /// The namespace of member `index` (0-based).
    public func namespace(_ index: Int) -> String { "\(self.prefix)m\(index)" }

    /// Member `index`'s address.
    public func address(_ index: Int) -> String { "\(self.subnet).\(index + 2)" }

    /// This machine's address on the bridge.
    public var hostAddress: String { "\(self.subnet).1" }

    /// Makes the bridge and `members` namespaces; the prefix (at most 6 characters) names them all.
    public init(prefix: String, members: Int) throws {
        self.prefix = prefix
        self.members = members
        let seed = UInt32.random(in: 0..<(200 * 250))
        self.subnet = "10.\(30 + seed / 250).\(seed % 250)"
        do {
            try Self.run(["ip", "link", "add", self.bridge, "type", "bridge"])
            try Self.run(["ip", "addr", "add", "\(self.hostAddress)/24", "dev", self.bridge])
            try Self.run(["ip", "link", "set", self.bridge, "up"])
            try Self.run(["iptables", "-I", "FORWARD", "-i", self.bridge, "-o", self.bridge, "-j", "ACCEPT"])
            for index in 0..<members {
                let namespace = self.namespace(index)
                let (outside, inside) = ("\(self.prefix)v\(index)", "\(self.prefix)e\(index)")
                try Self.run(["ip", "netns", "add", namespace])
                try Self.run(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside])
                try Self.run(["ip", "link", "set", outside, "master", self.bridge, "up"])
                try Self.run(["ip", "link", "set", inside, "netns", namespace])
                try self.inside(index, ["ip", "addr", "add", "\(self.address(index))/24", "dev", inside])
                try self.inside(index, ["ip", "link", "set", inside, "up"])
                try self.inside(index, ["ip", "link", "set", "lo", "up"])
            }
        } catch {
            self.remove()
            throw error
        }
    }

    deinit {
        self.remove()
    }

    /// Deletes everything the run made; what is already gone is skipped.
    public func remove() {
        self.stopDelays()
        for index in 0..<self.members {
            _ = try? Self.run(["ip", "netns", "delete", self.namespace(index)])
        }
        _ = try? Self.run(["ip", "link", "delete", self.bridge])
        _ = try? Self.run(["iptables", "-D", "FORWARD", "-i", self.bridge, "-o", self.bridge, "-j", "ACCEPT"])
    }

    /// The command line that runs `arguments` inside member `index`'s namespace.
    public func command(in index: Int, _ arguments: [String]) -> [String] {
        ["ip", "netns", "exec", self.namespace(index)] + arguments
    }

    /// Runs `arguments` inside member `index`'s namespace to completion.
    public func inside(_ index: Int, _ arguments: [String]) throws {
        try Self.run(self.command(in: index, arguments))
    }

    /// Member `index` stops receiving anything from each member of `from` (one-way: it still sends).
    public func drop(at index: Int, from: [Int]) throws {
        for other in from where other != index {
            try self.inside(index, ["iptables", "-A", "INPUT", "-s", self.address(other), "-j", "DROP"])
        }
    }

    /// Cuts the members into `groups`: no traffic between members of different groups, both ways. A member
    /// in no group keeps talking to everyone (a bridge between the sides).
    public func partition(_ groups: [[Int]]) throws {
        for (position, group) in groups.enumerated() {
            let others = groups.enumerated().filter { $0.offset != position }.flatMap(\.element)
            for member in group { try self.drop(at: member, from: others) }
        }
    }

    /// `percent` of member `index`'s packets to the other members and this machine are lost, at random.
    public func lose(_ index: Int, percent: Int) throws {
        try self.inside(index, [
            "iptables", "-A", "OUTPUT", "-d", "\(self.subnet).0/24", "-m", "statistic", "--mode", "random",
            "--probability", "\(Double(percent) / 100)", "-j", "DROP",
        ])
    }

    /// Member `index`'s packets to each member of `to` arrive `delay` later, give or take a uniform
    /// `jitter` (so packets may overtake each other, as with netem's jitter).
    public func delay(_ index: Int, to: [Int], by delay: Duration, jitter: Duration) throws {
        let queue = 0
        let delayer = try PacketDelay(command: { self.command(in: index, $0) }, queue: queue, delay: delay, jitter: jitter)
        self.delays.withLock { $0.append(delayer) }
        for other in to where other != index {
            try self.inside(index, [
                "iptables", "-A", "OUTPUT", "-d", self.address(other), "-j", "NFQUEUE", "--queue-num", String(queue), "--queue-bypass",
            ])
        }
    }

    /// Removes every drop, loss and delay: the network is whole again.
    public func heal() throws {
        for index in 0..<self.members {
            try self.inside(index, ["iptables", "-F", "INPUT"])
            try self.inside(index, ["iptables", "-F", "OUTPUT"])
        }
        self.stopDelays()
    }

    /// Stops the delayers once no rule queues packets to them any more; what they held goes on.
    private func stopDelays() {
        let delays = self.delays.withLock { delays in
            defer { delays.removeAll() }
            return delays
        }
        for delay in delays { delay.stop() }
    }

    /// Runs a command (found on the `PATH`) to completion; throws with its error output when it fails.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let outcome = try SpawnedProgram.run("/usr/bin/env", arguments, environment: nil, input: Data(), timeout: .seconds(30))
        guard outcome.status == 0 else {
            throw CommandFailure(description: "\(arguments.joined(separator: " ")) exited \(outcome.status): \(String(decoding: outcome.standardError, as: UTF8.self))")
        }
        return String(decoding: outcome.standardOutput, as: UTF8.self)
    }
}
