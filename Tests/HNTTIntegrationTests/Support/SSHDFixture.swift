import Foundation
import HNTTSimulator
import HNTTTestSupport

/// A real OpenSSH sshd on 127.0.0.1 whose ForceCommand is a device simulator on stdin/stdout,
/// as the SSH transport meets a codec: the login is done by sshd (keyboard-interactive through
/// PAM, or password), then the device's banner comes from the simulator.
///
/// Each fixture has its own host key, port, state file and sshd process. sshd runs under a
/// watchdog that stops it as soon as the test process is gone, so no daemon outlives the tests.
final class SSHDFixture: @unchecked Sendable {
    enum Authentication { case keyboardInteractive, passwordOnly }

    static let username = "hnttsim"
    static let password = "Sim-Pass-2026!"

    let port: UInt16
    let directory: URL
    let statePath: String
    let hostKeyFingerprint: String
    private let process: Process

    /// Whether this machine can run the fixture (root, sshd installed).
    static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
    }

    /// Starts a fixture off the cooperative pool (its set-up runs programs and waits for sshd).
    static func start<State: SimulatedDeviceState>(
        authentication: Authentication, simulator: [String],
        initial: State
    ) async throws -> SSHDFixture {
        try await TestEnvironment.offPool {
            try SSHDFixture(authentication: authentication, simulator: simulator, initial: initial)
        }
    }

    /// Starts a fixture on the calling thread (for set-up code already off the pool).
    static func blocking<State: SimulatedDeviceState>(
        authentication: Authentication, simulator: [String],
        initial: State
    ) throws -> SSHDFixture {
        try SSHDFixture(authentication: authentication, simulator: simulator, initial: initial)
    }

    /// `simulator` is the hntt-sim subcommand and its options (`["cisco", "--flavor", "ce9"]`);
    /// `initial` is written to the state file the simulator's sessions share.
    private init<State: SimulatedDeviceState>(
        authentication: Authentication, simulator arguments: [String],
        initial: State
    ) throws {
        try SSHDFixture.ensureUser()
        directory = try TestEnvironment.temporaryDirectory("sshd")
        let dir = directory.path
        let simulator = try SSHDFixture.sharedSimulator()
        let stateDirectory = "\(dir)/state"
        try FileManager.default.createDirectory(
            atPath: stateDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: stateDirectory)
        statePath = "\(stateDirectory)/device.json"
        _ = try SimulatorStore(file: statePath, initial: initial)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: statePath)

        let keygen = try TestEnvironment.run(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(dir)/host_ed25519"])
        guard keygen.status == 0 else { throw FixtureError("ssh-keygen failed: \(keygen.stderr)") }
        let fingerprint = try TestEnvironment.run("/usr/bin/ssh-keygen", ["-lf", "\(dir)/host_ed25519.pub"])
        hostKeyFingerprint = String(fingerprint.stdout.split(separator: " ")[1])

        if !FileManager.default.fileExists(atPath: "/run/sshd") {
            try FileManager.default.createDirectory(
                atPath: "/run/sshd", withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755])
        }
        port = try TestEnvironment.freePort()
        let authLines: String
        switch authentication {
        case .keyboardInteractive:
            authLines = "UsePAM yes\nKbdInteractiveAuthentication yes\nPasswordAuthentication no\n"
        case .passwordOnly:
            authLines = "UsePAM no\nKbdInteractiveAuthentication no\nPasswordAuthentication yes\n"
        }
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(dir)/host_ed25519
            PidFile \(dir)/sshd.pid
            StrictModes no
            PubkeyAuthentication no
            \(authLines)PermitRootLogin no
            AllowUsers \(SSHDFixture.username)
            MaxStartups 200:30:400
            MaxAuthTries 3
            LogLevel VERBOSE
            ForceCommand \(simulator) \(arguments.joined(separator: " ")) --stdio --state \(statePath)

            """
        try config.write(toFile: "\(dir)/sshd_config", atomically: true, encoding: .utf8)
        let check = try TestEnvironment.run("/usr/sbin/sshd", ["-t", "-f", "\(dir)/sshd_config"])
        guard check.status == 0 else { throw FixtureError("sshd -t: \(check.stderr)") }

        // sshd -D under a watchdog: it dies within half a second of the test process (gone or a
        // zombie). Neither holds the test's output pipes, so a crash cannot leave `swift test`
        // waiting for them.
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let parent = getpid()
        process.arguments = [
            "-c",
            """
            /usr/sbin/sshd -D -e -f '\(dir)/sshd_config' 2>'\(dir)/sshd.log' </dev/null >/dev/null & S=$!
            trap 'kill $S 2>/dev/null; exit 0' TERM INT
            while kill -0 $S 2>/dev/null && [ -e /proc/\(parent) ] && ! grep -q '^State:.*Z' /proc/\(parent)/status 2>/dev/null; do
              sleep 0.5
            done
            kill $S 2>/dev/null
            """,
        ]
        try process.run()
        try TestEnvironment.waitForListener(port: port, within: 10, what: "sshd")
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        // HNTT_KEEP_FIXTURES=1 keeps sshd's folder and log, to look into a failure.
        if ProcessInfo.processInfo.environment["HNTT_KEEP_FIXTURES"] == nil {
            TestFiles.remove(directory)
        }
    }

    deinit { stop() }

    private static let simulatorLock = NSLock()
    nonisolated(unsafe) private static var simulatorCopy: String?

    /// The simulator, executable by the ssh user: one copy out of the build folder per test
    /// process, written by `cp` in a child process. Written by this process, its file descriptor
    /// could leak into a program another test spawns at that moment, and every later exec of the
    /// copy would fail with ETXTBSY: sshd would close the session before a byte of banner.
    private static func sharedSimulator() throws -> String {
        try simulatorLock.withLock {
            if let simulatorCopy { return simulatorCopy }
            let folder = try TestEnvironment.temporaryDirectory("simulator")
            let path = folder.appendingPathComponent("hntt-sim").path
            let copied = try TestEnvironment.run("/bin/cp", [TestEnvironment.simulatorBinary, path])
            guard copied.status == 0 else { throw FixtureError("cp hntt-sim failed: \(copied.stderr)") }
            let mode = try TestEnvironment.run("/bin/chmod", ["0755", path])
            guard mode.status == 0 else { throw FixtureError("chmod hntt-sim failed: \(mode.stderr)") }
            simulatorCopy = path
            atexit {
                if let copy = SSHDFixture.simulatorCopy {
                    try? FileManager.default.removeItem(atPath: (copy as NSString).deletingLastPathComponent)
                }
            }
            return path
        }
    }

    private static let userLock = NSLock()
    nonisolated(unsafe) private static var userReady = false

    /// A local account for sshd to log in (created once; its password is the fixture's).
    private static func ensureUser() throws {
        try userLock.withLock {
            if userReady { return }
            if (try? TestEnvironment.run("/usr/bin/id", [username]).status) != 0 {
                let added = try TestEnvironment.run(
                    "/usr/sbin/useradd", ["-M", "-s", "/bin/sh", "-d", "/tmp", username])
                guard added.status == 0 || added.stderr.contains("already exists") else {
                    throw FixtureError("useradd failed: \(added.stderr)")
                }
            }
            let set = try TestEnvironment.run("/usr/sbin/chpasswd", [], input: "\(username):\(password)\n")
            guard set.status == 0 else { throw FixtureError("chpasswd failed: \(set.stderr)") }
            userReady = true
        }
    }
}
