import HNTTCore
import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTCisco

/// The Cisco login dialogue: prompts and failure from the profile, ready at a line `OK`.
func ciscoGrammar(serialConsole: Bool = false) -> LoginGrammar {
    LoginGrammar(
        usernamePrompts: ["login:"], passwordPrompts: ["Password:"], failureMarkers: ["Login incorrect"],
        isReadyLine: CiscoSessionSetUp.readyLine(serialConsole: serialConsole))
}

func decodeBanner(_ text: String, chunk: Int = 0, serialConsole: Bool = false) throws -> LoginDecoder.Frame? {
    try feed(LoginDecoder(grammar: ciscoGrammar(serialConsole: serialConsole)), text, chunk: chunk)
}

/// The banners of docs/protocols/cisco-xapi.md §1.4, and the generation each one announces.
let banners: [(text: String, generation: CiscoGeneration)] = [
    (
        "Welcome to mmyrseth-sx20\r\nCisco Codec Release ce8.1.0 PreAlpha1 (TEST SW, ce-8.0.0-alpha3-7128-g16c75fd)\r\nSW Release Date: 2015-08-10 18:28:24, matchbox\r\n*r Login successful\r\n\r\nOK\r\n",
        .ce
    ),
    (
        "Welcome to XXXX_Room\r\nCisco Codec Release ce 9.2.2 3a892a1 2017-11-30\r\nSW Release Date: 2017-11-30\r\n*r Login successful\r\n\r\nOK\r\n\r\nLast login from 10.228.101.226 at 2017-12-01 13:14:47\r\n",
        .ce
    ),
    (
        "Welcome to\r\nCisco Codec Release Spark Room OS 2017-10-31 192c369\r\nSW Release Date: 2017-10-31\r\n*r Login successful\r\n\r\nOK\r\n",
        .roomos
    ),
    (
        "Welcome to NYC Cisco\r\nCisco Codec Release RoomOS 11.23.1.8 3963b07b5c5\r\nSW Release Date: 2024-12-12\r\n*r Login successful\r\nOK\r\n\r\nLast login from <unknown> at 2025-03-12 11:27:11\r\n",
        .roomos
    ),
    (
        "Welcome to XXXXXX\r\nCisco Codec Release TC7.3.3.c84180a\r\nSW Release Date: 2015-06-12\r\n*r Login successful\r\n\r\nOK\r\n",
        .tc
    ),
]

@Suite("Cisco login banners")
struct XAPIBannerTests {
    @Test("every banner variant ends at its OK line, whole or split at every byte", arguments: banners.indices)
    func bannerReady(index: Int) throws {
        for chunk in [0, 1, 5] {
            let banner = try #require(try decodeBanner(banners[index].text, chunk: chunk))
            #expect(banner.step == .ready)
            let release = try #require(CiscoSessionSetUp.release(fromBanner: banner.lines))
            #expect(CiscoGeneration.detect(release) == banners[index].generation)
        }
    }

    @Test("telnet prompts without a line end are recognised, including a split `login:`")
    func prompts() throws {
        let telnet = "\r\nLinux 3.4.86-100 (localhost) (1)\r\n\r\nlogin: "
        #expect(try decodeBanner(telnet)?.step == .usernamePrompt)
        #expect(try decodeBanner(telnet, chunk: 1)?.step == .usernamePrompt)
        #expect(try decodeBanner("Password: ")?.step == .passwordPrompt)
        #expect(try decodeBanner("\r\nLogin incorrect\r\n\r\nlogin: ")?.step == .refused("Login incorrect"))
    }

    @Test("a serial session without login is ready at its first status record")
    func serialWithoutLogin() throws {
        #expect(try decodeBanner("*s SystemUnit State System: Initialized\r\n", serialConsole: true)?.step == .ready)
        #expect(try decodeBanner("*s SystemUnit State System: Initialized\r\n", serialConsole: false) == nil)
    }
}

@Suite("xAPI values")
struct XAPICommandTests {
    @Test(
        "values that could inject a second command are refused",
        arguments: [
            "84\"; xCommand SystemUnit FactoryReset", "84\r\nxCommand SystemUnit Boot", "84\nx", "84 | resultId=\"x\"",
            "a\\\"", "bell\u{07}", "del\u{7F}", "c1\u{85}", String(repeating: "9", count: 256),
        ])
    func injectionRefused(value: String) {
        #expect(throws: (any Error).self) { try XAPICommands.quoted(value, field: "the value") }
        #expect(throws: (any Error).self) { try XAPICommands.dialNumber(value) }
    }

    @Test("ordinary values pass, Vietnamese included")
    func ordinaryValues() throws {
        #expect(try XAPICommands.quoted("Phòng họp UBND huyện", field: "name") == "\"Phòng họp UBND huyện\"")
        #expect(try XAPICommands.dialNumber("chair@tinh.gov.vn") == "\"chair@tinh.gov.vn\"")
        #expect(try XAPICommands.dialNumber("84123456") == "\"84123456\"")
        #expect(try XAPICommands.configurationPath("Network 1 IPv4 Address") == ["Network", "1", "IPv4", "Address"])
        #expect(throws: (any Error).self) { try XAPICommands.configurationPath("SIP DisplayName: \"x\"") }
    }
}
