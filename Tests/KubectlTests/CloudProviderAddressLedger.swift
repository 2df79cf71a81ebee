import Foundation
import KubernetesClient
import KubernetesModels

/// Follows every Service from the test's side (list, then watch) and checks each state the API server
/// reports, not only the last one: no address is recorded on two Services at once, and an address, once
/// recorded, never moves or disappears. Because watch events arrive in resourceVersion order, checking after
/// every event checks every version the store went through.
///
/// It can also be told the resourceVersions a set of Services must keep, and then lists every later write
/// to one of them as a rewrite.
actor ServiceAddressLedger {
    /// Service key → recorded addresses (the DHCP sentinels hold no address and are left out).
    private var records: [String: [String]] = [:]
    /// Address → the Service key holding it.
    private var holders: [String: String] = [:]
    /// The first non-empty record of each Service.
    private var firstRecords: [String: [String]] = [:]
    /// Service key → the resourceVersion it must keep.
    private var frozen: [String: String] = [:]

    private(set) var violations: [String] = []
    private(set) var rewrites: [String] = []
    private(set) var isSynced = false

    /// Feeds the ledger until the calling task is cancelled.
    nonisolated func follow(_ client: KubernetesClient) async {
        do {
            for try await event in client.informer(.services, namespace: nil, as: KubernetesService.self) {
                await observe(event)
            }
        } catch {
            // Cancelled at the end of the test; any other end shows up as a missing sync or missed check.
        }
    }

    /// From now on, any version of these Services newer than the one given is a rewrite.
    func freeze(_ versions: [String: String]) {
        frozen = versions
    }

    func observe(_ event: InformerEvent<KubernetesService>) {
        switch event {
        case .added(let service):
            record(service)
        case .updated(_, let service):
            if let kept = frozen[service.key], let version = service.metadata.resourceVersion,
                Self.isNewer(version, than: kept)
            {
                rewrites.append("\(service.key) was written at resourceVersion \(version) (kept \(kept))")
            }
            record(service)
        case .deleted(let service):
            for address in records.removeValue(forKey: service.key) ?? [] where holders[address] == service.key {
                holders[address] = nil
            }
        case .synced:
            isSynced = true
        }
    }

    private func record(_ service: KubernetesService) {
        let key = service.key
        let addresses = (service.recordedAddress ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "0.0.0.0" && $0 != "::" }
        let version = service.metadata.resourceVersion ?? "?"
        if let first = firstRecords[key], first != addresses {
            let now = addresses.isEmpty ? "nothing" : "\(addresses)"
            violations.append("\(key) moved from \(first) to \(now) at resourceVersion \(version)")
        }
        if firstRecords[key] == nil, !addresses.isEmpty {
            firstRecords[key] = addresses
        }
        for address in records[key] ?? [] where holders[address] == key {
            holders[address] = nil
        }
        records[key] = addresses
        for address in addresses {
            if let other = holders[address], other != key {
                violations.append("\(address) is recorded on both \(other) and \(key) at resourceVersion \(version)")
            }
            holders[address] = key
        }
    }

    /// resourceVersions are opaque, but the embedded server's are increasing integers.
    private static func isNewer(_ candidate: String, than current: String) -> Bool {
        guard let new = UInt64(candidate), let old = UInt64(current) else { return candidate != current }
        return new > old
    }
}

extension CloudProviderCluster {
    /// Runs `body` while a ledger follows every Service; the ledger has read the first list when `body` starts.
    func withLedger<Result: Sendable>(_ body: (ServiceAddressLedger) async throws -> Result) async throws -> Result {
        let ledger = ServiceAddressLedger()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ledger.follow(self.client) }
            defer { group.cancelAll() }
            _ = try await eventually("the ledger's first list of Services", within: .seconds(10)) {
                await ledger.isSynced ? true : nil
            }
            return try await body(ledger)
        }
    }
}
