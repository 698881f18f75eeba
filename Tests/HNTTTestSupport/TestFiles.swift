import Foundation

/// Removes a test's temporary files, unless `HNTT_KEEP_TEST_FILES` is set: scripts/test keeps them
/// so that its secret-hygiene check can search everything the tests produced.
public enum TestFiles {
    public static var kept: Bool { ProcessInfo.processInfo.environment["HNTT_KEEP_TEST_FILES"] != nil }

    public static func remove(_ url: URL) { remove(atPath: url.path) }

    public static func remove(atPath path: String) {
        guard !kept else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
