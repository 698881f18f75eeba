import Foundation
import HNTTSimulator
import HNTTTestSupport

/// A site for the `hntt` binary: an inventory, a data folder and a profile folder (with short
/// timeouts) in a temporary directory, and simulated codecs to point the inventory at.
final class CLIRig: @unchecked Sendable {
    let directory: URL
    let simulator: CiscoSimulator
    let telnetPort: UInt16
    /// A Poly Group Series in the same room, on telnet: the same commands must work on it.
    let poly: PolySimulator
    let polyPort: UInt16
    /// Two cameras on one RS-232 chain (a pty) and one on VISCA over IP.
    let cameraChain: VISCASimulator
    let chainPath: String
    let ipCamera: VISCAUDPCamera
    let ipCameraStore: VISCACameraStore
    var sshd: SSHDFixture?
    static let password = "Codec-Pass-7731"

    var inventoryPath: String { directory.appendingPathComponent("inventory.yaml").path }
    var dataPath: String { directory.appendingPathComponent("data").path }
    var profilesPath: String { directory.appendingPathComponent("device-profiles").path }

    /// A site set up off the cooperative pool (it runs `hntt secret set` and may start sshd).
    static func start(withSSH: Bool = false, commandTimeout: Double = 3) async throws -> CLIRig {
        try await TestEnvironment.offPool { try CLIRig(withSSH: withSSH, commandTimeout: commandTimeout) }
    }

    private init(withSSH: Bool = false, commandTimeout: Double = 3) throws {
        directory = try TestEnvironment.temporaryDirectory("cli")
        simulator = CiscoSimulator(CiscoCodecData(flavor: .ce9, users: ["admin": CLIRig.password]))
        telnetPort = try simulator.startTelnet()
        poly = PolySimulator(PolyCodecData(flavor: .group, password: "poly-secret-55"))
        polyPort = try poly.startTelnet()
        cameraChain = VISCASimulator(VISCACameraData(count: 2))
        chainPath = try cameraChain.startSerial()
        ipCameraStore = VISCACameraStore(VISCACameraData(count: 1))
        ipCamera = try VISCAUDPCamera(store: ipCameraStore, sonyHeader: true)
        if withSSH {
            sshd = try SSHDFixture.blocking(
                authentication: .keyboardInteractive, simulator: ["cisco", "--flavor", "roomos11"],
                initial: CiscoCodecData(flavor: .roomos11))
        }
        try FileManager.default.createDirectory(atPath: profilesPath, withIntermediateDirectories: true)
        for name in ["cisco-roomos", "poly-group", "sony-visca"] {
            var profile = try String(
                contentsOfFile: TestEnvironment.profilesDirectory + "/\(name).yaml", encoding: .utf8)
            profile = profile.replacingOccurrences(of: "command: 15", with: "command: \(commandTimeout)")
                .replacingOccurrences(of: "connect: 10", with: "connect: 3").replacingOccurrences(
                    of: "login: 15", with: "login: 3")
            try profile.write(toFile: profilesPath + "/\(name).yaml", atomically: true, encoding: .utf8)
        }
        try writeInventory()
        let stored = try hntt(
            ["secret", "set", "codec", "--username", "admin", "--password-stdin"], input: CLIRig.password + "\n")
        guard stored.status == 0 else { throw FixtureError("secret set failed: \(stored.stderr)") }
        _ = try hntt(["secret", "set", "poly", "--username", "admin", "--password-stdin"], input: "poly-secret-55\n")
        if let sshd {
            let sshStored = try hntt(
                ["secret", "set", "codec-ssh", "--username", SSHDFixture.username, "--password-stdin"],
                input: SSHDFixture.password + "\n")
            guard sshStored.status == 0 else { throw FixtureError("secret set failed: \(sshStored.stderr)") }
            _ = sshd
        }
    }

    func writeInventory(extraDevices: String = "") throws {
        var text = """
            site: "UBND huyện Triệu Sơn"
            rooms:
              - id: ubnd
                name: "Phòng họp trực tuyến UBND huyện"
                unit: "Văn phòng HĐND và UBND huyện"
                devices:
                  - id: ubnd-codec
                    profile: cisco-roomos
                    transport: telnet
                    host: 127.0.0.1
                    port: \(telnetPort)
                    credential: codec
                  - id: ubnd-poly
                    profile: poly-group
                    transport: telnet
                    host: 127.0.0.1
                    port: \(polyPort)
                    credential: poly
                  - {id: cam-left, profile: sony-visca, transport: serial, path: \(chainPath), address: 1}
                  - {id: cam-right, profile: sony-visca, transport: serial, path: \(chainPath), address: 2}
                  - {id: cam-ip, profile: sony-visca, transport: udp, host: 127.0.0.1, port: \(ipCamera.port)}

            """
        if let sshd {
            text += """
                      - id: ubnd-codec-ssh
                        profile: cisco-roomos
                        transport: ssh
                        host: 127.0.0.1
                        port: \(sshd.port)
                        credential: codec-ssh

                """
        }
        text += extraDevices
        try text.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
    }

    /// Runs `hntt` (off the cooperative pool) with this site's inventory, data and profiles.
    func run(_ arguments: [String], input: String? = nil) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try await TestEnvironment.offPool { try self.hntt(arguments, input: input) }
    }

    /// Runs `hntt` with this site's inventory, data and profiles; blocks.
    func hntt(_ arguments: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["HNTT_PROFILES"] = profilesPath
        environment.removeValue(forKey: "HNTT_MASTER_KEY")
        return try TestEnvironment.run(
            TestEnvironment.hnttBinary,
            arguments + ["--inventory", inventoryPath, "--data", dataPath],
            input: input, environment: environment)
    }

    /// Runs `hntt … --json` and parses the one JSON document on standard output.
    func json(_ arguments: [String]) async throws -> (status: Int32, object: [String: Any], stderr: String) {
        let result = try await run(arguments + ["--json"])
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw FixtureError("not a JSON object: \(result.stdout)")
        }
        return (result.status, object, result.stderr)
    }

    func stop() {
        simulator.stop()
        poly.stop()
        cameraChain.stop()
        ipCamera.stop()
        sshd?.stop()
        TestFiles.remove(directory)
    }

    deinit { stop() }
}
