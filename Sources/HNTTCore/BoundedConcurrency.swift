/// Bounded fan-out for fleet operations: a slow device costs only its own slot.

/// Runs `body` on every item, at most `parallel` at once; results in the items' order.
public func forEachBounded<Item: Sendable, Result: Sendable>(
    _ items: [Item], parallel: Int, progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in },
    _ body: @escaping @Sendable (Item) async -> Result
) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group -> [Result] in
        var pending = Array(items.enumerated())[...]
        for _ in 0..<max(1, parallel) {
            if let (index, item) = pending.popFirst() { group.addTask { (index, await body(item)) } }
        }
        var results = [Result?](repeating: nil, count: items.count)
        var done = 0
        for await (index, result) in group {
            results[index] = result
            done += 1
            progress(done, items.count)
            if let (next, item) = pending.popFirst() { group.addTask { (next, await body(item)) } }
        }
        return results.compactMap { $0 }
    }
}
