import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTGovernance
import Mustache

/// The web page's templates (Mustache: every `{{value}}` is HTML-escaped) and static files,
/// shipped in the module's resources.
struct Pages: Sendable {
    let library: MustacheLibrary
    let insecure: Bool

    init(insecure: Bool) async throws {
        library = try await MustacheLibrary(directory: Pages.folder + "/templates")
        self.insecure = insecure
    }

    static var folder: String {
        (Bundle.module.resourcePath ?? Bundle.module.bundlePath) + "/Web"
    }

    /// A file of the resources (the OpenAPI document, CSS, JavaScript).
    static func resource(_ name: String) throws -> String {
        guard !name.contains(".."), let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else {
            throw ServiceError.notFound(name)
        }
        return text
    }

    func render(_ name: String, _ page: some PageModel) -> String {
        library.render(page, withTemplate: name) ?? "template \(name) failed"
    }
}

/// What every page shows around its content.
protocol PageModel {
    var title: String { get }
    var site: String { get }
    var user: PageUser? { get }
    var insecure: Bool { get }
}

struct PageUser {
    let name: String
    let roleName: String
    let unit: String?
    let csrf: String

    init(_ session: Session) {
        name = session.account.name
        roleName = Vietnamese.role(session.account.role)
        unit = session.account.unit
        csrf = session.csrf
    }
}

struct Flash {
    let text: String
    let kind: String
}

/// Words a technician reads, in Vietnamese.
enum Vietnamese {
    static func role(_ role: Role) -> String {
        switch role {
        case .technician: return "kỹ thuật viên"
        case .approver: return "người phê duyệt"
        case .viewer: return "chỉ xem"
        case .admin: return "quản trị"
        }
    }

    static func phase(_ phase: RoomPhase) -> String {
        switch phase {
        case .off: return "Đang tắt"
        case .ready: return "Sẵn sàng"
        case .tested: return "Đã gọi thử"
        case .inSession: return "Đang họp"
        }
    }

    static func drift(_ status: String) -> String {
        switch status {
        case "clean": return "Đúng cấu hình chuẩn"
        case "drift": return "Sai lệch cấu hình"
        case "unreachable": return "Không kết nối được"
        case "no-baseline": return "Chưa có cấu hình chuẩn"
        case "error": return "Lỗi khi kiểm tra"
        default: return "Chưa kiểm tra"
        }
    }

    static func run(_ status: RunBoard.Status) -> String {
        switch status {
        case .running: return "Đang chạy"
        case .succeeded: return "Thành công"
        case .failed: return "Không thành công"
        case .refused: return "Bị từ chối"
        }
    }

    /// What went wrong, in a technician's words (the details under it come from the Gateway).
    static func headline(_ error: HNTTError, status: Int) -> String {
        if status == 404 { return "Không tìm thấy" }
        if status == 401 { return "Cần đăng nhập" }
        switch error.category {
        case .forbidden: return "Tài khoản này không được làm việc này"
        case .blocked: return "Bị từ chối theo quy trình vận hành"
        case .badInput, .badFile: return "Thông tin nhập chưa đúng"
        case .timeout: return "Thiết bị không trả lời kịp"
        case .unreachable: return "Không kết nối được thiết bị"
        case .loginRefused: return "Thiết bị từ chối đăng nhập"
        case .hostKey: return "Khóa nhận dạng của thiết bị không khớp"
        case .deviceError: return "Thiết bị báo lỗi"
        }
    }

    /// The room page's button for a procedure, as its name.
    static func procedure(_ id: String) -> String {
        ["power-on": "Khởi động", "test-call": "Gọi thử", "dial": "Kết nối phiên chính thức", "shutdown": "Tắt"][id]
            ?? id
    }

    static func age(_ seconds: Int) -> String {
        seconds < 60 ? "cập nhật \(seconds) giây trước" : "cập nhật \(seconds / 60) phút trước"
    }

    /// A device's last reading in a few words.
    static func summary(_ status: DeviceStatus) -> String {
        if let camera = status.camera { return camera.power == "on" ? "Camera bật" : "Camera chờ" }
        var words: [String] = []
        switch status.standby {
        case .on: words.append("Chờ (standby)")
        case .off: words.append("Hoạt động")
        case .halfwake: words.append("Đang thức dậy")
        case .unknown: words.append("Không rõ chế độ chờ")
        }
        words.append(status.micMuted ? "micro tắt" : "micro mở")
        words.append(status.calls.isEmpty ? "không có cuộc gọi" : "\(status.calls.count) cuộc gọi")
        return words.joined(separator: ", ")
    }

