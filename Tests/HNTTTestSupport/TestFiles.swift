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

/// Runs `body(0..<count)` on `count` threads of their own at once and waits for all of them. Blocks:
/// call it through `onOwnThread`, so a test of concurrent writers never holds the cooperative pool
/// (the deadline tests running beside it would be starved).
public func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        Thread {
            body(index)
            done.leave()
        }.start()
    }
    done.wait()
}
