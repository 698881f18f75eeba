import Crypto
import Foundation
import HNTTCore
import Yams

/// A change order: the department's signed permission to set these keys to these values on these
/// devices, within a time window, once (Điều 3.3).
public struct ChangeOrder: Sendable, Equatable {
    public struct DeviceChanges: Sendable, Equatable {
        public var device: String
        public var changes: [Setting]

        public init(device: String, changes: [Setting]) {
            self.device = device
            self.changes = changes
        }
    }

    /// Unique per order: what makes it single-use.
    public var id: String
    public var reason: String
    public var validFrom: String
    public var validUntil: String
    public var devices: [DeviceChanges]
    public var signature: DocumentSignature?

    public init(
        id: String = UUID().uuidString.lowercased(), reason: String, validFrom: Date = Date(),
        validUntil: Date = Date().addingTimeInterval(7 * 86400), devices: [DeviceChanges]
    ) {
        self.id = id
        self.reason = reason
        self.validFrom = timestamp(validFrom)
        self.validUntil = timestamp(validUntil)
        self.devices = devices
    }

    public func canonicalForm(signer: String, reference: String, signedAt: String, publicKey: String) -> Data {
        var lines = [
            "hntt-change-order 1", "id " + quote(id), "reason " + quote(reason), "valid_from " + quote(validFrom),
            "valid_until " + quote(validUntil),
        ]
        for entry in devices {
            lines.append("device " + quote(entry.device))
            for change in entry.changes { lines.append("set " + quote(change.key) + " " + quote(change.value)) }
        }
        lines += [
            "signer " + quote(signer), "reference " + quote(reference), "signed_at " + quote(signedAt),
            "public_key " + quote(publicKey),
        ]
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    public mutating func sign(
        with key: Curve25519.Signing.PrivateKey, signer: String, reference: String, validUntil: Date?,
        at date: Date = Date()
    ) throws {
        if let validUntil { self.validUntil = timestamp(validUntil) }
        signature = try DocumentSignature.make(
            with: key, signer: signer, reference: reference, at: date, canonical: canonicalForm)
    }

    public func verify(trusting trust: [TrustedKey]) throws -> TrustedKey {
        try DocumentSignature.verify(signature, what: "change order", trusting: trust, canonical: canonicalForm)
    }

    public func yaml() -> String {
        var out = """
            # hntt change order: permission to change these settings (Quy chế, Điều 3.3).
            # The department in charge signs it with
            #   hntt change sign FILE --key approval-key.private --by "NAME" --ref "DOCUMENT NUMBER" [--valid-until TIME]
            # then the gateway applies it once: hntt change apply FILE
            kind: hntt-change-order
            format: 1
            id: \(quote(id))
            reason: \(quote(reason))
            valid_from: \(quote(validFrom))
            valid_until: \(quote(validUntil))
            devices:

            """
        for entry in devices {
            out += "  - device: \(quote(entry.device))\n    changes:\n"
            for change in entry.changes { out += "      \(quote(change.key)): \(quote(change.value))\n" }
        }
        return out + (signature?.yaml() ?? "")
    }

    public static func load(path: String) throws -> ChangeOrder {
        try load(try YAMLFile(path: path, what: "change order"))
    }

    /// Parses a document held in memory (as kept in the database).
    public static func load(text: String, name: String) throws -> ChangeOrder {
        try load(try YAMLFile(text: text, name: name))
    }

    static func load(_ file: YAMLFile) throws -> ChangeOrder {
        var order = ChangeOrder(reason: "", devices: [])
        var kind = ""
        for (key, _, value) in try file.mapping(
            file.root, "the change order",
            allowed: ["kind", "format", "id", "reason", "valid_from", "valid_until", "devices", "signature"])
        {
            switch key {
            case "kind": kind = try file.string(value, key)
            case "format": _ = try file.int(value, key, range: 1...1)
            case "id": order.id = try file.string(value, key)
            case "reason": order.reason = try file.string(value, key)
            case "valid_from": order.validFrom = try file.string(value, key)
            case "valid_until": order.validUntil = try file.string(value, key)
            case "devices":
                order.devices = try file.sequence(value, "devices").map { node in
                    var entry = DeviceChanges(device: "", changes: [])
                    for (field, _, fieldValue) in try file.mapping(node, "a device", allowed: ["device", "changes"]) {
                        if field == "device" {
                            entry.device = try file.string(fieldValue, field)
                        } else {
                            entry.changes = try file.mapping(fieldValue, "changes", allowed: nil).map {
                                Setting($0.key, try file.string($0.value, $0.key))
                            }
                        }
                    }
                    return entry
                }
            default: order.signature = try DocumentSignature.load(value, file: file)
            }
        }
        guard kind == "hntt-change-order" else {
            throw file.error(
                file.root, "this is not an hntt change order",
                fix: "make one with `hntt change request DEVICE KEY=VALUE -o FILE`")
        }
        return order
    }

    public static func == (a: ChangeOrder, b: ChangeOrder) -> Bool {
        a.id == b.id && a.reason == b.reason && a.validFrom == b.validFrom && a.validUntil == b.validUntil
            && a.devices == b.devices
            && a.signature == b.signature
    }
}
