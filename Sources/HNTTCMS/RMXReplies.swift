import Foundation
import HNTTCore
import HNTTTransport

/// A Polycom RMX transaction's verdict: `RETURN_STATUS` `ID` 0 is "Status OK", anything else the bridge's no.
public struct RMXStatus: Sendable, Equatable {
    public let id: Int
    public let description: String
    public var isOK: Bool { id == 0 }
}

/// The tokens a login returns; every later transaction carries them.
public struct RMXSession: Sendable, Equatable {
    public let mcuToken: String
    public let userToken: String
    /// `MCU_PRODUCT_NAME` and `MCU_VERSION` (MAIN.MAJOR.MINOR), when the reply has them.
    public let product: String?
    public let version: String?
}

/// The RMX XML API's replies (../shared/protocols/poly-and-others.md §5.1), read with a real parser. The
/// shapes beyond the notes' element names are those of the notes' source (tanyujie/fmc-5.0, the
/// `fcm-mcu-plc` response classes, which quote whole replies): `RESPONSE_TRANS_*` with `RETURN_STATUS`
/// and `ACTION/<transaction>/…`. The RMX reports no per-party packet loss, jitter or round trip in these
/// replies, so an RMX leg's figures are absent, never 0.
public enum RMXReplies {
    /// The reply's root and its status; a document that is not a `RESPONSE_TRANS_*` reply is a device error.
    public static func status(_ data: Data) throws -> (root: XMLTree, status: RMXStatus) {
        guard let root = XMLTree.parse(data) else {
            throw HNTTError(
                .deviceError, "the bridge's reply is not well-formed XML",
                fix: "check that the device is a Polycom RMX / RealPresence Collaboration Server with its XML API")
        }
        // The root names the transaction: RESPONSE_TRANS_MCU, RESPONSE_TRANS_CONF_LIST, RESPONSE_TRANS_CONF
        // (also for TRANS_CONF_2 requests); any RESPONSE_TRANS_ is accepted.
        guard root.name.hasPrefix("RESPONSE_TRANS"), let status = root.child("RETURN_STATUS"),
            let id = status.value("ID").flatMap({ Int($0) })
        else {
            throw HNTTError(
                .deviceError, "the bridge answered <\(TextSafety.line(root.name))>, not an RMX transaction reply",
                fix: "check that the device is a Polycom RMX / RealPresence Collaboration Server with its XML API")
        }
        let text = [status.value("DESCRIPTION"), status.value("DESCRIPTION_EX")].compactMap { $0 }.filter {
            !$0.isEmpty
        }
        return (root, RMXStatus(id: id, description: TextSafety.line(text.joined(separator: ": "))))
    }

    /// `RESPONSE_TRANS_MCU` / `ACTION/LOGIN`: `MCU_TOKEN` and `MCU_USER_TOKEN`.
    public static func login(_ root: XMLTree) throws -> RMXSession {
        guard let login = root.child("ACTION")?.child("LOGIN"), let token = login.value("MCU_TOKEN"), !token.isEmpty
        else { throw malformed("the login reply has no MCU_TOKEN") }
        let version = login.child("VERSION_LIST")?.child("MCU_VERSION").map { version in
            ["MAIN", "MAJOR", "MINOR"].compactMap { version.value($0) }.joined(separator: ".")
        }
        return RMXSession(
            mcuToken: token, userToken: login.value("MCU_USER_TOKEN") ?? token,
            product: login.value("MCU_PRODUCT_NAME") ?? login.value("PRODUCT_TYPE"), version: version)
    }

    /// `RESPONSE_TRANS_CONF_LIST` / `ACTION/GET_LS/CONF_SUMMARY_LS`: one `CONF_SUMMARY` per conference (one or
    /// many); conferences in `DELETED_CONF_LIST` or marked `CONF_CHANGE` `del` are gone.
    public static func conferences(_ root: XMLTree) throws -> [MCUCall] {
        guard let list = root.child("ACTION")?.child("GET_LS")?.child("CONF_SUMMARY_LS") else {
            throw malformed("the conference list has no CONF_SUMMARY_LS")
        }
        return try list.all("CONF_SUMMARY").filter { $0.value("CONF_CHANGE") != "del" }.map { summary in
            guard let id = summary.value("ID"), isID(id) else { throw malformed("a conference has no numeric ID") }
            let name = summary.value("DISPLAY_NAME").flatMap { $0.isEmpty ? nil : $0 } ?? summary.value("NAME") ?? ""
            return MCUCall(id: id, name: name, legs: summary.value("NUM_PARTIES").flatMap { Int($0) })
        }
    }

    /// `RESPONSE_TRANS_CONF` / `ACTION/GET/CONFERENCE/ONGOING_PARTY_LIST`: each `ONGOING_PARTY` with its
    /// `PARTY` (ID, NAME, SIP_ADDRESS or IP or ALIAS), status description and `AUDIO_MUTE`. A leg's id is
    /// `CONFERENCE-PARTY` (`96-2`), so that one id names it for mute and disconnect.
    public static func parties(_ root: XMLTree, conference: String) throws -> [MCULeg] {
        guard let conferenceElement = root.child("ACTION")?.child("GET")?.child("CONFERENCE") else {
            throw malformed("the conference reply has no CONFERENCE")
        }
        let ongoing = conferenceElement.child("ONGOING_PARTY_LIST")?.all("ONGOING_PARTY") ?? []
        return try ongoing.filter { $0.value("ONGOING_PARTY_CHANGE") != "del" }.map { item in
            guard let party = item.child("PARTY"), let id = party.value("ID"), isID(id) else {
                throw malformed("a party has no numeric ID")
            }
            let remote =
                [
                    party.value("SIP_ADDRESS"), party.child("ALIAS")?.value("NAME"),
                    party.value("IP").flatMap { $0 == "0.0.0.0" ? nil : $0 },
                ].compactMap { $0 }.first { !$0.isEmpty } ?? ""
            let name = item.value("VISUAL_NAME").flatMap { $0.isEmpty ? nil : $0 } ?? party.value("NAME") ?? ""
            var leg = MCULeg(id: "\(conference)-\(id)", name: name, remote: remote, call: conference)
            leg.state = item.child("ONGOING_PARTY_STATUS")?.value("DESCRIPTION")
            leg.audioMuted = item.value("AUDIO_MUTE").map { $0 == "true" }
            if item.value("NOISY") == "true" { leg.alarms.append("noisy") }
            return leg
        }
    }

    /// `VIDEO_MUTE` of a party, kept as it is when only the audio is muted.
    public static func videoMuted(_ root: XMLTree, party: String) -> Bool? {
        let ongoing = root.child("ACTION")?.child("GET")?.child("CONFERENCE")?.child("ONGOING_PARTY_LIST")
        return ongoing?.all("ONGOING_PARTY").first { $0.child("PARTY")?.value("ID") == party }?.value("VIDEO_MUTE")
            .map { $0 == "true" }
    }

    /// An RMX id: digits (conferences and parties are numbered).
    public static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 10 && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func malformed(_ what: String) -> HNTTError {
        HNTTError(
            .deviceError, "the bridge's reply is not the documented XML: \(what)",
            fix:
                "check the RMX's version; hntt reads the replies of the XML API guide (see device-profiles/polycom-rmx.yaml)"
        )
    }
}
