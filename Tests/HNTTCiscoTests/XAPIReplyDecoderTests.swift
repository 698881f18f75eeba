import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTCisco

func decodeReply(
    _ transcript: String, _ request: XAPIReplyDecoder.Request, sent: String = "",
    chunk: Int = 0
) throws -> XAPIReply? {
    try feed(XAPIReplyDecoder(request: request, sentCommand: sent), transcript, chunk: chunk)
}

/// Transcripts from docs/protocols/cisco-xapi.md, with the request they answer.
let transcripts: [(name: String, text: String, request: XAPIReplyDecoder.Request)] = [
    ("echo off with an xterm escape (ACA/PlaceOS)", "\u{1B}[?1034h\r\nOK\r\n", .plain),
    (
        "TC7 dial: OK before the *r block, unprefixed lines",
        "OK\r\n*r DialResult (status=OK):\r\nCallId: 2\r\nConferenceId: 1\r\n** end\r\n", .command
    ),
    (
        "CE dial: prefixed lines, OK after",
        "*r DialResult (status=OK):\r\n*r DialResult CallId: 2\r\n*r DialResult ConferenceId: 1\r\n** end\r\n\r\nOK\r\n",
        .command
    ),
    (
        "TC5 dial with *r/end", "*r DialResult (status=OK):\r\nCallId: 2\r\nConferenceId: 1\r\n*r/end\r\nOK\r\n",
        .command
    ),
]

@Suite("xAPI terminal-mode replies")
struct XAPIReplyDecoderTests {
    @Test(
        "every transcript decodes the same whether it arrives whole or one byte at a time",
        arguments: transcripts.indices)
    func splitAtAnyByte(index: Int) throws {
        let (_, text, request) = transcripts[index]
        let whole = try #require(try decodeReply(text, request))
        for chunk in [1, 2, 3, 7] {
            let pieces = try #require(try decodeReply(text, request, chunk: chunk))
            #expect(pieces.terminal == whole.terminal)
            #expect(pieces.result == whole.result)
        }
    }

    @Test("the dial result gives the call id in all three layouts", arguments: 1...3)
    func dialCallID(index: Int) throws {
        let reply = try #require(try decodeReply(transcripts[index].text, .command))
        #expect(reply.terminal == .ok)
        #expect(reply.result?.name == "DialResult")
        #expect(reply.result?.field("CallId") == "2")
        #expect(reply.result?.field("ConferenceId") == "1")
    }

    @Test("a TC command waits for its *r block after an early OK")
    func earlyOKWaitsForResult() throws {
        #expect(try decodeReply("OK\r\n", .command) == nil)
        #expect(try decodeReply("OK\r\n*r DialResult (status=OK):\r\nCallId: 2\r\n", .command) == nil)
    }

    @Test("echo off reply with an ANSI escape is OK")
    func echoOffWithEscape() throws {
        let reply = try #require(try decodeReply(transcripts[0].text, .plain))
        #expect(reply.terminal == .ok)
    }

    @Test("an error result carries the codec's reason (SX20 TC7.0 guide)")
    func errorReason() throws {
        let text =
            "*r FarendMessageResult (status=Error):\r\nReason: Generic Message mode not enabled\r\n** end\r\n\r\nERROR\r\n"
        let reply = try #require(try decodeReply(text, .command))
        #expect(reply.terminal == .error)
        #expect(reply.result?.succeeded == false)
        #expect(reply.result?.field("Reason") == "Generic Message mode not enabled")
    }

    @Test("ERROR before any result block ends the reply and flags a trailing block")
    func errorFirst() throws {
        let reply = try #require(try decodeReply("ERROR\r\n", .command))
        #expect(reply.terminal == .error)
        #expect(reply.resultMayFollow)
    }

    @Test(
        "Command not recognized. ends any request",
        arguments: [
            XAPIReplyDecoder.Request.command, .status(prefix: ["Standby"]), .plain,
        ])
    func notRecognized(request: XAPIReplyDecoder.Request) throws {
        let reply = try #require(try decodeReply("Command not recognized.\r\n", request))
        #expect(reply.terminal == .notRecognized)
    }

