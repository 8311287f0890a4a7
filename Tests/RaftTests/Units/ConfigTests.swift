import Raft
import Testing

@Suite("Config validation")
struct ConfigTests {
    @Test func defaultsAreValid() throws {
        try RaftConfig(id: 1, randomSeed: 0).validate()
    }

    @Test(arguments: [
        ("id", "cannot use none as id"),
        ("heartbeat", "heartbeat tick must be greater than 0"),
        ("election", "election tick must be greater than heartbeat tick"),
        ("inflight", "maxInflightMessages must be greater than 0"),
        ("message", "maxSizePerMessageBytes must be greater than 0"),
        ("uncommitted", "maxUncommittedEntriesBytes must be greater than 0"),
        ("reads", "maxPendingReadIndexRequests must be greater than 0"),
    ])
    func invalidValuesAreNamed(field: String, message: String) {
        var config = RaftConfig(id: 1, randomSeed: 0)
        switch field {
        case "id": config.id = .none
        case "heartbeat": config.heartbeatTicks = 0
        case "election": config.electionTicks = config.heartbeatTicks
        case "inflight": config.maxInflightMessages = 0
        case "message": config.maxSizePerMessageBytes = 0
        case "uncommitted": config.maxUncommittedEntriesBytes = -1
        default: config.maxPendingReadIndexRequests = 0
        }
        #expect(throws: ConfigError.self) { try config.validate() }
        do {
            try config.validate()
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func nodeRefusesInvalidConfig() {
        var config = RaftConfig(id: 1, randomSeed: 0)
        config.electionTicks = 1
        #expect(throws: ConfigError.electionTicksNotAboveHeartbeatTicks) {
            _ = try RawNode(config: config, storage: MemoryStorage())
        }
    }
}
