import Foundation
import HNTTCore

/// An administrative document in the parts Nghị định 30/2020/NĐ-CP (Điều 8, Phụ lục I) prescribes:
/// the header (parent and issuing body left, national title and motto right), number and symbol, place
/// and date, kind and title, the body, the recipients and the signature block. One model, rendered as
/// HTML (``DocumentHTML``) and as Office Open XML (``DocumentDOCX``), so both carry the same parts.
public struct OfficialDocument: Sendable {
    public enum Block: Sendable {
        case heading(String)
        /// Paragraphs split at line breaks.
        case paragraph(String)
        case table(Table)
        /// A small line under the body, e.g. the chains' check codes.
        case note(String)
    }

    public struct Table: Sendable {
        public var columns: [String]
        /// Relative widths of the columns.
        public var widths: [Double]
        public var rows: [[String]]
        /// The one row shown when there are none.
        public var emptyText: String
        /// Rows after the body rows, in bold (a total).
        public var footer: [[String]] = []

        public init(columns: [String], widths: [Double]? = nil, rows: [[String]], emptyText: String) {
            self.columns = columns
            self.widths = widths ?? Array(repeating: 1, count: columns.count)
            self.rows = rows
            self.emptyText = emptyText
        }
    }

    /// A signature block: the upper lines in bold capitals, a hint in italics, the space to sign, the name.
    public struct Signature: Sendable {
        public var lines: [String]
        public var hint: String
        public var name: String

        public init(lines: [String], hint: String = "", name: String) {
            self.lines = lines
            self.hint = hint
            self.name = name
        }

        public init(_ signer: Organisation.Signer) {
            self.init(
                lines: signer.titleLines, hint: signer.name.isEmpty ? "(Ký, ghi rõ họ tên, đóng dấu)" : "",
                name: signer.name)
        }
    }

    public var parentBody: String
    public var issuer: String
    /// `Số: 12/BC-UBND`, or `Số:      /BC-UBND` for the office to fill in at issue.
    public var number: String
    /// `Triệu Sơn, ngày 05 tháng 12 năm 2026`.
    public var placeAndDate: String
    /// `BÁO CÁO`: the kind of document, in capitals.
    public var kind: String
    /// The summary line under it (trích yếu).
    public var title: String
    /// An italic line under the title (the period).
    public var subtitle = ""
    /// `Kính gửi: …`; empty for none.
    public var addressee = ""
    public var body: [Block] = []
    /// Nơi nhận, each without its dash; the last is the archive (`Lưu: VT`).
    public var recipients: [String] = []
    /// Left to right; the issuer's signer is the last.
    public var signatures: [Signature] = []
    public var landscape = false

    public init(
        parentBody: String, issuer: String, number: String, placeAndDate: String, kind: String, title: String
    ) {
        self.parentBody = parentBody
        self.issuer = issuer
        self.number = number
        self.placeAndDate = placeAndDate
        self.kind = kind
        self.title = title
    }

    /// The document's file title: kind and summary.
    public var documentTitle: String { kind.lowercased().capitalizedFirst + " " + title }

    /// `Số: 05/BC-UBND`: a number below 10 gets a leading zero; without one, space for the office's.
    public static func number(_ number: Int?, kind: String, symbol: String) -> String {
        let code = symbol.isEmpty ? kind : "\(kind)-\(symbol)"
        guard let number else { return "Số:        /\(code)" }
        return "Số: " + (number < 10 ? "0\(number)" : "\(number)") + "/\(code)"
    }

    /// `Triệu Sơn, ngày 05 tháng 02 năm 2026`: days below 10 and the months 1 and 2 get a leading zero.
    public static func placeAndDate(_ place: String, _ date: Date, calendar: Calendar = .current) -> String {
        let parts = calendar.dateComponents([.day, .month, .year], from: date)
        let day = parts.day ?? 1
        let month = parts.month ?? 1
        let dayText = day < 10 ? "0\(day)" : "\(day)"
        let monthText = month < 3 ? "0\(month)" : "\(month)"
        let placeText = place.isEmpty ? "……………" : place.capitalizedFirst
        return "\(placeText), ngày \(dayText) tháng \(monthText) năm \(parts.year ?? 2026)"
    }

    /// Nơi nhận: the given ones and the archive; `Như trên` first when the document is addressed.
    public static func recipients(_ others: [String], addressed: Bool, archive: String) -> [String] {
        (addressed ? ["Như trên"] : []) + others.filter { !$0.isEmpty } + ["Lưu: " + archive]
    }
}

extension String {
    /// The first letter in capitals, the rest as written.
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
