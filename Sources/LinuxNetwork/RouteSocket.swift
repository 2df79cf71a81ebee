import CLinuxNet
import CNetlink
import Glibc
import NetworkDriver

/// One rtnetlink socket for requests: a request is sent, then every reply up to the kernel's ACK or
/// end-of-dump is read before the next request, so replies can never be mixed up. Not thread-safe:
/// the driver owns it behind a lock.
final class RouteSocket {
    private let socket: OpaquePointer
    fileprivate let portID: UInt32
    private var sequence: UInt32
    /// Large enough for a dump batch (the kernel fills up to the reader's buffer, 32 KiB at most
    /// per datagram) so that no datagram is truncated.
    fileprivate var receiveBuffer = [UInt8](repeating: 0, count: 32 * 1024)
    /// False after a failure that may have left replies unread (anything but the kernel refusing
    /// a request), which would desynchronise every later request: the owner replaces the socket.
    private(set) var isUsable = true

    init(namespace: NetworkNamespace) throws(NetworkDriverError) {
        let fd = try namespace.socket(
            domain: AF_NETLINK, type: clinuxnet_sock_raw, protocol: NETLINK_ROUTE, purpose: "rtnetlink")
        guard let socket = mnl_socket_fdopen(fd) else {
            let error = NetworkDriverError.system("mnl_socket_fdopen")
            close(fd)
            throw error
        }
        guard mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let error = NetworkDriverError.system("bind", "rtnetlink")
            mnl_socket_close(socket)
            throw error
        }
        self.socket = socket
        self.portID = mnl_socket_get_portid(socket)
        // Starting from the clock keeps a reopened socket from ever expecting a number that an
        // earlier socket's late reply could carry.
        self.sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit {
        mnl_socket_close(socket)
    }

    /// Sends one request built by `build` and waits for the kernel's ACK; a NACK throws its errno.
    func acknowledged(
        operation: String, detail: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) throws(NetworkDriverError) {
        let sequence = try send(operation: operation, flags: UInt16(NLM_F_ACK), build: build)
        try receive(operation: operation, detail: detail, sequence: sequence, handler: nil)
    }

    /// Sends one request that the kernel answers with messages (a get of one object) before its ACK,
    /// and hands each message to `handler`.
    func acknowledged(
        operation: String, detail: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
        handler: (UnsafePointer<nlmsghdr>) -> Void
    ) throws(NetworkDriverError) {
        let sequence = try send(operation: operation, flags: UInt16(NLM_F_ACK), build: build)
        try withoutActuallyEscaping(handler) { (handler) throws(NetworkDriverError) in
            try receive(operation: operation, detail: detail, sequence: sequence, handler: handler)
        }
    }

    /// Sends a dump request and hands every reply message to `handler`. Returns false when the
    /// kernel flagged the dump as interrupted (the table changed under it), so the caller can retry.
    func dump(
        operation: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
        handler: (UnsafePointer<nlmsghdr>) -> Void
    ) throws(NetworkDriverError) -> Bool {
        let sequence = try send(operation: operation, flags: UInt16(NLM_F_DUMP), build: build)
        var interrupted = false
        try withoutActuallyEscaping(handler) { (handler) throws(NetworkDriverError) in
            try receive(operation: operation, detail: "", sequence: sequence) { message in
                if Int32(message.pointee.nlmsg_flags) & NLM_F_DUMP_INTR != 0 { interrupted = true }
                handler(message)
            }
        }
        return !interrupted
    }

    private func send(
        operation: String, flags: UInt16, build: (UnsafeMutablePointer<nlmsghdr>) -> Void
    ) throws(NetworkDriverError) -> UInt32 {
        sequence &+= 1
        let sequence = self.sequence
        var request = [UInt8](repeating: 0, count: 1024)
        let sent = request.withUnsafeMutableBytes { buffer -> Int in
            guard let header = mnl_nlmsg_put_header(buffer.baseAddress) else { return -1 }
            header.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST) | flags
            header.pointee.nlmsg_seq = sequence
            build(header)
            return mnl_socket_sendto(socket, header, Int(header.pointee.nlmsg_len))
        }
        guard sent >= 0 else {
            isUsable = false
            throw .system(operation, "send")
        }
        return sequence
    }

    private func receive(
        operation: String, detail: String, sequence: UInt32, handler: ((UnsafePointer<nlmsghdr>) -> Void)?
    ) throws(NetworkDriverError) {
        while true {
            let count = receiveBuffer.withUnsafeMutableBytes { buffer in
                mnl_socket_recvfrom(socket, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                isUsable = false
                throw .system(operation, "receive")
            }
            let (result, code) = receiveBuffer.withUnsafeBytes { buffer in
                (runCallbacks(buffer.prefix(count), sequence: sequence, portID: portID, handler: handler), errno)
            }
            if result < 0 {
                if !isRefusal(count: count, sequence: sequence) { isUsable = false }
                throw .code(operation, code, detail)
            }
            if result == MNL_CB_STOP { return }
        }
    }
}

