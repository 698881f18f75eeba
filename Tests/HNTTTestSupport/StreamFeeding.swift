import HNTTTransport

/// Feeds `text` to `decoder` in chunks of `chunk` bytes (0 = all at once), as a stream would,
/// and returns the first frame it yields: the way parser tests split input at any byte.
public func feed<D: StreamDecoder>(_ decoder: D, _ text: String, chunk: Int = 0) throws -> D.Frame? {
    var decoder = decoder
    var buffer: [UInt8] = []
    let bytes = Array(text.utf8)
    let step = chunk == 0 ? max(bytes.count, 1) : chunk
    var index = 0
    while index < bytes.count {
        buffer.append(contentsOf: bytes[index..<min(index + step, bytes.count)])
        index += step
        if let frame = try decoder.decode(&buffer) { return frame }
    }
    return nil
}
