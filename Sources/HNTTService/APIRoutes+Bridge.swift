import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HTTPTypes
import Hummingbird

/// The conference bridge's routes: the same operations as `hntt mcu`, with its JSON. Reading needs a
/// login; steering a site needs the right to operate the bridge's own room (its unit runs the bridge).
extension APIRoutes {
    static let bridgeTable: [(method: HTTPRequest.Method, path: String, open: Bool)] = [
        (.get, "/api/v1/mcu/{id}/calls", false), (.get, "/api/v1/mcu/{id}/calls/{call}/legs", false),
        (.post, "/api/v1/mcu/{id}/calls/{call}/legs", false), (.post, "/api/v1/mcu/{id}/legs/{leg}/mute", false),
        (.delete, "/api/v1/mcu/{id}/legs/{leg}", false), (.post, "/api/v1/mcu/{id}/legs/{leg}/reconnect", false),
    ]

    struct Dial: Decodable { let uri: String }

    /// The bridge named in the path and the caller, who must be allowed to operate the bridge's room.
    func operating(_ context: ServiceContext) throws -> (InventoryDevice, Caller) {
        let device = try device(context)
        return (device, try context.caller(may: .operate(room: device.roomID), state: state))
    }

    func registerBridge(_ on: Register) {
        on(.get, "/api/v1/mcu/{id}/calls") { _, context in
            _ = try context.caller(may: .read, state: state)
            let device = try device(context)
            return Reply.json(BridgeReplies.calls(device.id, try await gateway.bridgeCalls(device.id)))
        }
        on(.get, "/api/v1/mcu/{id}/calls/{call}/legs") { _, context in
            _ = try context.caller(may: .read, state: state)
            let device = try device(context)
            let call = try context.parameters.require("call")
            let legs = try await gateway.bridgeLegs(device.id, call: call)
            return Reply.json(BridgeReplies.legs(device.id, call: call, legs))
        }
        on(.post, "/api/v1/mcu/{id}/calls/{call}/legs") { request, context in
            let (device, caller) = try operating(context)
            let call = try context.parameters.require("call")
            let body = try await request.json(Dial.self)
            let leg = try await gateway.bridgeDial(device.id, call: call, uri: body.uri, by: caller)
            return Reply.json(BridgeReplies.dialled(device.id, leg: leg), status: .created)
        }
        on(.post, "/api/v1/mcu/{id}/legs/{leg}/mute") { request, context in
            let (device, caller) = try operating(context)
            let leg = try context.parameters.require("leg")
            let body = try await request.json(Mute.self)
            let now = try await gateway.bridgeMute(device.id, leg: leg, muted: body.muted, by: caller)
            return Reply.json(BridgeReplies.muted(device.id, leg: leg, now.audioMuted ?? body.muted))
        }
        on(.delete, "/api/v1/mcu/{id}/legs/{leg}") { _, context in
            let (device, caller) = try operating(context)
            let leg = try context.parameters.require("leg")
            try await gateway.bridgeDrop(device.id, leg: leg, by: caller)
            return Reply.json(BridgeReplies.dropped(device.id, leg: leg))
        }
        on(.post, "/api/v1/mcu/{id}/legs/{leg}/reconnect") { _, context in
            let (device, caller) = try operating(context)
            let leg = try context.parameters.require("leg")
            try await gateway.bridgeReconnect(device.id, leg: leg, by: caller)
            return Reply.json(BridgeReplies.reconnected(device.id, leg: leg))
        }
    }
}
