import Crypto
import Foundation
import HNTTCore
import Yams

/// A baseline as the department reviews and signs it: a YAML document listing, per device, the
/// governed settings and their approved values, and (once signed) who signed it, under which
/// document number, when, with which key.
///
/// The signature covers a canonical form built from the parsed content, not the file's bytes:
/// comments and spacing may change, but any changed device, key, value, order, signer or
/// reference breaks it.
public struct BaselineDocument: Sendable, Equatable {
    public struct DeviceEntry: Sendable, Equatable {
        public var device: String
        public var profile: String
        public var settings: [Setting]

        public init(device: String, profile: String, settings: [Setting]) {
            self.device = device
            self.profile = profile
            self.settings = settings
        }
    }

    public typealias Signature = DocumentSignature

    public var draftedAt: String
    public var devices: [DeviceEntry]
    public var signature: Signature?

    public init(draftedAt: String = timestamp(), devices: [DeviceEntry], signature: Signature? = nil) {
        self.draftedAt = draftedAt
        self.devices = devices
        self.signature = signature
    }

    // MARK: - Canonical form and signing

    /// What is signed: every device, setting and signature field except the signature value.
    public func canonicalForm(signer: String, reference: String, signedAt: String, publicKey: String) -> Data {
        var lines = ["hntt-baseline 1"]
        for entry in devices {
            lines.append("device " + quote(entry.device))
            lines.append("profile " + quote(entry.profile))
            for setting in entry.settings { lines.append("setting " + quote(setting.key) + " " + quote(setting.value)) }
        }
        lines += [
            "signer " + quote(signer), "reference " + quote(reference), "signed_at " + quote(signedAt),
            "public_key " + quote(publicKey),
        ]
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Signs the document with `key`, as `signer` under `reference`.
    public mutating func sign(
        with key: Curve25519.Signing.PrivateKey, signer: String, reference: String, at date: Date = Date()
    ) throws {
        signature = try DocumentSignature.make(
            with: key, signer: signer, reference: reference, at: date, canonical: canonicalForm)
    }

    /// Checks the signature against the trust store; throws `.blocked` (exit 3) saying why not.
    public func verify(trusting trust: [TrustedKey]) throws -> TrustedKey {
        try DocumentSignature.verify(signature, what: "baseline", trusting: trust, canonical: canonicalForm)
    }

    // MARK: - YAML

    /// The document as YAML, ready for review (and signed, if it is).
    public func yaml() -> String {
        var out = """
            # hntt baseline: the approved configuration of these devices (Quy chế, Điều 3.3).
            # Review every value. The department in charge signs it with
            #   hntt baseline sign FILE --key approval-key.private --by "NAME" --ref "DOCUMENT NUMBER"
            # Secret values are keyed hashes (hmac-sha256:…), never the secret itself.
            kind: hntt-baseline
            format: 1
            drafted_at: \(quote(draftedAt))
            devices:

            """
        for entry in devices {
            out += "  - device: \(quote(entry.device))\n    profile: \(quote(entry.profile))\n    settings:\n"
            if entry.settings.isEmpty { out += "      {}\n" }
            for setting in entry.settings { out += "      \(quote(setting.key)): \(quote(setting.value))\n" }
        }
        out += signature?.yaml() ?? ""
        return out
    }

    /// Parses a baseline file; problems name the file and line.
    public static func load(path: String) throws -> BaselineDocument {
        try load(try YAMLFile(path: path, what: "baseline"))
    }

    /// Parses a document held in memory (as kept in the database).
    public static func load(text: String, name: String) throws -> BaselineDocument {
        try load(try YAMLFile(text: text, name: name))
    }

    static func load(_ file: YAMLFile) throws -> BaselineDocument {
        var drafted = ""
        var devices: [DeviceEntry] = []
        var signature: Signature?
        var kind = ""
        for (key, _, value) in try file.mapping(
            file.root, "the baseline", allowed: ["kind", "format", "drafted_at", "devices", "signature"])
        {
            switch key {
            case "kind": kind = try file.string(value, key)
            case "format":
                guard try file.int(value, key, range: 1...1) == 1 else { continue }
            case "drafted_at": drafted = try file.string(value, key)
            case "devices":
                for node in try file.sequence(value, "devices") {
                    var entry = DeviceEntry(device: "", profile: "", settings: [])
                    for (field, _, fieldValue) in try file.mapping(
                        node, "a device", allowed: ["device", "profile", "settings"])
                    {
                        switch field {
                        case "device": entry.device = try file.string(fieldValue, field)
                        case "profile": entry.profile = try file.string(fieldValue, field)
                        default:
                            for (settingKey, _, settingValue) in try file.mapping(fieldValue, "settings", allowed: nil)
                            {
                                entry.settings.append(Setting(settingKey, try file.string(settingValue, settingKey)))
                            }
                        }
                    }
                    guard !entry.device.isEmpty else {
                        throw file.error(
                            node, "a device entry has no `device:`", fix: "name the device as in the inventory")
                    }
                    devices.append(entry)
                }
            default:
                signature = try DocumentSignature.load(value, file: file)
            }
        }
        guard kind == "hntt-baseline" else {
            throw file.error(
                file.root, "this is not an hntt baseline (kind: \(kind.isEmpty ? "missing" : kind))",
                fix: "make one with `hntt baseline draft DEVICE -o FILE`")
        }
        return BaselineDocument(draftedAt: drafted, devices: devices, signature: signature)
    }

    public static func == (a: BaselineDocument, b: BaselineDocument) -> Bool {
        a.draftedAt == b.draftedAt && a.devices == b.devices && a.signature == b.signature
    }
}

/// A double-quoted string, valid as JSON and as YAML.
func quote(_ text: String) -> String { jsonQuoted(text) }
