import HNTTCore
import HNTTTestSupport
import Testing

@testable import HNTTPoly

private func answer(
    _ text: String, _ expectation: PolyReplyDecoder.Expectation, sent: String, echo: PolyEcho,
    chunk: Int = 0
) throws -> PolyReply? {
    try feed(PolyReplyDecoder(expectation, sentCommand: sent, echo: echo), text, chunk: chunk)
}

private let muteState: PolyReplyDecoder.Expectation = .line {
    ["mute near on", "mute near off"].contains($0.lowercased())
}

@Suite("Poly echo: the line just sent is never taken for its answer (docs/protocols/poly-and-others.md §2.3a, §1.4)")
struct PolyEchoTests {
    @Test("the notes' LAN transcript, echoed, split at every byte: the reply is the codec's state")
    func lanTranscript() throws {
        let text = "mute near get\r\r\nmute near on\r\r\n-> "
        for chunk in [0, 1, 2, 5] {
            let reply = try #require(try answer(text, muteState, sent: "mute near get", echo: .expected, chunk: chunk))
            #expect(reply.outcome == .answer(["mute near on"]))
            #expect(reply.echoed)
        }
    }

    @Test("a loose prefix matcher still cannot take a query's echo, even when no echo was expected")
    func queryEchoNeverAnswers() throws {
        let loose: PolyReplyDecoder.Expectation = .line { $0.lowercased().hasPrefix("mute near ") }
        let reply = try #require(
            try answer("mute near get\r\r\nmute near on\r\r\n", loose, sent: "mute near get", echo: .absent))
        #expect(reply.outcome == .answer(["mute near on"]))
        let setting: PolyReplyDecoder.Expectation = .line { $0.lowercased().hasPrefix("autoanswer ") }
        let legacy = try #require(
            try answer("autoanswer get\r\r\nautoanswer no\r\r\n-> ", setting, sent: "autoanswer get", echo: .absent))
        #expect(legacy.outcome == .answer(["autoanswer no"]))
    }

    @Test("a command answered by its own text: echoed twice on LAN, once on serial")
    func ackEqualsCommand() throws {
        let wake: PolyReplyDecoder.Expectation = .line { $0 == "wake" }
        let lan = try #require(try answer("wake\r\r\nwake\r\r\n-> ", wake, sent: "wake", echo: .expected, chunk: 1))
        #expect(lan.outcome == .answer(["wake"]) && lan.echoed)
        let serial = try #require(try answer("wake\r\n-> ", wake, sent: "wake", echo: .absent))
        #expect(serial.outcome == .answer(["wake"]) && !serial.echoed)
        // Echo expected but only the echo arrived so far: not answered yet.
        #expect(try answer("wake\r\r\n", wake, sent: "wake", echo: .expected) == nil)
    }

    @Test("lines left over from before the echo are not the answer; events among them still count")
    func staleLinesBeforeTheEcho() throws {
        let text = "mute near off\r\r\nlisten going to sleep\r\r\n-> mute near get\r\r\nmute near on\r\r\n-> "
        let reply = try #require(try answer(text, muteState, sent: "mute near get", echo: .expected, chunk: 3))
        #expect(reply.outcome == .answer(["mute near on"]))
        #expect(reply.events == [.asleep(true)])
    }

    @Test("an echo that would parse as an event (`listen sleep`) is still the echo")
    func echoLookingLikeAnEvent() throws {
        let ack: PolyReplyDecoder.Expectation = .line {
            $0.contains("already active") || $0 == "listen sleep registered"
        }
        let text = "listen sleep\r\r\ninfo: event/notification already active:sleep\r\r\n-> "
        let reply = try #require(try answer(text, ack, sent: "listen sleep", echo: .expected))
        #expect(reply.outcome == .answer(["info: event/notification already active:sleep"]))
        #expect(reply.events.isEmpty)
    }

    @Test("set-up detects the echo from a registration's reply, and its absence")
    func detection() throws {
        let ack: PolyReplyDecoder.Expectation = .line { $0 == "notify callstatus success" }
        let lan = try #require(
            try answer(
                "notify callstatus\r\r\nnotify callstatus success\r\r\n", ack, sent: "notify callstatus",
                echo: .detect, chunk: 4))
        #expect(lan.echoed && lan.outcome == .answer(["notify callstatus success"]))
        let serial = try #require(
            try answer("notify callstatus success\r\n", ack, sent: "notify callstatus", echo: .detect))
        #expect(!serial.echoed && serial.outcome == .answer(["notify callstatus success"]))
    }

    @Test("HDX echoes an invalid command too; the error after it answers")
    func invalidCommandEchoed() throws {
        let reply = try #require(
            try answer(
                "bogus\n\rerror: command not found\r\n-> ", .line { _ in true }, sent: "bogus",
                echo: .expected))
        #expect(reply.outcome == .error("error: command not found"))
    }

    @Test("firmware refusals of a setting are recognised as 'does not have it', a provisioning lock is not")
    func unknownSettingRefusals() {
        #expect(PolyLegacyDriver.isUnknownSetting("error: command has illegal parameters"))
        #expect(PolyLegacyDriver.isUnknownSetting("error: command not found"))
        #expect(PolyLegacyDriver.isUnknownSetting("error: this command is not supported on this model"))
        #expect(PolyLegacyDriver.isUnknownSetting("command is not available in current system configuration"))
        #expect(
            !PolyLegacyDriver.isUnknownSetting(
                "this setting is controlled by a provisioning service and cannot be changed"))
    }
}

