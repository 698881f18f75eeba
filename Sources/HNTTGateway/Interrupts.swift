import Dispatch
import Foundation

/// SIGHUP (the terminal or SSH session closed), SIGTERM and SIGINT while a change is applied or a
/// confirmation window is open: instead of dying half-way, the process notes the signal, the change
/// is undone, and the command ends. Installed by the interfaces that apply changes.
public enum Interrupts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var received: String?
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// The signal received (`SIGHUP`), or nil.
    public static var reason: String? { lock.withLock { received } }

    /// Catches `signals` from now on (idempotent).
    public static func install(_ signals: [Int32] = [SIGHUP, SIGTERM, SIGINT]) {
        lock.withLock {
            guard sources.isEmpty else { return }
            for number in signals {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                let name =
                    number == SIGHUP
                    ? "SIGHUP" : number == SIGTERM ? "SIGTERM" : number == SIGINT ? "SIGINT" : "signal \(number)"
                source.setEventHandler { lock.withLock { received = received ?? name } }
                source.resume()
                sources.append(source)
            }
        }
    }
}
