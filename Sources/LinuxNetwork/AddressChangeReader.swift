import CLinuxNet
import CNetlink
import Glibc
import NetworkDriver

/// The kernel's address notifications for one `addressChanges()` stream: a netlink socket in the
/// IPv4 and IPv6 address groups, read on its own thread.
enum AddressChangeReader {
    /// Subscribes before returning, so no change after `addressChanges()` returns can be missed.
    static func start(
        namespace: NetworkNamespace, continuation: AsyncStream<AddressChange>.Continuation
    ) throws(NetworkDriverError) -> SocketReader {
        let socket = try namespace.socket(
            domain: AF_NETLINK, type: clinuxnet_sock_raw, protocol: NETLINK_ROUTE, purpose: "address notifications")
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = UInt32(RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)
        let bound = withUnsafePointer(to: &address) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard bound == 0 else {
            let error = NetworkDriverError.system("bind", "rtnetlink address groups")
            close(socket)
            throw error
        }
        let buffer = NotificationBuffer()
        return try SocketReader(
            socket: socket, name: "address changes",
            readable: { socket in read(socket: socket, buffer: buffer, continuation: continuation) },
            finished: { continuation.finish() })
    }

    private static func read(
        socket: Int32, buffer: NotificationBuffer, continuation: AsyncStream<AddressChange>.Continuation
    ) -> SocketReader.Continuation {
        let count = buffer.bytes.withUnsafeMutableBytes { bytes in
            recv(socket, bytes.baseAddress, bytes.count, clinuxnet_msg_dontwait)
        }
        if count < 0 {
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR: return .keepReading
            // The socket's buffer overflowed and notifications were dropped; the socket itself is
            // fine, and the consumer reads the whole state again.
            case ENOBUFS: return continuation.yield(.overrun).isTerminated ? .stop : .keepReading
            default: return .stop
            }
        }
        var changes: [AddressChange] = []
        _ = buffer.bytes.withUnsafeBytes { bytes in
            // Sequence and port 0: notifications are not replies, so neither is checked.
            runCallbacks(bytes.prefix(count), sequence: 0, portID: 0) { message in
                guard let address = RouteMessages.address(from: message) else { return }
                changes.append(message.pointee.nlmsg_type == UInt16(RTM_NEWADDR) ? .added(address) : .removed(address))
            }
        }
        for change in changes where continuation.yield(change).isTerminated {
            return .stop
        }
        return .keepReading
    }
}

/// The reader thread's receive buffer; only that thread touches it.
private final class NotificationBuffer: @unchecked Sendable {
    var bytes = [UInt8](repeating: 0, count: 32 * 1024)
}

extension AsyncStream.Continuation.YieldResult {
    fileprivate var isTerminated: Bool {
        if case .terminated = self { true } else { false }
    }
}
