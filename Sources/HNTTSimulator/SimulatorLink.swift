import Foundation

/// A simulator's side of one connection: plain blocking reads and writes on descriptors, with
/// its own tiny telnet filter. Deliberately shares no code with the transports under test, so a
/// bug there cannot hide behind the same bug here.
public final class SimulatorLink: @unchecked Sendable {
    private let readFD: Int32
    private let writeFD: Int32
    private let telnet: Bool
    private let ownsDescriptors: Bool
    private var buffer: [UInt8] = []
    private var lastWasCR = false
    private let lock = NSLock()
    private var closed = false

    /// A link over `readFD`/`writeFD` (the same descriptor for a socket or pty master).
    public init(readFD: Int32, writeFD: Int32, telnet: Bool, ownsDescriptors: Bool = true) {
        self.readFD = readFD
        self.writeFD = writeFD
        self.telnet = telnet
        self.ownsDescriptors = ownsDescriptors
    }

    public var isClosed: Bool { lock.withLock { closed } }

    /// The next line the client sent (`\r`, `\n`, `\r\n` or `\r\0` end it), or nil when the
    /// connection is gone.
    public func readLine() -> String? { readLine(whenIdle: nil) }

    /// The next line, calling `idle` about every 100 ms while none arrives (a device that pushes
    /// feedback writes it then).
    public func readLine(whenIdle idle: (() -> Void)?) -> String? {
        while true {
            if let line = takeLine() { return line }
            guard let chunk = readChunk(idle: idle) else { return nil }
            append(chunk)
        }
    }

    private func takeLine() -> String? {
        var index = 0
        while index < buffer.count {
            let byte = buffer[index]
            if byte == 10 && lastWasCR && index == 0 {
                buffer.removeFirst()
                lastWasCR = false
                continue
            }
            if byte == 13 || byte == 10 {
                let line = String(decoding: buffer[..<index], as: UTF8.self)
                buffer.removeFirst(index + 1)
                lastWasCR = byte == 13
                if lastWasCR, let next = buffer.first, next == 10 || next == 0 {
                    buffer.removeFirst()
                    lastWasCR = false
                }
                return line
            }
            lastWasCR = false
            index += 1
        }
        return nil
    }

    private var telnetState = 0   // 0 data, 1 after IAC, 2 option byte, 3 subnegotiation, 4 IAC inside SB

    private func append(_ chunk: [UInt8]) {
        guard telnet else {
            buffer += chunk
            return
        }
        for byte in chunk {
            switch telnetState {
            case 0: if byte == 255 { telnetState = 1 } else { buffer.append(byte) }
            case 1:
                if byte == 255 {
                    buffer.append(255)
                    telnetState = 0
                } else if byte == 250 {
                    telnetState = 3
                } else if byte >= 251 {
                    telnetState = 2
                } else {
                    telnetState = 0
                }
            case 2: telnetState = 0
            case 3: if byte == 255 { telnetState = 4 }
            default: telnetState = byte == 240 ? 0 : 3
            }
        }
    }

    /// The next bytes the client sent, whatever they are (binary protocols), or nil when the
    /// connection is gone.
    public func readBytes() -> [UInt8]? {
        if !buffer.isEmpty {
            defer { buffer.removeAll() }
            return buffer
        }
        return readChunk()
    }

    /// Blocks until bytes arrive; polls so that ``close()`` from another thread ends it.
    private func readChunk(idle: (() -> Void)? = nil) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !isClosed {
            var pfd = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready == 0 {
                idle?()
                continue
            }
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            let n = chunk.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 { return Array(chunk[0..<n]) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            return nil
        }
        return nil
    }

    /// Writes everything (ignoring a client that went away).
    public func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count, !isClosed {
            let n = bytes.withUnsafeBytes { Foundation.write(writeFD, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && (errno == EINTR || errno == EAGAIN) {
                usleep(1000)
                continue
            }
            return
        }
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    /// Ends the connection (a socket's client sees EOF at once). Any thread may call it; the
    /// descriptors themselves are closed by ``finish()`` on the serving thread, once it no longer
    /// reads them: closing under a reader could make it read a descriptor number reused by
    /// someone else.
    public func close() {
        let first = lock.withLock { () -> Bool in
            defer { closed = true }
            return !closed
        }
        if first && ownsDescriptors { shutdown(readFD, Int32(SHUT_RDWR)) }
    }

    private var finished = false

    /// Releases the descriptors; called once by the thread that served the link, at its end.
    public func finish() {
        close()
        let first = lock.withLock { () -> Bool in
            defer { finished = true }
            return !finished
        }
        guard first, ownsDescriptors else { return }
        Foundation.close(readFD)
        if writeFD != readFD { Foundation.close(writeFD) }
    }
}
