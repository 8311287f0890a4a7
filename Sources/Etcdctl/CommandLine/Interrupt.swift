import Dispatch
import EtcdClient
import Glibc
import Synchronization

/// SIGINT and SIGTERM as etcdctl's lock and elect treat them: they end the wait (and what runs under
/// ``cancelling(_:)``) so the command can release what it holds before exiting.
final class Interrupt: Sendable {
    private let signalled: AsyncStream<Void>
    private let sources: Mutex<[any DispatchSourceSignal]>

    init() {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.signalled = stream
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield() }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    /// Returns once a signal arrives.
    func untilSignal() async {
        for await _ in self.signalled { return }
    }

    /// Returns true when a signal arrived, false when the session ended first.
    func untilSignalOr(_ session: Session) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.untilSignal(); return true }
            group.addTask { await session.ended(); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Runs `body`, cancelled if a signal arrives first.
    func cancelling<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                await self.untilSignal()
                throw CancellationError()
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw CancellationError()
        }
    }
}
