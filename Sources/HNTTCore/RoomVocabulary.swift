// The words rooms, sessions and incidents are described with, shared by every module.

/// Where a room is in its day (Điều 3.2, 5.4): off → ready (powered on) → tested (test call
/// passed) → in-session (official session) → off.
public enum RoomPhase: String, Sendable, Codable, CaseIterable {
    case off, ready, tested
    case inSession = "in-session"
}

/// A test call or an official session (Điều 5.4).
public enum SessionKind: String, Codable, Sendable, CaseIterable {
    case test, official
}

/// What a fault was about, so the yearly report can count incidents by kind (Điều 5.8).
public enum IncidentKind: String, Sendable, CaseIterable, Codable {
    case network, audio, video, device, procedure, other
    /// A device's configuration changed without an authorisation (Điều 3.3), seen by the live watch.
    case configuration

    /// The name a district office writes in its report.
    public var vietnamese: String {
        switch self {
        case .network: return "Đường truyền"
        case .audio: return "Âm thanh"
        case .video: return "Hình ảnh"
        case .device: return "Thiết bị"
        case .procedure: return "Quy trình"
        case .other: return "Khác"
        case .configuration: return "Cấu hình"
        }
    }
}
