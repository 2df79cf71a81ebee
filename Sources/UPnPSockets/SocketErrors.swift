import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import NetworkAddresses
import UPnP

/// Turns what NIO throws into the seam's errors, keeping the errno text: "Connection refused" or "Cannot
/// assign requested address" in a log line is what lets an operator tell a wrong VIP from a dead gateway.
enum SocketErrors {
    /// `action` says what was being done ("connecting to 198.51.100.1:5000"), so the reason reads as a sentence.
    static func networkError(_ error: any Error, while action: String) -> any Error {
        switch error {
        case let error as UPnPNetworkError: return error
        case is CancellationError: return error
        case ChannelError.connectTimeout: return UPnPNetworkError.timedOut
        case let error as HTTPParserError:
            return UPnPNetworkError.malformedResponse(error.debugDescription)
        default: return UPnPNetworkError.connection("\(action) failed: \(reason(error))")
        }
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as IOError: errnoText(error.errnoCode)
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof, ChannelError.inputClosed,
            ChannelError.outputClosed:
            "the connection was closed"
        case ChannelError.writeHostUnreachable: "host unreachable"
        case let error as NIOConnectionError:
            error.connectionErrors.first.map { reason($0.error) } ?? String(describing: error)
        default: String(describing: error)
        }
    }

    static func errnoText(_ code: CInt) -> String {
        // glibc's strerror returns a static, immutable string for every errno it knows.
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

extension SocketAddress {
    /// Addresses come from our own value types, so the only failure is a family NIO does not know.
    static func make(_ address: IPAddress, port: UInt16) throws(UPnPNetworkError) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: address.description, port: Int(port))
        } catch {
            throw .connection("\(address) is not a usable socket address: \(error)")
        }
    }
}

extension IPAddress {
    /// The peer of a datagram or connection, nil for anything that is not an IP address.
    init?(socketAddress address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.init(ipv4: UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            let value = withUnsafeBytes(of: v6.address.sin6_addr) { bytes in
                bytes.reduce(UInt128(0)) { ($0 << 8) | UInt128($1) }
            }
            self.init(ipv6: value)
        default:
            return nil
        }
    }
}