extension RouteSocket {
    /// Whether the datagram just received is the kernel's error reply to our request, which ends the
    /// exchange cleanly, rather than a stray message libmnl rejected for its sequence or port.
    fileprivate func isRefusal(count: Int, sequence: UInt32) -> Bool {
        guard count >= MemoryLayout<nlmsghdr>.size else { return false }
        let header = receiveBuffer.withUnsafeBytes { $0.loadUnaligned(as: nlmsghdr.self) }
        return header.nlmsg_type == UInt16(NLMSG_ERROR) && header.nlmsg_seq == sequence && header.nlmsg_pid == portID
    }
}

/// Runs libmnl's message loop over `bytes`, checking sequence number and port (0 disables each
/// check), and calls `handler` for every data message; returns mnl_cb_run's result, with errno set
/// when it is MNL_CB_ERROR (a NACK carries the kernel's errno).
func runCallbacks(
    _ bytes: UnsafeRawBufferPointer.SubSequence, sequence: UInt32, portID: UInt32,
    handler: ((UnsafePointer<nlmsghdr>) -> Void)?
) -> Int32 {
    let base = UnsafeRawBufferPointer(rebasing: bytes)
    guard let handler else {
        return mnl_cb_run(base.baseAddress, base.count, sequence, portID, nil, nil)
    }
    return withoutActuallyEscaping(handler) { handler in
        var box = MessageHandlerBox(handler: handler)
        return withUnsafeMutablePointer(to: &box) { context in
            mnl_cb_run(base.baseAddress, base.count, sequence, portID, { message, context in
                guard let message, let context else { return MNL_CB_ERROR }
                context.assumingMemoryBound(to: MessageHandlerBox.self).pointee.handler(message)
                return MNL_CB_OK
            }, context)
        }
    }
}

private struct MessageHandlerBox {
    var handler: (UnsafePointer<nlmsghdr>) -> Void
}

private struct AttributeHandlerBox {
    var handler: (UnsafePointer<nlattr>) -> Void
}

/// Calls `handler` for every attribute after the message's fixed header of `headerSize` bytes.
func forEachAttribute(
    of message: UnsafePointer<nlmsghdr>, headerSize: Int, _ handler: (UnsafePointer<nlattr>) -> Void
) {
    withoutActuallyEscaping(handler) { handler in
        var box = AttributeHandlerBox(handler: handler)
        withUnsafeMutablePointer(to: &box) { context in
            _ = mnl_attr_parse(message, UInt32(headerSize), { attribute, context in
                guard let attribute, let context else { return MNL_CB_ERROR }
                context.assumingMemoryBound(to: AttributeHandlerBox.self).pointee.handler(attribute)
                return MNL_CB_OK
            }, context)
        }
    }
}

/// Calls `handler` for every attribute nested in `attribute`.
func forEachNestedAttribute(of attribute: UnsafePointer<nlattr>, _ handler: (UnsafePointer<nlattr>) -> Void) {
    withoutActuallyEscaping(handler) { handler in
        var box = AttributeHandlerBox(handler: handler)
        withUnsafeMutablePointer(to: &box) { context in
            _ = mnl_attr_parse_nested(attribute, { attribute, context in
                guard let attribute, let context else { return MNL_CB_ERROR }
                context.assumingMemoryBound(to: AttributeHandlerBox.self).pointee.handler(attribute)
                return MNL_CB_OK
            }, context)
        }
    }
}

/// The attribute's payload bytes (bounded by its own length, which libmnl checked against the message).
func attributeBytes(_ attribute: UnsafePointer<nlattr>) -> UnsafeRawBufferPointer {
    let length = Int(mnl_attr_get_payload_len(attribute))
    guard let payload = mnl_attr_get_payload(attribute) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: payload, count: length)
}
