import Crypto
import Foundation
import HNTTCMS
import HNTTCisco
import HNTTCore
import HNTTGovernance
import HNTTPoly
import HNTTProcedures
import HNTTTransport
import HNTTVISCA

/// A parser of outside input, driven by arbitrary bytes. The only failure is a crash (or a sanitizer
/// report): every input must end in a value or a thrown error. libFuzzer drives these in
/// `scripts/fuzz`; the tests replay the committed corpus and every past crash through the same code.
public struct FuzzTarget: Sendable {
    public let name: String
    public let run: @Sendable ([UInt8]) -> Void

    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "cisco-xapi", run: ciscoXAPI),
        FuzzTarget(name: "poly-reply", run: polyReply),
        FuzzTarget(name: "poly-lines", run: polyLines),
        FuzzTarget(name: "visca", run: visca),
        FuzzTarget(name: "telnet", run: telnet),
        FuzzTarget(name: "inventory-yaml", run: inventoryYAML),
        FuzzTarget(name: "profile-yaml", run: profileYAML),
        FuzzTarget(name: "procedure-yaml", run: procedureYAML),
        FuzzTarget(name: "baseline", run: baseline),
        FuzzTarget(name: "change-order", run: changeOrder),
        FuzzTarget(name: "cms-xml", run: cmsXML),
        FuzzTarget(name: "rmx-xml", run: rmxXML),
    ]

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// Feeds `stream` to `decoder` in chunks of 1…16 bytes (the first byte chooses), then ends it at the
/// deadline, as a transport would.
func feed<D: StreamDecoder>(_ decoder: inout D, _ stream: ArraySlice<UInt8>, chunkByte: UInt8) {
    let chunk = Int(chunkByte % 16) + 1
    var buffer: [UInt8] = []
    var index = stream.startIndex
    do {
        while index < stream.endIndex {
            let end = min(index + chunk, stream.endIndex)
            buffer.append(contentsOf: stream[index..<end])
            index = end
            if try decoder.decode(&buffer) != nil { return }
        }
        _ = decoder.decodeAtDeadline(&buffer)
    } catch {}
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Sendable func ciscoXAPI(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let requests: [XAPIReplyDecoder.Request] = [
        .status(prefix: ["Call"]), .configuration(prefix: []), .configuration(prefix: ["SIP"]), .command, .plain,
        .trailingResult,
    ]
    var decoder = XAPIReplyDecoder(request: requests[Int(selector) % requests.count], sentCommand: "xStatus Call")
    feed(&decoder, bytes.dropFirst(), chunkByte: selector >> 3)
    for line in text(Array(bytes.dropFirst())).split(separator: "\n").prefix(64) { _ = XAPIRecord.parse(String(line)) }
}

@Sendable func polyReply(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let expectations: [PolyReplyDecoder.Expectation] = [
        .line { $0.hasPrefix("mute near") },
        .block(begin: "callinfo begin", end: "callinfo end") { $0.contains("not in a call") },
        .linesThrough { $0.hasPrefix("SNMP Enabled") }, .untilQuiet,
    ]
    let echoes: [PolyEcho] = [.absent, .expected, .detect]
    let commands = ["mute near get", "callinfo all", "whoami", "getcallstate", "dial manual 1 1234"]
    var decoder = PolyReplyDecoder(
        expectations[Int(selector) % expectations.count], sentCommand: commands[Int(selector >> 2) % commands.count],
        echo: echoes[Int(selector >> 5) % echoes.count])
    feed(&decoder, bytes.dropFirst(), chunkByte: selector)
    var progress = PolyCallProgressDecoder(startingWith: [], ignoring: ["1"])
    feed(&progress, bytes.dropFirst(), chunkByte: selector >> 4)
}

@Sendable func polyLines(_ bytes: [UInt8]) {
    let lines = text(bytes).split(whereSeparator: { $0 == "\n" || $0 == "\r" }).prefix(256).map(String.init)
    for line in lines {
        _ = PolyLine.parse(line)
        _ = PolyLine.withoutPrompt(line)
        _ = PolyCallInfo(line: line)
    }
    let statistics = PolyMediaStatistics(lines: lines)
    _ = statistics.number("tapl")
    _ = PolyMediaStatistics.combined([])
}

@Sendable func visca(_ bytes: [UInt8]) {
    var buffer = bytes
    let framer = VISCAFramer()
    while let packet = framer.takePacket(from: &buffer) {
        _ = VISCAReply.parse(packet)
        _ = VISCACommand.nibbles(packet[...], signed: true)
    }
    if let parsed = VISCAOverIP.parse(bytes) { _ = VISCAReply.parse(parsed.payload) }
}

@Sendable func telnet(_ bytes: [UInt8]) {
    var codec = TelnetCodec()
    var index = 0
    let chunk = Int((bytes.first ?? 0) % 8) + 1
    while index < bytes.count {
        let end = min(index + chunk, bytes.count)
        _ = codec.decode(Array(bytes[index..<end]))
        index = end
    }
    _ = TelnetCodec.encode(bytes)
}

/// The repository's device profiles, which a fuzzed inventory refers to.
let profiles = ProfileCatalog(
    directory: ProcessInfo.processInfo.environment["HNTT_PROFILES"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("device-profiles").path)

@Sendable func inventoryYAML(_ bytes: [UInt8]) {
    guard let file = try? YAMLFile(text: text(bytes), name: "fuzz.yaml") else { return }
    _ = try? Inventory.load(file, profiles: profiles)
}

@Sendable func profileYAML(_ bytes: [UInt8]) {
    guard let file = try? YAMLFile(text: text(bytes), name: "fuzz.yaml") else { return }
    _ = try? DeviceProfile.load(file)
}

@Sendable func procedureYAML(_ bytes: [UInt8]) {
    guard let file = try? YAMLFile(text: text(bytes), name: "fuzz.yaml") else { return }
    _ = try? Procedure.load(file)
}

/// The fixed approval key of the fuzz corpus: its signed seeds verify, so mutations reach deep.
public var fuzzApprovalKey: Curve25519.Signing.PrivateKey {
    try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 7, count: 32))
}
let fuzzTrust = [
    TrustedKey(
        name: "fuzz", publicKey: fuzzApprovalKey.publicKey.rawRepresentation.base64EncodedString(), addedAt: "")
]

