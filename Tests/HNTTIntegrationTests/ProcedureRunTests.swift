import Foundation
import HNTTSimulator
import HNTTTestSupport
import Testing

@testable import HNTTCore
@testable import HNTTGovernance

/// Two rooms: a simulated Cisco codec on telnet with two VISCA cameras on a pty chain, and a
/// Poly Group codec on telnet with one VISCA camera on its own pty; two operators of different
/// units, and quick procedures (a 1-second quality sample).
final class RoomRig: @unchecked Sendable {
    let directory: URL
    let codec: CiscoSimulator
    let cameras: VISCASimulator
    let poly: PolySimulator
    let polyCamera: VISCASimulator
    var dataPath: String { directory.appendingPathComponent("data").path }
    var inventoryPath: String { directory.appendingPathComponent("inventory.yaml").path }
    var proceduresPath: String { directory.appendingPathComponent("procedures").path }

    static func start() async throws -> RoomRig { try await TestEnvironment.offPool { try RoomRig() } }

    private init() throws {
        directory = try TestEnvironment.temporaryDirectory("room")
        codec = CiscoSimulator(CiscoCodecData(flavor: .ce9, users: ["admin": "room-pass"]))
        cameras = VISCASimulator(VISCACameraData(count: 2))
        let port = try codec.startTelnet()
        let chain = try cameras.startSerial()
        poly = PolySimulator(PolyCodecData(flavor: .group, password: "room-pass"))
        polyCamera = VISCASimulator(VISCACameraData(count: 1))
        let polyPort = try poly.startTelnet()
        let polyCameraPath = try polyCamera.startSerial()
        try """
        site: "UBND huyện Triệu Sơn"
        organizers:
          "Tỉnh ủy": "Văn phòng Huyện ủy"
          "UBND tỉnh": "Văn phòng HĐND và UBND huyện"
        operators:
          - {name: "Lê Thị B", unit: "Văn phòng HĐND và UBND huyện"}
          - {name: "Trần Văn C", unit: "Văn phòng Huyện ủy"}
        rooms:
          - id: ubnd
            name: "Phòng họp trực tuyến UBND huyện"
            unit: "Văn phòng HĐND và UBND huyện"
            devices:
              - {id: ubnd-codec, profile: cisco-roomos, transport: telnet, host: 127.0.0.1, port: \(port), credential: codec}
              - {id: cam-1, profile: sony-visca, transport: serial, path: \(chain), address: 1}
              - {id: cam-2, profile: sony-visca, transport: serial, path: \(chain), address: 2}
          - id: phong-2
            name: "Phòng họp số 2"
            unit: "Văn phòng HĐND và UBND huyện"
            devices:
              - {id: phong2-poly, profile: poly-group, transport: telnet, host: 127.0.0.1, port: \(polyPort), credential: codec}
              - {id: phong2-cam, profile: sony-visca, transport: serial, path: \(polyCameraPath), address: 1}

        """.write(toFile: inventoryPath, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: proceduresPath, withIntermediateDirectories: true)
        for name in ["power-on", "test-call", "dial", "shutdown"] {
            let text = try String(
                contentsOfFile: TestEnvironment.repositoryRoot.appendingPathComponent("procedures/\(name).yaml").path,
                encoding: .utf8)
            try text.replacingOccurrences(of: "seconds: 10", with: "seconds: 1").write(
                toFile: "\(proceduresPath)/\(name).yaml", atomically: true, encoding: .utf8)
        }
        guard
            try hntt(["secret", "set", "codec", "--username", "admin", "--password-stdin"], input: "room-pass\n").status
                == 0
        else {
            throw FixtureError("secret set failed")
        }
    }

    func hntt(_ arguments: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["HNTT_PROFILES"] = TestEnvironment.profilesDirectory
        environment["HNTT_PROCEDURES"] = proceduresPath
        environment.removeValue(forKey: "HNTT_MASTER_KEY")
        environment.removeValue(forKey: "HNTT_OPERATOR")
        return try TestEnvironment.run(
            TestEnvironment.hnttBinary, arguments + ["--inventory", inventoryPath, "--data", dataPath],
            input: input, environment: environment)
    }

    func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await TestEnvironment.offPool { try self.hntt(arguments) }
    }

    func json(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await run(arguments + ["--json"])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    func stop() {
        codec.stop()
        cameras.stop()
        poly.stop()
        polyCamera.stop()
        TestFiles.remove(directory)
    }
}

@Suite("Technical procedures and the logbook")
struct ProcedureRunTests {
    let operatorB = ["--operator", "Lê Thị B"]

