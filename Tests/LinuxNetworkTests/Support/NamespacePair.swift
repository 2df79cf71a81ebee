import Foundation
import Glibc
import NetworkFrames
import Testing

/// Two network namespaces of a test, A and B, joined by a veth pair whose ends are both called
/// eth0 (created directly inside the namespaces, so nothing touches the root namespace), with lo
/// and eth0 up. Names are random, so tests run in parallel; `with` deletes both in every outcome.
struct NamespacePair: Sendable {
    let a: String
    let b: String

    static let macA = MACAddress(0x02, 0, 0, 0, 0, 0x01)
    static let macB = MACAddress(0x02, 0, 0, 0, 0, 0x02)

    /// Root and a working `ip netns`: checked once, by creating and deleting a namespace.
    static let isAvailable: Bool = {
        guard geteuid() == 0, Commands.path(of: "ip") != nil else { return false }
        let probe = "kvl-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard Commands.runSynchronously(["ip", "netns", "add", probe]) == 0 else { return false }
        return Commands.runSynchronously(["ip", "netns", "del", probe]) == 0
    }()

    static let unavailableReason: Comment = "needs root and a working `ip netns` (network namespace tests)"

    /// - Parameter quietA: disables IPv6 on A's eth0, so that A's kernel sends nothing of its own
    ///   (link-local DAD, MLD, router solicitations) next to the frames a test sends from A.
    static func with<Result>(
        quietA: Bool = false, _ body: (NamespacePair) async throws -> Result
    ) async throws -> Result {
        let tag = String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16)
        let pair = NamespacePair(a: "kvl-\(tag)-a", b: "kvl-\(tag)-b")
        do {
            try await pair.create(quietA: quietA)
            let result = try await body(pair)
            await pair.delete()
            return result
        } catch {
            await pair.delete()
            throw error
        }
    }

    private func create(quietA: Bool) async throws {
        try await Commands.run(["ip", "netns", "add", a])
        try await Commands.run(["ip", "netns", "add", b])
        try await Commands.run(["ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "eth0", "netns", b])
        try await Commands.run(["ip", "-n", a, "link", "set", "eth0", "address", "\(Self.macA)"])
        try await Commands.run(["ip", "-n", b, "link", "set", "eth0", "address", "\(Self.macB)"])
        if quietA {
            try await Commands.run(["ip", "netns", "exec", a, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1"])
        }
        for namespace in [a, b] {
            try await Commands.run(["ip", "-n", namespace, "link", "set", "lo", "up"])
            try await Commands.run(["ip", "-n", namespace, "link", "set", "eth0", "up"])
        }
        // Until the kernel has activated the queueing discipline (an asynchronous link event after
        // carrier), frames sent on the link are silently dropped.
        for namespace in [a, b] {
            try await waitUntil("eth0 in \(namespace) is operational") {
                try await Commands.run(["ip", "-n", namespace, "-o", "link", "show", "eth0"]).output.contains("state UP")
            }
        }
    }

    private func delete() async {
        for namespace in [a, b] {
            _ = try? await Commands.run(["ip", "netns", "del", namespace], check: false)
        }
    }

    /// Runs `ip -n NAMESPACE ARGUMENTS…`.
    @discardableResult
    func ip(_ namespace: String, _ arguments: String...) async throws -> String {
        try await Commands.run(["ip", "-n", namespace] + arguments).output
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(3), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitFailed(what: what) }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// A private directory for a test's files, removed in every outcome.
func withTemporaryDirectory<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("kvl-\(UInt64.random(in: 0...UInt64.max))", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}
