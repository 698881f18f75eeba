import Foundation
import HNTTTransport
import Testing

@testable import HNTTCore

/// Files that arrive from outside, written by an adversary: each is refused quickly, with the line.
@Suite("Hostile YAML files")
struct HostileFileTests {
    /// Ten anchors, each a list of ten aliases of the one before, used as a mapping key.
    static func aliasBomb(depth: Int) -> String {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for level in 1...depth {
            lines.append(
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        lines.append("bomb:\n  ? *a\(depth)\n  : 1")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("an alias bomb in mapping keys is refused at its first alias, in well under a second")
    func aliasBomb() throws {
        let started = ContinuousClock.now
        let error = #expect(throws: HNTTError.self) { try YAMLFile(text: Self.aliasBomb(depth: 9), name: "bomb.yaml") }
        #expect(error?.message.hasPrefix("bomb.yaml:2: aliases") == true, "\(error?.message ?? "")")
        #expect(error?.exitCode == 2)
        // Not a timing assertion of the product: a regression would take minutes, not a second.
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("a duplicate key names the key and the line, never copies the file")
    func duplicateKey() throws {
        let rooms = (0..<5000).map { "  r\($0):\n    name: \"\(String(repeating: "x", count: 80))\"\n" }.joined()
        let text = "rooms:\n" + rooms + "  r7:\n    name: again\n"
        let error = #expect(throws: HNTTError.self) { try YAMLFile(text: text, name: "inv.yaml") }
        let message = error?.message ?? ""
        #expect(message.contains("\"r7\" appears twice"), "\(message)")
        #expect(message.contains("line 16"))
        #expect(message.count < 200)
        #expect(error?.fix == "keep one of them")
    }

    @Test("nesting deeper than 32 levels is refused")
    func deepNesting() throws {
        let text = String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "\n"
        let error = #expect(throws: HNTTError.self) { try YAMLFile(text: text, name: "deep.yaml") }
        #expect(error?.message.contains("nested more than 32 levels") == true)
    }

    @Test("a file larger than 4 MiB is refused before it is read")
    func oversized() throws {
        let site = try Site()
        let path = site.directory.appendingPathComponent("inventory.yaml").path
        let line = Data("# \(String(repeating: "x", count: 1000))\n".utf8)
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        for _ in 0..<4300 { handle.write(line) }
        try handle.close()
        let error = #expect(throws: HNTTError.self) { try Inventory.load(path: path, profiles: site.profiles) }
        #expect(error?.message.contains("more than the 4 MiB accepted") == true, "\(error?.message ?? "")")
    }

    @Test("a profile's byte budgets are read, and kept within range")
    func profileLimits() throws {
        let head = "id: x\nvendor: X\ndriver: cisco-xapi\ntransports:\n  telnet: {port: 23}\n"
        let profile = try DeviceProfile.load(
            YAMLFile(text: head + "limits: {login_bytes: 8192, reply_bytes: 1048576}\n", name: "p.yaml"))
        #expect(profile.limits.loginBytes == 8192 && profile.limits.replyBytes == 1 << 20)
        #expect(try DeviceProfile.load(YAMLFile(text: head, name: "p.yaml")).limits.loginBytes == 64 << 10)
        let error = #expect(throws: HNTTError.self) {
            try DeviceProfile.load(YAMLFile(text: head + "limits: {reply_bytes: 1e12}\n", name: "p.yaml"))
        }
        #expect(
            error?.message.contains("p.yaml:6: reply_bytes must be a whole number") == true, "\(error?.message ?? "")")
    }

    @Test("control characters are shown escaped and long text is cut")
    func textSafety() {
        #expect(TextSafety.quoted("a\nb\r\u{1B}[2Jc\u{7}") == "a\\nb\\r\\e[2Jc\\u{7}")
        #expect(TextSafety.quoted(String(repeating: "y", count: 500), limit: 10) == "yyyyyyyyyy…")
        #expect(TextSafety.line("Nguyễn Văn A") == "Nguyễn Văn A")
        #expect(TextSafety.line("x\u{2028}y") == "x\\u{2028}y")
    }
}
