/// A TLS setting the member cannot use: one line naming the file or value, printed as the member stops.
public struct TLSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
