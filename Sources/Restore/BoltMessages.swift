import BoltFile

/// A bbolt problem as one line: bbolt's own words first where Go has them (`invalid database`,
/// `version mismatch`, `checksum error`), then what exactly was found.
enum BoltMessages {
    static func text(_ error: BoltError) -> String {
        switch error.code {
        case .badMagic: return "invalid database (\(error.message))"
        case .badVersion: return "version mismatch (\(error.message))"
        case .metaChecksum: return "checksum error (\(error.message))"
        default: return error.message
        }
    }
}
