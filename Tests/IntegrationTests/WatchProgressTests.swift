import EtcdGRPC
import EtcdProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// Periodic progress notifications (`progress_notify`) on `--experimental-watch-progress-notify-interval`.
@Suite struct WatchProgressTests {
    @Test func onlyWatchesThatAskGetPeriodicProgress() async throws {
        let member = try MemberProcess(arguments: ["--experimental-watch-progress-notify-interval", "200ms"])
        try await member.waitUntilServing()
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: member.clientPort),
            transportSecurity: .plaintext
        )
        let responses = try await withGRPCClient(transport: transport) { client in
            let request = StreamingClientRequest<Etcdserverpb_WatchRequest> { writer in
                for (key, progress) in [("with", true), ("without", false)] {
                    var create = Etcdserverpb_WatchCreateRequest()
                    create.key = Data(key.utf8)
                    create.progressNotify = progress
                    var message = Etcdserverpb_WatchRequest()
                    message.createRequest = create
                    try await writer.write(message)
                }
                try await Task.sleep(for: .seconds(3))
            }
            return try await Etcdserverpb_Watch.Client(wrapping: client).watch(request: request) { response in
                var received: [Etcdserverpb_WatchResponse] = []
                for try await message in response.messages {
                    received.append(message)
                    if received.filter({ !$0.created && $0.events.isEmpty }).count >= 3 { break }
                }
                return received
            }
        }
        let created = responses.filter(\.created)
        #expect(created.count == 2)
        let progress = responses.filter { !$0.created && !$0.canceled && $0.events.isEmpty }
        #expect(progress.count >= 3, "progress every 200 ms: \(responses)")
        #expect(progress.allSatisfy { $0.watchID == created.first?.watchID && $0.header.revision == 1 })
    }
}
