import ArgumentParser
import Foundation
import HNTTCore
import HNTTGateway
import HNTTTransport

/// Options every command takes (docs/CONTRACT.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The inventory file (default $HNTT_INVENTORY, else ./inventory.yaml).")
    var inventory: String?

    @Option(name: .long, help: "The data folder (default $HNTT_DATA, else $XDG_DATA_HOME/hntt).")
    var data: String?

    @Flag(name: .long, help: "Print one JSON document on standard output; text goes to standard error.")
    var json = false

    @Option(name: .customLong("operator"), help: "Your name, for the audit log (default $HNTT_OPERATOR).")
    var operatorName: String?

    /// The technician named for the audit log.
    var auditOperator: String? { operatorName ?? ProcessInfo.processInfo.environment["HNTT_OPERATOR"] }

    /// Who asks, for the audit log.
    var caller: Caller { Caller(operatorName: auditOperator) }

    /// The application, one per process.
    var gateway: Gateway { Gateways.shared(inventory: inventory, data: data) }

    var output: Output { Output(json: json) }

}

/// One Gateway per process and site.
enum Gateways {
    nonisolated(unsafe) private static var cache: [String: Gateway] = [:]
    private static let lock = NSLock()

    static func shared(inventory: String?, data: String?) -> Gateway {
        lock.withLock {
            let key = "\(inventory ?? "")\u{1F}\(data ?? "")"
            if let gateway = cache[key] { return gateway }
            let gateway = Gateway(inventory: inventory, data: data)
            cache[key] = gateway
            return gateway
        }
    }
}
