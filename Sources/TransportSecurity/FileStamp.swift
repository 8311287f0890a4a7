import Foundation

/// When a file was last changed and its size, to notice a replaced certificate.
struct FileStamp: Equatable {
    let modified: timespec
    let size: Int64
    let inode: UInt64

    init?(_ path: String) {
        guard !path.isEmpty else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.modified = info.st_mtim
        self.size = Int64(info.st_size)
        self.inode = UInt64(info.st_ino)
    }

    static func == (lhs: FileStamp, rhs: FileStamp) -> Bool {
        lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec && lhs.size == rhs.size && lhs.inode == rhs.inode
    }
}
