import Foundation
import Yams

/// Who the site is, as its documents name it (inventory `site:`): the issuing body and its parent, the
/// department in charge (Điều 3.3, 5.8), the place, the tier and who signs. Names are data: the defaults
/// follow the organisation of 2026 — the provinces' Sở Thông tin và Truyền thông merged into the Sở Khoa
/// học và Công nghệ on 1 March 2025 (that older name is the one documented old default, written as
/// `authority:` where a site still uses it), and local government of two tiers (province, commune or
/// ward) since 1 July 2025; `tier: district` keeps the former district level.
public struct Organisation: Sendable, Equatable {
    public enum Tier: String, Sendable, CaseIterable {
        case province, commune, ward, district

        /// `cấp xã`, as a report says it.
        public var vietnamese: String {
            switch self {
            case .province: return "cấp tỉnh"
            case .commune, .ward: return "cấp xã"
            case .district: return "cấp huyện"
            }
        }
    }

    /// TM., KT., TL., TUQ., Q. (Nghị định 30/2020/NĐ-CP, Điều 13) or none: the head signs in person.
    public enum SigningForm: String, Sendable, CaseIterable {
        case none = ""
        case tm = "TM."
        case kt = "KT."
        case tl = "TL."
        case tuq = "TUQ."
        case q = "Q."
    }

    public struct Signer: Sendable, Equatable {
        public var name = ""
        public var position = "Chủ tịch"
        public var form = SigningForm.none
        /// The body (TM.) or the head (KT., TL., TUQ.) the signer signs for.
        public var onBehalfOf = ""

        public init() {}

        /// The signature block's upper lines: `KT. CHỦ TỊCH`, `PHÓ CHỦ TỊCH`.
        public var titleLines: [String] {
            let position = self.position.uppercased()
            switch form {
            case .none: return [position]
            case .q: return ["Q. " + position]
            default:
                let whom = onBehalfOf.isEmpty ? position : onBehalfOf.uppercased()
                return whom == position ? ["\(form.rawValue) \(whom)"] : ["\(form.rawValue) \(whom)", position]
            }
        }
    }

    /// A unit that operates rooms (Điều 5.3) as its documents name it: its symbol and its head.
    public struct Unit: Sendable, Equatable {
        public var name: String
        public var symbol: String
        /// Who signs its logbook as head of the unit; nil leaves "Thủ trưởng đơn vị" to sign by hand.
        public var signer: Signer?

        public init(name: String) {
            self.name = name
            symbol = Organisation.symbol(of: name)
        }
    }

    public static let defaultAuthority = "Sở Khoa học và Công nghệ"
    public static let defaultAuthorityShort = "Sở KH&CN"

    /// The issuing body, upper-cased in bold in a document's header: `UBND xã Triệu Sơn`.
    public var name: String
    /// The body it belongs to (cơ quan chủ quản), above it in the header; empty for none.
    public var parent = ""
    /// The issuer's abbreviation in a number and symbol (`Số: 12/BC-UBND`).
    public var symbol: String
    public var tier = Tier.commune
    /// The place name of the place and date line (`Triệu Sơn, ngày 05 tháng 12 năm 2026`).
    public var place: String
    /// The department in charge: approves changes (Điều 3.3) and receives the report (Điều 5.8).
    public var authority = Organisation.defaultAuthority
    public var authorityShort = Organisation.defaultAuthorityShort
    public var signer = Signer()
    /// Further recipients of the report (Nơi nhận), after `Như trên` and before `Lưu: VT`.
    public var recipients: [String] = []
    /// The units, when the site lists them (`units:`): rooms, organisers and operators must name one of them.
    public var units: [Unit] = []

    public init(name: String) {
        self.name = name
        symbol = Organisation.symbol(of: name)
        place = Organisation.place(in: name)
    }

    /// `UBND xã Triệu Sơn` → `UBND`; `Văn phòng Huyện ủy` → `VP`; else the capitals' initials. `symbol:`
    /// overrides it.
    public static func symbol(of name: String) -> String {
        let words = name.split(separator: " ")
        if let first = words.first, first.count > 1, first == first.uppercased() { return String(first) }
        if name.lowercased().hasPrefix("văn phòng") { return "VP" }
        return String(words.compactMap { $0.first }.filter(\.isUppercase)).uppercased()
    }

    static let placeWords = ["thành phố", "thị trấn", "thị xã", "phường", "huyện", "quận", "tỉnh", "xã"]

