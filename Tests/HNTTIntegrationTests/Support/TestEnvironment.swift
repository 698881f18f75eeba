import Foundation
import HNTTTestSupport

/// Paths and helpers shared by the integration tests.
enum TestEnvironment {
    /// The folder with the built products (`hntt`, `hntt-sim`): the test bundle's own folder.
    static var productsDirectory: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = bundle.deletingLastPathComponent()
        // swift test runs `…/debug/hnttPackageTests.xctest` (a file on Linux); products sit beside it.
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("hntt-sim").path),
            folder.path != "/"
        {
            folder.deleteLastPathComponent()
        }
        return folder
    }

    static var hnttBinary: String { productsDirectory.appendingPathComponent("hntt").path }
    static var simulatorBinary: String { productsDirectory.appendingPathComponent("hntt-sim").path }

    /// The repository root (for device-profiles/).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var profilesDirectory: String { repositoryRoot.appendingPathComponent("device-profiles").path }

    /// A fresh folder under /tmp that every user can traverse (sshd's ForceCommand runs as
    /// another user and must reach the simulator and its state).
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/hntt-test-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: url, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        return url
    }

    /// A TCP port that is free right now on 127.0.0.1.
    static func freePort() throws -> UInt16 { try LocalMailServer.freePort() }

    /// Runs blocking work (processes, sleeps, fixture set-up) on a thread of its own, so that
    /// tests never block Swift's cooperative pool: on 2 cores that would stall every other
    /// test's I/O, and their deadlines with it.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// ``run(_:_:input:environment:)`` off the cooperative pool.
    @discardableResult
    static func runAsync(
        _ program: String, _ arguments: [String], input: String? = nil,
        environment: [String: String]? = nil
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await offPool { try run(program, arguments, input: input, environment: environment) }
    }

    /// Runs a program to completion; returns its exit status and output. Blocks: call it
    /// through ``runAsync`` from tests.
    @discardableResult
    static func run(
        _ program: String, _ arguments: [String], input: String? = nil,
        environment: [String: String]? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        try ChildProcess.run(program, arguments, input: input, environment: environment)
    }

    /// Waits until 127.0.0.1:`port` accepts connections, or throws at the deadline.
    static func waitForListener(port: UInt16, within seconds: Double, what: String) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = port.bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if connected == 0 { return }
            usleep(20_000)
        }
        throw FixtureError("\(what) did not start listening on port \(port) within \(seconds) s")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
