/// Names the stage of a long test an error escaped from: a timeout deep in a scenario of many calls says
/// which call it was.
struct StageFailed: Error, CustomStringConvertible {
    let stage: String
    let error: any Error

    var description: String { "\(self.stage): \(self.error)" }

    /// Runs `body`, wrapping what it throws in the name of its stage.
    static func stage<T>(_ stage: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StageFailed {
            throw error
        } catch {
            throw StageFailed(stage: stage, error: error)
        }
    }
}
