import Foundation
import HNTTCore
import HNTTDocuments
import HNTTGateway
import HNTTHub

/// What every page of the hub shows around its content: the account, and no session form (HTTP Basic).
struct HubFrame {
    let title: String
    let site = "Trạm tổng hợp hội nghị truyền hình trực tuyến của tỉnh"
    let who: String
    let roleName: String
    let loggedIn: Bool

    init(_ title: String, _ account: UserAccount?) {
        self.title = title
        loggedIn = account != nil
        who = account?.name ?? ""
        roleName = account.map { Vietnamese.role($0.role) } ?? ""
    }
}

protocol HubPageModel: PageModel {
    var frame: HubFrame { get }
}

extension HubPageModel {
    var title: String { frame.title }
    var site: String { frame.site }
    var user: PageUser? { nil }
    var insecure: Bool { false }
}

struct HubDashboard: HubPageModel {
    struct Row {
        let id: String
        let state: String
        let lastSync: String
        let entries: Int64
        let chain: String
        let broken: Bool
    }

    struct Incident {
        let gateway: String
        let room: String
        let what: String
        let began: String
    }

    struct Device {
        let gateway: String
        let device: String
        let status: String
        let statusName: String
        let checkedAt: String
    }

    let frame: HubFrame
    let gateways: [Row]
    let incidents: [Incident]
    /// Devices whose newest result is not clean; `clean` counts the others.
    let devices: [Device]
    let clean: Int
    let brokenChains: Int
    let chainsWhole: Bool

    init(
        _ account: UserAccount, gateways: [GatewayRecord], incidents: [ProvinceIncident], devices: [ProvinceDevice]
    ) {
        frame = HubFrame("Toàn tỉnh", account)
        self.gateways = gateways.map {
            Row(
                id: $0.id, state: $0.joined ? "Đã kết nối" : "Đã cấp phép, chưa kết nối",
                lastSync: $0.lastSyncAt.map(localTimestamp) ?? "chưa đồng bộ", entries: $0.logbookEntries,
                chain: $0.chainProblem.map { "Chuỗi bị phá vỡ: \($0)" } ?? "Toàn vẹn", broken: $0.chainProblem != nil)
        }
        self.incidents = incidents.map {
            Incident(gateway: $0.gateway, room: $0.room, what: $0.what, began: $0.began ?? "")
        }
        let notClean = devices.filter { $0.status != "clean" }
        self.devices = notClean.map {
            Device(
                gateway: $0.gateway, device: $0.device, status: $0.status, statusName: Vietnamese.drift($0.status),
                checkedAt: $0.checkedAt)
        }
        clean = devices.count - notClean.count
        brokenChains = gateways.filter { $0.chainProblem != nil }.count
        chainsWhole = brokenChains == 0
    }
}

struct HubRooms: HubPageModel {
    let frame: HubFrame
    let rooms: [ProvinceRoom]

    init(_ account: UserAccount, rooms: [ProvinceRoom]) {
        frame = HubFrame("Phòng họp toàn tỉnh", account)
        self.rooms = rooms
    }
}

struct HubActivity: HubPageModel {
    let frame: HubFrame
    let byDay: Bool
    let prefix: String
    let rows: [ProvinceActivity]
    let sessions: Int
    let incidents: Int

    init(_ account: UserAccount, by period: ProvinceViews.Period, prefix: String, rows: [ProvinceActivity]) {
        frame = HubFrame("Phiên họp và sự cố theo \(period == .day ? "ngày" : "tháng")", account)
        byDay = period == .day
        self.prefix = prefix
        self.rows = rows
        sessions = rows.map(\.sessions).reduce(0, +)
        incidents = rows.map(\.incidents).reduce(0, +)
    }
}

struct HubReportPage: HubPageModel {
    struct Unit {
        let gateway: String
        let sessions: Int
        let official: Int
        let hours: String
        let incidents: Int
        let fixed: Int
        let measured: Int
        let good: Int
        let booked: String
        let held: String

        init(_ gateway: String, _ report: YearlyReport) {
            self.gateway = gateway
            sessions = report.totalSessions
            official = report.assessment.officialSessions
            hours = String(format: "%.1f", report.totalHours).replacingOccurrences(of: ".", with: ",")
            incidents = report.incidents
            fixed = report.incidentsFixed
            measured = report.assessment.measuredSessions
            good = report.assessment.goodQualitySessions
            booked = report.assessment.booked.map(String.init) ?? "—"
            held = report.assessment.held.map(String.init) ?? "—"
        }
    }

    let frame: HubFrame
    let year: Int
    let units: [Unit]
    let total: Unit

    init(_ account: UserAccount, report: ProvinceReport) {
        frame = HubFrame("Báo cáo năm \(report.year) toàn tỉnh", account)
        year = report.year
        units = report.units.map { Unit($0.gateway, $0.report) }
        total = Unit("Toàn tỉnh", report.total)
    }
}

struct HubErrorPage: HubPageModel {
    let frame = HubFrame("Không thực hiện được", nil)
    let message: String
    let fix: String?

    init(_ error: HNTTError) {
        message = error.message
        fix = error.fix
    }
}
