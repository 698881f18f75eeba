import Foundation
import HNTTCore
import HNTTGovernance
import HNTTTransport

/// Driver connections kept open between requests, for a long-running process (the service): one
/// driver per device, one turn at a time on it. The drivers reconnect on their own; a driver whose
/// device stopped answering is closed and replaced on the next turn.
public final class DeviceConnections: Sendable {
    final class Slot: Sendable {
        let turn = AsyncMutex()
        let driver = Locked<(any DeviceDriver)?>(nil)
    }

    private let slots = Locked<[String: Slot]>([:])

    public init() {}

    func slot(_ device: String) -> Slot {
        slots.withLock { slots in
            if let slot = slots[device] { return slot }
            let slot = Slot()
            slots[device] = slot
            return slot
        }
    }

    /// Closes every connection (the service stopping); each waits for its device's turn.
    public func closeAll() async {
        for slot in slots.withLock({ Array($0.values) }) {
            await slot.turn.lock()
            let driver = slot.driver.withLock { driver in
                defer { driver = nil }
                return driver
            }
            await driver?.close()
            slot.turn.unlock()
        }
    }
}

/// A room's drivers, held for one procedure run.
struct RoomLease: Sendable {
    let drivers: [any DeviceDriver]
    let release: @Sendable (_ failed: Bool) async -> Void
}

extension Gateway {
    /// `body` with the kept connection of `device` (made on first use), on the device's turn.
    func withKeptDriver<T: Sendable>(
        _ device: InventoryDevice, in connections: DeviceConnections, _ body: (any DeviceDriver) async throws -> T
    ) async throws -> T {
        let slot = connections.slot(device.id)
        await slot.turn.lock()
        do {
            let driver = try keptDriver(device, slot)
            let result = try await body(driver)
            await remember(driver, device: device.id)
            slot.turn.unlock()
            return result
        } catch {
            await dropIfDead(slot, device: device.id, after: error)
            slot.turn.unlock()
            throw error
        }
    }

    /// Drivers for every device of a room, kept ones on their turns (taken in id order, so two runs never
    /// wait on each other crosswise), or new ones closed at the end.
    func leaseRoom(_ devices: [InventoryDevice]) async throws -> RoomLease {
        guard let connections else {
            let drivers = try devices.map { try driver(for: $0) }
            return RoomLease(drivers: drivers) { _ in
                for (device, driver) in zip(devices, drivers) { await self.finish(driver, device: device.id) }
            }
        }
        let slots = devices.map { connections.slot($0.id) }
        let order = devices.indices.sorted { devices[$0].id < devices[$1].id }
        var taken: [Int] = []
        for index in order where !taken.contains(where: { slots[$0] === slots[index] }) {
            await slots[index].turn.lock()
            taken.append(index)
        }
        let held = taken
        do {
            let drivers = try zip(devices, slots).map { try keptDriver($0.0, $0.1) }
            return RoomLease(drivers: drivers) { failed in
                for (device, driver) in zip(devices, drivers) { await self.remember(driver, device: device.id) }
                if failed {
                    for (device, slot) in zip(devices, slots) {
                        await self.dropIfDead(slot, device: device.id, after: nil)
                    }
                }
                for index in held { slots[index].turn.unlock() }
            }
        } catch {
            for index in taken { slots[index].turn.unlock() }
            throw error
        }
    }

    private func keptDriver(_ device: InventoryDevice, _ slot: DeviceConnections.Slot) throws -> any DeviceDriver {
        if let driver = slot.driver.withLock({ $0 }) { return driver }
        let driver = try driver(for: device)
        slot.driver.withLock { $0 = driver }
        return driver
    }

    /// A device that timed out or went away gets a fresh connection next time; a refusal keeps it.
    private func dropIfDead(_ slot: DeviceConnections.Slot, device: String, after error: (any Error)?) async {
        if let error {
            let category = (error as? HNTTError)?.category
            let transport = error is TransportError
            guard transport || [.timeout, .unreachable, .loginRefused, .hostKey].contains(category) else { return }
        }
        let driver = slot.driver.withLock { driver in
            defer { driver = nil }
            return driver
        }
        if let driver { await finish(driver, device: device) }
    }

    /// Keeps what the driver saw of a standby state the device cannot be asked for.
    func remember(_ driver: any DeviceDriver, device: String) async {
        guard let observing = driver as? any StandbyObserving, let seen = await observing.observedStandby else {
            return
        }
        try? await DeviceStates(database: openDatabase()).record(seen, device: device)
    }
}
