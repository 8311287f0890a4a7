import Foundation
import Testing

@_spi(Testing) import BoltFile

/// Each kind of damage, made by editing bytes of a file the writer made, must surface as its own error.
@Suite("Damage detection")
struct DamageTests {
    /// A written file and where its pages are: bucket `key` (2000 revisions) is a branch over leaves,
    /// bucket `meta` is inline, and there is a freelist page.
    struct Fixture {
        let path: String
        let meta: BoltMeta
        /// The branch page at the root of bucket `key`.
        let keyRoot: UInt64
        /// The first two leaves under it.
        let leaves: [UInt64]
        let pageSize = 4096

        init(_ directory: TempDirectory) throws {
            self.path = directory.file("db")
            self.meta = try writeFile(self.path, [
                bucket("key", revisions(1...2000) { [UInt8]("v\($0)") }),
                bucket("meta", [.init(key: [UInt8]("term"), value: [1])]),
            ])
            let reader = try BoltReader(path: self.path)
            let keyBucket = try #require(try reader.bucket(named: [UInt8]("key")))
            self.keyRoot = try #require(keyBucket.rootPageID, "bucket key should not be inline")
            let branch = try reader.page(self.keyRoot)
            #expect(branch.isBranch && branch.count > 2)
            self.leaves = [try branch.branchElement(0).child, try branch.branchElement(1).child]
        }

        /// The byte offset of element `index` of page `pageID`: bbolt's 16-byte elements follow the
        /// 16-byte page header.
        func element(_ index: Int, of pageID: UInt64) -> Int {
            Int(pageID) * self.pageSize + 16 + 16 * index
        }

        func page(_ pageID: UInt64) -> Int { Int(pageID) * self.pageSize }

        /// Applies `edit` to the file's bytes.
        func edit(_ edit: (inout FileBytes) throws -> Void) throws {
            var bytes = try FileBytes(self.path)
            try edit(&bytes)
            try bytes.save()
        }
    }

    /// Opens the file, reads every bucket through its cursor and checks it; returns the first error.
    private func readAll(_ path: String) -> BoltError? {
        boltError {
            let reader = try BoltReader(path: path)
            for bucket in try reader.buckets() {
                var cursor = reader.cursor(bucket)
                while try cursor.next() != nil {}
            }
            try reader.check()
        }
    }

    /// Makes the fixture, damages it and returns the error reading it gives.
    private func damaged(_ edit: (Fixture, inout FileBytes) throws -> Void) throws -> BoltError? {
        try withTempDirectory { directory in
            let fixture = try Fixture(directory)
            #expect(self.readAll(fixture.path) == nil)
            try fixture.edit { try edit(fixture, &$0) }
            let error = self.readAll(fixture.path)
            #expect(error.map { !$0.description.contains("\n") } ?? true, "errors are one line")
            return error
        }
    }

    @Test func badMagic() throws {
        let error = try self.damaged { _, bytes in
            bytes.store(UInt32(0xDEAD_BEEF), at: 16)
            bytes.store(UInt32(0xDEAD_BEEF), at: 4096 + 16)
        }
        #expect(error?.code == .badMagic)
        #expect(error?.description == "bbolt: page 0: not a bbolt file: magic 0xdeadbeef, want 0xed0cdaed")
    }

    @Test func notABboltFile() throws {
        try withTempDirectory { directory in
            let path = directory.file("text")
            let text = String(repeating: "not a database\n", count: 1000)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(self.readAll(path)?.code == .badMagic)
            try "tiny".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(self.readAll(path)?.code == .truncated)
            #expect(self.readAll(directory.file("missing"))?.code == .io)
        }
    }

    @Test func badVersion() throws {
        let error = try self.damaged { fixture, bytes in
            var meta = fixture.meta
            bytes.rewriteMeta(meta, pageID: 0)
            meta.transactionID -= 1
            bytes.rewriteMeta(meta, pageID: 1)
            bytes.store(UInt32(3), at: 20)
            bytes.store(UInt32(3), at: 4096 + 20)
        }
        #expect(error?.code == .badVersion)
    }

    @Test func metaChecksum() throws {
        let error = try self.damaged { _, bytes in
            bytes.bytes[64] ^= 1
            bytes.bytes[4096 + 64] ^= 1
        }
        #expect(error?.code == .metaChecksum)
    }

    @Test func oneDamagedMetaFallsBackToTheOther() throws {
        for damagedPage in [0, 1] {
            try withTempDirectory { directory in
                let fixture = try Fixture(directory)
                try fixture.edit { $0.bytes[damagedPage * 4096 + 40] ^= 0x80 }
                #expect(self.readAll(fixture.path) == nil)
                #expect(try BoltReader(path: fixture.path).meta.transactionID == (damagedPage == 0 ? 1 : 2))
            }
        }
    }

    @Test func metaPageZeroDamagedWithAnotherPageSize() throws {
        try withTempDirectory { directory in
            let path = directory.file("db")
            try writeFile(path, [bucket("b", [.init(key: [1], value: [2])])],
                          options: BoltWriter.Options(pageSizeBytes: 16384))
            var bytes = try FileBytes(path)
            bytes.store(UInt32(0), at: 16)
            try bytes.save()
            let reader = try BoltReader(path: path)
            #expect(reader.meta.pageSizeBytes == 16384)
            #expect(try readFile(path).first?.entries.first?.value == [2])
        }
    }

    @Test func invalidMeta() throws {
        let error = try self.damaged { fixture, bytes in
            var meta = fixture.meta
            meta.rootPageID = meta.pageCount
            bytes.rewriteMeta(meta, pageID: 0)
            bytes.rewriteMeta(meta, pageID: 1)
        }
        #expect(error?.code == .invalidMeta)
    }

