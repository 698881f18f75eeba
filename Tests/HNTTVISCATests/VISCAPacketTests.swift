import HNTTTestSupport
import HNTTTransport
import Testing

@testable import HNTTVISCA

@Suite("VISCA packets (docs/protocols/visca-and-serial.md)")
struct VISCAPacketTests {
    @Test("Sony's worked examples classify as ACK, Completion, inquiry, errors and broadcasts")
    func sonyExamples() {
        #expect(VISCAReply.parse([0x90, 0x41, 0xFF]) == .ack(from: 1, socket: 1))
        #expect(VISCAReply.parse([0x90, 0x52, 0xFF]) == .completion(from: 1, socket: 2))
        #expect(VISCAReply.parse([0x90, 0x50, 0x02, 0xFF]) == .inquiry(from: 1, data: [0x02]))
        #expect(VISCAReply.parse([0x90, 0x60, 0x02, 0xFF]) == .error(from: 1, socket: 0, code: 0x02))
        #expect(VISCAReply.parse([0x90, 0x61, 0x41, 0xFF]) == .error(from: 1, socket: 1, code: 0x41))
        #expect(VISCAReply.parse([0x90, 0x62, 0x04, 0xFF]) == .error(from: 1, socket: 2, code: 0x04))
        #expect(VISCAReply.parse([0x88, 0x30, 0x02, 0xFF]) == .addressSet(next: 2))
        #expect(VISCAReply.parse([0x88, 0x01, 0x00, 0x01, 0xFF]) == .interfaceClear)
        #expect(VISCAReply.parse([0xA0, 0x38, 0xFF]) == .networkChange(from: 2))
        #expect(VISCAReply.parse([0x80, 0x38, 0xFF]) == .networkChange(from: 0))
    }

    @Test("a 3-byte Completion and an inquiry answer are told apart by length; oddities are strays")
    func lengthsAndStrays() {
        #expect(VISCAReply.parse([0x90, 0x50, 0xFF]) == .completion(from: 1, socket: 0))
        #expect(
            VISCAReply.parse([0x90, 0x50, 0x00, 0x00, 0x0A, 0x0B, 0xFF])
                == .inquiry(from: 1, data: [0x00, 0x00, 0x0A, 0x0B]))
        #expect(VISCAReply.parse([0xF0, 0x41, 0xFF]) == .ack(from: 7, socket: 1))
        #expect(VISCAReply.parse([0x12, 0x34, 0xFF]) == .stray([0x12, 0x34, 0xFF]))
        #expect(VISCAReply.parse([0x90, 0xFF]) == .stray([0x90, 0xFF]))
    }

    @Test("only FF ends a packet: fragments and coalesced packets frame the same")
    func framing() {
        let framer = VISCAFramer()
        var buffer: [UInt8] = [0x90, 0x41]
        #expect(framer.takePacket(from: &buffer) == nil)
        buffer += [0xFF, 0x90, 0x51, 0xFF, 0x90]
        #expect(framer.takePacket(from: &buffer) == [0x90, 0x41, 0xFF])
        #expect(framer.takePacket(from: &buffer) == [0x90, 0x51, 0xFF])
        #expect(buffer == [0x90])
        var noise = [UInt8](repeating: 0x11, count: 100)
        #expect(framer.takePacket(from: &noise) == nil)
        #expect(noise.isEmpty)
    }

    @Test("commands carry the address and Sony's or the clones' preset encoding")
    func commands() {
        #expect(VISCACommand.powerOn(1) == [0x81, 0x01, 0x04, 0x00, 0x02, 0xFF])
        #expect(VISCACommand.powerOff(3) == [0x83, 0x01, 0x04, 0x00, 0x03, 0xFF])
        #expect(VISCACommand.home(2) == [0x82, 0x01, 0x06, 0x04, 0xFF])
        #expect(
            VISCACommand.preset(1, store: false, number: 5, fullByte: false) == [
                0x81, 0x01, 0x04, 0x3F, 0x02, 0x05, 0xFF,
            ])
        #expect(
            VISCACommand.preset(1, store: true, number: 0x59, fullByte: true) == [
                0x81, 0x01, 0x04, 0x3F, 0x01, 0x59, 0xFF,
            ])
        #expect(VISCACommand.versionInquiry(1) == [0x81, 0x09, 0x00, 0x02, 0xFF])
    }

    @Test("positions are 16-bit values spread over four nibbles, signed for pan and tilt")
    func nibbles() {
        #expect(VISCACommand.nibbles([0x0F, 0x06, 0x07, 0x00][...], signed: true) == -2448)   // 0xF670: −170°
        #expect(VISCACommand.nibbles([0x00, 0x09, 0x09, 0x00][...], signed: true) == 2448)
        #expect(VISCACommand.nibbles([0x04, 0x00, 0x00, 0x00][...], signed: false) == 0x4000)
        #expect(VISCACommand.nibbles([0x10, 0x00, 0x00, 0x00][...], signed: false) == nil)
        #expect(VISCACommand.nibbleBytes(-2448) == [0x0F, 0x06, 0x07, 0x00])
    }

    @Test("VISCA over IP: big-endian header, RESET, and a lying length refused")
    func overIP() throws {
        let datagram = VISCAOverIP.datagram(
            type: VISCAOverIP.command, sequence: 0x0102_0304, payload: [0x81, 0x01, 0x06, 0x04, 0xFF])
        #expect(datagram == [0x01, 0x00, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0x81, 0x01, 0x06, 0x04, 0xFF])
        let parsed = try #require(VISCAOverIP.parse(datagram))
        #expect(parsed.type == VISCAOverIP.command && parsed.sequence == 0x0102_0304 && parsed.payload.count == 5)
        #expect(VISCAOverIP.reset(sequence: 0) == [0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01])
        #expect(VISCAOverIP.parse([0x01, 0x11, 0x00, 0x09, 0, 0, 0, 1, 0x90, 0x41, 0xFF]) == nil)
    }

    @Test("every error code has a message a technician understands")
    func errorMessages() {
        #expect(VISCAReply.describe(errorCode: 0x41).contains("standby"))
        #expect(VISCAReply.describe(errorCode: 0x03).contains("buffer full"))
        #expect(VISCAReply.describe(errorCode: 0x02).contains("syntax"))
        #expect(VISCAReply.describe(errorCode: 0x04).contains("cancelled"))
        #expect(VISCAReply.describe(errorCode: 0x05).contains("no socket"))
    }
}
