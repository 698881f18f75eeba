import Foundation
import HNTTCore
import HNTTGovernance

/// The Sở's side (Điều 3.3): its approval key, change orders requested and signed, baselines signed.
extension Gateway {
    /// Makes the department's Ed25519 key pair in `folder`; returns the public key.
    public func createAuthority(in folder: String) throws -> String { try ApprovalKeys.createPair(in: folder) }

    /// A change order for the Sở to review and sign; every value is checked before it is written.
    public func requestChange(_ id: String, settings: [String], reason: String) throws -> ChangeOrder {
        _ = try device(id)
        let changes = try settings.map { pair -> Setting in
            guard let equals = pair.firstIndex(of: "=") else {
                throw HNTTError(
                    .badInput, "\"\(pair)\" is not KEY=VALUE", fix: "write e.g. \"SIP DisplayName=New name\"")
            }
            let value = String(pair[pair.index(after: equals)...])
            try SafeValue.check(value, field: "the value of \(pair[..<equals])")
            return Setting(String(pair[..<equals]), value)
        }
        guard !changes.isEmpty else {
            throw HNTTError(.badInput, "name at least one KEY=VALUE", fix: "see `hntt change request --help`")
        }
        return ChangeOrder(reason: reason, devices: [.init(device: id, changes: changes)])
    }

    /// Signs a change order file in place.
    public func signChangeOrder(file: String, key: String, signer: String, reference: String, validUntil: String?)
        throws -> ChangeOrder
    {
        var order = try ChangeOrder.load(path: file)
        var until: Date?
        if let validUntil {
            guard let date = parseTimestamp(validUntil) else {
                throw HNTTError(
                    .badInput, "--valid-until \"\(validUntil)\" is not an ISO 8601 time",
                    fix: "write e.g. 2026-12-31T17:00:00Z")
            }
            until = date
        }
        try order.sign(with: try ApprovalKeys.loadPrivate(key), signer: signer, reference: reference, validUntil: until)
        try Data(order.yaml().utf8).write(to: URL(fileURLWithPath: file))
        return order
    }

    /// Signs a reviewed baseline file in place.
    public func signBaseline(file: String, key: String, signer: String, reference: String) throws {
        var document = try BaselineDocument.load(path: file)
        try document.sign(with: try ApprovalKeys.loadPrivate(key), signer: signer, reference: reference)
        try Data(document.yaml().utf8).write(to: URL(fileURLWithPath: file))
    }
}
