import GRPCCore
import NIOHPACK

/// How a call ends: a gRPC status code and message, sent in the trailers.
struct GRPCStatus: Sendable, Equatable {
    /// The numeric code: 0 for OK, else an `RPCError.Code`'s raw value.
    var code: Int
    var message: String

    static let ok = GRPCStatus(code: 0, message: "")

    /// The status a service's error ends its call with: an `RPCError` or an error convertible to one (etcd's
    /// errors) as it says; a cancelled task as `CANCELLED`; anything else as `UNKNOWN`.
    init(_ error: any Error) {
        switch error {
        case let error as RPCError:
            self.init(code: error.code, message: error.message)
        case let error as any RPCErrorConvertible:
            self.init(code: error.rpcErrorCode, message: error.rpcErrorMessage)
        case is CancellationError:
            self.init(code: .cancelled, message: "context canceled")
        default:
            self.init(code: .unknown, message: "\(error)")
        }
    }

    init(code: RPCError.Code, message: String) {
        self.init(code: code.rawValue, message: message)
    }

    init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// The answer for a path no service serves.
    static let unimplemented = GRPCStatus(code: .unimplemented, message: "Requested RPC isn't implemented by this server.")

    /// grpc-go's answer for a message over the receive limit.
    static func tooLarge(length: Int, limit: Int) -> GRPCStatus {
        GRPCStatus(code: .resourceExhausted, message: "grpc: received message larger than max (\(length) vs. \(limit))")
    }

    /// grpc-go's answer for a compressed message in an encoding it has no decompressor for.
    static func noDecompressor(_ encoding: String) -> GRPCStatus {
        GRPCStatus(code: .unimplemented, message: "grpc: Decompressor is not installed for grpc-encoding \"\(encoding)\"")
    }

    /// The status as trailer fields: `grpc-status`, and `grpc-message` percent-encoded as gRPC requires.
    func add(to headers: inout HPACKHeaders) {
        headers.add(name: "grpc-status", value: String(self.code))
        if !self.message.isEmpty {
            headers.add(name: "grpc-message", value: Self.percentEncoded(self.message))
        }
    }

    /// `text` with every byte outside printable ASCII, and `%`, written as `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return encoded
    }
}

/// The `grpc-timeout` request header: an integer of at most eight digits and a unit.
enum GRPCTimeout {
    /// The duration `value` names, or nil if it is malformed.
    static func parse(_ value: String) -> Duration? {
        guard let unit = value.last, value.count >= 2, value.count <= 9, let amount = Int64(value.dropLast()), amount >= 0 else {
            return nil
        }
        switch unit {
        case "H": return .seconds(amount * 3_600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }
}
