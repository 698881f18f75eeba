import Foundation

/// A simulated Cisco Meeting Server's state: its API account, active conferences and their legs.
public struct CMSBridgeState: SimulatedDeviceState {
    /// One site in a conference, with the figures the bridge measures (nil: not reported).
    public struct Leg: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var remoteParty: String
        public var rxAudioMute = false
        public var state = "connected"
        public var durationSeconds = 0
        public var rxAudioLoss: Double? = 0
        public var rxAudioJitter: Double? = 2
        public var txAudioLoss: Double? = 0
        public var txAudioJitter: Double? = 0
        public var rxVideoLoss: Double? = 0
        public var rxVideoJitter: Double? = 5
        public var roundTripTime: Double? = 40
        /// `packetLoss`, `excessiveJitter`, `highRoundTripTime`.
        public var alarms: [String] = []

        public init(id: String, name: String, remoteParty: String) {
            self.id = id
            self.name = name
            self.remoteParty = remoteParty
        }
    }

    public struct Call: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var coSpace: String
        public var legs: [Leg]

        public init(id: String, name: String, coSpace: String, legs: [Leg]) {
            self.id = id
            self.name = name
            self.coSpace = coSpace
            self.legs = legs
        }
    }

    public var username = "admin"
    public var password = "cms-pass-7"
    public var softwareVersion = "3.8.1"
    public var calls: [Call]
    /// The most items one page holds, whatever `limit` asks (the bridge's own cap).
    public var pageCap = 3
    /// Answer list requests with a document cut short (malformed XML).
    public var malformedReplies = false
    public var faults = SimulatorFaults()
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0
    /// Legs made by dial-outs so far (for their ids).
    public var dialled = 0

    public init(calls: [Call]) { self.calls = calls }

    /// A province's morning conference: the chair and a handful of district and commune sites.
    public static func demo(sites: Int = 5) -> CMSBridgeState {
        var legs = [Leg(id: guid(1, 1), name: "UBND Tỉnh (chủ trì)", remoteParty: "ubnd-tinh@hntt.example.vn")]
        for index in 1...max(1, sites) {
            var leg = Leg(
                id: guid(1, index + 1), name: "Điểm cầu \(index)", remoteParty: "site-\(index)@hntt.example.vn")
            leg.durationSeconds = 300 + index * 7
            leg.rxAudioLoss = Double(index % 3) * 0.5
            leg.rxAudioJitter = Double(2 + index)
            leg.rxVideoLoss = Double(index % 4) * 0.7
            leg.roundTripTime = Double(30 + index * 11)
            if index % 4 == 3 { leg.alarms = ["packetLoss"] }
            legs.append(leg)
        }
        return CMSBridgeState(calls: [
            Call(id: guid(0, 1), name: "Hội nghị giao ban tỉnh", coSpace: guid(9, 1), legs: legs),
            Call(
                id: guid(0, 2), name: "Họp chuẩn bị", coSpace: guid(9, 2),
                legs: [Leg(id: guid(2, 1), name: "Văn phòng", remoteParty: "vp@hntt.example.vn")]),
        ])
    }

    /// A GUID-shaped id as the bridge makes them.
    public static func guid(_ group: Int, _ index: Int) -> String {
        String(format: "%08x-0000-4000-8000-%012x", group, index)
    }

    public func leg(_ id: String) -> (call: Int, leg: Int)? {
        for (callIndex, call) in calls.enumerated() {
            if let legIndex = call.legs.firstIndex(where: { $0.id == id }) { return (callIndex, legIndex) }
        }
        return nil
    }
}
