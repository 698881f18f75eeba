import Foundation

/// A simulated Cisco Meeting Server API (../shared/protocols/poly-and-others.md §5.2, §5.2a): HTTP Basic,
/// XML replies, paged lists capped below what is asked, form-encoded writes, `Location` for a new leg, 404
/// for an unknown object read and `<failureDetails>` for a write on one.
public typealias CMSBridgeSimulator = SimulatedHTTPSDevice<CMSBridgeState>

extension SimulatedHTTPSDevice where State == CMSBridgeState {
    public convenience init(store: Store, certificate: SimulatorCertificate) {
        self.init(store: store, certificate: certificate) { CMSBridgeSimulator.respond(to: $0, store: $1) }
    }

    static func respond(to request: SimulatedHTTPRequest, store: Store) -> SimulatedHTTPResponse {
        store.update { state in
            let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            state.commandLog.append("\(request.method) \(request.path)" + (query.isEmpty ? "" : "?\(query)"))
            if state.commandLog.count > 500 { state.commandLog.removeFirst(state.commandLog.count - 500) }
            guard let (user, password) = request.basicCredentials, user == state.username,
                password == state.password
            else {
                state.failedLogins += 1
                return SimulatedHTTPResponse(
                    status: 401, headers: [("WWW-Authenticate", "Basic realm=\"Cisco Meeting Server API\"")])
            }
            state.successfulLogins += 1
            var response = route(request, &state)
            if state.faults.silent { response.delay = .infinity }
            if state.faults.replyDelay > 0 { response.delay = state.faults.replyDelay }
            return response
        }
    }

    static func route(_ request: SimulatedHTTPRequest, _ state: inout CMSBridgeState) -> SimulatedHTTPResponse {
        let words = request.path.split(separator: "/").map(String.init)
        guard words.count >= 3, words[0] == "api", words[1] == "v1" else { return notFound() }
        let resource = Array(words.dropFirst(2))
        switch (request.method, resource.count, resource.first) {
        case ("GET", 2, "system") where resource[1] == "status":
            let active = state.calls.reduce(0) { $0 + $1.legs.count }
            return xml(
                "<status><softwareVersion>\(state.softwareVersion)</softwareVersion><uptimeSeconds>86400"
                    + "</uptimeSeconds><activated>true</activated><clusterEnabled>false</clusterEnabled>"
                    + "<callLegsActive>\(active)</callLegsActive></status>")
        case ("GET", 1, "calls"):
            let items = state.calls.map { call in
                "<call id=\"\(call.id)\"><name>\(escaped(call.name))</name><coSpace>\(call.coSpace)</coSpace>"
                    + "<callCorrelator>\(call.coSpace)</callCorrelator></call>"
            }
            return page("calls", items, request, state)
        case ("GET", 2, "calls"):
            guard let call = state.calls.first(where: { $0.id == resource[1] }) else { return notFound() }
            return xml(
                "<call id=\"\(call.id)\"><name>\(escaped(call.name))</name><coSpace>\(call.coSpace)</coSpace>"
                    + "<durationSeconds>600</durationSeconds><numCallLegs>\(call.legs.count)</numCallLegs>"
                    + "<maxCallLegs>0</maxCallLegs><locked>false</locked><recording>false</recording>"
                    + "<allowAllMuteSelf>false</allowAllMuteSelf></call>")
        case ("GET", 3, "calls") where resource[2] == "callLegs":
            guard let call = state.calls.first(where: { $0.id == resource[1] }) else { return notFound() }
            return page("callLegs", call.legs.map { listItem($0, call: call.id) }, request, state)
        case ("POST", 3, "calls") where resource[2] == "callLegs":
            guard let index = state.calls.firstIndex(where: { $0.id == resource[1] }) else {
                return failure("callDoesNotExist")
            }
            guard let remote = request.form["remoteParty"], !remote.isEmpty else {
                return failure("parameterError")
            }
            state.dialled += 1
            var leg = CMSBridgeState.Leg(
                id: CMSBridgeState.guid(7, state.dialled), name: remote, remoteParty: remote)
            leg.state = "connected"
            state.calls[index].legs.append(leg)
            return SimulatedHTTPResponse(status: 200, headers: [("Location", "/api/v1/callLegs/\(leg.id)")])
        case ("GET", 2, "callLegs"):
            guard let (call, index) = state.leg(resource[1]) else { return notFound() }
            return xml(detail(state.calls[call].legs[index], call: state.calls[call].id))
        case ("PUT", 2, "callLegs"):
            guard let (call, index) = state.leg(resource[1]) else { return failure("callLegDoesNotExist") }
            let form = request.form
            if let mute = form["rxAudioMute"] {
                guard mute == "true" || mute == "false" else { return failure("parameterError") }
                state.calls[call].legs[index].rxAudioMute = mute == "true"
            }
            return SimulatedHTTPResponse(status: 200)
        case ("DELETE", 2, "callLegs"):
            guard let (call, index) = state.leg(resource[1]) else { return failure("callLegDoesNotExist") }
            state.calls[call].legs.remove(at: index)
            return SimulatedHTTPResponse(status: 200)
        default:
            return notFound()
        }
    }

