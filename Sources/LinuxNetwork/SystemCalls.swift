import CLinuxNet
import Glibc
import NetworkDriver

extension NetworkDriverError {
    /// The error for a failed system call, read from `errno` right after it.
    static func system(_ operation: String, _ detail: String = "") -> NetworkDriverError {
        code(operation, Glibc.errno, detail)
    }

    static func code(_ operation: String, _ code: Int32, _ detail: String = "") -> NetworkDriverError {
        let reason = String(cString: strerror(code))
        return NetworkDriverError(operation: operation, code: code, detail: detail.isEmpty ? reason : "\(detail): \(reason)")
    }
}

/// The network namespace every socket of one driver is created in.
///
/// The namespace file stays open for the driver's lifetime so that the driver keeps talking to the
/// namespace it was given even if the name is reused, and so that a missing name fails `init`.
final class NetworkNamespace: Sendable {
    let name: String?
    /// -1 for the process's own namespace.
    private let descriptor: Int32

    init(name: String?) throws(NetworkDriverError) {
        self.name = name
        guard let name else {
            descriptor = -1
            return
        }
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw NetworkDriverError(operation: "open network namespace", code: EINVAL, detail: "invalid name \"\(name)\"")
        }
        let path = "/var/run/netns/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open network namespace", path) }
        descriptor = fd
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// A close-on-exec socket created inside the namespace.
    func socket(domain: Int32, type: Int32, protocol: Int32, purpose: String) throws(NetworkDriverError) -> Int32 {
        let fd = clinuxnet_socket_in_namespace(descriptor, domain, type | clinuxnet_sock_cloexec, `protocol`)
        guard fd >= 0 else { throw .system("socket", purpose) }
        return fd
    }
}
