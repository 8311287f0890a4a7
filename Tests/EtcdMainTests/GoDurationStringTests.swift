import GoFormat
import Testing

/// Durations in logs read as Go's `time.Duration.String`, as etcd's do.
struct GoDurationStringTests {
    @Test func durationsReadAsGoWritesThem() {
        #expect(Duration.zero.goString == "0s")
        #expect(Duration.nanoseconds(12).goString == "12ns")
        #expect(Duration.microseconds(300).goString == "300µs")
        #expect(Duration.nanoseconds(1_500).goString == "1.5µs")
        #expect(Duration.nanoseconds(4_245_733).goString == "4.245733ms")
        #expect(Duration.milliseconds(100).goString == "100ms")
        #expect(Duration.seconds(2).goString == "2s")
        #expect(Duration.milliseconds(1_050).goString == "1.05s")
        #expect(Duration.seconds(90).goString == "1m30s")
        #expect(Duration.seconds(3_600).goString == "1h0m0s")
        #expect(Duration.seconds(7_200).goString == "2h0m0s")
        #expect(Duration.seconds(300).goString == "5m0s")
        #expect(Duration.milliseconds(-1_500).goString == "-1.5s")
    }
}
