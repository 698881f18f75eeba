import Testing

@testable import HNTTCore

@Suite("Call state: one meaning for every vendor's words")
struct CallStateTests {
    @Test(
        "Cisco and Poly status words mean the same states",
        arguments: [
            ("Connected", CallState.connected), ("connected", .connected), ("complete", .connected),
            ("Dialling", .connecting), ("allocated", .connecting), ("opened", .connecting), ("EarlyMedia", .connecting),
            ("Ringing", .ringing), ("OnHold", .onHold), ("Disconnecting", .disconnecting),
            ("disconnected", .disconnected),
            ("Idle", .idle), ("inactive", .idle), ("Frobnicating", .unknown),
        ])
    func vendorWords(text: String, state: CallState) {
        #expect(CallState(vendorText: text) == state)
        #expect(CallInfo(id: "1", number: "84", status: text).state == state)
        #expect(CallInfo(id: "1", number: "84", status: text).status == text, "the codec's own word is kept")
    }
}
