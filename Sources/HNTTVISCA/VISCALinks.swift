@_spi(Driver) import HNTTCore
@_spi(Driver) import HNTTTransport

/// The links of this process, one per physical path: several cameras on one RS-232 chain (or
/// behind one serial server) share one link, which sends one packet at a time; a serial port is
/// also locked against other processes (flock) while it is open.
public final class VISCALinks: Sendable {
    public static let shared = VISCALinks()

    private struct Entry {
        let link: any VISCALink
        var users: Int
    }

    private let entries = Locked<[String: Entry]>([:])

    /// The link for `plan`'s device, shared with every device on the same path.
    public func acquire(for plan: ConnectionPlan) throws -> (key: String, link: any VISCALink) {
        let device = plan.device
        let key =
            "\(device.transport.rawValue):\(device.path ?? device.host ?? "")"
            + (device.transport == .serial ? "" : ":\(device.port ?? 0)")
        let make = plan.makeTransport
        let timeout = plan.profile.timeouts.connect
        let link: any VISCALink
        if device.transport == .udp && plan.profile.viscaOverIP {
            link = entries.withLock { $0[key]?.link } ?? VISCAOverIPLink(transport: make(), connectTimeout: timeout)
        } else {
            // Serial lines and serial servers carry chains to number; a camera's own raw port does not.
            let chain =
                device.transport == .serial || (device.transport == .tcp && plan.profile.visca.tcpIsSerialServer)
            link =
                entries.withLock { $0[key]?.link }
                ?? VISCAStreamLink(numbersChain: chain, connectTimeout: timeout, makeTransport: make)
        }
        entries.withLock { entries in
            if var entry = entries[key] {
                entry.users += 1
                entries[key] = entry
            } else {
                entries[key] = Entry(link: link, users: 1)
            }
        }
        return (key, entries.withLock { $0[key]!.link })
    }

    /// Gives a link back; the last user closes it.
    public func release(_ key: String) async {
        let last = entries.withLock { entries -> (any VISCALink)? in
            guard var entry = entries[key] else { return nil }
            entry.users -= 1
            if entry.users > 0 {
                entries[key] = entry
                return nil
            }
            entries[key] = nil
            return entry.link
        }
        await last?.close()
    }
}
