import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A simulated Polycom RMX's state: its account, the tokens it gave, its conferences and parties.
public struct RMXBridgeState: SimulatedDeviceState {
    public struct Party: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var sipAddress: String
        public var connected = true
        public var audioMuted = false
        public var videoMuted = false

        public init(id: Int, name: String, sipAddress: String) {
            self.id = id
            self.name = name
            self.sipAddress = sipAddress
        }
    }

    public struct Conference: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String
        public var parties: [Party]

        public init(id: Int, name: String, parties: [Party]) {
            self.id = id
            self.name = name
            self.parties = parties
        }
    }

    public var username = "POLYCOM"
    public var password = "rmx-pass-5"
    public var conferences: [Conference]
    /// Tokens handed out by logins; a transaction with another token is refused.
    public var tokens: [String] = []
    public var nextToken = 140
    public var malformedReplies = false
    public var faults = SimulatorFaults()
    public var commandLog: [String] = []
    public var successfulLogins = 0
    public var failedLogins = 0

    public init(conferences: [Conference]) { self.conferences = conferences }

    /// A province's morning conference with a handful of sites.
    public static func demo(sites: Int = 4) -> RMXBridgeState {
        var parties = [Party(id: 1, name: "UBND Tỉnh (chủ trì)", sipAddress: "ubnd-tinh@hntt.example.vn")]
        for index in 1...max(1, sites) {
            parties.append(Party(id: index + 1, name: "Điểm cầu \(index)", sipAddress: "site-\(index)@hntt.example.vn"))
        }
        return RMXBridgeState(conferences: [
            Conference(id: 96, name: "Hội nghị giao ban tỉnh", parties: parties),
            Conference(id: 97, name: "Họp chuẩn bị", parties: []),
        ])
    }
}

/// A simulated RMX XML API (../shared/protocols/poly-and-others.md §5.1, the reply shapes of its source
/// tanyujie/fmc-5.0): each transaction POSTed to `/`, `RETURN_STATUS` ID 0 "Status OK" or a refusal, tokens
/// from `TRANS_MCU/LOGIN`, `CONF_SUMMARY_LS` and `ONGOING_PARTY_LIST`, mute and connect per party.
public typealias RMXBridgeSimulator = SimulatedHTTPSDevice<RMXBridgeState>

extension SimulatedHTTPSDevice where State == RMXBridgeState {
    public convenience init(store: Store, certificate: SimulatorCertificate) {
        self.init(store: store, certificate: certificate) { RMXBridgeSimulator.respond(to: $0, store: $1) }
    }

    static func respond(to request: SimulatedHTTPRequest, store: Store) -> SimulatedHTTPResponse {
        guard request.method == "POST", request.path == "/" else { return SimulatedHTTPResponse(status: 404) }
        guard let document = try? XMLDocument(data: Data(request.body)), let root = document.rootElement(),
            let name = root.name
        else { return reply("RESPONSE_GENERAL", status: (3, "Illegal XML"), action: "") }
        func value(_ path: String) -> String? {
            (try? root.nodes(forXPath: path))?.first?.stringValue?.trimmingCharacters(in: .whitespaces)
        }
        let action = (root.elements(forName: "ACTION").first?.children?.first?.name) ?? ""
        return store.update { state in
            state.commandLog.append("\(name) \(action)")
            if state.commandLog.count > 500 { state.commandLog.removeFirst(state.commandLog.count - 500) }
            var response: SimulatedHTTPResponse
            if name == "TRANS_MCU", action == "LOGIN" {
                response = login(
                    &state, user: value("ACTION/LOGIN/USER_NAME"), password: value("ACTION/LOGIN/PASSWORD"))
            } else if let token = value("TRANS_COMMON_PARAMS/MCU_TOKEN"), state.tokens.contains(token) {
                response = transaction(name, action, value, &state)
            } else {
                response = reply("RESPONSE_\(name)", status: (4, "Invalid MCU token; log in again"), action: "")
            }
            if state.malformedReplies { response.body = Array("<RESPONSE_TRANS_CONF><RETURN_STATUS><ID>0".utf8) }
            if state.faults.silent { response.delay = .infinity }
            if state.faults.replyDelay > 0 { response.delay = state.faults.replyDelay }
            return response
        }
    }

    static func login(_ state: inout RMXBridgeState, user: String?, password: String?) -> SimulatedHTTPResponse {
        guard user == state.username, password == state.password else {
            state.failedLogins += 1
            return reply("RESPONSE_TRANS_MCU", status: (1, "User name or password is incorrect"), action: "")
        }
        state.successfulLogins += 1
        state.nextToken += 1
        let token = String(state.nextToken)
        state.tokens.append(token)
        return reply(
            "RESPONSE_TRANS_MCU", status: (0, "Status OK"),
            action: "<LOGIN><MCU_TOKEN>\(token)</MCU_TOKEN><MCU_USER_TOKEN>\(token)</MCU_USER_TOKEN><VERSION_LIST>"
                + "<MCU_VERSION><MAIN>8</MAIN><MAJOR>6</MAJOR><MINOR>7</MINOR><INTERNAL>48</INTERNAL></MCU_VERSION>"
                + "</VERSION_LIST><PRODUCT_TYPE>Rmx_1800</PRODUCT_TYPE><MCU_PRODUCT_NAME>RPCS 1800</MCU_PRODUCT_NAME>"
                + "</LOGIN>")
    }

