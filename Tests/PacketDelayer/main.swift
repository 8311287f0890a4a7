// Delays packets in the network namespace it runs in, as `tc netem delay` would on a kernel without
// sch_netem: `PacketDelayer QUEUE DELAY_MS JITTER_MS` binds netfilter queue QUEUE, holds every packet an
// `iptables ... -j NFQUEUE --queue-num QUEUE --queue-bypass` rule sends there for DELAY_MS plus or minus a
// uniform JITTER_MS, then accepts it. Prints "ready" once bound. At the end of its standard input (closed by
// the harness that started it, or the harness went away) it lets every held packet go and exits; killed, it
// leaves the packets it held to the kernel, which drops them.
import Glibc

let arguments = CommandLine.arguments.dropFirst().compactMap { UInt32($0) }
guard arguments.count == 3, arguments[0] <= UInt32(UInt16.max) else {
    complain("usage: PacketDelayer QUEUE DELAY_MS JITTER_MS")
    exit(2)
}
let delay = UInt64(arguments[1]) * 1_000_000
let jitter = UInt64(min(arguments[2], arguments[1])) * 1_000_000

func now() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

func complain(_ text: String) {
    let line = Array("\(text)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func fail(_ error: any Error) -> Never {
    complain("PacketDelayer: \(error)")
    exit(1)
}

let queue: NetfilterQueue
do {
    queue = try NetfilterQueue(number: UInt16(arguments[0]), maximumLength: 1 << 16)
} catch {
    fail(error)
}
print("ready")
fflush(nil)

var held = HeldPackets()
var descriptors = [
    pollfd(fd: queue.socket, events: Int16(POLLIN), revents: 0),
    pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
]
var running = true
do {
    while running {
        let wait = held.nextDue.map { Int32(min(1000, ($0 > now() ? $0 - now() : 0) / 1_000_000 + 1)) } ?? 1000
        guard poll(&descriptors, nfds_t(descriptors.count), wait) >= 0 || errno == EINTR else {
            throw NetfilterQueue.Failure(description: "poll: \(String(cString: strerror(errno)))")
        }
        if descriptors[1].revents != 0 { running = false }
        for id in try queue.receive() {
            let spread = jitter == 0 ? 0 : UInt64.random(in: 0...(2 * jitter))
            held.hold(id, until: now() + delay - jitter + spread)
        }
        for id in held.release(at: now()) { try queue.accept(id) }
    }
    for id in held.releaseAll() { try queue.accept(id) }
} catch {
    fail(error)
}
