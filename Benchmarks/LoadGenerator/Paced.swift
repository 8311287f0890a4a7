import EtcdClient
import EtcdProto
import Foundation

/// `--op paced`: one EtcdClient over every endpoint puts a new key every `--interval-ms` until the file
/// `--until-file` exists, and reports how many puts were acknowledged and the longest time between two
/// acknowledged puts: what an operation on the cluster (a member replaced, a leader moved) costs a client.
enum Paced {
    static func run(_ options: Options) async throws -> String {
        let client = try EtcdClient(endpoints: options.endpoints.map { "\($0.host):\($0.port)" })
        let interval = Duration.milliseconds(options.intervalMilliseconds)
        let started = ContinuousClock.now
        var next = started
        var lastSuccess = started
        var longestGap = Duration.zero
        var succeeded = 0
        var failed = 0
        while !FileManager.default.fileExists(atPath: options.untilFile) {
            let key = Array(String(format: "paced/%010d", succeeded).utf8)
            var request = Etcdserverpb_PutRequest()
            request.key = Data(key)
            request.value = Data(repeating: 0x61, count: options.valueSize)
            do {
                _ = try await client.put(request, timeout: .seconds(1))
                let now = ContinuousClock.now
                longestGap = max(longestGap, now - lastSuccess)
                lastSuccess = now
                succeeded += 1
            } catch {
                failed += 1
            }
            next += interval
            let now = ContinuousClock.now
            if next > now {
                try await Task.sleep(until: next, clock: .continuous)
            } else {
                next = now
            }
        }
        await client.close()
        let seconds = Self.seconds(ContinuousClock.now - started)
        let gap = Self.seconds(longestGap) * 1000
        return String(format: "op=paced interval_ms=%d ok=%d errors=%d seconds=%.3f longest_gap_ms=%.1f", options.intervalMilliseconds, succeeded, failed, seconds, gap)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
