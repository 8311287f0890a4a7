@_spi(Testing) import EtcdServer
import Dispatch
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The Raft loop's inbox: inputs from any thread reach the loop's event loop in order, in batches of one turn
/// each, and none is lost between a turn's take and the next push.
@Suite struct RaftInboxTests {
    /// Records what each turn took: the read contexts' first bytes, one array per turn.
    private final class Turns: Sendable {
        let taken = Mutex<[[UInt8]]>([])

        func record(_ inputs: [RaftInput]) {
            let tags = inputs.map { input -> UInt8 in
                guard case .readIndex(let context) = input else { return .max }
                return context[0]
            }
            self.taken.withLock { $0.append(tags) }
        }

        var all: [UInt8] { self.taken.withLock { $0.flatMap { $0 } } }
        var count: Int { self.taken.withLock { $0.count } }
    }

    private static func read(_ tag: UInt8) -> RaftInput { .readIndex(context: [tag]) }

    private static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Runs `body` with a one-thread group and shuts the group down afterwards, also when `body` throws.
    private static func withGroup(_ body: (MultiThreadedEventLoopGroup) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let outcome: Result<Void, any Error>
        do {
            try await body(group)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        try await group.shutdownGracefully()
        try outcome.get()
    }

    @Test func inputsPushedBeforeTheLoopStartsArriveInItsFirstTurnInOrder() async throws {
        try await Self.withGroup { group in
            let inbox = RaftInbox()
            let turns = Turns()
            for tag in UInt8(0)..<5 { #expect(inbox.push(Self.read(tag))) }
            inbox.open(on: group.next()) { turns.record(inbox.take()) }
            try await Self.waitUntil { turns.all.count == 5 }
            #expect(turns.all == [0, 1, 2, 3, 4])
            #expect(turns.count == 1)
        }
    }

    @Test func pushesFromManyThreadsAllArriveEachThreadsInOrder() async throws {
        try await Self.withGroup { group in
            let inbox = RaftInbox()
            let turns = Turns()
            inbox.open(on: group.next()) { turns.record(inbox.take()) }
            await withTaskGroup(of: Void.self) { tasks in
                for thread in UInt8(0)..<4 {
                    tasks.addTask {
                        for position in UInt8(0)..<50 { inbox.push(Self.read(thread * 50 + position)) }
                    }
                }
            }
            try await Self.waitUntil { turns.all.count == 200 }
            let arrived = turns.all
            for thread in UInt8(0)..<4 {
                #expect(arrived.filter { $0 / 50 == thread } == Array(thread * 50..<thread * 50 + 50))
            }
        }
    }

    @Test func whatArrivesWhileTheLoopIsBusyIsTakenInOneTurn() async throws {
        try await Self.withGroup { group in
            let loop = group.next()
            let inbox = RaftInbox()
            let turns = Turns()
            inbox.open(on: loop) { turns.record(inbox.take()) }
            let busy = DispatchSemaphore(value: 0)
            loop.execute { busy.wait() }
            for tag in UInt8(0)..<10 { inbox.push(Self.read(tag)) }
            busy.signal()
            try await Self.waitUntil { turns.all.count == 10 }
            #expect(turns.taken.withLock { $0 } == [Array(0..<10)])
        }
    }

    @Test func aPushDuringATurnGetsATurnOfItsOwn() async throws {
        try await Self.withGroup { group in
            let inbox = RaftInbox()
            let turns = Turns()
            inbox.open(on: group.next()) {
                let inputs = inbox.take()
                turns.record(inputs)
                // What the loop's own thread pushes while it works (a peer's message read in the same turn of
                // the event loop, a transport that tells the loop a peer is unreachable) must not wait for
                // somebody else's push.
                if case .readIndex(let context) = inputs.first, context == [1] { inbox.push(Self.read(2)) }
            }
            inbox.push(Self.read(1))
            try await Self.waitUntil { turns.all.count == 2 }
            #expect(turns.taken.withLock { $0 } == [[1], [2]])
        }
    }

    @Test func aClosedInboxRefusesPushesAndKeepsWhatWasQueued() async throws {
        let inbox = RaftInbox()
        #expect(inbox.push(Self.read(7)))
        inbox.close()
        #expect(!inbox.push(Self.read(8)))
        let left = inbox.take()
        #expect(left.count == 1)
        guard case .readIndex(let context) = left.first else {
            Issue.record("expected the read queued before the close, got \(left)")
            return
        }
        #expect(context == [7])
        #expect(inbox.take().isEmpty)
    }
}
