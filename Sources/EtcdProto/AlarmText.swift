extension Etcdserverpb_AlarmType {
    /// The name etcd prints for the alarm (`NOSPACE`, `CORRUPT`).
    public var etcdName: String {
        switch self {
        case .none: "NONE"
        case .nospace: "NOSPACE"
        case .corrupt: "CORRUPT"
        case .UNRECOGNIZED(let value): "\(value)"
        }
    }
}

extension Etcdserverpb_AlarmMember {
    /// The alarm as etcd's `Status` lists it among its errors (gogoproto's compact text, e.g.
    /// `memberID:13803658152347727308 alarm:NOSPACE `): zero fields left out, each field followed by a space.
    public var compactText: String {
        var text = ""
        if self.memberID != 0 { text += "memberID:\(self.memberID) " }
        if self.alarm != .none { text += "alarm:\(self.alarm.etcdName) " }
        return text
    }
}