    @Test(
        "power-on, test-call, dial and shutdown in order: the devices move, the room state follows, the logbook writes itself"
    )
    func fullDay() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        var result = try await rig.run(["run", "power-on", "ubnd"] + operatorB)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(rig.codec.store.snapshot.standby == "Off")
        #expect(rig.codec.store.snapshot.micMuted)
        #expect(rig.cameras.store.snapshot.cameras.allSatisfy { $0.poweredOn && $0.presetInUse == 1 })
        #expect(result.stdout.contains("[0."))

        result = try await rig.run(
            ["run", "test-call", "ubnd", "--organizer", "UBND tỉnh", "--number", "chair@thanhhoa.gov.vn"] + operatorB)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("loss 0.10 %") || result.stdout.contains("loss 0.0"), "\(result.stdout)")
        #expect(rig.codec.store.snapshot.calls.isEmpty)

        result = try await rig.run(
            ["run", "dial", "ubnd", "--organizer", "UBND tỉnh", "--number", "chair@thanhhoa.gov.vn"] + operatorB)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(rig.codec.store.snapshot.calls.map(\.number) == ["chair@thanhhoa.gov.vn"])

        result = try await rig.run(["run", "shutdown", "ubnd"] + operatorB)
        #expect(result.status == 0)
        #expect(rig.codec.store.snapshot.calls.isEmpty, "shutdown hangs up first")
        #expect(rig.codec.store.snapshot.standby == "Standby")
        #expect(rig.cameras.store.snapshot.cameras.allSatisfy { !$0.poweredOn && $0.pan == 0 })

        let entries = try #require(try await rig.json(["log", "list"])["entries"] as? [[String: Any]])
        let sessions = entries.filter { $0["kind"] as? String == "session" }.compactMap {
            $0["content"] as? [String: String]
        }
        #expect(sessions.map { $0["session_type"] } == ["test", "official"])
        let official = try #require(
            entries.first { ($0["content"] as? [String: String])?["session_type"] == "official" })
        let end = try #require(
            entries.first { $0["kind"] as? String == "session-end" }, "shutdown ends the official session")
        #expect(end["refers_to"] as? Int == official["id"] as? Int)
        #expect(
            ((end["content"] as? [String: String])?["ended_at"] ?? "")
                >= ((official["content"] as? [String: String])?["ended_at"] ?? "~"))
        #expect(
            sessions.allSatisfy {
                $0["operator"] == "Lê Thị B" && $0["unit"] == "Văn phòng HĐND và UBND huyện"
                    && $0["organizer"] == "UBND tỉnh"
            })
        #expect(sessions[0]["loss_percent"] != nil && sessions[0]["jitter_ms"] == "7")
        #expect(
            sessions[0]["quality_samples"]?.range(of: #"^1s \d+\.\d\d% 7ms \d+kbps$"#, options: .regularExpression)
                != nil,
            "one reading for a 1-second window: \(sessions[0]["quality_samples"] ?? "none")")
        #expect(try await rig.run(["log", "sign", "1", "--by", "Lê Thị B"]).status == 0)
        #expect(try await rig.run(["log", "verify"]).status == 0)

        let export = try await rig.run(["log", "export", "ubnd", "--format", "csv"])
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].contains("\"Thử\"") && lines[1].contains("đã ký: Lê Thị B"))
        #expect(lines[2].contains("\"Chính thức\"") && lines[2].contains("(chưa ký)"))
        let html = try await rig.run(["log", "export", "ubnd"])
        #expect(html.stdout.contains("SỔ GHI BIÊN BẢN") && html.stdout.contains("Hội nghị truyền hình trực tuyến tại"))
        let word = try await rig.run(["log", "export", "ubnd", "--format", "docx"])
        #expect(word.status == 0 && word.stdout.hasPrefix("PK"), "a DOCX written to the pipe")
    }

    @Test(
        "the four procedures run unchanged on a Poly room (telnet, echoing); the test call logs Poly's loss and jitter")
    func polyRoom() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        let chair = ["--organizer", "UBND tỉnh", "--number", "84123456"] + operatorB
        var result = try await rig.run(["run", "power-on", "phong-2"] + operatorB)
        print("DEBUG", result.stdout, result.stderr)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(rig.poly.store.snapshot.asleep == false && rig.poly.store.snapshot.nearMuted)
        #expect(rig.polyCamera.store.snapshot.cameras.allSatisfy { $0.poweredOn && $0.presetInUse == 1 })

        result = try await rig.run(["run", "test-call", "phong-2"] + chair)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("loss 0.00 % (sent), jitter 9 ms"), "\(result.stdout)")
        print("DEBUG", result.stdout, result.stderr)
        #expect(rig.poly.store.snapshot.calls.isEmpty)

        result = try await rig.run(["run", "dial", "phong-2"] + chair)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(rig.poly.store.snapshot.calls.map(\.number) == ["84123456"])

        result = try await rig.run(["run", "shutdown", "phong-2"] + operatorB)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(rig.poly.store.snapshot.calls.isEmpty && rig.poly.store.snapshot.asleep)
        #expect(rig.polyCamera.store.snapshot.cameras.allSatisfy { !$0.poweredOn })

        let entries = try #require(
            try await rig.json(["log", "list", "--room", "phong-2"])["entries"] as? [[String: Any]])
        let kinds = entries.compactMap { $0["kind"] as? String }
        #expect(kinds == ["session", "session", "session-end"], "\(entries)")
        let sessions = entries.filter { $0["kind"] as? String == "session" }.compactMap {
            $0["content"] as? [String: String]
        }
        #expect(sessions.map { $0["session_type"] } == ["test", "official"])
        #expect(sessions[0]["loss_percent"] == "0.00" && sessions[0]["loss_measured"] == "transmitted")
        #expect(
            sessions[0]["jitter_ms"] == "9" && sessions[0]["lost_packets"] == "0" && sessions[0]["rate_kbps"] == "1920")
        #expect(
            sessions[0]["quality_samples"]?.range(of: #"^1s 0\.00% 9ms 1920kbps$"#, options: .regularExpression) != nil,
            "\(sessions[0]["quality_samples"] ?? "none")")
    }

    @Test("a refused login is an incident in the logbook, and the password reaches neither the logbook nor any output")
    func refusedLoginKeepsTheSecret() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        let wrong = "wrong-pass-8812"
        #expect(
            try await TestEnvironment.offPool {
                try rig.hntt(
                    ["secret", "set", "codec", "--username", "admin", "--password-stdin"], input: wrong + "\n"
                ).status
            } == 0)
        let run = try await rig.run(["run", "power-on", "ubnd"] + operatorB)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let list = try await rig.run(["log", "list", "--json"])
        #expect(
            list.stdout.contains("power-on: wake") && list.stdout.contains("\"kind\": \"device\""), "\(list.stdout)")
        var seen = run.stdout + run.stderr + list.stdout
        for arguments in [
            ["log", "export", "ubnd"], ["log", "export", "ubnd", "--format", "csv"], ["audit", "list"],
            [
                "report", "--year", String(Calendar(identifier: .gregorian).component(.year, from: Date())), "--format",
                "json",
            ],
        ] {
            let result = try await rig.run(arguments)
            seen += result.stdout + result.stderr
        }
        #expect(!seen.contains(wrong))
        // Every file of the data folder (the database, its WAL, the encrypted secret store).
        let files = try FileManager.default.contentsOfDirectory(atPath: rig.dataPath)
        #expect(files.contains("hntt.sqlite"))
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: rig.dataPath + "/" + file))
            #expect(bytes.range(of: Data(wrong.utf8)) == nil, "\(file)")
        }
    }

    @Test(
        "the order rules: no official session before power-on and a test call; --force needs a reason and is recorded")
    func orderRules() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        var result = try await rig.run(["run", "dial", "ubnd", "--number", "1"] + operatorB)
        #expect(result.status == 3 && result.stderr.contains("needs it tested") && result.stderr.contains("Điều 5.4"))
        #expect(rig.codec.store.snapshot.calls.isEmpty)
        result = try await rig.run(["run", "dial", "ubnd", "--number", "1", "--force"] + operatorB)
        #expect(result.status == 2 && result.stderr.contains("--reason"))
        result = try await rig.run(
            ["run", "dial", "ubnd", "--number", "1", "--force", "--reason", "chair called early"] + operatorB)
        #expect(result.status == 0)
        let entries = try #require(try await rig.json(["log", "list"])["entries"] as? [[String: Any]])
        #expect((entries.first?["content"] as? [String: String])?["forced"] == "chair called early")
        result = try await rig.run(["run", "test-call", "ubnd", "--number", "1"])
        #expect(result.status == 2 && result.stderr.contains("--operator"))
    }

    @Test("an operator of the other unit is refused (Điều 5.3)")
    func operatingUnit() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["run", "power-on", "ubnd"] + operatorB).status == 0)
        let result = try await rig.run([
            "run", "test-call", "ubnd", "--organizer", "UBND tỉnh", "--number", "1", "--operator", "Trần Văn C",
        ])
        #expect(result.status == 3 && result.stderr.contains("Trần Văn C belongs to Văn phòng Huyện ủy"))
        let tinhUy = try await rig.run([
            "run", "test-call", "ubnd", "--organizer", "Tỉnh ủy", "--number", "1", "--operator", "Trần Văn C",
        ])
        #expect(tinhUy.status == 0, "\(tinhUy.stderr)")
        // Someone not in `operators:`, an organiser not in `organizers:`: refused unless forced with a reason.
        let nobody = try await rig.run(["run", "dial", "ubnd", "--number", "1", "--operator", "Nobody"])
        #expect(nobody.status == 3 && nobody.stderr.contains("Nobody is not among the operators"), "\(nobody.stderr)")
        let unknown = try await rig.run(
            ["run", "dial", "ubnd", "--organizer", "Unknown Org", "--number", "1"] + operatorB)
        #expect(unknown.status == 3 && unknown.stderr.contains("organiser \"Unknown Org\" is not in the inventory"))
        let forced = try await rig.run(
            [
                "run", "dial", "ubnd", "--organizer", "Unknown Org", "--number", "1", "--force", "--reason",
                "Ban chỉ đạo mới thành lập",
            ] + operatorB)
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    @Test("a failing step is an incident; its recovery steps run; a failed run exits 1")
    func failureAndRecovery() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["run", "power-on", "ubnd"] + operatorB).status == 0)
        rig.codec.store.update { $0.packetLoss = 0.05 }
        var result = try await rig.run(["run", "test-call", "ubnd", "--number", "1"] + operatorB)
        #expect(result.status == 0, "quality is `on_failure: continue` in test-call")
        #expect(result.stdout.contains("quality below thresholds"))
        try """
        id: fragile
        title: "Fragile"
        session: none
        steps:
          - action: dial
          - check: standby-on
            timeout: 1
            recover:
              - {action: hangup}
              - {action: sleep}
              - {check: standby-on, timeout: 5}
          - {check: call-connected, timeout: 1}
        """.write(toFile: rig.proceduresPath + "/fragile.yaml", atomically: true, encoding: .utf8)
        result = try await rig.run(["run", "fragile", "ubnd", "--number", "1"] + operatorB)
        #expect(result.status == 1)
        #expect(result.stdout.contains("recovering:"))
        let entries = try #require(try await rig.json(["log", "list"])["entries"] as? [[String: Any]])
        let incidents = entries.filter { $0["kind"] as? String == "incident" }.compactMap {
            ($0["content"] as? [String: String])?["what"]
        }
        #expect(incidents.contains { $0.contains("quality below thresholds") })
        #expect(incidents.contains { $0.contains("fragile: check: codec in standby") })
        #expect(incidents.contains { $0.contains("fragile: check: call connected") })
    }

    @Test("incidents have a kind and a time to fix, also when the fix is written later; the report sums them per kind")
    func incidentsAndTimeToFix() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        let year = String(Calendar(identifier: .gregorian).component(.year, from: Date()))
        var result = try await rig.run(
            [
                "log", "add-incident", "ubnd", "--what", "Mất tiếng", "--fix", "Thay cáp micro", "--kind", "audio",
                "--began", "\(year)-01-15 08:00", "--fixed", "\(year)-01-15 08:45",
            ] + operatorB)
        #expect(result.status == 0, "\(result.stderr)")
        result = try await rig.run([
            "log", "add-incident", "ubnd", "--what", "Mất kết nối tỉnh", "--kind", "network", "--began",
            "\(year)-02-01 09:00",
        ])
        #expect(result.status == 0 && result.stdout.contains("hntt log fix 2"), "\(result.stdout)")
        result = try await rig.run(
            ["log", "fix", "2", "--fix", "Nhà mạng khôi phục đường truyền", "--at", "\(year)-02-01 11:00"] + operatorB)
        #expect(result.status == 0, "\(result.stderr)")

        #expect(try await rig.run(["log", "fix", "2", "--fix", "again"]).stderr.contains("already fixed"))
        #expect(try await rig.run(["log", "add-incident", "ubnd", "--what", "x", "--kind", "weather"]).status == 2)
        let backwards = try await rig.run([
            "log", "add-incident", "ubnd", "--what", "x", "--fix", "y",
            "--began", "\(year)-03-01 10:00", "--fixed", "\(year)-03-01 09:00",
        ])
        #expect(backwards.status == 2 && backwards.stderr.contains("before the fault began"))
        #expect(
            try await rig.run(["log", "add-incident", "ubnd", "--what", "x", "--began", "yesterday"]).stderr.contains(
                "is not a time"))

        let report = try await rig.json(["report", "--year", year, "--format", "json"])
        let kinds = try #require(report["incidents_by_kind"] as? [[String: Any]])
        #expect(
            kinds.map {
                "\($0["kind"] ?? "") \($0["count"] ?? "") \($0["fixed"] ?? "") \($0["average_minutes_to_fix"] ?? "")"
            }
                == ["network 1 1 120.0", "audio 1 1 45.0"])
        #expect((report["incidents"] as? [String: Int])?["fixed"] == 2)
        let export = try await rig.run(["log", "export", "ubnd", "--format", "csv"])
        #expect(
            export.stdout.contains("Thay cáp micro (sau 45 phút)")
                && export.stdout.contains("Nhà mạng khôi phục đường truyền (sau 120 phút)"),
            "\(export.stdout)")
        #expect(export.stdout.contains("Sự cố (âm thanh)"))
    }

    @Test("line ends and terminal escapes in stored texts are shown escaped by log list, log show and audit list")
    func controlCharactersShownEscaped() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        let fake = "x\n99  2026-01-01 00:00  ubnd  official session ok\u{1B}[2J\r"
        let written = try await rig.run([
            "log", "add-incident", "ubnd", "--what", fake, "--fix", "y\u{7}", "--operator", "B\nfake",
        ])
        #expect(written.status == 0, "\(written.stderr)")
        for arguments in [["log", "list"], ["log", "show", "1"], ["audit", "list"]] {
            let shown = try await rig.run(arguments)
            #expect(shown.status == 0)
            #expect(!shown.stdout.contains("\u{1B}") && !shown.stdout.contains("\r") && !shown.stdout.contains("\u{7}"))
            #expect(!shown.stdout.split(separator: "\n").contains { $0.hasPrefix("99  ") }, "\(shown.stdout)")
            #expect(shown.stdout.contains(#"\n"#) || arguments[0] == "audit", "\(arguments): \(shown.stdout)")
        }
        // The JSON keeps the text exactly as written.
        let entries = try #require(try await rig.json(["log", "list"])["entries"] as? [[String: Any]])
        #expect((entries.first?["content"] as? [String: String])?["what"] == fake)
    }

    @Test("tampering with the logbook is named; the yearly report's figures match the entries")
    func tamperAndReport() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        #expect(try await rig.run(["run", "power-on", "ubnd"] + operatorB).status == 0)
        #expect(
            try await rig.run(["run", "test-call", "ubnd", "--organizer", "UBND tỉnh", "--number", "1"] + operatorB)
                .status == 0)
        #expect(
            try await rig.run(["run", "dial", "ubnd", "--organizer", "UBND tỉnh", "--number", "1"] + operatorB).status
                == 0)
        #expect(
            try await rig.run([
                "log", "add-incident", "ubnd", "--what", "Mất tiếng 5 phút", "--fix", "Khởi động lại bộ trộn",
            ]).status == 0)
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let report = try await rig.json(["report", "--year", String(year), "--format", "json"])
        #expect(report["sessions_total"] as? Int == 2)
        let sessions = try #require(report["sessions"] as? [[String: Any]])
        #expect(
            sessions.map { "\($0["type"] ?? "") \($0["organizer"] ?? "") \($0["count"] ?? "")" } == [
                "official UBND tỉnh 1", "test UBND tỉnh 1",
            ])
        let incidents = try #require(report["incidents"] as? [String: Int])
        #expect(incidents == ["total": 1, "from_procedures": 0, "reported": 1, "fixed": 1])
        #expect((report["quality"] as? [String: Any])?["measured_sessions"] as? Int == 1)
        // The chains' heads travel with the report: what the Sở keeps to detect deleted entries later.
        let heads = try #require(report["chain_heads"] as? [String: [String: Any]])
        #expect((heads["logbook"]?["entry"] as? Int ?? 0) >= 3 && (heads["logbook"]?["hash"] as? String)?.count == 64)
        #expect(heads["audit"] != nil)
        #expect(
            try await rig.json(["report", "--year", String(year - 1), "--format", "json"])["sessions_total"] as? Int
                == 0)

        let database = try GovernanceDatabase(data: DataDirectory(path: rig.dataPath))
        try await database.writer.write {
            try $0.execute(sql: "UPDATE logbook SET payload = replace(payload, 'Lê Thị B', 'Người khác') WHERE id = 1")
        }
        let verify = try await rig.json(["log", "verify"])
        #expect(verify["problem"] as? String == "entry 1 was edited after it was written")
    }
}
