import Foundation
import HNTTCMS
import HNTTCore
import Testing

/// The replies as the API Reference Guide shows them (../shared/protocols/poly-and-others.md §5.2, §5.2a).
@Suite("Cisco Meeting Server replies, read by a real XML parser")
struct CMSRepliesTests {
    @Test("a page of active conferences with its total")
    func calls() throws {
        let page = try CMSReplies.calls(
            Data(
                """
                <?xml version="1.0"?>
                <calls total="3"><call id="c1-aa"><name>Họp UBND tỉnh &amp; xã</name><coSpace>s1</coSpace>\
                <numCallLegs>12</numCallLegs></call><call id="c2-bb"><name>Sales coSpace</name></call></calls>
                """.utf8))
        #expect(page.total == 3 && page.items.count == 2, "fewer than total: the caller asks for the next page")
        #expect(page.items[0] == MCUCall(id: "c1-aa", name: "Họp UBND tỉnh & xã", legs: 12))
        #expect(page.items[1].legs == nil)
    }

    @Test("legs with alarms, and one leg's status: main media, round trip, mute; absent figures stay absent")
    func legs() throws {
        let page = try CMSReplies.legs(
            Data(
                """
                <callLegs total="2"><callLeg id="l1"><name>Xã Triệu Sơn</name>\
                <remoteParty>sip:trieuson@hntt.vn</remoteParty>\
                <call>c1-aa</call><alarms><packetLoss/><excessiveJitter/></alarms></callLeg>\
                <callLeg id="l2"><name>Huyện</name><remoteParty>h323:1002</remoteParty></callLeg></callLegs>
                """.utf8))
        #expect(page.total == 2 && page.items.map(\.id) == ["l1", "l2"])
        #expect(page.items[0].alarms == ["packetLoss", "excessiveJitter"] && page.items[1].alarms.isEmpty)
        #expect(page.items[0].remote == "sip:trieuson@hntt.vn" && page.items[0].call == "c1-aa")
        let leg = try CMSReplies.legDetail(
            Data(
                """
                <callLeg id="l1"><name>Xã Triệu Sơn</name><remoteParty>sip:trieuson@hntt.vn</remoteParty>
                <configuration><rxAudioMute>true</rxAudioMute><txVideoMute>false</txVideoMute></configuration>
                <status><state>connected</state><durationSeconds>349</durationSeconds><direction>incoming</direction>
                <rxAudio><codec>aac</codec><packetLossPercentage>0.4</packetLossPercentage><jitter>2</jitter></rxAudio>
                <txAudio><codec>aac</codec><packetLossPercentage>0.0</packetLossPercentage><jitter>0</jitter>\
                <roundTripTime>66</roundTripTime></txAudio>
                <rxVideo role="presentation"><packetLossPercentage>9.0</packetLossPercentage>\
                <jitter>40</jitter></rxVideo>
                <rxVideo role="main"><codec>h264</codec><packetLossPercentage>1.5</packetLossPercentage>\
                <jitter>12</jitter></rxVideo>
                </status></callLeg>
                """.utf8))
        #expect(leg.state == "connected" && leg.audioMuted == true)
        var expected = MCULegQuality()
        expected.rxAudioLossPercent = 0.4
        expected.rxAudioJitterMs = 2
        expected.txAudioLossPercent = 0
        expected.txAudioJitterMs = 0
        expected.rxVideoLossPercent = 1.5
        expected.rxVideoJitterMs = 12
        expected.roundTripMs = 66
        #expect(leg.quality == expected, "the main video, not the presentation")
        let bare = try CMSReplies.legDetail(
            Data(#"<callLeg id="l9"><status><state>ringing</state></status></callLeg>"#.utf8))
        #expect(bare.quality == MCULegQuality() && bare.audioMuted == nil, "nothing reported: nothing invented")
    }

    @Test("failureDetails, another document, malformed or hostile XML: a device error that says so")
    func refusals() throws {
        let missing = Data("<failureDetails><callDoesNotExist/></failureDetails>".utf8)
        #expect(CMSReplies.failure(missing) == "callDoesNotExist")
        let refused = #expect(throws: HNTTError.self) { _ = try CMSReplies.legs(missing) }
        #expect(refused?.exitCode == 4 && refused?.message.contains("callDoesNotExist") == true)
        func check(_ data: Data) throws {
            let error = #expect(throws: HNTTError.self, "\(data.prefix(40))") { _ = try CMSReplies.calls(data) }
            #expect(error?.exitCode == 4 && error?.message.contains("root:") != true)
        }
        for body in [
            "<calls><call id=\"x\"/></calls>", "<coSpaces total=\"0\"/>", "<calls total=\"1\"><call", "",
            "<calls total=\"1\"><call><name>no id</name></call></calls>",
            String(repeating: "<a>", count: 500) + String(repeating: "</a>", count: 500),
            "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><calls total=\"1\"><call id=\"&e;\"/></calls>",
        ] {
            try check(Data(body.utf8))
        }
        // Found by fuzzing: a name that is not UTF-8 made FoundationXML trap.
        try check(Data(#"<callLegs total="1"><callLeg id="l1"><iremo"#.utf8) + Data([0xF4]) + Data("eParty/>".utf8))
    }
}