    /// `offset`/`limit` as the bridge applies them: at most `pageCap` items, whatever `limit` says.
    static func page(_ name: String, _ items: [String], _ request: SimulatedHTTPRequest, _ state: CMSBridgeState)
        -> SimulatedHTTPResponse
    {
        let offset = max(0, Int(request.query["offset"] ?? "0") ?? 0)
        let limit = min(state.pageCap, max(1, Int(request.query["limit"] ?? "\(state.pageCap)") ?? state.pageCap))
        let slice = items.dropFirst(offset).prefix(limit)
        let document = "<\(name) total=\"\(items.count)\">" + slice.joined() + "</\(name)>"
        return xml(state.malformedReplies ? String(document.dropLast(5)) : document)
    }

    static func listItem(_ leg: CMSBridgeState.Leg, call: String) -> String {
        let alarms = leg.alarms.isEmpty ? "" : "<alarms>" + leg.alarms.map { "<\($0)/>" }.joined() + "</alarms>"
        return "<callLeg id=\"\(leg.id)\"><name>\(escaped(leg.name))</name>"
            + "<remoteParty>\(escaped(leg.remoteParty))</remoteParty><call>\(call)</call>\(alarms)</callLeg>"
    }

    /// `GET /callLegs/<id>` (Appendix A.1.2): configuration and status; a figure not measured is left out.
    static func detail(_ leg: CMSBridgeState.Leg, call: String) -> String {
        func figure(_ name: String, _ value: Double?) -> String {
            value.map { "<\(name)>\(String(format: "%.1f", $0))</\(name)>" } ?? ""
        }
        func jitter(_ value: Double?) -> String { value.map { "<jitter>\(Int($0))</jitter>" } ?? "" }
        let rtt = leg.roundTripTime.map { "<roundTripTime>\(Int($0))</roundTripTime>" } ?? ""
        let alarms = leg.alarms.isEmpty ? "" : "<alarms>" + leg.alarms.map { "<\($0)/>" }.joined() + "</alarms>"
        return "<callLeg id=\"\(leg.id)\"><name>\(escaped(leg.name))</name>"
            + "<remoteParty>\(escaped(leg.remoteParty))</remoteParty><call>\(call)</call>"
            + "<configuration><rxAudioMute>\(leg.rxAudioMute)</rxAudioMute><txAudioMute>false</txAudioMute>"
            + "<rxVideoMute>false</rxVideoMute><txVideoMute>false</txVideoMute></configuration>"
            + "<status><state>\(leg.state)</state><durationSeconds>\(leg.durationSeconds)</durationSeconds>"
            + "<direction>outgoing</direction>"
            + "<rxAudio><codec>aac</codec>\(figure("packetLossPercentage", leg.rxAudioLoss))"
            + "\(jitter(leg.rxAudioJitter))<bitRate>64000</bitRate></rxAudio>"
            + "<txAudio><codec>aac</codec>\(figure("packetLossPercentage", leg.txAudioLoss))"
            + "\(jitter(leg.txAudioJitter))<bitRate>64000</bitRate>\(rtt)</txAudio>"
            + "<rxVideo role=\"main\"><codec>h264</codec><width>1280</width><height>720</height>"
            + "\(figure("packetLossPercentage", leg.rxVideoLoss))\(jitter(leg.rxVideoJitter))</rxVideo>"
            + "<rxVideo role=\"presentation\"><codec>h264</codec><packetLossPercentage>9.9</packetLossPercentage>"
            + "<jitter>99</jitter></rxVideo>"
            + "<txVideo role=\"main\"><codec>h264</codec><packetLossPercentage>0.0</packetLossPercentage>"
            + "<jitter>1</jitter>\(rtt)</txVideo></status>\(alarms)</callLeg>"
    }

    static func xml(_ document: String) -> SimulatedHTTPResponse {
        SimulatedHTTPResponse(
            status: 200, headers: [("Content-Type", "text/xml")], body: "<?xml version=\"1.0\"?>\n" + document)
    }

    static func notFound() -> SimulatedHTTPResponse { SimulatedHTTPResponse(status: 404) }

    static func failure(_ reason: String) -> SimulatedHTTPResponse {
        SimulatedHTTPResponse(
            status: 400, headers: [("Content-Type", "text/xml")],
            body: "<?xml version=\"1.0\"?>\n<failureDetails><\(reason) /></failureDetails>")
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
