import LinuxNetwork
import NetworkAddresses
import NetworkDriver
import Testing

@Suite(.enabled(if: NamespacePair.isAvailable, NamespacePair.unavailableReason))
struct AddressChangeTests {
    @Test func addingAnAddressYieldsAdded() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            let changes = driver.addressChanges()

            try await pair.ip(pair.a, "addr", "add", "198.51.100.100/32", "dev", "eth0")

            let expected = AddressChange.added(LinkAddress(link: link, address: AddressTests.vip, prefixLength: 32))
            try await firstChange(in: changes) { $0 == expected }
        }
    }

    @Test func removingAnAddressYieldsRemoved() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let link = try await pair.linkIndex(in: pair.a)
            try await pair.ip(pair.a, "addr", "add", "2001:db8::100/128", "dev", "eth0", "nodad")
            let changes = driver.addressChanges()

            try await pair.ip(pair.a, "addr", "del", "2001:db8::100/128", "dev", "eth0")

            let expected = AddressChange.removed(LinkAddress(link: link, address: AddressTests.vip6, prefixLength: 128))
            try await firstChange(in: changes) { $0 == expected }
        }
    }

    @Test func changesOfAnotherNamespaceAreNotReported() async throws {
        try await NamespacePair.with { pair in
            let driver = try LinuxNetworkDriver(networkNamespace: pair.a)
            let changes = driver.addressChanges()

            try await pair.ip(pair.b, "addr", "add", "198.51.100.12/24", "dev", "eth0")
            try await pair.ip(pair.a, "addr", "add", "198.51.100.11/24", "dev", "eth0")

            // Notifications arrive in order, so B's would have come before A's.
            let first = try await firstChange(in: changes) { change in
                if case .added(let address) = change, address.address.family == .ipv4 { true } else { false }
            }
            #expect(first == .added(LinkAddress(link: try await pair.linkIndex(in: pair.a), address: IPAddress(ipv4: 0xC633_640B), prefixLength: 24)))
        }
    }
}

/// The first change satisfying `predicate`, failing after `timeout`; ends the subscription.
@discardableResult
func firstChange(
    in changes: AsyncStream<AddressChange>, timeout: Duration = .seconds(2),
    where predicate: @escaping @Sendable (AddressChange) -> Bool
) async throws -> AddressChange {
    try await withThrowingTaskGroup(of: AddressChange?.self) { group in
        group.addTask {
            for await change in changes where predicate(change) { return change }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw WaitFailed(what: "an address change")
        }
        defer { group.cancelAll() }
        guard let change = try await group.next() ?? nil else { throw WaitFailed(what: "an address change (stream ended)") }
        return change
    }
}
