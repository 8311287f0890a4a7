import Membership
import Testing

@Suite struct EtcdURLTests {
    @Test func parsesHostAndPort() throws {
        let url = try EtcdURL(parsing: "http://127.0.0.1:2379")
        #expect(url.scheme == "http")
        #expect(url.host == "127.0.0.1")
        #expect(url.port == 2379)
        #expect(url.hostIsIPAddress)
        #expect(url.description == "http://127.0.0.1:2379")
    }

    @Test func parsesIPv6AndHostnames() throws {
        let v6 = try EtcdURL(parsing: "https://[::1]:2379")
        #expect(v6.host == "::1")
        #expect(v6.hostIsIPAddress)
        #expect(v6.description == "https://[::1]:2379")
        let named = try EtcdURL(parsing: " http://etcd-1:2380 ")
        #expect(named.host == "etcd-1")
        #expect(!named.hostIsIPAddress)
    }

    @Test func listsAreCommaSeparated() throws {
        let urls = try EtcdURL.parseList("http://127.0.0.1:2379,http://10.0.0.1:2379")
        #expect(urls.map(\.port) == [2379, 2379])
        #expect(urls.map(\.host) == ["127.0.0.1", "10.0.0.1"])
    }

    @Test func rejectsWhatEtcdRejectsWithItsMessages() {
        #expect(throws: ConfigurationError("URL scheme must be http, https, unix, or unixs: ftp://a:1")) {
            try EtcdURL(parsing: "ftp://a:1")
        }
        #expect(throws: ConfigurationError("URL scheme must be http, https, unix, or unixs: 127.0.0.1:2379")) {
            try EtcdURL(parsing: "127.0.0.1:2379")
        }
        #expect(throws: ConfigurationError(#"URL address does not have the form "host:port": http://127.0.0.1"#)) {
            try EtcdURL(parsing: "http://127.0.0.1")
        }
        #expect(throws: ConfigurationError("URL must not contain a path: http://127.0.0.1:2379/v3")) {
            try EtcdURL(parsing: "http://127.0.0.1:2379/v3")
        }
        #expect(throws: ConfigurationError(#"URL address does not have the form "host:port": http://a:99999"#)) {
            try EtcdURL(parsing: "http://a:99999")
        }
        #expect(throws: ConfigurationError("no valid URLs given")) { try EtcdURL.parseList("") }
    }
}