    @Test("feedback interleaved with a status reply is kept apart from the answer")
    func interleavedFeedback() throws {
        let text = """
            *e Audio MicrophonesMuteStatus Mute: "On"\r
            ** end\r
            *s Standby State: Off\r
            *s Audio Microphones Mute: On\r
            ** end\r
            \r
            OK\r

            """
        let reply = try #require(try decodeReply(text, .status(prefix: ["Standby"])))
        #expect(reply.records == [.status(path: ["Standby", "State"], value: "Off", ghost: false)])
        #expect(reply.feedback.contains(.status(path: ["Audio", "Microphones", "Mute"], value: "On", ghost: false)))
        #expect(reply.feedback.contains(.event("Audio MicrophonesMuteStatus Mute: \"On\"")))
    }

    @Test("status feedback between an early OK and the *r block does not end the command")
    func feedbackInsideCommand() throws {
        let text =
            "OK\r\n*s Call 204 Status: Dialling\r\n** end\r\n*r DialResult (status=OK):\r\nCallId: 204\r\n** end\r\n"
        let reply = try #require(try decodeReply(text, .command))
        #expect(reply.result?.field("CallId") == "204")
        #expect(reply.feedback == [.status(path: ["Call", "204", "Status"], value: "Dialling", ghost: false)])
    }

