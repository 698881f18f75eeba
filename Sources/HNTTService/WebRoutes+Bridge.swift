import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import Hummingbird

/// The conference bridge's page: every bridge of the inventory, its conferences, and the sites of the one
/// chosen with the bridge's figures; mute, drop, reconnect and dial for the technicians of the bridge's unit.
extension WebRoutes {
    struct BridgePage {
        let bridges: [BridgeCard]
        let legs: LegTable?
    }

    struct BridgeCard {
        let id: String
        let profile: String
        let calls: [CallLine]
        let error: String?
    }

    struct CallLine {
        let bridge: String
        let id: String
        let name: String
        let legs: String
        let chosen: Bool
    }

    struct LegTable {
        let bridge: String
        let call: String
        let callName: String
        let mayOperate: Bool
        let mayMute: Bool
        let mayDrop: Bool
        let mayReconnect: Bool
        let mayDial: Bool
        let csrf: String
        let rows: [LegRow]
        let error: String?
    }

    struct LegRow {
        let id: String
        let name: String
        let remote: String
        let state: String
        let muted: Bool
        let loss: String
        let jitter: String
        let videoLoss: String
        let roundTrip: String
        let alarms: String
    }

    struct LegForm: CSRFForm {
        let _csrf: String?
        let call: String
        let muted: String?
    }

    struct DialForm: CSRFForm {
        let _csrf: String?
        let uri: String
    }

    func registerBridge(_ on: WebRegister) {
        on(.get, "/mcu") { request, context in
            let caller = try context.caller(may: .read, state: state)
            let chosenBridge = request.query("bridge")
            let chosenCall = request.query("call")
            var cards: [BridgeCard] = []
            for bridge in gateway.bridges() {
                do {
                    let calls = try await gateway.bridgeCalls(bridge.id).map { call in
                        CallLine(
                            bridge: bridge.id, id: call.id, name: call.name,
                            legs: call.legs.map { "\($0) điểm cầu" } ?? "",
                            chosen: bridge.id == chosenBridge && call.id == chosenCall)
                    }
                    cards.append(BridgeCard(id: bridge.id, profile: bridge.profileID, calls: calls, error: nil))
                } catch {
                    cards.append(
                        BridgeCard(id: bridge.id, profile: bridge.profileID, calls: [], error: describe(error)))
                }
            }
            var page = try page("Cầu hội nghị", context)
            var table: LegTable?
            if let bridge = chosenBridge, let call = chosenCall {
                table = try await legTable(bridge: bridge, call: call, caller: caller, csrf: page.csrf, cards: cards)
            }
            page.mcu = BridgePage(bridges: cards, legs: table)
            return Reply.html(state.pages.render("mcu", page))
        }
        on(.post, "/mcu/{id}/legs/{leg}/mute") { request, context in
            let form = try await checkForm(request, context, LegForm.self)
            let (bridge, leg, caller) = try legAction(context)
            try await gateway.bridgeMute(bridge, leg: leg, muted: form.muted == "on", by: caller)
            return back(bridge, form.call)
        }
        on(.post, "/mcu/{id}/legs/{leg}/drop") { request, context in
            let form = try await checkForm(request, context, LegForm.self)
            let (bridge, leg, caller) = try legAction(context)
            try await gateway.bridgeDrop(bridge, leg: leg, by: caller)
            return back(bridge, form.call)
        }
        on(.post, "/mcu/{id}/legs/{leg}/reconnect") { request, context in
            let form = try await checkForm(request, context, LegForm.self)
            let (bridge, leg, caller) = try legAction(context)
            try await gateway.bridgeReconnect(bridge, leg: leg, by: caller)
            return back(bridge, form.call)
        }
        on(.post, "/mcu/{id}/calls/{call}/dial") { request, context in
            let form = try await checkForm(request, context, DialForm.self)
            let bridge = try bridgeDevice(context)
            let caller = try context.caller(may: .operate(room: bridge.roomID), state: state)
            let call = try context.parameters.require("call")
            _ = try await gateway.bridgeDial(bridge.id, call: call, uri: form.uri, by: caller)
            return back(bridge.id, call)
        }
    }

    /// The legs of the chosen conference; the bridge's failure is shown in the table, not as an error page.
    func legTable(bridge: String, call: String, caller: Caller, csrf: String, cards: [BridgeCard]) async throws
        -> LegTable
    {
        guard let device = gateway.bridges().first(where: { $0.id == bridge }) else {
            throw ServiceError.notFound("bridge \(bridge)")
        }
        let operations = try gateway.bridgeOperations(bridge)
        let mayOperate = caller.may(.operate(room: device.roomID), in: try gateway.inventory())
        let name = cards.first { $0.id == bridge }?.calls.first { $0.id == call }?.name ?? call
        var rows: [LegRow] = []
        var failure: String?
        do {
            rows = try await gateway.bridgeLegs(bridge, call: call).map { leg in
                func figure(_ value: Double?, _ format: String) -> String {
                    value.map { String(format: format, $0) } ?? "–"
                }
                return LegRow(
                    id: leg.id, name: leg.name, remote: leg.remote, state: leg.state ?? "",
                    muted: leg.audioMuted == true, loss: figure(leg.quality.rxAudioLossPercent, "%.1f %%"),
                    jitter: figure(leg.quality.rxAudioJitterMs, "%.0f ms"),
                    videoLoss: figure(leg.quality.rxVideoLossPercent, "%.1f %%"),
                    roundTrip: figure(leg.quality.roundTripMs, "%.0f ms"), alarms: leg.alarms.joined(separator: ", "))
            }
        } catch {
            failure = describe(error)
        }
        return LegTable(
            bridge: bridge, call: call, callName: name, mayOperate: mayOperate,
            mayMute: mayOperate && operations.contains(.mute), mayDrop: mayOperate && operations.contains(.drop),
            mayReconnect: mayOperate && operations.contains(.reconnect),
            mayDial: mayOperate && operations.contains(.dial), csrf: csrf, rows: rows, error: failure)
    }

    func bridgeDevice(_ context: ServiceContext) throws -> InventoryDevice {
        let id = try context.parameters.require("id")
        guard let device = gateway.bridges().first(where: { $0.id == id }) else {
            throw ServiceError.notFound("bridge \(id)")
        }
        return device
    }

    /// The bridge and leg of the path, and the caller, who must operate the bridge's room.
    func legAction(_ context: ServiceContext) throws -> (String, String, Caller) {
        let bridge = try bridgeDevice(context)
        let caller = try context.caller(may: .operate(room: bridge.roomID), state: state)
        return (bridge.id, try context.parameters.require("leg"), caller)
    }

    func back(_ bridge: String, _ call: String) -> Response {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_"))
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return Reply.redirect("/mcu?bridge=\(encoded(bridge))&call=\(encoded(call))")
    }

    /// A failure in a line of the page: the message and its fix.
    func describe(_ error: any Error) -> String {
        guard let error = error as? HNTTError else { return "\(error)" }
        return error.message + (error.fix.map { " — \($0)" } ?? "")
    }
}
