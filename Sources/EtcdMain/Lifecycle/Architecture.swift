/// The CPU architecture in Go's spelling (`amd64`, `arm64`), for version output.
enum Architecture {
    static var goName: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }
}
