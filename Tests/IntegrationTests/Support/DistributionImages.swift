import Foundation

/// The images the distribution tests run, each built once per test process from this checkout: the etcd image
/// (the Dockerfile, around the multi-call program of this build, stripped as scripts/build-image.sh does),
/// Prometheus from Debian's package (compose/local), and a Debian image booting systemd. Their base is
/// `debian:bookworm-slim`, which scripts/start-docker.sh makes when Docker Hub is out of reach.
actor DistributionImages {
    static let shared = DistributionImages()

    static let etcd = "etcd-swift:test"
    static let prometheus = "etcd-compose/prometheus:local"
    static let systemd = "etcd-swift/systemd-test:local"

    private var builds: [String: Task<Void, any Error>] = [:]

    /// Builds `image` unless this process already did; throws what the build said when it fails.
    func require(_ image: String) async throws {
        if let build = self.builds[image] { return try await build.value }
        let build = Task { try await Self.build(image) }
        self.builds[image] = build
        try await build.value
    }

    private static func build(_ image: String) async throws {
        try await DockerEngine.requireEngine()
        let root = PrometheusServer.repositoryRoot
        switch image {
        case Self.etcd:
            let program = root.appendingPathComponent(".build/image/etcd")
            try FileManager.default.createDirectory(at: program.deletingLastPathComponent(), withIntermediateDirectories: true)
            let strip = try await ProcessRunner.run(
                Binaries.system("strip"), ["-o", program.path, Binaries.productsDirectory.appendingPathComponent("etcd-multicall").path]
            )
            guard strip.status == 0 else { throw DockerEngine.Failure(description: "strip: \(strip.standardError)") }
            try await DockerEngine.docker(["build", "--quiet", "--tag", image, root.path], timeout: .seconds(600))
        case Self.prometheus:
            let directory = root.appendingPathComponent("compose/local")
            try await DockerEngine.docker(
                ["build", "--quiet", "--tag", image, "--file", directory.appendingPathComponent("prometheus.Dockerfile").path, directory.path],
                timeout: .seconds(600)
            )
        case Self.systemd:
            let file = root.appendingPathComponent("Tests/DistributionImages/systemd.Dockerfile")
            try await DockerEngine.docker(
                ["build", "--quiet", "--tag", image, "--file", file.path, file.deletingLastPathComponent().path], timeout: .seconds(600)
            )
        default:
            throw DockerEngine.Failure(description: "no recipe for the image \(image)")
        }
    }
}