    static func kind(_ kind: LogbookEntry.Kind) -> String {
        switch kind {
        case .session: return "Phiên họp"
        case .incident: return "Sự cố"
        case .fix: return "Khắc phục"
        case .signature: return "Ký xác nhận"
        case .correction: return "Đính chính"
        case .sessionEnd: return "Kết thúc phiên"
        case .job: return "Việc theo lịch"
        }
    }

    /// A logbook entry in a sentence, as the office writes it.
    static func entry(_ entry: LogbookEntry) -> String {
        let target = entry.refersTo.map { " mục \($0)" } ?? ""
        switch entry.kind {
        case .session:
            guard let session = entry.session else { return "" }
            var text = session.sessionType == .test ? "Gọi thử" : "Phiên chính thức"
            if !session.organizer.isEmpty { text += ", cơ quan tổ chức \(session.organizer)" }
            if !session.chairSite.isEmpty { text += ", điểm cầu chủ trì \(session.chairSite)" }
            text += ", kết quả \(session.outcome == "ok" ? "đạt" : "không đạt")"
            if let loss = session.lossPercent { text += ", mất gói \(loss) %" }
            if let jitter = session.jitterMs { text += ", jitter \(jitter) ms" }
            if let forced = session.forced { text += " (bỏ qua quy tắc: \(forced))" }
            return text + "; người vận hành \(session.operatorName)"
        case .incident:
            guard let incident = entry.incident else { return "" }
            var text = "\(incident.what) (loại: \(incident.kind.vietnamese))"
            if !incident.fix.isEmpty { text += "; khắc phục: \(incident.fix)" }
            return text + "; người ghi \(incident.operatorName)"
        case .fix:
            let fix = entry.content(FixContent.self)
            return "Khắc phục\(target): \(fix?.fix ?? ""); người ghi \(fix?.operatorName ?? "")"
        case .signature:
            return "\(entry.content(SignatureContent.self)?.signedBy ?? "") ký xác nhận\(target)"
        case .correction:
            let correction = entry.content(CorrectionContent.self)
            return "Đính chính\(target): \(correction?.text ?? ""); người ghi \(correction?.operatorName ?? "")"
        case .sessionEnd:
            return
                "Kết thúc phiên chính thức\(target) lúc \(LogbookDocument.time(entry.content(SessionEndContent.self)?.endedAt))"
                + (entry.content(SessionEndContent.self).flatMap(LogbookDocument.sampledQuality).map { "; \($0)" } ?? "")
        case .job:
            guard let job = entry.content(JobContent.self) else { return "" }
            return "\(JobWords.title(job.job)) theo lịch đăng ký số \(job.booking): \(JobWords.outcome(job.outcome))"
                + (job.detail.isEmpty ? "" : " (\(job.detail))")
        }
    }

    static func session(_ session: SessionContent) -> String {
        var text = "\(LogbookDocument.time(session.startedAt)) \(session.outcome == "ok" ? "đạt" : "không đạt")"
        if let loss = session.lossPercent { text += ", mất gói \(loss) %" }
        if let jitter = session.jitterMs { text += ", jitter \(jitter) ms" }
        return text
    }
}

/// A device line of the dashboard and the room page.
struct DeviceLine {
    let id: String
    let summary: String?
    let error: String?
    let age: String?
    let drift: String?
    let driftStatus: String?
    /// The live watch of a codec: watching, or since when not.
    var watch: String?

    init(_ device: RoomOverview.Device, now: Date = Date()) {
        id = device.id
        summary = device.reading.status.map(Vietnamese.summary)
        error = device.reading.error.map { "Không đọc được: \($0.message)" }
        age = device.reading.readAt.map { Vietnamese.age(max(0, Int(now.timeIntervalSince($0)))) }
        drift = device.kind != .codec ? nil : device.drift.map { Vietnamese.drift($0.status) }
        driftStatus = device.drift?.status
    }
}

struct RoomCard {
    let id: String
    let name: String
    let unit: String
    let phase: String
    let phaseName: String
    var devices: [DeviceLine]
    let lastTest: String?
    let openIncidents: Int
    /// The next booked session and what the scheduler did for it.
    var nextBooking: String?

    init(_ room: RoomOverview) {
        id = room.id
        name = room.name
        unit = room.unit
        phase = room.phase.rawValue
        phaseName = Vietnamese.phase(room.phase)
        devices = room.devices.map { DeviceLine($0) }
        lastTest = room.lastTestCall.map(Vietnamese.session)
        openIncidents = room.openIncidents.count
    }
}
