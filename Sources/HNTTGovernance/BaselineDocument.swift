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
        public var settings: [(key: String, value: String)]

        public static func == (a: DeviceEntry, b: DeviceEntry) -> Bool {
            a.device == b.device && a.profile == b.profile && a.settings.map(\.key) == b.settings.map(\.key)
                && a.settings.map(\.value) == b.settings.map(\.value)
        }
    }

    public struct Signature: Sendable, Equatable {
        public var signer: String
        public var reference: String
        public var signedAt: String
        public var publicKey: String
        public var value: String
    }

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
        lines += ["signer " + quote(signer), "reference " + quote(reference), "signed_at " + quote(signedAt),
                  "public_key " + quote(publicKey)]
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }

    /// Signs the document with `key`, as `signer` under `reference`.
    public mutating func sign(with key: Curve25519.Signing.PrivateKey, signer: String, reference: String, at date: Date = Date()) throws {
        guard !signer.trimmingCharacters(in: .whitespaces).isEmpty, !reference.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HNTTError(.badInput, "a signature needs the signer's name and the document number",
                            fix: "pass --by \"NAME\" and --ref \"NUMBER/QĐ-STTTT\"")
        }
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        let signedAt = timestamp(date)
        let canonical = canonicalForm(signer: signer, reference: reference, signedAt: signedAt, publicKey: publicKey)
        let value = try key.signature(for: canonical).base64EncodedString()
        signature = Signature(signer: signer, reference: reference, signedAt: signedAt, publicKey: publicKey, value: value)
    }

    /// Checks the signature against the trust store; throws `.blocked` (exit 3) saying why not.
    public func verify(trusting trust: [TrustedKey]) throws -> TrustedKey {
        guard let signature else {
            throw HNTTError(.blocked, "the baseline is not signed",
                            fix: "the Sở TT&TT signs it with `hntt baseline sign FILE --key approval-key.private --by NAME --ref NUMBER`")
        }
        guard let trusted = trust.first(where: { $0.publicKey == signature.publicKey }) else {
            throw HNTTError(.blocked, "the baseline is signed with a key this gateway does not trust (\(signature.publicKey.prefix(12))…)",
                            fix: "if the key is the Sở TT&TT's, add its public key with `hntt trust add FILE --name NAME`; otherwise ask them to sign it")
        }
        guard let raw = Data(base64Encoded: signature.publicKey), let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
              let value = Data(base64Encoded: signature.value) else {
            throw HNTTError(.blocked, "the baseline's signature block is damaged", fix: "ask the Sở TT&TT for the signed file again")
        }
        let canonical = canonicalForm(signer: signature.signer, reference: signature.reference, signedAt: signature.signedAt,
                                      publicKey: signature.publicKey)
        guard publicKey.isValidSignature(value, for: canonical) else {
            throw HNTTError(.blocked, "the baseline's signature does not match its content: it was altered after signing, or the signature was",
                            fix: "ask the Sở TT&TT for the signed file again; do not edit a signed baseline")
        }
        return trusted
    }

    // MARK: - YAML

    /// The document as YAML, ready for review (and signed, if it is).
    public func yaml() -> String {
        var out = """
            # hntt baseline: the approved configuration of these devices (Quy chế, Điều 3.3).
            # Review every value. The Sở TT&TT signs it with
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
        if let signature {
            out += "signature:\n"
            out += "  signer: \(quote(signature.signer))\n  reference: \(quote(signature.reference))\n"
            out += "  signed_at: \(quote(signature.signedAt))\n  public_key: \(quote(signature.publicKey))\n"
            out += "  value: \(quote(signature.value))\n"
        }
        return out
    }

    /// Parses a baseline file; problems name the file and line.
    public static func load(path: String) throws -> BaselineDocument {
        let file = try YAMLFile(path: path, what: "baseline")
        var drafted = "", devices: [DeviceEntry] = [], signature: Signature?
        var kind = ""
        for (key, _, value) in try file.mapping(file.root, "the baseline", allowed: ["kind", "format", "drafted_at", "devices", "signature"]) {
            switch key {
            case "kind": kind = try file.string(value, key)
            case "format":
                guard try file.int(value, key, range: 1...1) == 1 else { continue }
            case "drafted_at": drafted = try file.string(value, key)
            case "devices":
                for node in try file.sequence(value, "devices") {
                    var entry = DeviceEntry(device: "", profile: "", settings: [])
                    for (field, _, fieldValue) in try file.mapping(node, "a device", allowed: ["device", "profile", "settings"]) {
                        switch field {
                        case "device": entry.device = try file.string(fieldValue, field)
                        case "profile": entry.profile = try file.string(fieldValue, field)
                        default:
                            for (settingKey, _, settingValue) in try file.mapping(fieldValue, "settings", allowed: nil) {
                                entry.settings.append((settingKey, try file.string(settingValue, settingKey)))
                            }
                        }
                    }
                    guard !entry.device.isEmpty else {
                        throw file.error(node, "a device entry has no `device:`", fix: "name the device as in the inventory")
                    }
                    devices.append(entry)
                }
            default:
                var fields: [String: String] = [:]
                for (field, _, fieldValue) in try file.mapping(value, "signature",
                                                               allowed: ["signer", "reference", "signed_at", "public_key", "value"]) {
                    fields[field] = try file.string(fieldValue, field)
                }
                signature = Signature(signer: fields["signer"] ?? "", reference: fields["reference"] ?? "",
                                      signedAt: fields["signed_at"] ?? "", publicKey: fields["public_key"] ?? "", value: fields["value"] ?? "")
            }
        }
        guard kind == "hntt-baseline" else {
            throw file.error(file.root, "this is not an hntt baseline (kind: \(kind.isEmpty ? "missing" : kind))",
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