    static func transaction(
        _ name: String, _ action: String, _ value: (String) -> String?, _ state: inout RMXBridgeState
    ) -> SimulatedHTTPResponse {
        switch (name, action) {
        case ("TRANS_CONF_LIST", "GET_LS"):
            let summaries = state.conferences.map { conference in
                "<CONF_SUMMARY><NAME>\(escaped(conference.name))</NAME><ID>\(conference.id)</ID><CONF_CHANGE>new"
                    + "</CONF_CHANGE><NUM_PARTIES>\(conference.parties.count)</NUM_PARTIES><NUM_CONNECTED_PARTIES>"
                    + "\(conference.parties.filter(\.connected).count)</NUM_CONNECTED_PARTIES><DISPLAY_NAME>"
                    + "\(escaped(conference.name))</DISPLAY_NAME></CONF_SUMMARY>"
            }
            return reply(
                "RESPONSE_TRANS_CONF_LIST", status: (0, "Status OK"),
                action: "<GET_LS><CONF_SUMMARY_LS><OBJ_TOKEN>1268</OBJ_TOKEN><CHANGED>true</CHANGED>"
                    + summaries.joined() + "<DELETED_CONF_LIST/></CONF_SUMMARY_LS></GET_LS>")
        case ("TRANS_CONF_2", _):
            guard let id = value("ACTION/\(action)/ID").flatMap({ Int($0) }),
                let conference = state.conferences.firstIndex(where: { $0.id == id })
            else { return reply("RESPONSE_TRANS_CONF", status: (6, "Conference ID does not exist"), action: "") }
            if action == "GET" { return conferenceReply(state.conferences[conference]) }
            guard let partyID = value("ACTION/\(action)/PARTY_ID").flatMap({ Int($0) }),
                let party = state.conferences[conference].parties.firstIndex(where: { $0.id == partyID })
            else { return reply("RESPONSE_TRANS_CONF", status: (7, "Party ID does not exist"), action: "") }
            switch action {
            case "SET_AUDIO_VIDEO_MUTE":
                state.conferences[conference].parties[party].audioMuted = value("ACTION/\(action)/AUDIO_MUTE") == "true"
                state.conferences[conference].parties[party].videoMuted = value("ACTION/\(action)/VIDEO_MUTE") == "true"
            case "SET_CONNECT":
                state.conferences[conference].parties[party].connected = value("ACTION/\(action)/CONNECT") == "true"
            default:
                return reply("RESPONSE_TRANS_CONF", status: (2, "Transaction not supported"), action: "")
            }
            return reply("RESPONSE_TRANS_CONF", status: (0, "Status OK"), action: "<\(action)/>")
        default:
            return reply("RESPONSE_\(name)", status: (2, "Transaction not supported"), action: "")
        }
    }

    /// The conference with its ongoing parties, as `TRANS_CONF_2/GET` answers (abridged to what is read).
    static func conferenceReply(_ conference: RMXBridgeState.Conference) -> SimulatedHTTPResponse {
        let parties = conference.parties.map { party in
            "<ONGOING_PARTY><ONGOING_PARTY_CHANGE>new</ONGOING_PARTY_CHANGE><PARTY><NAME>\(escaped(party.name))</NAME>"
                + "<ID>\(party.id)</ID><INTERFACE>sip</INTERFACE><ALIAS><NAME></NAME><ALIAS_TYPE>323_id</ALIAS_TYPE>"
                + "</ALIAS><IP>0.0.0.0</IP><SIP_ADDRESS>\(escaped(party.sipAddress))</SIP_ADDRESS></PARTY>"
                + "<ONGOING_PARTY_STATUS><ID>\(party.connected ? 1 : 2)</ID><DESCRIPTION>"
                + "\(party.connected ? "connected" : "disconnected")</DESCRIPTION></ONGOING_PARTY_STATUS>"
                + "<AUDIO_MUTE>\(party.audioMuted)</AUDIO_MUTE><AUDIO_BLOCK>false</AUDIO_BLOCK>"
                + "<VIDEO_MUTE>\(party.videoMuted)</VIDEO_MUTE><NOISY>false</NOISY>"
                + "<VISUAL_NAME>\(escaped(party.name))</VISUAL_NAME></ONGOING_PARTY>"
        }
        return reply(
            "RESPONSE_TRANS_CONF", status: (0, "Status OK"),
            action: "<GET><CONFERENCE><OBJ_TOKEN>12513</OBJ_TOKEN><CHANGED>true</CHANGED><RESERVATION><NAME>"
                + "\(escaped(conference.name))</NAME><ID>\(conference.id)</ID></RESERVATION><NUM_CONNECTED_PARTIES>"
                + "\(conference.parties.filter(\.connected).count)</NUM_CONNECTED_PARTIES><ONGOING_PARTY_LIST>"
                + parties.joined() + "</ONGOING_PARTY_LIST></CONFERENCE></GET>")
    }

    static func reply(_ root: String, status: (Int, String), action: String) -> SimulatedHTTPResponse {
        SimulatedHTTPResponse(
            status: 200, headers: [("Content-Type", "application/xml")],
            body: "<\(root)><RETURN_STATUS><ID>\(status.0)</ID><DESCRIPTION>\(status.1)</DESCRIPTION>"
                + "<YOUR_TOKEN1>0</YOUR_TOKEN1><YOUR_TOKEN2>0</YOUR_TOKEN2><MESSAGE_ID>0</MESSAGE_ID>"
                + "<DESCRIPTION_EX></DESCRIPTION_EX></RETURN_STATUS><ACTION>\(action)</ACTION></\(root)>")
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
