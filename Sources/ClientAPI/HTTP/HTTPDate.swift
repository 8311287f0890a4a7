import Foundation

/// The `Date` header's value, as Go's HTTP server writes it on every answer (RFC 9110's IMF-fixdate,
/// `Tue, 08 Dec 2026 00:38:27 GMT`).
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
