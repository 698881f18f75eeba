@_spi(Driver) import HNTTTransport

/// One device's session, shared by every driver: connects on first use, runs the vendor's
/// set-up (login, session preferences, registrations) on every new connection, sends one request
/// at a time, and drops the connection on any failure so the next request starts afresh.
///
/// `Info` is what the set-up learnt (software generation, banner); failures come out as
/// ``HNTTError`` attributed to the device.
public actor DeviceSession<Info: Sendable> {
    public nonisolated let plan: ConnectionPlan
    private let setUp: @Sendable (DeviceStream) async throws -> Info
    private var stream: DeviceStream?
    /// What the last set-up learnt; kept after a disconnect.
    public private(set) var info: Info?
    /// One request at a time, even if two tasks share the session.
    private let turn = AsyncMutex()

    public init(plan: ConnectionPlan, setUp: @escaping @Sendable (DeviceStream) async throws -> Info) {
        self.plan = plan
        self.setUp = setUp
    }

    private var deviceID: String { plan.device.id }

    /// The open, set-up stream, connecting first if needed.
    @_spi(Driver)
    public func open() async throws -> DeviceStream {
        try await guarded("connecting") { try await connected() }
    }

    /// Sends `line` and reads the reply with `decoder`, within the profile's command timeout.
    @_spi(Driver)
    public func exchange<D: StreamDecoder>(_ line: String, _ decoder: D, timeout: Double? = nil) async throws -> D.Frame
    {
        try await guarded("`\(line)`") {
            let stream = try await connected()
            let deadline = Deadline.after(seconds: timeout ?? plan.profile.timeouts.command)
            try await stream.sendLine(line, deadline: deadline)
            return try await stream.receive(decoder, deadline: deadline, budget: plan.profile.limits.replyBytes)
        }
    }

    /// Reads more on the open stream (a block that trails a reply), within `seconds`.
    @_spi(Driver)
    public func receive<D: StreamDecoder>(_ decoder: D, within seconds: Double) async throws -> D.Frame {
        try await guarded("reading") {
            guard let stream else { throw TransportError(.closed, "\(deviceID) is not connected") }
            return try await stream.receive(
                decoder, deadline: .after(seconds: seconds), budget: plan.profile.limits.replyBytes)
        }
    }

    /// The complete lines that arrived since the last reply, taken out so that the next reply
    /// starts clean (their events still matter to the driver); empty when not connected. A
    /// connection the peer closed meanwhile is dropped, so the next request connects afresh.
    @_spi(Driver)
    public func takeLeftovers() async -> (lines: [UInt8], dropped: Bool) {
        await turn.lock()
        defer { turn.unlock() }
        guard let stream else { return ([], false) }
        let open = await stream.pollArrived()
        let lines = await stream.takeCompleteLines()
        if !open {
            await stream.close()
            self.stream = nil
        }
        return (lines, !open)
    }

    public func close() async {
        await stream?.close()
        stream = nil
    }

    private func connected() async throws -> DeviceStream {
        if let stream { return stream }
        do {
            return try await connectOnce()
        } catch let error as TransportError where error.kind == .closed {
            // The peer hung up during login or set-up, before any request: a device busy with
            // another session does that. One new try; a refused login is never retried.
            return try await connectOnce()
        }
    }

    private func connectOnce() async throws -> DeviceStream {
        let stream = DeviceStream(
            transport: plan.makeTransport(), lineEnd: plan.profile.lineEnd,
            minimumSendInterval: plan.profile.minimumSendInterval)
        do {
            try await stream.open(deadline: .after(seconds: plan.profile.timeouts.connect))
            self.stream = stream
            info = try await setUp(stream)
            return stream
        } catch {
            self.stream = nil
            await stream.close()
            throw error
        }
    }

    /// Attributes failures to the device; a framing failure or any transport failure closes
    /// the connection, so nothing half-read is taken for the next reply.
    private func guarded<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        await turn.lock()
        defer { turn.unlock() }
        return try await attributing(to: deviceID, credentialName: plan.device.credential) {
            do {
                return try await body()
            } catch let error as FramingError {
                await close()
                throw HNTTError(
                    .deviceError, "the answer to \(what) is not the device's protocol: \(error.detail)",
                    fix:
                        "check that the inventory names the right profile for this device, and that no one else is typing on its line"
                )
            } catch let error as TransportError {
                await close()
                throw error
            }
        }
    }
}
