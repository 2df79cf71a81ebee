import Glibc
import NetworkDriver

/// The kernel's rules for interface names (dev_valid_name), checked before a request so that a bad
/// name from a Service annotation gets a message that says what is wrong with it, not just EINVAL.
enum LinkName {
    /// IFNAMSIZ less the terminating NUL.
    static let maximumLength = 15

    /// Why `name` cannot name a link, or nil when it can.
    static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        if bytes.isEmpty { return "is empty" }
        if bytes.count > maximumLength { return "is \(bytes.count) bytes long, more than \(maximumLength)" }
        if name == "." || name == ".." { return "is \"\(name)\"" }
        if bytes.contains(UInt8(ascii: "/")) { return "contains '/'" }
        if bytes.contains(UInt8(ascii: ":")) { return "contains ':'" }
        // The kernel refuses whitespace by its own ctype table, which counts byte 0xA0 (part of some UTF-8
        // characters) as a space; control characters (NUL above all, which would cut the name short) are
        // refused here as well.
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F || $0 == 0xA0 }) {
            return "contains whitespace or a control character"
        }
        return nil
    }

    static func validate(_ name: String, operation: String) throws(NetworkDriverError) {
        if let problem = problem(with: name) {
            throw NetworkDriverError(operation: operation, code: EINVAL, detail: "invalid link name \"\(name)\": \(problem)")
        }
    }
}
