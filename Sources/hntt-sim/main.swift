import ArgumentParser
import Foundation
import HNTTSimulator

/// `hntt-sim`: simulated room devices for tests and demos.
struct HNTTSim: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hntt-sim",
        abstract: "Simulated room devices (for tests and demos).", subcommands: [CiscoSim.self])
}

struct CiscoSim: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cisco",
        abstract: "A simulated Cisco codec: on stdin/stdout (behind sshd's ForceCommand), telnet, a serial server port or a pty.")

    @Option(help: "tc7, ce9 or roomos11.") var flavor: String = "ce9"
    @Option(help: "Keep the codec's state in this JSON file (shared by sessions).") var state: String?
    @Option(help: "The system name shown in the banner and configuration.") var name = "UBND-Room"
    @Option(help: "The local account for telnet/serial logins: USER:PASSWORD.") var account = "admin:admin-pass"
    @Flag(help: "Serve one session on standard input/output (for sshd ForceCommand).") var stdio = false
    @Option(help: "Serve telnet on this port of 127.0.0.1.") var telnet: UInt16?
    @Option(help: "Serve the serial console as raw TCP on this port (a serial server).") var serialServer: UInt16?
    @Flag(help: "Serve the serial console on a pseudo-terminal; prints its path.") var pty = false
    @Flag(help: "Serial console without login (SerialPort LoginRequired: Off).") var noSerialLogin = false
    @Option(help: "Seconds to wait before each reply (a slow codec).") var replyDelay: Double = 0
    @Option(help: "Misbehave: silent, garbage, drop-mid-reply, split-writes or feedback-noise (repeatable).")
    var fault: [String] = []
    @Option(help: "Serve this many independent codecs (telnet/serial-server ports count up from the given one, 0 = any).")
    var instances = 1

    func run() throws {
        guard let flavor = CiscoFlavor(rawValue: flavor) else {
            throw ValidationError("unknown flavor \(self.flavor); use tc7, ce9 or roomos11")
        }
        let parts = account.split(separator: ":", maxSplits: 1).map(String.init)
        var initial = CiscoCodecData(flavor: flavor, systemName: name,
                                     users: parts.count == 2 ? [parts[0]: parts[1]] : [:])
        if noSerialLogin { initial.setSetting("SerialPort LoginRequired", "Off") }
        initial.faults.replyDelay = replyDelay
        for name in fault {
            switch name {
            case "silent": initial.faults.silent = true
            case "garbage": initial.faults.garbage = true
            case "drop-mid-reply": initial.faults.dropMidReply = true
            case "split-writes": initial.faults.splitWrites = true
            case "feedback-noise": initial.faults.feedbackNoise = true
            default: throw ValidationError("unknown fault \(name); use silent, garbage, drop-mid-reply, split-writes or feedback-noise")
            }
        }
        let store = try state.map { try CiscoCodecStore(file: $0, initial: initial) } ?? CiscoCodecStore(initial)
        if stdio {
            CiscoSimulator.serveStandardIO(store: store)
            return
        }
        var simulators: [CiscoSimulator] = []
        for index in 0..<max(1, instances) {
            let simulator = index == 0 ? CiscoSimulator(store: store) : CiscoSimulator(initial)
            simulators.append(simulator)
            let offset = UInt16(index)
            if let telnet { say("telnet 127.0.0.1:\(try simulator.startTelnet(port: telnet == 0 ? 0 : telnet + offset))") }
            if let serialServer {
                say("serial-server 127.0.0.1:\(try simulator.startSerialServer(port: serialServer == 0 ? 0 : serialServer + offset))")
            }
            if pty { say("pty \(try simulator.startSerial())") }
        }
        guard telnet != nil || serialServer != nil || pty else {
            throw ValidationError("say where to serve: --stdio, --telnet PORT, --serial-server PORT or --pty")
        }
        FileHandle.standardOutput.synchronizeFile()
        signal(SIGTERM) { _ in Foundation.exit(0) }
        signal(SIGINT) { _ in Foundation.exit(0) }
        withExtendedLifetime(simulators) {
            while true { Foundation.sleep(3600) }
        }
    }
}

/// Prints a line at once (the caller may be a script waiting for the endpoint).
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

HNTTSim.main()
