import Glibc

/// One netfilter queue, spoken to over a netlink socket in the kernel's own message format (nfnetlink,
/// subsystem `NFNL_SUBSYS_QUEUE`): packets an `NFQUEUE` rule sends to the queue wait in the kernel until a
/// verdict for their id arrives, in any order. Only the packets' ids are asked for, never their bytes.
final class NetfilterQueue {
    /// A netlink call the kernel refused, or a socket call that failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let socket: Int32
    private let queue: UInt16
    private var sequence: UInt32 = 0

    /// Binds queue `number` in this network namespace; held packets beyond `maximumLength` pass unqueued
    /// (fail-open) rather than being dropped.
    init(number: UInt16, maximumLength: UInt32) throws {
        let socket = Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.netlinkNetfilter)
        guard socket >= 0 else { throw Failure(description: "netlink socket: \(String(cString: strerror(errno)))") }
        self.socket = socket
        self.queue = number
        // struct sockaddr_nl: the family, two bytes of padding, port id 0 (the kernel picks), no groups.
        let address = Self.host(UInt16(AF_NETLINK)) + [UInt8](repeating: 0, count: 10)
        let bound = address.withUnsafeBytes { bind(socket, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count)) }
        guard bound == 0 else { throw Failure(description: "netlink bind: \(String(cString: strerror(errno)))") }
        var buffer: Int32 = 8 << 20
        _ = setsockopt(socket, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, socklen_t(MemoryLayout<Int32>.size))
        var on: Int32 = 1
        _ = setsockopt(socket, Self.solNetlink, Self.netlinkNoENOBUFS, &on, socklen_t(MemoryLayout<Int32>.size))
        try self.configure("binding the queue", Self.attribute(Self.configCommand, [Self.commandBind, 0, 0, 0]))
        try self.configure("asking for packet ids only", Self.attribute(Self.configParameters, Self.bigEndian(UInt32(0)) + [Self.copyMeta]))
        try self.configure("setting the queue's length", Self.attribute(Self.configMaximumLength, Self.bigEndian(maximumLength)))
        try self.configure(
            "making the queue fail open",
            Self.attribute(Self.configFlags, Self.bigEndian(Self.failOpen)) + Self.attribute(Self.configMask, Self.bigEndian(Self.failOpen))
        )
    }

    deinit {
        close(self.socket)
    }

    /// The ids of the packets the kernel has queued since the last call, without waiting.
    func receive() throws -> [UInt32] {
        var ids: [UInt32] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { return ids }
                if errno == EINTR || errno == ENOBUFS { continue }
                throw Failure(description: "netlink recv: \(String(cString: strerror(errno)))")
            }
            for message in Self.messages(buffer[0..<count]) where message.type == Self.messageType(Self.packetMessage) {
                if let header = Self.attributes(message.payload.dropFirst(4))[Self.packetHeader], header.count >= 4 {
                    ids.append(Self.readBigEndian(header))
                }
            }
        }
    }

    /// Lets packet `id` go on its way.
    func accept(_ id: UInt32) throws {
        let verdict = Self.attribute(Self.verdictHeader, Self.bigEndian(Self.acceptVerdict) + Self.bigEndian(id))
        try self.send(type: Self.messageType(Self.verdictMessage), flags: Self.request, family: UInt8(AF_UNSPEC), body: verdict)
    }

    /// Sends one configuration message and waits for the kernel's acknowledgement.
    private func configure(_ step: String, _ body: [UInt8]) throws {
        let sequence = try self.send(type: Self.messageType(Self.configMessage), flags: Self.request | Self.acknowledge, family: UInt8(AF_UNSPEC), body: body)
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else {
                if count < 0 && errno == EINTR { continue }
                throw Failure(description: "netlink recv: \(String(cString: strerror(errno)))")
            }
            for message in Self.messages(buffer[0..<count]) where message.type == Self.errorMessage && message.sequence == sequence {
                let code = message.payload.count >= 4 ? Int32(bitPattern: Self.readHost(message.payload)) : 0
                guard code == 0 else { throw Failure(description: "netfilter queue \(self.queue), \(step): \(String(cString: strerror(-code)))") }
                return
            }
        }
    }

    @discardableResult
    private func send(type: UInt16, flags: UInt16, family: UInt8, body: [UInt8]) throws -> UInt32 {
        self.sequence &+= 1
        let length = UInt32(16 + 4 + body.count)
        var message = Self.host(length) + Self.host(type) + Self.host(flags) + Self.host(self.sequence) + Self.host(UInt32(0))
        message += [family, 0] + Self.bigEndian(self.queue) + body
        let sent = message.withUnsafeBytes { Glibc.send(self.socket, $0.baseAddress, $0.count, 0) }
        guard sent == message.count else { throw Failure(description: "netlink send: \(String(cString: strerror(errno)))") }
        return self.sequence
    }

    private struct Message {
        let type: UInt16
        let sequence: UInt32
        let payload: ArraySlice<UInt8>
    }

    /// The netlink messages in one datagram.
    private static func messages(_ bytes: ArraySlice<UInt8>) -> [Message] {
        var messages: [Message] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 16 {
            let length = Int(Self.readHost(bytes[offset...]) as UInt32)
            guard length >= 16, offset + length <= bytes.endIndex else { break }
            let type: UInt16 = Self.readHost(bytes[(offset + 4)...])
            let sequence: UInt32 = Self.readHost(bytes[(offset + 8)...])
            messages.append(Message(type: type, sequence: sequence, payload: bytes[(offset + 16)..<(offset + length)]))
            offset += (length + 3) & ~3
        }
        return messages
    }

    /// The attributes after a message's family header, by type (flag bits cleared).
    private static func attributes(_ bytes: ArraySlice<UInt8>) -> [UInt16: ArraySlice<UInt8>] {
        var found: [UInt16: ArraySlice<UInt8>] = [:]
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 4 {
            let length = Int(Self.readHost(bytes[offset...]) as UInt16)
            let type: UInt16 = Self.readHost(bytes[(offset + 2)...])
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            found[type & 0x3fff] = bytes[(offset + 4)..<(offset + length)]
            offset += (length + 3) & ~3
        }
        return found
    }

    private static func attribute(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        let padding = [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        return Self.host(UInt16(4 + value.count)) + Self.host(type) + value + padding
    }

    private static func messageType(_ message: UInt16) -> UInt16 { Self.queueSubsystem << 8 | message }

    private static func host<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    private static func readHost<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes.prefix(MemoryLayout<T>.size)) }
        return value
    }

    private static func readBigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        UInt32(bigEndian: Self.readHost(bytes))
    }

    // The kernel's numbers (linux/netlink.h, linux/netfilter/nfnetlink.h, nfnetlink_queue.h).
    private static let netlinkNetfilter: Int32 = 12
    private static let solNetlink: Int32 = 270
    private static let netlinkNoENOBUFS: Int32 = 5
    private static let request: UInt16 = 1
    private static let acknowledge: UInt16 = 4
    private static let errorMessage: UInt16 = 2
    private static let queueSubsystem: UInt16 = 3
    private static let packetMessage: UInt16 = 0
    private static let verdictMessage: UInt16 = 1
    private static let configMessage: UInt16 = 2
    private static let packetHeader: UInt16 = 1
    private static let verdictHeader: UInt16 = 2
    private static let configCommand: UInt16 = 1
    private static let configParameters: UInt16 = 2
    private static let configMaximumLength: UInt16 = 3
    private static let configFlags: UInt16 = 5
    private static let configMask: UInt16 = 4
    private static let commandBind: UInt8 = 1
    private static let copyMeta: UInt8 = 1
    private static let failOpen: UInt32 = 1
    private static let acceptVerdict: UInt32 = 1
}
