import ClientAPI
import Testing

@Suite struct ProtocolDetectorTests {
    let preface = ProtocolDetector.http2Preface

    @Test func noBytesYetWaits() {
        #expect(ProtocolDetector.classify([UInt8]()) == .needMoreBytes)
    }

    @Test func everyProperPrefixOfThePrefaceWaits() {
        for length in 1..<preface.count {
            #expect(ProtocolDetector.classify(preface.prefix(length)) == .needMoreBytes, "length \(length)")
        }
    }

    @Test func theFullPrefaceIsHTTP2() {
        #expect(ProtocolDetector.classify(preface) == .http2)
        #expect(ProtocolDetector.classify(preface + Array("extra".utf8)) == .http2)
    }

    @Test func anHTTP1RequestIsDecidedAtItsFirstByte() {
        #expect(ProtocolDetector.classify(Array("G".utf8)) == .http1)
        #expect(ProtocolDetector.classify(Array("GET /version HTTP/1.1\r\n".utf8)) == .http1)
        #expect(ProtocolDetector.classify(Array("POST /v3/kv/range HTTP/1.1\r\n".utf8)) == .http1)
    }

    @Test func aPrefaceThatGoesWrongLateIsHTTP1() {
        var almost = preface
        almost[20] = UInt8(ascii: "X")
        #expect(ProtocolDetector.classify(almost) == .http1)
        #expect(ProtocolDetector.classify(Array("PRI * HTTP/1.1".utf8)) == .http1)
    }

    @Test func binaryGarbageIsHTTP1() {
        #expect(ProtocolDetector.classify([0x16, 0x03, 0x01, 0x00]) == .http1)
        #expect(ProtocolDetector.classify([0x00]) == .http1)
    }
}
