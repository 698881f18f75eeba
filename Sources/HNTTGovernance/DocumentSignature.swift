import Crypto
import Foundation
import HNTTCore
import Yams

/// The signature block of a document the department in charge signs (baselines, change orders): who, under
/// which document number, when, with which key, over the document's canonical form.
public struct DocumentSignature: Sendable, Equatable {
    public var signer: String
    public var reference: String
    public var signedAt: String
    public var publicKey: String
    public var value: String

    /// The canonical form of a document for given signature fields.
    public typealias Canonical = (_ signer: String, _ reference: String, _ signedAt: String, _ publicKey: String) ->
        Data

    /// Signs `canonical` as `signer` under `reference`.
    public static func make(
        with key: Curve25519.Signing.PrivateKey, signer: String, reference: String, at date: Date,
        canonical: Canonical
    ) throws -> DocumentSignature {
        guard !signer.trimmingCharacters(in: .whitespaces).isEmpty,
            !reference.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw HNTTError(
                .badInput, "a signature needs the signer's name and the document number",
                fix: "pass --by \"NAME\" and --ref \"NUMBER/QĐ-SKHCN\"")
        }
        let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
        let signedAt = timestamp(date)
        let value = try key.signature(for: canonical(signer, reference, signedAt, publicKey)).base64EncodedString()
        return DocumentSignature(
            signer: signer, reference: reference, signedAt: signedAt, publicKey: publicKey, value: value)
    }

    /// Checks `signature` over `canonical` against the trust store; throws `.blocked` (exit 3)
    /// saying what is wrong and who can put it right.
    public static func verify(
        _ signature: DocumentSignature?, what: String, trusting trust: [TrustedKey],
        canonical: Canonical
    ) throws -> TrustedKey {
        guard let signature else {
            throw HNTTError(
                .blocked, "the \(what) is not signed",
                fix:
                    "the department in charge signs it with its approval key (`hntt \(what == "baseline" ? "baseline" : "change") sign FILE --key approval-key.private --by NAME --ref NUMBER`)"
            )
        }
        guard let trusted = trust.first(where: { $0.publicKey == signature.publicKey }) else {
            throw HNTTError(
                .blocked,
                "the \(what) is signed with a key this gateway does not trust (\(signature.publicKey.prefix(12))…)",
                fix:
                    "if the key is the department's, add its public key with `hntt trust add FILE --name NAME`; otherwise ask them to sign it"
            )
        }
        guard let raw = Data(base64Encoded: signature.publicKey),
            let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let value = Data(base64Encoded: signature.value)
        else {
            throw HNTTError(
                .blocked, "the \(what)'s signature block is damaged",
                fix: "ask the department in charge for the signed file again")
        }
        guard
            publicKey.isValidSignature(
                value, for: canonical(signature.signer, signature.reference, signature.signedAt, signature.publicKey))
        else {
            throw HNTTError(
                .blocked,
                "the \(what)'s signature does not match its content: it was altered after signing, or the signature was",
                fix: "ask the department in charge for the signed file again; do not edit a signed \(what)")
        }
        return trusted
    }

    /// The `signature:` block as YAML.
    public func yaml() -> String {
        "signature:\n  signer: \(quote(signer))\n  reference: \(quote(reference))\n  signed_at: \(quote(signedAt))\n"
            + "  public_key: \(quote(publicKey))\n  value: \(quote(value))\n"
    }

    /// Reads a `signature:` block.
    public static func load(_ node: Yams.Node, file: YAMLFile) throws -> DocumentSignature {
        var fields: [String: String] = [:]
        for (field, _, fieldValue) in try file.mapping(
            node, "signature", allowed: ["signer", "reference", "signed_at", "public_key", "value"])
        {
            fields[field] = try file.string(fieldValue, field)
        }
        return DocumentSignature(
            signer: fields["signer"] ?? "", reference: fields["reference"] ?? "", signedAt: fields["signed_at"] ?? "",
            publicKey: fields["public_key"] ?? "", value: fields["value"] ?? "")
    }
}
