import Foundation
import HNTTTestSupport
import Testing

@_spi(Driver) @testable import HNTTTransport

/// A connected pair of Unix stream sockets, non-blocking on our side.
func socketPair() throws -> (ours: Int32, theirs: Int32) {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
        throw TransportError(.system, "socketpair")
    }
    try DescriptorIO.setNonBlocking(fds[0])
    return (fds[0], fds[1])
}

/// A transport over a descriptor, for exercising ``DeviceStream`` without a network.
actor DescriptorTransport: ByteTransport {
    nonisolated let peerDescription = "test peer"
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    func open(deadline: Deadline) async throws {}
    func write(_ bytes: [UInt8], deadline: Deadline) async throws {
        try await DescriptorIO.writeAll(fd: fd, bytes: bytes, deadline: deadline, peer: peerDescription)
    }
    func read(deadline: Deadline) async throws -> [UInt8] {
        try await DescriptorIO.readSome(fd: fd, deadline: deadline, peer: peerDescription)
    }
    private var closed = false
    /// Closes once: a second close could hit the same number reused by someone else.
    func close() async {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}

@Suite("I/O reactor and device streams")
struct ReactorAndStreamTests {
    @Test("three hundred idle connections all time out at their own deadline, on one reactor thread")
    func manyConcurrentDeadlines() async throws {
        let pairs = try (0..<300).map { _ in try socketPair() }
        defer {
            for pair in pairs {
                close(pair.ours)
                close(pair.theirs)
            }
        }
        let started = Date()
        let outcomes = await withTaskGroup(of: TransportError.Kind?.self) { group in
            for pair in pairs {
                group.addTask {
                    do {
                        _ = try await DescriptorIO.readSome(fd: pair.ours, deadline: .after(seconds: 0.5), peer: "idle")
                        return nil
                    } catch let error as TransportError { return error.kind } catch { return nil }
                }
            }
            var kinds: [TransportError.Kind?] = []
            for await kind in group { kinds.append(kind) }
            return kinds
        }
        #expect(outcomes.count == 300)
        #expect(outcomes.allSatisfy { $0 == .timedOut })
        #expect(Date().timeIntervalSince(started) < hangBound)
    }

    @Test("a waiting read wakes as soon as data arrives")
    func wakesOnData() async throws {
        let pair = try socketPair()
        defer {
            close(pair.ours)
            close(pair.theirs)
        }
        let writer = Thread {
            usleep(50_000)
            _ = Glibc.write(pair.theirs, "ready", 5)
        }
        writer.start()
        let bytes = try await DescriptorIO.readSome(fd: pair.ours, deadline: .after(seconds: 5), peer: "peer")
        #expect(bytes == Array("ready".utf8))
    }

    @Test("cancelling a waiting task ends its wait")
    func cancellation() async throws {
        let pair = try socketPair()
        defer {
            close(pair.ours)
            close(pair.theirs)
        }
        let task = Task {
            try await DescriptorIO.readSome(fd: pair.ours, deadline: .after(seconds: 30), peer: "peer")
        }
        task.cancel()
        await #expect(throws: (any Error).self) { _ = try await task.value }
    }

    @Test("a peer that closes is reported as closed, not as a timeout")
    func peerClosed() async throws {
        let pair = try socketPair()
        close(pair.theirs)
        defer { close(pair.ours) }
        await #expect(throws: TransportError(.closed, "test peer closed the connection")) {
            _ = try await DescriptorIO.readSome(fd: pair.ours, deadline: .after(seconds: 5), peer: "test peer")
        }
    }

    @Test("a device that floods without ever sending what is expected costs its deadline, not forever")
    func flood() async throws {
        let pair = try socketPair()
        let stop = ManagedFlag()
        let flooder = Thread {
            let line = Array("noise noise noise noise noise noise noise noise\r\n".utf8)
            while !stop.isSet {
                if line.withUnsafeBytes({ Glibc.write(pair.theirs, $0.baseAddress, $0.count) }) < 0 { usleep(100) }
            }
            close(pair.theirs)
        }
        flooder.start()
        let stream = DeviceStream(transport: DescriptorTransport(fd: pair.ours))
        let started = Date()
        await #expect(throws: TransportError.self) {
            _ = try await stream.receive(untilAny: ["login:"], deadline: .after(seconds: 1))
        }
        let elapsed = Date().timeIntervalSince(started)
        stop.set()
        await stream.close()
        #expect(elapsed < hangBound, "a 1 s deadline held under a flood (took \(elapsed) s)")
    }

    @Test("closing a connection while its read waits ends the read, and the descriptor number can serve again")
    func closeWhileReading() async throws {
        // A listener that accepts and never says a word.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let first = TCPTransport(host: "127.0.0.1", port: port)
        try await first.open(deadline: .after(seconds: 5))
        let started = Date()
        let reading = Task { try await first.read(deadline: .after(seconds: 20)) }
        try await Task.sleep(nanoseconds: 200_000_000)
        await first.close()   // the actor lets close run while the read is suspended
        await #expect(throws: TransportError.self) { _ = try await reading.value }
        #expect(Date().timeIntervalSince(started) < hangBound, "the read ended with the close, not at its deadline")
        // The next connection very likely gets the same descriptor number: no stale waiter may block it.
        let second = TCPTransport(host: "127.0.0.1", port: port)
        try await second.open(deadline: .after(seconds: 5))
        let error = await #expect(throws: TransportError.self) {
            _ = try await second.read(deadline: .after(seconds: 0.5))
        }
        #expect(error?.kind == .timedOut, "\(String(describing: error))")
        await second.close()
    }

    @Test("a stream reassembles a pattern sent one byte at a time and keeps what follows")
    func reassembly() async throws {
        let pair = try socketPair()
        defer { close(pair.theirs) }
        let stream = DeviceStream(transport: DescriptorTransport(fd: pair.ours))
        let writer = Thread {
            for byte in Array("Welcome\r\nlogin: rest".utf8) {
                var value = byte
                _ = Glibc.write(pair.theirs, &value, 1)
                usleep(500)
            }
        }
        writer.start()
        let match = try await stream.receive(untilAny: ["Password:", "login:"], deadline: .after(seconds: 5))
        #expect(match.index == 1)
        #expect(match.text == "Welcome\r\nlogin:")
        let rest = try await stream.receive(untilAny: ["rest"], deadline: .after(seconds: 5))
        #expect(rest.text == " rest")
        await stream.close()
    }

    @Test("a paced stream keeps its interval between sends and ends each line as the device wants")
    func pacing() async throws {
        let pair = try socketPair()
        defer { close(pair.theirs) }
        let stream = DeviceStream(
            transport: DescriptorTransport(fd: pair.ours), lineEnd: "\r", minimumSendInterval: 0.2)
        let started = Date()
        try await stream.sendLine("mute near on", deadline: .after(seconds: 5))
        try await stream.sendLine("mute near get", deadline: .after(seconds: 5))
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.19, "two commands went out \(elapsed) s apart")
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = Glibc.read(pair.theirs, &buffer, 64)
        #expect(String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) == "mute near on\rmute near get\r")
        await stream.close()
    }

    @Test("the earliest of several patterns wins, case-insensitively when asked")
    func patternOrder() throws {
        var decoder = PatternDecoder(["OK", "error"], caseInsensitive: true)
        var buffer = Array("xx ERROR yy OK".utf8)
        let match = try #require(try decoder.decode(&buffer))
        #expect(match.index == 1)
        #expect(String(decoding: buffer, as: UTF8.self) == " yy OK")
    }

    @Test("deadlines compare and expire on the monotonic clock")
    func deadlines() {
        let soon = Deadline.after(seconds: 0.01)
        let later = Deadline.after(seconds: 10)
        #expect(soon < later)
        #expect(soon.capped(at: later) == soon)
        #expect(later.remainingSeconds > 9)
        #expect(Deadline.after(seconds: -1).hasPassed)
    }
}

/// A flag threads share.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
