import Testing

@testable import HNTTTransport

@Suite("Telnet framing (RFC 854)")
struct TelnetCodecTests {
    @Test("the codec's opening DOs are refused with WONT, once each")
    func refusesCodecOptions() {
        var codec = TelnetCodec()
        // IAC DO TERMINAL-TYPE, TSPEED, X-DISPLAY-LOCATION, NEW-ENVIRON (a TC7 codec on port 23).
        let opening: [UInt8] = [255, 253, 24, 255, 253, 32, 255, 253, 35, 255, 253, 39]
        let (data, replies) = codec.decode(opening + Array("login: ".utf8))
        #expect(data == Array("login: ".utf8))
        #expect(replies == [255, 252, 24, 255, 252, 32, 255, 252, 35, 255, 252, 39])
        let again = codec.decode([255, 253, 24])
        #expect(again.replies.isEmpty, "a refusal is sent once per option, so two refusing peers cannot loop")
    }

    @Test("WILL is answered DONT; WONT and DONT need no answer")
    func willAndWont() {
        var codec = TelnetCodec()
        #expect(codec.decode([255, 251, 1, 255, 251, 3]).replies == [255, 254, 1, 255, 254, 3])
        #expect(codec.decode([255, 252, 1, 255, 254, 3]).replies.isEmpty)
    }

    @Test("IAC IAC is a data byte 255; subnegotiations and commands carry no data")
    func escapesAndSubnegotiation() {
        var codec = TelnetCodec()
        let input: [UInt8] = [65, 255, 255, 66, 255, 250, 24, 1, 255, 240, 67, 255, 241, 68]
        #expect(codec.decode(input).data == [65, 255, 66, 67, 68])
    }

    @Test("a sequence split at every byte decodes the same")
    func splitAnywhere() {
        let input: [UInt8] =
            [255, 253, 24] + Array("Pass".utf8) + [255, 255] + [255, 250, 31, 0, 80, 255, 240] + Array("word:".utf8)
        var whole = TelnetCodec()
        let expected = whole.decode(input)
        var split = TelnetCodec()
        var data: [UInt8] = []
        var replies: [UInt8] = []
        for byte in input {
            let part = split.decode([byte])
            data += part.data
            replies += part.replies
        }
        #expect(data == expected.data)
        #expect(replies == expected.replies)
        #expect(data == Array("Pass".utf8) + [255] + Array("word:".utf8))
    }

    @Test("CR NUL is a bare CR; outgoing 255 is doubled")
    func crNulAndEncoding() {
        var codec = TelnetCodec()
        #expect(codec.decode([65, 13, 0, 66]).data == [65, 13, 66])
        #expect(TelnetCodec.encode([1, 255, 2]) == [1, 255, 255, 2])
    }
}
