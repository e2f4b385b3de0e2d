import Foundation

/// Turns per account inside one process: the publish jobs of one account that this process runs at once wait here, in
/// order, instead of all asking the database for the account's sender lease (which still decides between processes).
actor AccountTurns {
    private var busy: Set<UUID> = []
    private var waiting: [UUID: [CheckedContinuation<Void, Never>]] = [:]

    /// Waits for the account's turn in this process.
    func take(_ account: UUID) async {
        guard busy.contains(account) else {
            busy.insert(account)
            return
        }
        await withCheckedContinuation { continuation in waiting[account, default: []].append(continuation) }
    }

    /// Gives the turn to the next waiting job of the account, if any.
    func give(_ account: UUID) {
        guard var queue = waiting[account], !queue.isEmpty else {
            busy.remove(account)
            waiting[account] = nil
            return
        }
        let next = queue.removeFirst()
        waiting[account] = queue.isEmpty ? nil : queue
        next.resume()
    }
}
