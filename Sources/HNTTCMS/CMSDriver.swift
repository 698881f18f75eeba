import Foundation
import HNTTCore
import HNTTTransport

/// The Cisco Meeting Server's REST API (`/api/v1`, HTTP Basic, XML replies, form bodies), over HTTPS with
/// the certificate pinned (../shared/protocols/poly-and-others.md §5.2, §5.2a). One request per
/// connection, each with the profile's command deadline; nothing is kept between calls.
public actor CiscoMeetingServerDriver: BridgeDriver {
    let plan: ConnectionPlan
    /// Items asked for per page; the bridge may send fewer (its own maximum), and the driver follows `total`.
    public static let pageSize = 20
    /// Leg details read at once.
    static let parallelReads = 4

    public init(plan: ConnectionPlan) { self.plan = plan }

    var device: String { plan.device.id }

    // MARK: DeviceDriver

    public func status() async throws -> DeviceStatus {
        let version = try await softwareVersion()
        let calls = try await conferences().map { CallInfo(id: $0.id, number: $0.name, status: "active") }
        return DeviceStatus(standby: .on, micMuted: false, calls: calls, software: version)
    }

    public func checkLogin() async throws -> String { "Cisco Meeting Server \(try await softwareVersion())" }

    public func wake() async throws { throw bridgeRefusal("wake", device: device) }
    public func sleep() async throws { throw bridgeRefusal("sleep", device: device) }
    public func recallPreset(_ preset: Int, camera: Int?) async throws { throw bridgeRefusal("preset", device: device) }
    public func storePreset(_ preset: Int, camera: Int?) async throws { throw bridgeRefusal("preset", device: device) }
    public func close() async {}

    // MARK: BridgeDriver

    /// The list names each conference; its number of legs comes from the conference itself (`numCallLegs`).
    public func conferences() async throws -> [MCUCall] {
        let listed = try await allPages("/calls", what: "conferences") { try CMSReplies.calls($0) }
        let read = await forEachBounded(listed, parallel: Self.parallelReads) { call in
            await Result(catching: {
                call.legs != nil ? call : try await self.conference(call.id)
            })
        }
        return try zip(listed, read).compactMap { call, result in
            switch result {
            case .success(let read): return MCUCall(id: call.id, name: call.name, legs: read.legs)
            case .failure(let error as HNTTError) where Self.isGone(error): return nil   // it ended meanwhile
            case .failure(let error): throw error
            }
        }
    }

    func conference(_ id: String) async throws -> MCUCall {
        let id = try Self.checkedID(id, what: "conference")
        let reply = try await get("/calls/\(id)", missing: "conference \(id)")
        return try attributing(to: device) { try CMSReplies.call(reply.body.asData) }
    }

    /// The "no such object" of ``send(_:_:form:missing:)``.
    static func isGone(_ error: HNTTError) -> Bool { error.category == .deviceError && error.message.hasPrefix("no ") }

    public func legs(ofCall call: String, withStatus: Bool) async throws -> [MCULeg] {
        let call = try Self.checkedID(call, what: "conference")
        // The conference itself first, so that an unknown one is "no such conference" whatever the list says.
        _ = try await get("/calls/\(call)", missing: "conference \(call)")
        let listed = try await allPages("/calls/\(call)/callLegs", what: "legs") { try CMSReplies.legs($0) }
        guard withStatus else { return listed }
        let details = await forEachBounded(listed, parallel: Self.parallelReads) { leg in
            await Result(catching: { try await self.leg(leg.id) })
        }
        var legs: [MCULeg] = []
        for (listedLeg, detail) in zip(listed, details) {
            switch detail {
            case .success(var leg):
                if leg.name.isEmpty { leg.name = listedLeg.name }
                if leg.remote.isEmpty { leg.remote = listedLeg.remote }
                if leg.alarms.isEmpty { leg.alarms = listedLeg.alarms }
                if leg.call == nil { leg.call = call }
                legs.append(leg)
            case .failure(let error as HNTTError) where Self.isGone(error):
                continue   // the leg left the conference between the list and its read
            case .failure(let error):
                throw error
            }
        }
        return legs
    }

    public func leg(_ id: String) async throws -> MCULeg {
        let id = try Self.checkedID(id, what: "leg")
        return try CMSReplies.legDetail(try await get("/callLegs/\(id)", missing: "leg \(id)").body.asData)
    }

    public func setAudioMute(leg: String, _ muted: Bool) async throws {
        let leg = try Self.checkedID(leg, what: "leg")
        _ = try await send(
            "PUT", "/callLegs/\(leg)", form: [("rxAudioMute", muted ? "true" : "false")], missing: "leg \(leg)")
    }

    public func drop(leg: String) async throws {
        let leg = try Self.checkedID(leg, what: "leg")
        _ = try await send("DELETE", "/callLegs/\(leg)", form: [], missing: "leg \(leg)")
    }

    public func dial(_ uri: String, into call: String) async throws -> String {
        let call = try Self.checkedID(call, what: "conference")
        guard !uri.isEmpty, uri.count <= 255,
            !uri.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 32 } == true })
        else {
            throw HNTTError(
                .badInput, "\"\(TextSafety.line(uri))\" is not a SIP URI or number to dial", device: device,
                fix: "give the site's address, e.g. `ubnd-xa@hntt.example.vn` or `10.10.1.20`")
        }
        let reply = try await send(
            "POST", "/calls/\(call)/callLegs", form: [("remoteParty", uri)], missing: "conference \(call)")
        guard let location = reply.header("Location"),
            let id = location.split(separator: "/").last.map(String.init), (try? Self.checkedID(id, what: "leg")) != nil
        else {
            throw HNTTError(
                .deviceError, "the bridge accepted the dial but named no new leg (no Location header)", device: device,
                fix: "list the conference's legs with `hntt mcu legs \(device) \(call)`")
        }
        return id
    }

    // MARK: Requests

    func softwareVersion() async throws -> String {
        let reply = try await get("/system/status", missing: "system status")
        guard let root = XMLTree.parse(reply.body.asData), root.name == "status" else {
            throw HNTTError(
                .deviceError, "the bridge's /api/v1/system/status is not a <status> document", device: device,
                fix: "check that the device is a Cisco Meeting Server with its API enabled")
        }
        return root.value("softwareVersion") ?? "unknown version"
    }

    /// Every page of a list, following `offset` until `total` items came (a page may hold fewer than asked).
    func allPages<Item: Sendable>(
        _ path: String, what: String, _ decode: (Data) throws -> CMSPage<Item>
    ) async throws -> [Item] {
        var items: [Item] = []
        while true {
            let reply = try await get("\(path)?offset=\(items.count)&limit=\(Self.pageSize)", missing: what)
            let page = try attributing(to: device) { try decode(reply.body.asData) }
            items += page.items
            // An empty page ends it even if the total says more: the list shrank while it was read.
            if items.count >= page.total || page.items.isEmpty { return items }
            guard items.count < 10_000 else {
                throw HNTTError(
                    .deviceError, "the bridge's list of \(what) does not end (over 10 000 items)", device: device)
            }
        }
    }

    func get(_ path: String, missing: String) async throws -> HTTPSResponse {
        try await send("GET", path, form: [], missing: missing)
    }

    /// One request; the reply's status mapped to the contract's exit codes, each with its fix.
    func send(_ method: String, _ path: String, form: [(String, String)], missing: String) async throws
        -> HTTPSResponse
    {
        let body = Self.formBody(form)
        let request = HTTPSRequest(
            method: method, path: "/api/v1" + path,
            headers: body.isEmpty ? [] : [("Content-Type", "application/x-www-form-urlencoded")], body: body)
        let client = try plan.httpsClient()
        let deadline = Deadline.after(seconds: plan.profile.timeouts.command)
        let reply = try await attributing(to: device, credentialName: plan.device.credential) {
            try await client.send(request, deadline: deadline)
        }
        let failure = CMSReplies.failure(reply.body.asData)
        switch reply.status {
        case 200..<300 where failure == nil:
            return reply
        case 401:
            let name = plan.device.credential ?? "NAME"
            throw HNTTError(
                .loginRefused, "the bridge refused the API user name or password (HTTP 401)", device: device,
                fix: "store the bridge's API account with `hntt secret set \(name) --username USER --password-stdin`")
        case 403:
            throw HNTTError(
                .loginRefused, "the bridge's API user may not \(method) \(path) (HTTP 403)", device: device,
                fix: "give the account API access on the bridge (the department in charge decides)")
        case 404:
            throw HNTTError(
                .deviceError, "no \(missing) on the bridge (HTTP 404)", device: device,
                fix: "list what there is with `hntt mcu calls \(device)` and `hntt mcu legs \(device) CALL`")
        default:
            if let failure, failure.hasSuffix("DoesNotExist") {
                throw HNTTError(
                    .deviceError, "no \(missing) on the bridge (\(failure))", device: device,
                    fix: "list what there is with `hntt mcu calls \(device)` and `hntt mcu legs \(device) CALL`")
            }
            throw HNTTError(
                .deviceError,
                "the bridge refused \(method) \(path): \(failure ?? "HTTP \(reply.status)")", device: device,
                fix: "check the bridge's own log; the request was well-formed as far as hntt knows")
        }
    }

    /// `application/x-www-form-urlencoded`, each name and value percent-encoded.
    static func formBody(_ fields: [(String, String)]) -> [UInt8] {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return Array(fields.map { "\(encoded($0.0))=\(encoded($0.1))" }.joined(separator: "&").utf8)
    }

    /// A conference or leg id as the bridge makes them (GUIDs): anything else never reaches a URL.
    static func checkedID(_ id: String, what: String) throws -> String {
        guard !id.isEmpty, id.count <= 64,
            id.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" })
        else {
            throw HNTTError(
                .badInput, "\"\(TextSafety.line(id))\" is not a \(what) id of the bridge",
                fix: "copy the id from `hntt mcu calls` or `hntt mcu legs` (letters, digits and dashes)")
        }
        return id
    }
}

extension [UInt8] {
    var asData: Data { Data(self) }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
