import HNTTCore
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTPoly

func reply(
    _ text: String, _ expectation: PolyReplyDecoder.Expectation, sent: String, echoes: Bool = false,
    chunk: Int = 0
) throws -> PolyReply? {
    try feed(PolyReplyDecoder(expectation, sentCommand: sent, deviceEchoes: echoes), text, chunk: chunk)
}

@Suite("Poly lines and events (docs/protocols/poly-and-others.md)")
struct PolyLineTests {
    @Test("asynchronous lines are events, with their call ids and states")
    func events() {
        #expect(
            PolyLine.parse(
                "notification:callstatus:outgoing:45:Polycom Austin:192.168.1.101:connecting:384:0:videocall")
                == .event(.callStatus(id: "45", number: "192.168.1.101", status: "connecting", cause: "0")))
        #expect(
            PolyLine.parse("notification:callstatus:outgoing:41:::opened::0:videocall")
                == .event(.callStatus(id: "41", number: "", status: "opened", cause: "0")))
        #expect(
            PolyLine.parse("cs: call[44] chan[0] dialstr[192.168.1.101] state[RINGING]")
                == .event(.callState(id: "44", state: "ringing")))
        #expect(PolyLine.parse("cs: call[0] inactive") == .event(.callState(id: "0", state: "inactive")))
        #expect(PolyLine.parse("active: call[44] speed[384]") == .event(.active(id: "44")))
        #expect(PolyLine.parse("cleared: call[42]") == .event(.ended(id: "42")))
        #expect(PolyLine.parse("notification:mutestatus:near:near:near:near:muted") == .event(.nearMute(true)))
        #expect(
            PolyLine.parse("notification:mutestatus:far:5:Rostov:10.1.0.84:notmuted")
                == .event(.other("notification:mutestatus:far:5:Rostov:10.1.0.84:notmuted")))
        #expect(PolyLine.parse("listen going to sleep") == .event(.asleep(true)))
        #expect(PolyLine.parse("control event: vcbutton play") == .event(.other("control event: vcbutton play")))
    }

    @Test("the prompt is dropped, errors and infos are recognised in both spellings")
    func promptsErrorsInfos() {
        #expect(PolyLine.parse("->") == nil)
        #expect(PolyLine.parse("-> ") == nil)
        #expect(PolyLine.parse("-> mute near on") == .text("mute near on"))
        #expect(PolyLine.parse("error: command not found") == .error("error: command not found"))
        #expect(PolyLine.parse("error:command not found") == .error("error:command not found"))
        #expect(
            PolyLine.parse("command is not available in current system configuration")
                != .text("command is not available in current system configuration"))
        #expect(
            PolyLine.parse("info: event/notification already active:callstatus")
                == .info("info: event/notification already active:callstatus"))
    }

    @Test("callinfo lines parse from the right, with or without a name (IRM-GS examples)")
    func callInfo() throws {
        let named = try #require(
            PolyCallInfo(
                line: "callinfo:43:Polycom Group Series Demo:192.168.1.101:384:connected:notmuted:outgoing:videocall"))
        #expect(named == PolyCallInfo(line: "callinfo:43:x:192.168.1.101:384:connected:notmuted:outgoing:videocall"))
        #expect(named.id == "43" && named.number == "192.168.1.101" && named.status == "connected")
        let unnamed = try #require(
            PolyCallInfo(line: "callinfo:36:192.168.1.102:256:connected:muted:outgoing:videocall"))
        #expect(unnamed.id == "36" && unnamed.number == "192.168.1.102")
        let real = try #require(
            PolyCallInfo(line: "callinfo:3:KOP.Lab.HDX9000:67.110.19.31:64:connected:muted:outgoing:videocall"))
        #expect(real.number == "67.110.19.31")
    }
}

