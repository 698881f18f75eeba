import CHNTTSystem
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program with posix_spawn and reaps it with its own waitpid: Foundation's `Process` was
/// once seen to miss a child's exit (waitUntilExit never returned, the child already reaped) while
/// many processes started at once. Blocking: call it off the cooperative pool.
public enum ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(
        _ program: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        _ = ignoreBrokenPipes
        var stdinPipe: [Int32] = [0, 0]
        var stdoutPipe: [Int32] = [0, 0]
        var stderrPipe: [Int32] = [0, 0]
        guard hntt_pipe_cloexec(&stdinPipe) == 0, hntt_pipe_cloexec(&stdoutPipe) == 0,
            hntt_pipe_cloexec(&stderrPipe) == 0
        else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        let pid: pid_t
        do {
            pid = try spawn(program, arguments, environment: environment) { actions in
                posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
                posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
                posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
            }
        } catch {
            for descriptor in stdinPipe + stdoutPipe + stderrPipe { close(descriptor) }
            throw error
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        // Feed standard input and drain both outputs at once, so a chatty program never blocks on a pipe.
        let inputEnd = stdinPipe[1]
        let writer = Thread {
            if let input {
                let bytes = Array(input.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { write(inputEnd, $0.baseAddress, $0.count) }
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(inputEnd)
        }
        writer.start()
        let errorOutput = DrainedPipe(stderrPipe[0])
        let output = drain(stdoutPipe[0])
        let errors = errorOutput.wait()
        let code = Running(pid: pid).wait()
        return (code, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    /// A program started in the background, its output discarded: for tests that signal it.
    public struct Running: Sendable {
        public let pid: pid_t

        /// Sends `signal` and reaps the program; returns how it ended (128 + signal when killed).
        @discardableResult
        public func stop(with signal: Int32) -> Int32 {
            kill(pid, signal)
            return wait()
        }

        /// Sends `signal`; if the program has not ended within `seconds`, kills it (SIGKILL) and returns nil.
        public func stop(with signal: Int32, within seconds: Double) -> Int32? {
            kill(pid, signal)
            let end = Date().addingTimeInterval(seconds)
            var status: Int32 = 0
            while Date() < end {
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid { return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F) }
                if reaped < 0 && errno != EINTR { return -1 }
                usleep(20_000)
            }
            kill(pid, SIGKILL)
            _ = wait()
            return nil
        }

        /// Waits for the program to end; returns its exit status (128 + signal when killed), or -1 if
        /// it cannot be reaped (someone else did), which no test takes for success.
        public func wait() -> Int32 {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                if errno != EINTR { return -1 }
            }
            return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        }
    }

    /// Starts `program` in the background; its standard error goes to `standardError` (a file) or nowhere.
    public static func start(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, standardError: String? = nil
    ) throws -> Running {
        Running(
            pid: try spawn(program, arguments, environment: environment) { actions in
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
                posix_spawn_file_actions_addopen(
                    &actions, 2, standardError ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            })
    }

    /// posix_spawn with the standard descriptors set up by `redirect`.
    static func spawn(
        _ program: String, _ arguments: [String], environment: [String: String]?,
        redirect: (inout posix_spawn_file_actions_t) -> Void
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        redirect(&actions)
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in variables { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, variables + [nil])
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(program): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// A program that exits before reading its input must not kill the tests with SIGPIPE.
    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    static func drain(_ descriptor: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: chunk[..<count])
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(descriptor)
        return data
    }

    /// A pipe read to its end on a thread of its own.
    final class DrainedPipe: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var data: [UInt8] = []

        init(_ descriptor: Int32) {
            Thread { [self] in
                data = ChildProcess.drain(descriptor)
                done.signal()
            }.start()
        }

        func wait() -> [UInt8] {
            done.wait()
            return data
        }
    }
}
