import Foundation
import HNTTCore
import HNTTTransport

/// A Polycom RMX / RealPresence Collaboration Server through its XML API (../shared/protocols/poly-and-others.md
/// §5.1): each transaction is an XML document POSTed to the bridge, over HTTPS with the certificate pinned
/// (never plain HTTP: the login carries the password). `TRANS_MCU/LOGIN` gives the tokens every later
/// transaction carries; a leg is `CONFERENCE-PARTY`. Dropping a site disconnects it (`SET_CONNECT` false): it
/// stays defined and `hntt mcu reconnect` brings it back.
public actor PolycomRMXDriver: BridgeDriver {
    let plan: ConnectionPlan
    var session: RMXSession?
    var messageID = 0

    public init(plan: ConnectionPlan) { self.plan = plan }

    var device: String { plan.device.id }

    // MARK: DeviceDriver

    public func status() async throws -> DeviceStatus {
        let session = try await loggedIn()
        let calls = try await conferences().map { CallInfo(id: $0.id, number: $0.name, status: "active") }
        return DeviceStatus(standby: .on, micMuted: false, calls: calls, software: Self.describe(session))
    }

    public func checkLogin() async throws -> String { Self.describe(try await loggedIn()) }

    public func wake() async throws { throw bridgeRefusal("wake", device: device) }
    public func sleep() async throws { throw bridgeRefusal("sleep", device: device) }
    public func recallPreset(_ preset: Int, camera: Int?) async throws { throw bridgeRefusal("preset", device: device) }
    public func storePreset(_ preset: Int, camera: Int?) async throws { throw bridgeRefusal("preset", device: device) }
    public func close() async { session = nil }

    // MARK: BridgeDriver

    /// `TRANS_CONF_LIST/GET_LS` with `OBJ_TOKEN` -1: always the full list (whether an earlier token gives only
    /// the changes is UNVERIFIED in the notes, so hntt never relies on it).
    public func conferences() async throws -> [MCUCall] {
        let root = try await transaction("TRANS_CONF_LIST", "<GET_LS><OBJ_TOKEN>-1</OBJ_TOKEN></GET_LS>", what: "")
        return try attributing(to: device) { try RMXReplies.conferences(root) }
    }

    public func legs(ofCall call: String, withStatus: Bool) async throws -> [MCULeg] {
        let call = try Self.checkedConference(call)
        let root = try await conference(call)
        return try attributing(to: device) { try RMXReplies.parties(root, conference: call) }
    }

    public func leg(_ id: String) async throws -> MCULeg {
        let (call, party) = try Self.checkedLeg(id)
        guard let leg = try await legs(ofCall: call).first(where: { $0.id == "\(call)-\(party)" }) else {
            throw HNTTError(
                .deviceError, "no leg \(id) on the bridge (conference \(call) has no party \(party))", device: device,
                fix: "list the conference's legs with `hntt mcu legs \(device) \(call)`")
        }
        return leg
    }

    /// `SET_AUDIO_VIDEO_MUTE`: the bridge mutes what it receives from the party; its video mute stays as it is.
    public func setAudioMute(leg: String, _ muted: Bool) async throws {
        let (call, party) = try Self.checkedLeg(leg)
        let root = try await conference(call)
        guard let video = RMXReplies.videoMuted(root, party: party) else {
            throw HNTTError(
                .deviceError, "no leg \(leg) on the bridge (conference \(call) has no party \(party))", device: device,
                fix: "list the conference's legs with `hntt mcu legs \(device) \(call)`")
        }
        _ = try await transaction(
            "TRANS_CONF_2",
            "<SET_AUDIO_VIDEO_MUTE><ID>\(call)</ID><AUDIO_MUTE>\(muted)</AUDIO_MUTE><VIDEO_MUTE>\(video)</VIDEO_MUTE>"
                + "<PARTY_ID>\(party)</PARTY_ID></SET_AUDIO_VIDEO_MUTE>", what: "leg \(leg)")
    }

    /// `SET_CONNECT` false: the site leaves the conference and stays defined, to be reconnected.
    public func drop(leg: String) async throws { try await setConnected(leg, false) }

    public func reconnect(leg: String) async throws { try await setConnected(leg, true) }

    public func dial(_ uri: String, into call: String) async throws -> String {
        throw HNTTError(
            .blocked, "dialling a new site into an RMX conference is not implemented", device: device,
            fix: "the ADD_PARTY transaction's reply is not documented in hntt's notes; reconnect a defined site with "
                + "`hntt mcu reconnect`, or add the site on the RMX's own console")
    }

    // MARK: Transactions

    func setConnected(_ leg: String, _ connected: Bool) async throws {
        let (call, party) = try Self.checkedLeg(leg)
        _ = try await transaction(
            "TRANS_CONF_2",
            "<SET_CONNECT><ID>\(call)</ID><CONNECT>\(connected)</CONNECT><PARTY_ID>\(party)</PARTY_ID></SET_CONNECT>",
            what: "leg \(leg)")
    }

    func conference(_ call: String) async throws -> XMLTree {
        try await transaction("TRANS_CONF_2", "<GET><ID>\(call)</ID></GET>", what: "conference \(call)")
    }

    func loggedIn() async throws -> RMXSession {
        if let session { return session }
        guard let credentials = plan.credentials else {
            throw HNTTError(
                .loginRefused, "\(device) has no credential to log in with", device: device,
                fix: "add `credential: NAME` to the device and store it with `hntt secret set NAME --username USER`")
        }
        let host = Self.escaped(plan.device.host ?? "")
        let body =
            Array(
                "<LOGIN><MCU_IP><IP>\(host)</IP><LISTEN_PORT>\(plan.device.port ?? 443)</LISTEN_PORT><HOST_NAME/>".utf8)
            + Array("</MCU_IP><USER_NAME>\(Self.escaped(credentials.username))</USER_NAME><PASSWORD>".utf8)
            + Self.escaped(credentials.password.clearBytes) + Array("</PASSWORD></LOGIN>".utf8)
        let (root, status) = try await post("TRANS_MCU", action: body, session: RMXSession.none)
        guard status.isOK else {
            let name = plan.device.credential ?? "NAME"
            throw HNTTError(
                .loginRefused, "the bridge refused the login: \(status.description) (status \(status.id))",
                device: device,
                fix: "store the RMX account with `hntt secret set \(name) --username USER --password-stdin`")
        }
        let session = try attributing(to: device) { try RMXReplies.login(root) }
        self.session = session
        return session
    }

    /// One transaction after the login; a refusal that speaks of the token or the session logs in again once
    /// (the wording of an expired token is UNVERIFIED, so any such word counts).
    func transaction(_ name: String, _ action: String, what: String) async throws -> XMLTree {
        for attempt in 0..<2 {
            let session = try await loggedIn()
            let (root, status) = try await post(name, action: Array(action.utf8), session: session)
            if status.isOK { return root }
            let text = status.description.lowercased()
            if attempt == 0, ["token", "session", "login"].contains(where: text.contains) {
                self.session = nil
                continue
            }
            let subject = what.isEmpty ? "" : " for \(what)"
            throw HNTTError(
                .deviceError, "the bridge said no\(subject): \(status.description) (status \(status.id))",
                device: device,
                fix: "list what there is with `hntt mcu calls \(device)` and `hntt mcu legs \(device) CALL`")
        }
        throw HNTTError(.deviceError, "the bridge kept refusing the session's token", device: device)
    }

    /// POSTs `<NAME><TRANS_COMMON_PARAMS>…</TRANS_COMMON_PARAMS><ACTION>action</ACTION></NAME>` to the bridge.
    func post(_ name: String, action: [UInt8], session: RMXSession) async throws -> (XMLTree, RMXStatus) {
        messageID += 1
        let head =
            "<\(name)><TRANS_COMMON_PARAMS><MCU_TOKEN>\(Self.escaped(session.mcuToken))</MCU_TOKEN>"
            + "<MCU_USER_TOKEN>\(Self.escaped(session.userToken))</MCU_USER_TOKEN><ASYNC><YOUR_TOKEN1>0</YOUR_TOKEN1>"
            + "<YOUR_TOKEN2>0</YOUR_TOKEN2></ASYNC><MESSAGE_ID>\(messageID)</MESSAGE_ID></TRANS_COMMON_PARAMS><ACTION>"
        let body = Array(head.utf8) + action + Array("</ACTION></\(name)>".utf8)
        let request = HTTPSRequest(
            method: "POST", path: "/", headers: [("Content-Type", "application/xml; charset=utf-8")], body: body)
        let client = try plan.httpsClient(basicAuth: false)
        let deadline = Deadline.after(seconds: plan.profile.timeouts.command)
        let reply = try await attributing(to: device, credentialName: plan.device.credential) {
            try await client.send(request, deadline: deadline)
        }
        guard (200..<300).contains(reply.status) else {
            if [401, 403].contains(reply.status) {
                throw HNTTError(
                    .loginRefused, "the bridge refused the XML API (HTTP \(reply.status))", device: device,
                    fix: "check that the account may use the RMX's XML API")
            }
            throw HNTTError(
                .deviceError, "the bridge answered HTTP \(reply.status) to \(name)", device: device,
                fix: "check that the XML API is enabled on the RMX and served at its address's root")
        }
        return try attributing(to: device) { try RMXReplies.status(reply.body.asData) }
    }

    // MARK: Ids and text

    static func checkedConference(_ id: String) throws -> String {
        guard RMXReplies.isID(id) else {
            throw HNTTError(
                .badInput, "\"\(TextSafety.line(id))\" is not an RMX conference id",
                fix: "copy the id from `hntt mcu calls` (a number)")
        }
        return id
    }

    /// `CONFERENCE-PARTY`, both numbers.
    static func checkedLeg(_ id: String) throws -> (String, String) {
        let parts = id.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, RMXReplies.isID(parts[0]), RMXReplies.isID(parts[1]) else {
            throw HNTTError(
                .badInput, "\"\(TextSafety.line(id))\" is not an RMX leg id (CONFERENCE-PARTY, e.g. 96-2)",
                fix: "copy the id from `hntt mcu legs`")
        }
        return (parts[0], parts[1])
    }

    static func escaped(_ text: String) -> String { String(decoding: escaped(Array(text.utf8)), as: UTF8.self) }

    /// XML character escapes, on bytes (so that a password never becomes a String).
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&apos;".utf8)
            default: out.append(byte)
            }
        }
        return out
    }

    static func describe(_ session: RMXSession) -> String {
        [session.product ?? "Polycom RMX", session.version].compactMap { $0 }.joined(separator: " ")
    }
}

extension RMXSession {
    /// Before the login: the tokens are 0.
    static let none = RMXSession(mcuToken: "0", userToken: "0", product: nil, version: nil)
}

/// A codec's or camera's operation asked of a bridge.
func bridgeRefusal(_ name: String, device: String) -> HNTTError {
    HNTTError(
        .badInput, "\(device) is a conference bridge: it has no \(name)", device: device,
        fix: "use `hntt mcu calls|legs|mute|drop|dial` for the bridge, or the room's codec for \(name)")
}