@Suite("Poly media statistics: advnetstats and netstats as captured (docs/protocols/poly-and-others.md §2.7a)")
struct PolyMediaStatisticsTests {
    static let advnetstats = [
        "call:0 tar:16 K rar:16 K tvr:48 K rvr:48 K",
        "tvru:42 K rvru:43 K tvfr:29 rvfr:29 vfe:0",
        "tapl:0 rapl:0 taj:3 ms raj:3 ms tvpl:0 rvpl:0",
        "tvj:4 ms rvj:9 ms dc:Disabled rsid:7771040001@vnoc1.com ccaps:---",
    ]
    static let netstats = [
        "call:0 txrate:64 K rxrate:64 K pktloss:0 %pktloss:0.0 %",
        "tvp:H.264 rvp:H.264 tvf:640x368 rvf:SIF tap:G.722.1 rap:G.722.1 tcp:H.323 rcp:H.323",
    ]

    @Test("the captured advnetstats reply: loss counts, the worst receive jitter, the receive rate")
    func capturedAdvnetstats() {
        let statistics = PolyMediaStatistics(lines: PolyMediaStatisticsTests.advnetstats)
        #expect(statistics.fields["rsid"] == "7771040001@vnoc1.com")
        #expect(statistics.number("tar") == 16 && statistics.number("rvj") == 9 && statistics.number("ccaps") == nil)
        let counters = statistics.counters
        #expect(counters.lost == 0 && counters.transmitLost == 0)
        #expect(counters.jitterMs == 9)
        #expect(counters.rateKbps == 64)
        #expect(counters.packets == nil, "the API does not count packets; nothing is invented")
        #expect(counters.lossPercent == nil)
    }

    @Test("the captured netstats reply gives %pktloss, in both spellings, and formats ending in p parse")
    func capturedNetstats() {
        let spaced = PolyMediaStatistics(lines: PolyMediaStatisticsTests.netstats)
        #expect(spaced.number("%pktloss") == 0 && spaced.number("pktloss") == 0)
        #expect(spaced.fields["rvf"] == "SIF" && spaced.fields["rcp"] == "H.323")
        let tight = PolyMediaStatistics(lines: [
            "call:1 txrate:1920 K rxrate:1920 K pktloss:12 %pktloss:2.5%",
            "tvp:H.264 rvp:H.264 tvf:1280x720p rvf:1280x720p tap:G.722.1 rap:G.722.1",
        ])
        #expect(tight.number("%pktloss") == 2.5 && tight.fields["tvf"] == "1280x720p")
        #expect(tight.counters.lossPercent == 2.5)
        #expect(tight.counters.rateKbps == 1920, "rxrate when advnetstats gave no rates")
    }

    @Test("`---` (a SIP call) is not measured, never 0")
    func absentValues() {
        let sip = PolyMediaStatistics(lines: [
            "tapl:--- rapl:--- taj:--- raj:--- tvpl:--- rvpl:---", "tvj:--- rvj:--- ccaps:---",
        ])
        let counters = sip.counters
        #expect(counters.lost == nil && counters.transmitLost == nil && counters.jitterMs == nil)
        #expect(counters.measuresNothing)
    }

    @Test("two calls: counts and rates add up, the worst jitter counts")
    func combined() throws {
        let a = MediaCounters(packets: nil, lost: 3, jitterMs: 9, rateKbps: 448)
        let b = MediaCounters(packets: nil, lost: nil, jitterMs: 20, rateKbps: 512)
        let both = try #require(PolyMediaStatistics.combined([a, b]))
        #expect(both.lost == 3 && both.jitterMs == 20 && both.rateKbps == 960)
        #expect(PolyMediaStatistics.combined([]) == nil)
    }

    @Test(
        "garbage and half lines do not crash the parser",
        arguments: ["", ":", "::::", "call:", "%:%", "x y z", "rapl:abc"])
    func garbage(line: String) {
        let statistics = PolyMediaStatistics(lines: [line])
        #expect(statistics.counters.jitterMs == nil)
    }
}
