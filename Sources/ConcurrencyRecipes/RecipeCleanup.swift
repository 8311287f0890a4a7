/// How the recipes take back what a failed wait leaves behind.
enum RecipeCleanup {
    /// Runs `cleanup` to its end even when the calling task is cancelled (Go's recipes clean up with the
    /// client's own context, not the cancelled one) and ignores its failure, as they do: the caller hears of
    /// the failure that made the clean-up necessary.
    static func regardless(_ cleanup: @escaping @Sendable () async throws -> Void) async {
        let task = Task { try await cleanup() }
        _ = await task.result
    }
}
