import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a leader is taken away in a failover measurement.
public enum LeaderLoss: Sendable, Hashable, CustomStringConvertible {
    /// SIGTERM to the leader's manager: it should withdraw its addresses and release its Leases itself.
    case terminated
    /// SIGKILL to the leader's manager, and its node's `eth0` taken down at the same moment: a node that dies
    /// answers nothing any more. (The address the killed agent added stays on the dead node's interface, as it
    /// would on a crashed machine, but nothing can reach it.)
    case nodeCrashed

    public var description: String {
        switch self {
        case .terminated: "SIGTERM"
        case .nodeCrashed: "SIGKILL + node link down"
        }
    }
}

/// One failover as the client saw it.
public struct FailoverMeasurement: Sendable, CustomStringConvertible {
    public var address: String
    public var loss: LeaderLoss
    public var previousHolder: LabHost
    public var newHolder: LabHost
    /// From the signal to the first echo reply the client received from the new holder's MAC.
    public var duration: Duration
    /// Echo replies still received from the previous holder between the signal and that first reply.
    public var repliesFromPreviousHolder: Int

    public var milliseconds: Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    public var description: String {
        "\(loss) of \(previousHolder.name): \(address) answered from \(newHolder.name) (\(newHolder.mac)) after "
            + String(format: "%.0f ms", milliseconds)
    }
}

extension NodeAgentLab {
    /// Takes the leader away while the client pings `address` every 20 ms, and measures the time from the
    /// signal to the first echo reply that arrives from another node's MAC.
    ///
    /// The replies are read from tcpdump in the client namespace (`-e`: with source MACs, `-tt`: kernel
    /// receive times on the same clock as the signal's time stamp), so "through the new holder" is what the
    /// wire says, not what a later look at the neighbour table suggests.
    public func measureFailover(
        of address: String, leader: LabHost, loss: LeaderLoss, within limit: Duration
    ) async throws -> FailoverMeasurement {
        guard let manager = manager(on: leader) else {
            throw NetworkLabError.spawnFailed("no manager was started on \(leader.name)")
        }
        let ipv6 = address.contains(":")
        let filter =
            ipv6
            ? "icmp6 and ip6[40] == 129 and src host \(address)"
            : "icmp and icmp[icmptype] == icmp-echoreply and src host \(address)"
        let capture = try lab.spawn(
            in: client, ["tcpdump", "-i", "eth0", "-n", "-e", "-l", "-tt", "--immediate-mode", filter],
            name: "tcpdump client")
        defer { capture.signal(SIGKILL) }
        _ = try await NetworkLab.eventually(
            "tcpdump to listen in the client", within: .seconds(15), every: .milliseconds(20)
        ) {
            () -> Bool? in
            if capture.stderr.contains("listening on") { return true }
            if let status = capture.exitStatus {
                throw NetworkLabError.spawnFailed("tcpdump ended (\(status)): \(capture.stderr)")
            }
            return nil
        }
        let ping = try lab.spawn(
            in: client, ["ping", ipv6 ? "-6" : "-4", "-n", "-i", "0.02", address], name: "ping client")
        defer { ping.signal(SIGKILL) }

        // Steady state first: the leader answers through the client's wire.
        _ = try await NetworkLab.eventually(
            "the client to receive replies from \(leader.name)", within: .seconds(15), every: .milliseconds(20)
        ) { () -> Bool? in
            Self.replies(in: capture.stdout).contains { $0.mac == leader.mac.lowercased() } ? true : nil
        } diagnostics: {
            "capture:\n\(capture.stdout.suffix(2000))\nping:\n\(ping.stdout.suffix(1000))\n\(await self.diagnostics())"
        }

        let signalled = Self.wallClockMicroseconds()
        switch loss {
        case .terminated:
            manager.signal(SIGTERM)
        case .nodeCrashed:
            manager.signal(SIGKILL)
            try await lab.ip("-n", leader.namespace, "link", "set", "eth0", "down")
        }
        let others = Set(nodes.filter { $0 != leader }.map { $0.mac.lowercased() })
        let (reply, meanwhile) = try await NetworkLab.eventually(
            "a reply from another node after \(loss) of \(leader.name)", within: limit, every: .milliseconds(10)
        ) { () -> (Reply, Int)? in
            let after = Self.replies(in: capture.stdout).filter { $0.microseconds >= signalled }
            guard let index = after.firstIndex(where: { others.contains($0.mac) }) else { return nil }
            return (after[index], index)
        } diagnostics: {
            "capture tail:\n\(capture.stdout.suffix(2000))\n\(await self.diagnostics())"
        }
        guard let newHolder = node(withMAC: reply.mac) else {
            throw NetworkLabError.timedOut("reply from unknown MAC \(reply.mac)")
        }
        ping.signal(SIGKILL)
        capture.signal(SIGKILL)
        _ = await ping.exit()
        _ = await capture.exit()
        return FailoverMeasurement(
            address: address, loss: loss, previousHolder: leader, newHolder: newHolder,
            duration: .microseconds(reply.microseconds - signalled), repliesFromPreviousHolder: meanwhile)
    }

    struct Reply: Sendable {
        var microseconds: Int64
        var mac: String
    }

    /// Lines of `tcpdump -e -tt`: `1764163105.132160 02:00:00:00:00:0c > 02:00:00:00:00:14, ethertype …`.
    static func replies(in output: String) -> [Reply] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            let parts = fields[0].split(separator: ".")
            guard parts.count == 2, let seconds = Int64(parts[0]), parts[1].count == 6,
                let fraction = Int64(parts[1])
            else { return nil }
            return Reply(microseconds: seconds * 1_000_000 + fraction, mac: fields[1].lowercased())
        }
    }

    /// CLOCK_REALTIME, the clock tcpdump's time stamps come from.
    static func wallClockMicroseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
    }
}
