import GoFormat
import Testing

/// Numbers as Go's `strconv.FormatFloat(x, 'g', -1, 64)` writes them: each expected text is what Go 1.19
/// printed for the value (several of them from Go etcd's own `/metrics`).
@Suite struct GoFloatStringTests {
    @Test(arguments: [
        (0.0, "0"), (1.0, "1"), (-1.0, "-1"), (0.25, "0.25"), (20480.0, "20480"), (100_000.0, "100000"),
        (819_200.0, "819200"), (1_048_576.0, "1.048576e+06"), (8_388_608.0, "8.388608e+06"),
        (2_147_483_648.0, "2.147483648e+09"), (1_796_677_507.0, "1.796677507e+09"), (1e6, "1e+06"),
        (1e21, "1e+21"), (0.0001, "0.0001"), (0.00001, "1e-05"), (3.365e-06, "3.365e-06"),
        (4.9594e-05, "4.9594e-05"), (0.000839273, "0.000839273"), (52.4288, "52.4288"), (0.1024, "0.1024"),
        (123_456.5, "123456.5"), (1_234_567.0, "1.234567e+06"), (0.1 + 0.2, "0.30000000000000004"),
        (1e300, "1e+300"), (5e-324, "5e-324"),
    ])
    func formatsAsGoDoes(_ value: Double, _ expected: String) {
        #expect(value.goString == expected)
    }

    @Test func infinitiesAndNaNAreWrittenAsPrometheusReadsThem() {
        #expect(Double.infinity.goString == "+Inf")
        #expect((-Double.infinity).goString == "-Inf")
        #expect(Double.nan.goString == "NaN")
    }
}