@Suite("Poly replies")
struct PolyReplyDecoderTests {
    @Test("an acknowledgement ending \\r\\r\\n (network) or \\r\\n (serial), after a prompt, split at any byte")
    func acknowledgements() throws {
        for text in ["-> mute near on\r\r\n-> ", "mute near on\r\n-> "] {
            for chunk in [0, 1, 3] {
                let result = try #require(
                    try reply(text, .line { $0 == "mute near on" }, sent: "mute near on", chunk: chunk))
                #expect(result.outcome == .answer(["mute near on"]))
            }
        }
    }

    @Test("HDX: the echo (ending <LF><CR> on serial) is skipped, the acknowledgement answers")
    func hdxEcho() throws {
        let text = "camera near 2\n\rcamera near 2\r\n-> "
        let result = try #require(try reply(text, .line { $0 == "camera near 2" }, sent: "camera near 2", echoes: true))
        #expect(result.outcome == .answer(["camera near 2"]))
        #expect(result.strayText.isEmpty)
        let invalid = try #require(
            try reply("bogus\r\nerror: command not found\r\n", .line { _ in true }, sent: "bogus", echoes: true))
        #expect(invalid.outcome == .error("error: command not found"))
    }

    @Test("a notification in the middle of a callinfo block is an event, not a call")
    func notificationInBlock() throws {
        let text = """
            callinfo begin\r
            callinfo:43:Polycom Group Series Demo:192.168.1.101:384:connected:notmuted:outgoing:videocall\r
            notification:mutestatus:far:5:Rostov:10.1.0.84:notmuted\r
            callinfo:36:192.168.1.102:256:connected:muted:outgoing:videocall\r
            callinfo end\r
            -> 
            """
        let result = try #require(
            try reply(
                text, .block(begin: "callinfo begin", end: "callinfo end") { _ in false },
                sent: "callinfo all", chunk: 2))
        guard case .answer(let lines) = result.outcome else {
            Issue.record("no answer")
            return
        }
        #expect(lines.compactMap(PolyCallInfo.init(line:)).map(\.id) == ["43", "36"])
        #expect(result.events == [.other("notification:mutestatus:far:5:Rostov:10.1.0.84:notmuted")])
    }

    @Test("idle answers and refusals end a reply: not in a call, already active, error, info")
    func endings() throws {
        let idle = try #require(
            try reply(
                "system is not in a call\r\n",
                .block(begin: "callinfo begin", end: "callinfo end") {
                    $0 == "system is not in a call"
                }, sent: "callinfo all"))
        #expect(idle.outcome == .answer(["system is not in a call"]))
        let again = try #require(
            try reply(
                "info: event/notification already active:callstatus\r\n",
                .line { $0.contains("already active") }, sent: "notify callstatus"))
        #expect(again.outcome == .answer(["info: event/notification already active:callstatus"]))
        let oldHDX = try #require(
            try reply(
                "event/notification already active:callstatus\r\n",
                .line { $0.contains("already active") }, sent: "notify callstatus"))
        #expect(oldHDX.outcome == .answer(["event/notification already active:callstatus"]))
        let sip = try #require(
            try reply("info: IP line (SIP) not enabled.\r\n", .line { $0.hasPrefix("dialing") }, sent: "dial"))
        #expect(sip.outcome == .info("info: IP line (SIP) not enabled."))
    }

    @Test("getcallstate has no end marker: its lines are collected until the deadline")
    func untilQuiet() throws {
        var decoder = PolyReplyDecoder(.untilQuiet, sentCommand: "getcallstate", deviceEchoes: false)
        var buffer = Array(
            "cs: call[34] speed[384] dialstr[192.168.1.101] state[connected]\r\ncs: call[1] inactive\r\n".utf8)
        #expect(try decoder.decode(&buffer) == nil)
        let atDeadline = decoder.decodeAtDeadline(&buffer)
        let result = try #require(atDeadline)
        #expect(result.events == [.callState(id: "34", state: "connected"), .callState(id: "1", state: "inactive")])
    }

    @Test("call progress: the new call's id, connected or ended, ignoring calls that existed before")
    func callProgress() throws {
        let connected =
            "cs: call[44] chan[0] dialstr[192.168.1.101] state[ALLOCATED]\r\ncs: call[44] chan[0] dialstr[192.168.1.101] state[RINGING]\r\ncs: call[44] chan[0] dialstr[192.168.1.101] state[COMPLETE]\r\n"
        let done = try #require(try feed(PolyCallProgressDecoder(startingWith: [], ignoring: []), connected))
        #expect(done.callID == "44" && done.connected && !done.ended)

        let busy =
            "notification:callstatus:outgoing:45:null 1::opened::0:videocall\r\nnotification:callstatus:outgoing:45:Far:84999999:disconnected:384:17:videocall\r\n"
        let ended = try #require(try feed(PolyCallProgressDecoder(startingWith: [], ignoring: []), busy))
        #expect(ended.callID == "45" && ended.ended && ended.cause == "17")

        let late = PolyCallProgressDecoder(
            startingWith: [.active(id: "41"), .callStatus(id: "41", number: "1", status: "connected", cause: "0")],
            ignoring: ["41"])
        #expect(late.settled == nil)
        #expect(PolyLegacyDriver.describe(cause: "17") == ": user busy (cause 17)")
    }

    @Test("a login prompt without a line end, split across reads, is recognised (ICD: no CRLF after prompts)")
    func splitPrompt() throws {
        let grammar = LoginGrammar(
            usernamePrompts: ["Username:", "User:"], passwordPrompts: ["Password:"],
            failureMarkers: ["-- login failed, retry --"], readyPrompts: ["->"],
            isReadyLine: PolySessionSetUp.grammarReadyLine)
        for chunk in [1, 2, 4] {
            #expect(try feed(LoginDecoder(grammar: grammar), "Pass" + "word: ", chunk: chunk)?.step == .passwordPrompt)
            #expect(
                try feed(LoginDecoder(grammar: grammar), "\r\n-- login failed, retry --\r\nPassword: ", chunk: chunk)?
                    .step
                    == .refused("-- login failed, retry --"))
        }
        let banner =
            "Hi, my name is : UBND\r\r\nModel: RealPresence Group 500\r\r\nSoftware Version: Release 6.2.2.1-600008\r\r\nSNMP Enabled: True\r\r\n-> "
        let ready = try #require(try feed(LoginDecoder(grammar: grammar), banner, chunk: 3))
        #expect(ready.step == .ready)
        let info = PolySessionSetUp.info(fromBanner: ready.lines)
        #expect(
            info.systemName == "UBND" && info.model == "RealPresence Group 500" && info.software == "6.2.2.1-600008")
        #expect(try feed(LoginDecoder(grammar: grammar), "Hi, my name is : X\r\n-> ")?.step == .ready)
    }
}
