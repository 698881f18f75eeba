import Foundation
import HNTTTestSupport
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `hntt serve` as a process: what a systemd unit and a browser meet.
@Suite("hntt serve as a process")
struct ServeProcessTests {
    /// Starts `hntt serve` on a free port of the rig's site; returns the process and its port.
    func serve(_ rig: RoomRig, log: String) async throws -> (ChildProcess.Running, Int) {
        var environment = ProcessInfo.processInfo.environment
        environment["HNTT_PROFILES"] = TestEnvironment.profilesDirectory
        environment["HNTT_PROCEDURES"] = rig.proceduresPath
        environment.removeValue(forKey: "HNTT_MASTER_KEY")
        let process = try ChildProcess.start(
            TestEnvironment.hnttBinary,
            ["serve", "--listen", "127.0.0.1:0", "--inventory", rig.inventoryPath, "--data", rig.dataPath],
            environment: environment, standardError: log)
        let end = Date().addingTimeInterval(20)
        while Date() < end {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://127.0.0.1:") }),
                let port = Int(line.split(separator: ":").last ?? "")
            {
                return (process, port)
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        _ = try await TestEnvironment.offPool { process.stop(with: SIGKILL) }
        throw FixtureError(
            "hntt serve did not print its address: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func request(
        _ client: TestClient, _ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: String? = nil
    )
        async throws -> (HTTPResponse.Status, [String: Any])
    {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(
            .init(path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }))
        let text = response.body.map { String(buffer: $0) } ?? ""
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:])
    }

    @Test("it says where it listens; on SIGTERM the run in progress finishes and is recorded, then it exits 0")
    func cleanShutdown() async throws {
        let rig = try await RoomRig.start()
        defer { rig.stop() }
        let added = try await TestEnvironment.offPool {
            try rig.hntt(
                [
                    "user", "add", "kythuat", "--role", "technician", "--unit", "Văn phòng HĐND và UBND huyện",
                    "--password-stdin",
                ], input: "serve-test-pass-2\n")
        }
        #expect(added.status == 0, "\(added.stderr)")
        let log = rig.directory.appendingPathComponent("serve.log").path
        let (process, port) = try await serve(rig, log: log)
        let client = TestClient(host: "127.0.0.1", port: port)
        client.connect()
        let (_, login) = try await request(
            client, .post, "/api/v1/login", body: #"{"username":"kythuat","password":"serve-test-pass-2"}"#)
        let token = try #require(login["token"] as? String)
        // A slow codec keeps the run going while the service is told to stop.
        rig.codec.store.update { $0.faults.replyDelay = 0.4 }
        let (status, started) = try await request(
            client, .post, "/api/v1/rooms/ubnd/runs", token: token, body: #"{"procedure":"power-on"}"#)
        #expect(status == .accepted)
        _ = try #require(started["run_id"] as? String)
        try? await client.shutdown()
        try await Task.sleep(nanoseconds: 300_000_000)
        // The run takes a few seconds; a service that does not stop within 60 s is a hang, killed.
        let exit = try await TestEnvironment.offPool { process.stop(with: SIGTERM, within: 60) }
        #expect(exit == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let audit = try await rig.json(["audit", "list", "--device", "ubnd"])
        let entries = audit["entries"] as? [[String: Any]] ?? []
        #expect(
            entries.contains { $0["action"] as? String == "run power-on" && $0["outcome"] as? String == "done" },
            "the run finished before the service exited: \(entries)")
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!logText.contains("serve-test-pass-2"))
    }
}