    @Test("ghost items are recognised (AV-Coders fixture)")
    func ghost() throws {
        let text = "*s Call 203 (ghost=True):\r\n*s Call 204 Status: Connected\r\n** end\r\nOK\r\n"
        let reply = try #require(try decodeReply(text, .status(prefix: ["Call"])))
        #expect(
            reply.records == [
                .status(path: ["Call", "203"], value: nil, ghost: true),
                .status(path: ["Call", "204", "Status"], value: "Connected", ghost: false),
            ])
    }

    @Test("configuration lines lose the xConfiguration word and their quotes; `**end` is accepted")
    func configurationDump() throws {
        let text = """
            *c xConfiguration Audio DefaultVolume: 50\r
            *c xConfiguration H323 Profile 1 H323Alias ID: "changed@company.com"\r
            *c xConfiguration SIP DisplayName: "Phòng \\"A\\""\r
            **end\r
            \r
            OK\r

            """
        let reply = try #require(try decodeReply(text, .configuration(prefix: [])))
        #expect(
            reply.records == [
                .configuration(path: ["Audio", "DefaultVolume"], value: "50"),
                .configuration(path: ["H323", "Profile", "1", "H323Alias", "ID"], value: "changed@company.com"),
                .configuration(path: ["SIP", "DisplayName"], value: "Phòng \"A\""),
            ])
    }

    @Test("lines ending in \\r\\r\\n (a PTY on the path) parse like \\r\\n")
    func doubledCarriageReturn() throws {
        let reply = try #require(
            try decodeReply("*s Standby State: Standby\r\r\n** end\r\r\nOK\r\r\n", .status(prefix: ["Standby"])))
        #expect(reply.records == [.status(path: ["Standby", "State"], value: "Standby", ghost: false)])
    }

    @Test("an echoed command is not taken as output")
    func echoedCommand() throws {
        let reply = try #require(
            try decodeReply(
                "xStatus Standby\r\n*s Standby State: Off\r\n** end\r\nOK\r\n",
                .status(prefix: ["Standby"]), sent: "xStatus Standby"))
        #expect(reply.strayText.isEmpty)
        #expect(reply.records.count == 1)
    }

    @Test("a login prompt in the middle of a reply is reported (serial reboot)")
    func loginPrompt() throws {
        let reply = try #require(try decodeReply("\r\nLinux 3.4.86-100 (localhost) (1)\r\n\r\nlogin: ", .command))
        #expect(reply.terminal == .loginPrompt)
    }

    @Test("garbage never crashes the decoder and a line without end is refused")
    func garbage() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 1...400, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            var decoder = XAPIReplyDecoder(request: .command)
            var buffer = bytes
            _ = try? decoder.decode(&buffer)
            _ = decoder.decodeAtDeadline(&buffer)
        }
        var decoder = XAPIReplyDecoder(request: .command)
        var endless = [UInt8](repeating: 65, count: TextLineSplitter.maximumLineBytes + 1)
        #expect(throws: FramingError.self) { try decoder.decode(&endless) }
    }

    @Test("at the deadline the decoder reports what it saw instead")
    func deadlineReportsStrayText() throws {
        var decoder = XAPIReplyDecoder(request: .command)
        var buffer = Array("%%garbage%%\r\nmore".utf8)
        #expect(try decoder.decode(&buffer) == nil)
        let atDeadline = decoder.decodeAtDeadline(&buffer)
        let reply = try #require(atDeadline)
        #expect(reply.terminal == .incomplete)
        #expect(reply.strayText == ["%%garbage%%", "more"])
    }

    @Test("RoomOS 11.23 capture: an echoed registration, then feedback blocks (PepperDash record)")
    func roomOSFeedbackCapture() throws {
        let text = "xFeedback Register Event\r\n** end\r\n\r\nOK\r\n"
        let reply = try #require(try decodeReply(text, .plain, sent: "xFeedback Register Event"))
        #expect(reply.terminal == .ok)
        #expect(reply.strayText.isEmpty)
        let status = """
            *s SystemUnit State NumberOfActiveCalls: 1\r
            *s SystemUnit State System: InCall\r
            ** end\r
            *e Audio MicrophonesMuteStatus Mute: "On"\r
            ** end\r
            *s Audio Microphones Mute: On\r
            ** end\r
            *s Audio Input Connectors Ethernet 1 Mute: On\r
            ** end\r
            OK\r

            """
        let mute = try #require(try decodeReply(status, .status(prefix: ["Audio", "Microphones", "Mute"])))
        #expect(mute.records == [.status(path: ["Audio", "Microphones", "Mute"], value: "On", ghost: false)])
        #expect(mute.feedback.count == 4)
    }

    @Test("Cisco lab transcript: xpref outputmode terminal, then a status query (LAB-1451)")
    func labTranscript() throws {
        #expect(try decodeReply("\r\nOK\r\n", .plain, sent: "xpref outputmode terminal")?.terminal == .ok)
        let reply = try #require(
            try decodeReply("*s Audio Volume: 50\r\n** end\r\n\r\nOK\r\n", .status(prefix: ["Audio", "Volume"])))
        #expect(reply.records == [.status(path: ["Audio", "Volume"], value: "50", ghost: false)])
    }

    @Test("xFeedback list prints bare paths before ** end (C20 TC7.0 guide)")
    func feedbackList() throws {
        let text = "/Configuration/Video/MainVideoSource\r\n/Event/CallDisconnect\r\n/Status/Audio\r\n** end\r\nOK\r\n"
        let reply = try #require(try decodeReply(text, .plain))
        #expect(reply.terminal == .ok)
        #expect(reply.strayText.count == 3)
    }

    @Test("a configuration read without a blank line before OK (roomos.cisco.com USB control doc)")
    func usbControlDoc() throws {
        let text = "*c xConfiguration Peripherals InputDevice Mode: On\r\n** end\r\nOK\r\n"
        let reply = try #require(try decodeReply(text, .configuration(prefix: ["Peripherals", "InputDevice", "Mode"])))
        #expect(reply.records == [.configuration(path: ["Peripherals", "InputDevice", "Mode"], value: "On")])
    }

    @Test("whatever follows a reply stays in the buffer for the next one")
    func trailingBytesKept() throws {
        var decoder = XAPIReplyDecoder(request: .command)
        var buffer = Array(
            "ERROR\r\n*r PresetActivateResult (status=Error):\r\nReason: Preset 9 not found\r\n** end\r\n".utf8)
        let first = try #require(try decoder.decode(&buffer))
        #expect(first.terminal == .error)
        #expect(first.resultMayFollow)
        var trailing = XAPIReplyDecoder(request: .trailingResult)
        let rest = try #require(try trailing.decode(&buffer))
        #expect(rest.result?.field("Reason") == "Preset 9 not found")
        #expect(buffer.isEmpty)
    }
}
