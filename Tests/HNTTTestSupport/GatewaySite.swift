import Foundation
import HNTTCore
import HNTTGateway
import HNTTGovernance
import HNTTSimulator
import HNTTTransport

/// A site on disk for the Gateway: a Cisco codec and a Poly codec on telnet, a camera chain on a
/// pty, the repository's profiles with short timeouts, and a temporary data folder.
public final class GatewaySite: @unchecked Sendable {
    public let directory: URL
    public let cisco = CiscoSimulator(CiscoCodecData(flavor: .ce9, users: ["admin": "gw-pass-1"]))
    public let poly = PolySimulator(PolyCodecData(flavor: .group, password: "gw-pass-2"))
    public let cameras = VISCASimulator(VISCACameraData(count: 1))
    /// With `withFlooder`: a device `xa-flood` that sends noise without end and never a login prompt.
    public let flooder: FloodingServer?
    public let gateway: Gateway
    /// With `withBridge`: a Cisco Meeting Server `cms` in a room `tinh`, its certificate pinned in the inventory.
    public private(set) var bridge: CMSBridgeSimulator?
    /// With `withBridge`: a Polycom RMX `rmx` in the same room.
    public private(set) var rmx: RMXBridgeSimulator?

    /// A site set up off the cooperative pool (simulators start and the secret store is written there).
    /// `inventory` lines are added at the end of the inventory (`schedule:`, `alerts:`); `now` is the Gateway's clock.
    public static func make(
        withFlooder: Bool = false, secondRoom: Bool = false, keepingConnections: Bool = false,
        inventory extra: [String] = [], withBridge: Bool = false, now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> GatewaySite {
        let site = try await onOwnThread {
            try GatewaySite(
                withFlooder: withFlooder, secondRoom: secondRoom, keepingConnections: keepingConnections,
                extra: extra, now: now)
        }
        if withBridge { try await site.addBridge() }
        return site
    }

    /// The bridge's conference for the tests: the province's chair, this site's Cisco codec (by its SIP URI,
    /// written as a bridge writes it) and five more sites, so that its legs take three pages of three.
    public static func bridgeState() -> CMSBridgeState {
        var legs = [CMSBridgeState.Leg(id: CMSBridgeState.guid(1, 1), name: "UBND tỉnh", remoteParty: "chair@tinh.vn")]
        var room = CMSBridgeState.Leg(
            id: CMSBridgeState.guid(1, 2), name: "UBND xã", remoteParty: "sip:UBND-Room@thanhhoa.gov.vn;transport=tls")
        room.rxAudioLoss = 1.5
        room.rxAudioJitter = 12
        room.rxVideoLoss = 2.5
        room.roundTripTime = 80
        room.txAudioJitter = nil
        legs.append(room)
        for index in 3...7 {
            legs.append(
                CMSBridgeState.Leg(
                    id: CMSBridgeState.guid(1, index), name: "Điểm cầu \(index)", remoteParty: "site-\(index)@tinh.vn"))
        }
        var state = CMSBridgeState(calls: [
            .init(id: CMSBridgeState.guid(0, 1), name: "Giao ban", coSpace: CMSBridgeState.guid(9, 1), legs: legs)
        ])
        state.username = "api"
        state.password = "cms-pass-7"
        return state
    }

    /// The RMX's conference for the tests: number 96 with the chair and three sites, the third disconnected.
    public static func rmxState() -> RMXBridgeState {
        var state = RMXBridgeState.demo(sites: 3)
        state.conferences[0].parties[3].connected = false
        state.username = "POLYCOM"
        state.password = "rmx-pass-5"
        return state
    }

    private func addBridge() async throws {
        let folder = directory.appendingPathComponent("simulator-state-cms").path
        let rmxFolder = directory.appendingPathComponent("simulator-state-rmx").path
        let (certificate, rmxCertificate) = try await onOwnThread {
            (try SimulatorCertificate.make(in: folder), try SimulatorCertificate.make(in: rmxFolder))
        }
        let bridge = CMSBridgeSimulator(store: SimulatorStore(GatewaySite.bridgeState()), certificate: certificate)
        let port = try await bridge.start()
        self.bridge = bridge
        let rmx = RMXBridgeSimulator(store: SimulatorStore(GatewaySite.rmxState()), certificate: rmxCertificate)
        let rmxPort = try await rmx.start()
        self.rmx = rmx
        let inventory = gateway.inventoryPath
        let secrets = gateway.secrets
        try await onOwnThread {
            let lines = [
                "  - id: tinh", "    name: \"Trung tâm tỉnh\"", "    unit: \"Văn phòng HĐND và UBND xã\"",
                "    devices:",
                "      - {id: cms, profile: cisco-cms, transport: https, host: 127.0.0.1, port: \(port), "
                    + "credential: cms, tls_fingerprint: \"\(certificate.opensslFingerprint)\"}",
                "      - {id: rmx, profile: polycom-rmx, transport: https, host: 127.0.0.1, port: \(rmxPort), "
                    + "credential: rmx, tls_fingerprint: \"\(rmxCertificate.opensslFingerprint)\"}",
            ]
            var text = try String(contentsOfFile: inventory, encoding: .utf8).components(separatedBy: "\n")
            // The room goes at the end of `rooms:`, before the next top-level key.
            let rooms = text.firstIndex(of: "rooms:") ?? 0
            let end = text.indices.first { $0 > rooms && !text[$0].isEmpty && !text[$0].hasPrefix(" ") } ?? text.count
            text.insert(contentsOf: lines, at: end)
            try text.joined(separator: "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
            try secrets.set(name: "cms", username: "api", password: SecretText("cms-pass-7"))
            try secrets.set(name: "rmx", username: "POLYCOM", password: SecretText("rmx-pass-5"))
        }
    }

    /// Stops the simulators off the cooperative pool.
    public func stop() async { _ = try? await onOwnThread { self.stopNow() } }

    private func stopNow() {
        cisco.stop()
        poly.stop()
        cameras.stop()
        flooder?.stop()
        if let bridge { Task { await bridge.stop() } }
        if let rmx { Task { await rmx.stop() } }
        TestFiles.remove(directory)
    }

    /// With `secondRoom`, the Poly codec and the camera are a second room `phuong` of another unit, and
    /// `organizers:` maps "UBND tỉnh" to the first room's unit and "Tỉnh ủy" to the second's.
    private init(
        withFlooder: Bool, secondRoom: Bool, keepingConnections: Bool, extra: [String],
        now: @escaping @Sendable () -> Date
    ) throws {
        flooder = withFlooder ? try FloodingServer() : nil
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hntt-gw-\(UUID().uuidString)")
        let profiles = directory.appendingPathComponent("device-profiles")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let polyPort = try poly.startTelnet()
        let cameraPath = try cameras.startSerial()
        for name in ["cisco-roomos", "poly-group", "sony-visca", "cisco-cms", "polycom-rmx"] {
            let text = try String(
                contentsOf: repository.appendingPathComponent("device-profiles/\(name).yaml"), encoding: .utf8
            )
            .replacingOccurrences(of: "command: 15", with: "command: 3")
            .replacingOccurrences(of: "command: 10 ", with: "command: 3 ")
            try text.write(to: profiles.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let procedures = directory.appendingPathComponent("procedures")
        try FileManager.default.createDirectory(at: procedures, withIntermediateDirectories: true)
        for name in ["power-on", "test-call", "dial", "shutdown"] {
            let text = try String(
                contentsOf: repository.appendingPathComponent("procedures/\(name).yaml"), encoding: .utf8
            )
            .replacingOccurrences(of: "seconds: 10", with: "seconds: 1")
            try text.write(to: procedures.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let inventory = directory.appendingPathComponent("inventory.yaml")
        func telnet(_ id: String, _ profile: String, _ port: UInt16, _ credential: String) -> String {
            "      - {id: \(id), profile: \(profile), transport: telnet, host: 127.0.0.1, port: \(port), credential: \(credential)}"
        }
        let flood = flooder.map { telnet("xa-flood", "cisco-roomos", $0.port, "cisco") }
        let lines: [String?] =
            [
                "site: \"UBND xã Thử\"",
                secondRoom
                    ? "organizers: {\"UBND tỉnh\": \"Văn phòng HĐND và UBND xã\", \"Tỉnh ủy\": \"Văn phòng Đảng ủy phường\"}"
                    : nil,
                "rooms:",
                "  - id: xa",
                "    name: \"Phòng họp xã\"",
                "    unit: \"Văn phòng HĐND và UBND xã\"",
                "    devices:",
                telnet("xa-cisco", "cisco-roomos", try cisco.startTelnet(), "cisco"),
                secondRoom ? "  - id: phuong" : nil,
                secondRoom ? "    name: \"Phòng họp phường\"" : nil,
                secondRoom ? "    unit: \"Văn phòng Đảng ủy phường\"" : nil,
                secondRoom ? "    devices:" : nil,
                telnet("xa-poly", "poly-group", polyPort, "poly"),
                "      - {id: xa-cam, profile: sony-visca, transport: serial, path: \(cameraPath), address: 1}",
                flood,
            ] + extra
        try (lines.compactMap { $0 }.joined(separator: "\n") + "\n").write(
            to: inventory, atomically: true, encoding: .utf8)
        gateway = Gateway(
            inventoryPath: inventory.path, data: DataDirectory(path: directory.appendingPathComponent("data").path),
            profiles: ProfileCatalog(directory: profiles.path), keepingConnections: keepingConnections, now: now)
        try gateway.secrets.set(name: "cisco", username: "admin", password: SecretText("gw-pass-1"))
        try gateway.secrets.set(name: "poly", username: "admin", password: SecretText("gw-pass-2"))
    }

    public func auditTrail() async throws -> [AuditEntry] {
        let database = try await gateway.openDatabase()
        return try await AuditLog(database: database).list(limit: 100)
    }

    deinit { stopNow() }
}
