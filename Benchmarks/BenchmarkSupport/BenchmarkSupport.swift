import Foundation

/// Where the end-to-end benchmarks find the `kube-vip` they start as child processes.
public enum KubeVipBinary {
    /// `KUBE_VIP_BINARY`; else the `kube-vip` next to this benchmark executable (both are built into
    /// `.build-bench/release`); else `.build-bench/release/kube-vip` from the working directory.
    public static func configured(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["KUBE_VIP_BINARY"], !path.isEmpty { return path }
        let sibling = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
            .deletingLastPathComponent().appendingPathComponent("kube-vip").path
        return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : ".build-bench/release/kube-vip"
    }

    /// The binary's absolute path, or (as the error) what to do to build it.
    public static func resolve(_ path: String) -> Result<String, MissingBinary> {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: absolute) else {
            return .failure(MissingBinary(
                message: """
                    no kube-vip binary at \(absolute). Build the release binary first:
                      swift build -c release --scratch-path .build-bench --product kube-vip
                    or point KUBE_VIP_BINARY at one.
                    """))
        }
        return .success(absolute)
    }

    public struct MissingBinary: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

/// Writes a summary line to stderr and, when asked, appends it to a file that outlives the run's output
/// (package-benchmark silences stderr under `--no-progress`).
public func report(_ line: String, to path: String?) {
    let data = Data((line + "\n").utf8)
    FileHandle.standardError.write(data)
    guard let path else { return }
    if !FileManager.default.fileExists(atPath: path) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    guard let file = FileHandle(forWritingAtPath: path) else { return }
    defer { try? file.close() }
    _ = try? file.seekToEnd()
    try? file.write(contentsOf: data)
}
