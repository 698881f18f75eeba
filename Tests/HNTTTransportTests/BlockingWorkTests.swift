import Foundation
import Testing

@testable import HNTTTransport

@Suite("Blocking work on a thread of its own")
struct BlockingWorkTests {
    @Test("the result comes back; a thrown error comes back as is")
    func resultAndError() async throws {
        #expect(try await onOwnThread { Thread.isMainThread ? -1 : 42 } == 42)
        await #expect(throws: TransportError.self) {
            try await onOwnThread { () throws -> Int in throw TransportError(.closed, "gone") }
        }
    }

    @Test("work that outlives its deadline costs the deadline, then the timeout error")
    func deadline() async throws {
        let error = await #expect(throws: TransportError.self) {
            let slow: @Sendable () -> any Error = { TransportError(.timedOut, "slow resolver") }
            return try await onOwnThread(by: .after(seconds: 0.2), timedOut: slow) { () -> Int in
                Thread.sleep(forTimeInterval: 3)
                return 1
            }
        }
        #expect(error?.kind == .timedOut)
    }
}