    /// The words after the last administrative word: `UBND xã Triệu Sơn` → `Triệu Sơn`; `place:` overrides it.
    public static func place(in name: String) -> String {
        let lower = name.lowercased()
        for word in placeWords {
            if let range = lower.range(of: word + " ", options: .backwards) {
                let offset = lower.distance(from: lower.startIndex, to: range.upperBound)
                return String(name.dropFirst(offset)).trimmingCharacters(in: .whitespaces)
            }
        }
        return ""
    }

    static let keys: Set<String> = [
        "name", "parent", "symbol", "tier", "place", "authority", "authority_short", "signer", "recipients", "units",
    ]

    /// The unit named `name`, when the site lists it.
    public func unit(_ name: String) -> Unit? { units.first { $0.name == name } }

    /// A plain string (the name) or the mapping the README documents.
    static func parse(_ node: Node, file: YAMLFile) throws -> Organisation {
        if case .scalar = node { return Organisation(name: try file.string(node, "site")) }
        let pairs = try file.mapping(node, "site", allowed: keys)
        guard let nameNode = pairs.first(where: { $0.key == "name" })?.value else {
            throw file.error(node, "site needs `name:`", fix: "write e.g. `name: \"UBND xã Triệu Sơn\"`")
        }
        var organisation = Organisation(name: try file.string(nameNode, "name"))
        for (key, _, value) in pairs {
            switch key {
            case "parent": organisation.parent = try file.string(value, key)
            case "symbol": organisation.symbol = try file.string(value, key)
            case "place": organisation.place = try file.string(value, key)
            case "authority": organisation.authority = try file.string(value, key)
            case "authority_short": organisation.authorityShort = try file.string(value, key)
            case "recipients": organisation.recipients = try file.strings(value, key)
            case "tier":
                let text = try file.string(value, key)
                guard let tier = Tier(rawValue: text) else {
                    throw file.error(
                        value, "tier \"\(text)\" is not one the site can have",
                        fix: "use one of: \(Tier.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                organisation.tier = tier
            case "signer": organisation.signer = try parseSigner(value, file: file)
            case "units": organisation.units = try parseUnits(value, file: file)
            default: break
            }
        }
        return organisation
    }

    static func parseUnits(_ node: Node, file: YAMLFile) throws -> [Unit] {
        var units: [Unit] = []
        for unitNode in try file.sequence(node, "units") {
            let pairs = try file.mapping(unitNode, "a unit", allowed: ["name", "symbol", "signer"])
            guard let nameNode = pairs.first(where: { $0.key == "name" })?.value else {
                throw file.error(
                    unitNode, "a unit needs `name:`", fix: "write e.g. `- {name: \"Văn phòng HĐND và UBND xã\"}`")
            }
            var unit = Unit(name: try file.string(nameNode, "name"))
            for (key, _, value) in pairs {
                if key == "symbol" { unit.symbol = try file.string(value, key) }
                if key == "signer" { unit.signer = try parseSigner(value, file: file) }
            }
            guard !units.contains(where: { $0.name == unit.name }) else {
                throw file.error(nameNode, "unit \"\(unit.name)\" is listed twice", fix: "keep one of them")
            }
            units.append(unit)
        }
        return units
    }

    /// With `units:` listed, the name of every unit used elsewhere must be one of them (a typo would
    /// give a room or an organiser a unit nobody operates for).
    func checkUnit(_ name: String, usedBy what: String, file: YAMLFile) throws {
        guard !units.isEmpty, !name.isEmpty, unit(name) == nil else { return }
        throw file.error(
            nil, "\(what) names the unit \"\(name)\", which is not among the site's units",
            fix: "use one of: \(units.map(\.name).joined(separator: "; ")); or add it under `site: units:`")
    }

    static func parseSigner(_ node: Node, file: YAMLFile) throws -> Signer {
        var signer = Signer()
        for (key, _, value) in try file.mapping(node, "signer", allowed: ["name", "position", "form", "for"]) {
            let text = try file.string(value, key)
            switch key {
            case "name": signer.name = text
            case "position": signer.position = text
            case "for": signer.onBehalfOf = text
            default:
                guard let form = SigningForm.allCases.first(where: { $0.rawValue == text.uppercased() }) else {
                    throw file.error(
                        value, "signing form \"\(text)\" is not one of Nghị định 30/2020",
                        fix: "use one of: TM., KT., TL., TUQ., Q. (or leave `form:` out when the head signs)")
                }
                signer.form = form
            }
        }
        if signer.form != .none, signer.form != .q, signer.onBehalfOf.isEmpty {
            throw file.error(
                node, "signer with form \(signer.form.rawValue) needs `for:`",
                fix: "write whom the signer signs for, e.g. `for: \"Chủ tịch\"` (KT. CHỦ TỊCH)")
        }
        return signer
    }
}