@Sendable func baseline(_ bytes: [UInt8]) {
    guard let document = try? BaselineDocument.load(text: text(bytes), name: "fuzz.yaml") else { return }
    _ = try? document.verify(trusting: fuzzTrust)
    _ = document.yaml()
}

@Sendable func changeOrder(_ bytes: [UInt8]) {
    guard let order = try? ChangeOrder.load(text: text(bytes), name: "fuzz.yaml") else { return }
    _ = try? order.verify(trusting: fuzzTrust)
    _ = order.yaml()
}

/// A Cisco Meeting Server reply (the first byte chooses which document it is read as).
@Sendable func cmsXML(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let data = Data(bytes.dropFirst())
    switch selector % 5 {
    case 0: _ = try? CMSReplies.calls(data)
    case 1: _ = try? CMSReplies.legs(data)
    case 2: _ = try? CMSReplies.legDetail(data)
    case 3: _ = CMSReplies.failure(data)
    default: _ = try? CMSReplies.call(data)
    }
}

/// An RMX reply: its status, then what each transaction reads from it.
@Sendable func rmxXML(_ bytes: [UInt8]) {
    guard let (root, _) = try? RMXReplies.status(Data(bytes)) else { return }
    _ = try? RMXReplies.login(root)
    _ = try? RMXReplies.conferences(root)
    _ = try? RMXReplies.parties(root, conference: "96")
    _ = RMXReplies.videoMuted(root, party: "2")
}
