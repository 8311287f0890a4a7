import Testing

import BoltFile

@Suite("Writer refusals")
struct WriterErrorTests {
    /// A writer into a scratch file, with bucket `b` begun and key `k2` written.
    private func withWriter(_ body: (BoltWriter) throws -> Void) throws {
        try withTempDirectory { directory in
            let writer = try BoltWriter(path: directory.file("db"))
            try writer.beginBucket([UInt8]("b"))
            try writer.put(key: [UInt8]("k2"), value: [])
            try body(writer)
        }
    }

    @Test func keysOutOfOrderAndDuplicates() throws {
        try self.withWriter { writer in
            #expect(boltError { try writer.put(key: [UInt8]("k1"), value: []) }?.code == .keyOutOfOrder)
            #expect(boltError { try writer.put(key: [UInt8]("k"), value: []) }?.code == .keyOutOfOrder)
            #expect(boltError { try writer.put(key: [UInt8]("k2"), value: []) }?.code == .duplicateKey)
            // A refused key changes nothing: the next good key is accepted and the file reads back.
            try writer.put(key: [UInt8]("k3"), value: [])
            try writer.finish()
        }
    }

    @Test func bucketNamesOutOfOrderAndDuplicates() throws {
        try self.withWriter { writer in
            #expect(boltError { try writer.beginBucket([UInt8]("a")) }?.code == .keyOutOfOrder)
            #expect(boltError { try writer.beginBucket([UInt8]("b")) }?.code == .duplicateKey)
            try writer.beginBucket([UInt8]("c"))
        }
    }

    @Test func invalidEntries() throws {
        try self.withWriter { writer in
            #expect(boltError { try writer.put(key: [], value: []) }?.code == .invalidEntry)
            #expect(boltError { try writer.beginBucket([]) }?.code == .invalidEntry)
            let longKey = [UInt8]("z") + [UInt8](repeating: 0, count: maxKeyBytes)
            #expect(boltError { try writer.put(key: longKey, value: []) }?.code == .invalidEntry)
        }
    }

    @Test func misuse() throws {
        try withTempDirectory { directory in
            let writer = try BoltWriter(path: directory.file("db"))
            #expect(boltError { try writer.put(key: [1], value: []) }?.code == .misuse)
            try writer.finish()
            #expect(boltError { try writer.beginBucket([1]) }?.code == .misuse)
            #expect(boltError { try writer.finish() }?.code == .misuse)
            for options in [BoltWriter.Options(pageSizeBytes: 3000), BoltWriter.Options(transactionID: 0)] {
                #expect(boltError { _ = try BoltWriter(path: directory.file("x"), options: options) }?.code == .misuse)
            }
        }
    }

    @Test func ioErrorFailsTheWriter() throws {
        let writer = try BoltWriter(fileDescriptor: -1)
        try writer.beginBucket([1])
        let error = boltError {
            for index in 0..<1000 {
                try writer.put(key: EtcdContent.bigEndian(UInt64(index)), value: [UInt8](repeating: 0, count: 100))
            }
        }
        #expect(error?.code == .io)
        #expect(error?.description.contains("pwrite failed") == true)
        #expect(boltError { try writer.finish() }?.code == .misuse)
    }
}
