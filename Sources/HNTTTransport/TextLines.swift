/// Splits a device's text output into lines at any `\r` or `\n`, so `\r\n`, `\r\r\n`, `\n\r` and a
/// bare `\r` all end a line (a run of them is one line end), ANSI escapes (`\e[?1034h` before
/// Cisco's `OK`) are removed, and a line split across reads waits for its end.
public struct TextLineSplitter: Sendable {
    /// A line longer than this is not a device protocol: the device is sending garbage.
    public static let maximumLineBytes = 64 * 1024

    public init() {}

    /// Removes and returns the first complete line of `buffer`, or nil if there is none yet.
    /// One line at a time, so that whatever follows a reply stays in the buffer for the next.
    public func takeLine(from buffer: inout [UInt8]) throws -> String? {
        guard let newline = buffer.firstIndex(where: { $0 == 10 || $0 == 13 }) else {
            if buffer.count > TextLineSplitter.maximumLineBytes {
                let excerpt = TextLineSplitter.clean(buffer.prefix(60))
                buffer.removeAll()
                throw FramingError(
                    detail:
                        "sent over \(TextLineSplitter.maximumLineBytes) bytes without a line end (starting \"\(excerpt)\")"
                )
            }
            return nil
        }
        let line = TextLineSplitter.clean(buffer[..<newline])
        var end = newline + 1
        // A run of line ends is one end: blank lines carry nothing in these protocols.
        while end < buffer.count, buffer[end] == 10 || buffer[end] == 13 { end += 1 }
        buffer.removeFirst(end)
        return line
    }

    /// The unfinished line at the end of `buffer`, cleaned (for prompts such as `login:`).
    public func partialLine(_ buffer: [UInt8]) -> String {
        TextLineSplitter.clean(buffer[...])
    }

    /// Strips CR, ANSI/VT100 escape sequences and other control characters; decodes UTF-8
    /// leniently (invalid bytes become U+FFFD rather than failing).
    static func clean(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x1B {
                index += 1
                if index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") {
                    index += 1
                    while index < bytes.endIndex, !(0x40...0x7E).contains(bytes[index]) { index += 1 }
                }
                index += 1
                continue
            }
            if byte == 9 || byte >= 0x20 && byte != 0x7F { out.append(byte) }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The device sent something that is not its protocol (a line without end, a flood).
public struct FramingError: Error, Sendable, Equatable {
    public let detail: String
    public init(detail: String) { self.detail = detail }
}
