import FaultHarness
import Foundation
import Glibc
import ProcessTestSupport
import Testing

/// The fault run's network on this machine: members in their own namespaces reach each other and this
/// machine over the run's bridge; a partition cuts exactly the pairs across it, both ways; a one-way drop
/// cuts one member off from one other; a member losing all its packets is cut off; a delay slows exactly the
/// path it is on; healing restores every path; removal leaves no namespace behind.
@Suite(.serialized) struct NamespaceNetworkTests {
    /// A TCP listener on port 7000 of member `index`, accepting until killed.
    final class Listener: Sendable {
        let process = Process()

        init(_ network: NamespaceNetwork, _ index: Int) throws {
            let command = network.command(in: index, [
                "/usr/bin/python3", "-c",
                "import socket\ns = socket.create_server(('\(network.address(index))', 7000))\nwhile True: s.accept()[0].close()",
            ])
            self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            self.process.arguments = command
            try self.process.run()
        }

        deinit {
            // A process whose run() threw has pid 0, and kill(0) would signal this whole process group.
            guard self.process.processIdentifier > 0 else { return }
            kill(self.process.processIdentifier, SIGKILL)
            _ = ProcessExit.wait(for: self.process)
        }
    }

    /// Whether member `from` (nil: this machine) opens a TCP connection to member `to` within a second.
    func reaches(_ network: NamespaceNetwork, from: Int?, to: Int) throws -> Bool {
        let script = "import socket\nsocket.create_connection(('\(network.address(to))', 7000), timeout=1)"
        let command = ["/usr/bin/python3", "-c", script]
        let arguments = from.map { network.command(in: $0, command) } ?? command
        return try SpawnedProgram.run("/usr/bin/env", arguments, environment: nil, input: Data(), timeout: .seconds(10)).status == 0
    }

    /// How long member `from` takes to open a TCP connection to member `to` (SYN there, SYN-ACK back), in
    /// seconds, timed inside its namespace.
    func connectionTime(_ network: NamespaceNetwork, from: Int, to: Int) throws -> Double {
        let script = "import socket, time\nt = time.monotonic()\nsocket.create_connection(('\(network.address(to))', 7000), timeout=5)\nprint(time.monotonic() - t)"
        let outcome = try SpawnedProgram.run("/usr/bin/env", network.command(in: from, ["/usr/bin/python3", "-c", script]), environment: nil, input: Data(), timeout: .seconds(10))
        let text = String(decoding: outcome.standardOutput, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard outcome.status == 0, let seconds = Double(text) else {
            throw HarnessError("no connection from \(from) to \(to): \(String(decoding: outcome.standardError, as: UTF8.self))")
        }
        return seconds
    }

    /// Every step blocks on `ip`, `iptables` and connection attempts, so the scenario runs off Swift's
    /// cooperative threads, which the integration tests running beside it need.
    @Test(.enabled(if: getuid() == 0, "namespaces, bridges and iptables need root"))
    func partitionsDropsAndHealing() async throws {
        try await offload { try self.partitionsDropsAndHealingBlocking() }
    }

    func partitionsDropsAndHealingBlocking() throws {
        let network = try NamespaceNetwork(prefix: "nt\(Int.random(in: 100...999))", members: 3)
        let listeners = try (0..<3).map { try Listener(network, $0) }
        usleep(500_000)
        func links() throws -> Set<String> {
            var open: Set<String> = []
            for from in [nil, 0, 1, 2] as [Int?] {
                for to in 0..<3 where from != to {
                    if try self.reaches(network, from: from, to: to) { open.insert("\(from.map(String.init) ?? "h")>\(to)") }
                }
            }
            return open
        }
        let everything: Set<String> = ["h>0", "h>1", "h>2", "0>1", "0>2", "1>0", "1>2", "2>0", "2>1"]
        #expect(try links() == everything)

        try network.partition([[0], [1, 2]])
        #expect(try links() == ["h>0", "h>1", "h>2", "1>2", "2>1"], "member 0 alone, both ways")
        try network.heal()
        #expect(try links() == everything)

        try network.drop(at: 1, from: [0])
        let oneWay = try links()
        #expect(!oneWay.contains("0>1") && oneWay.contains("2>1") && oneWay.contains("0>2"), "\(oneWay)")
        try network.heal()

        try network.lose(2, percent: 100)
        let lossy = try links()
        #expect(!lossy.contains("2>0") && !lossy.contains("h>2") && lossy.contains("0>1"), "\(lossy)")
        try network.heal()
        #expect(try links() == everything)

        let prompt = try self.connectionTime(network, from: 0, to: 1)
        try network.delay(0, to: [1], by: .milliseconds(300), jitter: .milliseconds(20))
        let delayed = try self.connectionTime(network, from: 0, to: 1)
        let otherPath = try self.connectionTime(network, from: 0, to: 2)
        #expect(prompt < 0.1 && delayed >= 0.28 && delayed < 1 && otherPath < 0.1, "\(prompt) s, delayed \(delayed) s, to 2 \(otherPath) s")
        try network.heal()
        #expect(try self.connectionTime(network, from: 0, to: 1) < 0.1, "the delay is gone")

        withExtendedLifetime(listeners) {}
        network.remove()
        let left = try SpawnedProgram.run("/usr/bin/env", ["ip", "netns", "list"], environment: nil, input: Data(), timeout: .seconds(10))
        #expect(!String(decoding: left.standardOutput, as: UTF8.self).contains(network.prefix), "no namespace left")
    }
}
