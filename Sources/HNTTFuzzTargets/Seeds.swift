import Foundation
import HNTTCore
import HNTTGovernance

/// The first inputs of each target: transcripts from the tests and docs/protocols/, the repository's
/// own YAML files, and documents signed with ``fuzzApprovalKey``. `hntt-fuzz seed DIR` writes them.
public enum FuzzSeeds {
    public static func all(repository: String) throws -> [String: [(name: String, bytes: [UInt8])]] {
        func texts(_ prefix: UInt8, _ list: [String]) -> [(String, [UInt8])] {
            list.enumerated().map { ("seed-\($0.offset)", [prefix] + Array($0.element.utf8)) }
        }
        var seeds: [String: [(name: String, bytes: [UInt8])]] = [:]
        seeds["cisco-xapi"] =
            texts(
                0,
                [
                    "\u{1B}[?1034h\r\nOK\r\n",
                    "OK\r\n*r DialResult (status=OK):\r\nCallId: 2\r\nConferenceId: 1\r\n** end\r\n",
                    "*r DialResult (status=OK):\r\n*r DialResult CallId: 2\r\n** end\r\n\r\nOK\r\n",
                    "*s Call 203 (ghost=True):\r\n*s Call 204 Status: Connected\r\n** end\r\nOK\r\n",
                    "*c xConfiguration SIP DisplayName: \"UBND\"\r\n*c xConfiguration Audio DefaultVolume: 50\r\n** end\r\nOK\r\n",
                    "*r Result (status=Error):\r\n*r Result Reason: \"No such call\"\r\n** end\r\nERROR\r\n",
                    "Command not recognized.\r\nOK\r\n",
                ]) + [("status-selector", [0x00] + Array("*s Call 1 Status: Connected\r\n** end\r\nOK\r\n".utf8))]
        seeds["poly-reply"] = texts(
            0x21,
            [
                "mute near get\r\r\nmute near on\r\r\n-> ",
                "listen sleep\r\r\ninfo: event/notification already active:sleep\r\r\n-> ",
                "callinfo begin\r\ncallinfo:43:Polycom:10.0.0.5:384:connected:notmuted:outgoing:videocall\r\ncallinfo end\r\n",
                "system is not in a call\r\n",
                "bogus\n\rerror: command not found\r\n-> ",
                "dialing manual\r\ncs: call[34] speed[384] dialstr[192.168.1.101] state[connected]\r\n"
                    + "notification:callstatus:outgoing:34:Polycom:192.168.1.101:connected:384:0:videocall\r\n",
                "cs: call[44] chan[0] dialstr[192.168.1.101] state[RINGING]\r\ncleared: call[44]\r\n"
                    + "notification:callstatus:outgoing:44:::disconnected:0:17:videocall\r\n",
            ])
        seeds["poly-lines"] = texts(
            0,
            [
                "call:0 tar:384k tvr:320k tvp:H.264 rar:384k rvr:320k tapl:2 tvpl:7 rapl:1 rvpl:12 taj:3mS tvj:5mS raj:4mS rvj:31mS\r\n",
                "call:0 txrate:384 K rxrate:384 K pktloss:3 %pktloss:0.04 tvp:H.264 rvp:H.264\r\n",
                "-> mute near on\r\n", "hostname Room-1\r\n",
                "callinfo:43:Polycom:10.0.0.5:384:connected:notmuted:outgoing:videocall\r\n",
            ])
        seeds["visca"] = [
            ("ack", [0x90, 0x41, 0xFF, 0x90, 0x51, 0xFF]), ("power", [0x90, 0x50, 0x02, 0xFF]),
            ("error", [0x90, 0x60, 0x02, 0xFF]),
            ("over-ip", [0x01, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x90, 0x50, 0x02, 0xFF]),
            ("position", [0x90, 0x50, 0x00, 0x00, 0x01, 0x02, 0x0F, 0x0F, 0x0E, 0x0D, 0xFF]),
        ]
        seeds["telnet"] = [
            (
                "negotiation",
                [0x01, 0xFF, 0xFD, 0x18, 0xFF, 0xFB, 0x01, 0xFF, 0xFA, 0x18, 0x01, 0xFF, 0xF0] + Array("login: ".utf8)
            ),
            ("escaped-iac", [0x03, 0x41, 0xFF, 0xFF, 0x42, 0x0D, 0x00, 0x0D, 0x0A]),
        ]
        func files(_ folder: String) throws -> [(String, [UInt8])] {
            try FileManager.default.contentsOfDirectory(atPath: "\(repository)/\(folder)").sorted()
                .filter { $0.hasSuffix(".yaml") }
                .map { ($0, Array(try Data(contentsOf: URL(fileURLWithPath: "\(repository)/\(folder)/\($0)")))) }
        }
        seeds["profile-yaml"] = try files("device-profiles")
        seeds["procedure-yaml"] = try files("procedures")
        seeds["inventory-yaml"] = [("contract-example", Array(inventoryExample.utf8))]
        var document = BaselineDocument(
            draftedAt: "2026-01-05T08:00:00+07:00",
            devices: [
                .init(
                    device: "ubnd-codec", profile: "cisco-roomos",
                    settings: [
                        Setting(key: "SIP DisplayName", value: "UBND"),
                        Setting(key: "SIP Proxy 1 Address", value: "10.0.0.1"),
                    ])
            ])
        try document.sign(
            with: fuzzApprovalKey, signer: "Sở KH&CN", reference: "123/QĐ-SKHCN",
            at: Date(timeIntervalSince1970: 1_767_600_000))
        seeds["baseline"] = [("signed", Array(document.yaml().utf8))]
        var order = ChangeOrder(
            id: "0f2e", reason: "đổi máy chủ SIP", validFrom: Date(timeIntervalSince1970: 1_767_600_000),
            validUntil: Date(timeIntervalSince1970: 1_768_600_000),
            devices: [.init(device: "ubnd-codec", changes: [Setting(key: "SIP Proxy 1 Address", value: "10.0.0.2")])])
        try order.sign(
            with: fuzzApprovalKey, signer: "Sở KH&CN", reference: "124/QĐ-SKHCN", validUntil: nil,
            at: Date(timeIntervalSince1970: 1_767_600_000))
        seeds["change-order"] = [("signed", Array(order.yaml().utf8))]
        // The first byte chooses the document (calls, callLegs, callLeg, failureDetails, call).
        let legs: String =
            #"<callLegs total="1"><callLeg id="l1"><name>X</name><remoteParty>sip:a@b</remoteParty>"#
            + "<alarms><packetLoss/></alarms></callLeg></callLegs>"
        let leg: String =
            #"<callLeg id="l1"><configuration><rxAudioMute>true</rxAudioMute></configuration><status>"#
            + "<state>connected</state><rxAudio><packetLossPercentage>0.4</packetLossPercentage>"
            + "<jitter>2</jitter></rxAudio><txAudio><roundTripTime>66</roundTripTime></txAudio>"
            + #"<rxVideo role="main"><jitter>12</jitter></rxVideo></status></callLeg>"#
        let calls = #"<calls total="2"><call id="c1"><name>H</name><numCallLegs>3</numCallLegs></call></calls>"#
        let cms: [(String, String)] = [
            ("calls", calls), ("legs", legs), ("leg", leg),
            ("failure", "<failureDetails><callDoesNotExist/></failureDetails>"),
            ("call", #"<call id="c1"><name>H</name><numCallLegs>3</numCallLegs></call>"#),
        ]
        seeds["cms-xml"] = cms.enumerated().map { ($0.element.0, [UInt8($0.offset)] + Array($0.element.1.utf8)) }
        let status: String = "<RETURN_STATUS><ID>0</ID><DESCRIPTION>Status OK</DESCRIPTION></RETURN_STATUS>"
        let login: String =
            "<RESPONSE_TRANS_MCU>" + status + "<ACTION><LOGIN><MCU_TOKEN>145</MCU_TOKEN><MCU_USER_TOKEN>145"
            + "</MCU_USER_TOKEN><VERSION_LIST><MCU_VERSION><MAIN>8</MAIN><MAJOR>6</MAJOR></MCU_VERSION>"
            + "</VERSION_LIST></LOGIN></ACTION></RESPONSE_TRANS_MCU>"
        let conferences: String =
            "<RESPONSE_TRANS_CONF_LIST>" + status + "<ACTION><GET_LS><CONF_SUMMARY_LS><CONF_SUMMARY><NAME>H</NAME>"
            + "<ID>96</ID><NUM_PARTIES>2</NUM_PARTIES></CONF_SUMMARY></CONF_SUMMARY_LS></GET_LS></ACTION>"
            + "</RESPONSE_TRANS_CONF_LIST>"
        let party: String =
            "<ONGOING_PARTY><PARTY><NAME>A</NAME><ID>2</ID><SIP_ADDRESS>a@b</SIP_ADDRESS></PARTY>"
            + "<ONGOING_PARTY_STATUS><ID>1</ID><DESCRIPTION>connected</DESCRIPTION></ONGOING_PARTY_STATUS>"
            + "<AUDIO_MUTE>true</AUDIO_MUTE><VIDEO_MUTE>false</VIDEO_MUTE></ONGOING_PARTY>"
        let conference: String =
            "<RESPONSE_TRANS_CONF>" + status + "<ACTION><GET><CONFERENCE><ONGOING_PARTY_LIST>" + party
            + "</ONGOING_PARTY_LIST></CONFERENCE></GET></ACTION></RESPONSE_TRANS_CONF>"
        let refused: String =
            "<RESPONSE_TRANS_CONF><RETURN_STATUS><ID>6</ID><DESCRIPTION>Conference ID does not exist"
            + "</DESCRIPTION></RETURN_STATUS><ACTION/></RESPONSE_TRANS_CONF>"
        let rmx: [(String, String)] = [
            ("login", login), ("conferences", conferences), ("conference", conference), ("refused", refused),
        ]
        seeds["rmx-xml"] = rmx.map { ($0.0, Array($0.1.utf8)) }
        return seeds
    }

    static let inventoryExample = """
        site: UBND huyện Triệu Sơn
        organizers:
          UBND tỉnh: tỉnh
        operators:
          Lê Thị B: huyện
        rooms:
          ubnd:
            name: Phòng họp trực tuyến UBND huyện
            unit: Văn phòng HĐND và UBND huyện
            devices:
              - id: ubnd-codec
                profile: cisco-roomos
                transport: ssh
                host: 10.10.1.20
                credential: ubnd-codec
              - id: ubnd-cam
                profile: sony-visca
                transport: serial
                path: /dev/ttyUSB0
                address: 1

        """
}