    @Test func pageIDMismatch() throws {
        var keyRoot: UInt64 = 0
        let error = try self.damaged { fixture, bytes in
            keyRoot = fixture.keyRoot
            bytes.store(fixture.keyRoot + 1, at: fixture.page(fixture.keyRoot))
        }
        #expect(error?.code == .pageIDMismatch)
        #expect(error?.pageID == keyRoot)
    }

    @Test func childPastTheHighWaterMark() throws {
        let error = try self.damaged { fixture, bytes in
            bytes.store(fixture.meta.pageCount, at: fixture.element(0, of: fixture.keyRoot) + 8)
        }
        #expect(error?.code == .pageOutOfBounds)
    }

    @Test func overflowPastTheHighWaterMark() throws {
        let error = try self.damaged { fixture, bytes in
            bytes.store(UInt32(1_000_000), at: fixture.page(fixture.leaves[0]) + 12)
        }
        #expect(error?.code == .pageOutOfBounds)
    }

    @Test func cycle() throws {
        let error = try self.damaged { fixture, bytes in
            bytes.store(fixture.keyRoot, at: fixture.element(1, of: fixture.keyRoot) + 8)
        }
        #expect(error?.code == .cycle)
    }

    @Test func pageSharedByTwoParents() throws {
        let error = try self.damaged { fixture, bytes in
            bytes.store(fixture.leaves[0], at: fixture.element(1, of: fixture.keyRoot) + 8)
        }
        #expect(error?.code == .cycle)
    }

    @Test func keysOutOfOrderInALeaf() throws {
        let error = try self.damaged { fixture, bytes in
            // Element 1's key is revision 2: make its last main-revision byte 0, below element 0's 1.
            let element = fixture.element(1, of: fixture.leaves[0])
            let position = Int(bytes.load(UInt32.self, at: element + 4))
            bytes.bytes[element + position + 7] = 0
        }
        #expect(error?.code == .keysOutOfOrder)
    }

    @Test func keyBelowItsBranchRange() throws {
        let error = try self.damaged { fixture, bytes in
            // Raise the branch key of the second leaf from revision N+1 (sub 0) to N+1 sub 1: the leaf's
            // first key still follows the first leaf's keys but now sorts before its parent's key.
            let element = fixture.element(1, of: fixture.keyRoot)
            let position = Int(bytes.load(UInt32.self, at: element))
            bytes.bytes[element + position + 16] = 1
        }
        #expect(error?.code == .keysOutOfOrder)
        #expect(error?.description.contains("sorts before its parent's key") == true)
    }

    @Test func wrongPageType() throws {
        let error = try self.damaged { fixture, bytes in
            bytes.store(UInt16(0x10), at: fixture.page(fixture.leaves[1]) + 8)  // bbolt's freelist page flag
        }
        #expect(error?.code == .wrongPageType)
    }

    @Test func rootPointingAtTheFreelist() throws {
        let error = try self.damaged { fixture, bytes in
            var meta = fixture.meta
            meta.rootPageID = try #require(meta.freelistPageID)
            bytes.rewriteMeta(meta, pageID: 0)
            bytes.rewriteMeta(meta, pageID: 1)
        }
        #expect(error?.code == .wrongPageType)
    }

    @Test func malformedElement() throws {
        let error = try self.damaged { fixture, bytes in
            bytes.store(UInt32(5000), at: fixture.element(3, of: fixture.leaves[0]) + 12)
        }
        #expect(error?.code == .malformedPage)
    }

    @Test func truncated() throws {
        let error = try self.damaged { _, bytes in
            bytes.bytes.removeLast(4096)
        }
        #expect(error?.code == .truncated)
    }

    @Test func unreachablePageWithAFreelist() throws {
        let error = try self.damaged { fixture, bytes in
            var meta = fixture.meta
            meta.pageCount += 1
            bytes.rewriteMeta(meta, pageID: 0)
            bytes.rewriteMeta(meta, pageID: 1)
            bytes.bytes += [UInt8](repeating: 0, count: 4096)
        }
        #expect(error?.code == .pageAccounting)
        #expect(error?.description.contains("neither reachable nor on the freelist") == true)
    }

    @Test func stalePagesAreFineWithoutAFreelist() throws {
        let error = try self.damaged { fixture, bytes in
            var meta = fixture.meta
            meta.pageCount += 1
            meta.freelistPageID = nil
            bytes.rewriteMeta(meta, pageID: 0)
            bytes.rewriteMeta(meta, pageID: 1)
            bytes.bytes += [UInt8](repeating: 0, count: 4096)
        }
        #expect(error == nil)
    }

    @Test func freelistListingAReachablePage() throws {
        let error = try self.damaged { fixture, bytes in
            let freelist = fixture.page(try #require(fixture.meta.freelistPageID))
            bytes.store(UInt16(1), at: freelist + 10)
            bytes.store(fixture.leaves[0], at: freelist + 16)
        }
        #expect(error?.code == .pageAccounting)
    }

    @Test func freelistListingAMetaPage() throws {
        let error = try self.damaged { fixture, bytes in
            let freelist = fixture.page(try #require(fixture.meta.freelistPageID))
            bytes.store(UInt16(1), at: freelist + 10)
            bytes.store(UInt64(1), at: freelist + 16)
        }
        #expect(error?.code == .badFreelist)
    }

    @Test func plainTopLevelKey() throws {
        let error = try self.damaged { fixture, bytes in
            // The root bucket's leaf: clear the bucket flag of its second entry (`meta`).
            bytes.store(UInt32(0), at: fixture.element(1, of: fixture.meta.rootPageID))
        }
        #expect(error?.code == .notABucket)
    }
}
