import NIOCore

/// The HTTP answer of a streaming call, decided by what the call does first, as etcd's gateway decides it:
/// a first message makes a `200` streamed response of `{"result":…}` lines, ended by the call's error object
/// if it fails later; a call failing before its first message is answered with the HTTP status for its code
/// and the error object alone; a call ending without a message answers an empty `200`.
enum GatewayStream {
    /// Starts `call` on a task of its own, feeding a relay, and answers once it has written or ended. The
    /// call is cancelled when the client goes away.
    static func respond(_ call: @escaping @Sendable (GatewayStreamRelay) async throws -> Void) async -> HTTPResponse {
        let relay = GatewayStreamRelay()
        let task = Task {
            do {
                try await call(relay)
                relay.finish(nil)
            } catch {
                relay.finish(GatewayStatus(error))
            }
        }
        let stop: @Sendable () -> Void = {
            relay.close()
            task.cancel()
        }
        switch await withTaskCancellationHandler(operation: { await relay.next() }, onCancel: stop) {
        case .finished(nil):
            return HTTPResponse(status: .ok, headers: GatewayResponse.callHeaders)
        case .finished(let status?):
            return HTTPResponse(status: status.httpStatus, headers: GatewayResponse.callHeaders, body: GatewayResponse.errorObject(status))
        case .chunk(let first):
            let body = HTTPBodyStream { writer in
                await withTaskCancellationHandler(operation: { await Self.forward(first, from: relay, to: writer) }, onCancel: stop)
                stop()
            }
            return HTTPResponse(status: .ok, headers: GatewayResponse.callHeaders, stream: body)
        }
    }

    /// Writes `first` and every later piece until the call ends or the client goes away.
    private static func forward(_ first: ByteBuffer, from relay: GatewayStreamRelay, to writer: HTTPBodyWriter) async {
        var piece = GatewayStreamRelay.Piece.chunk(first)
        while true {
            switch piece {
            case .chunk(let bytes):
                do {
                    try await writer.write(bytes)
                } catch {
                    return
                }
            case .finished(let status):
                if let status {
                    try? await writer.write(GatewayResponse.errorObject(status))
                }
                return
            }
            piece = await relay.next()
        }
    }
}
