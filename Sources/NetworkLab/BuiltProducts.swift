import Foundation

extension NetworkLab {
    /// The package's root directory, found from this source file's location (compiled in), so that tests read
    /// the checked-in files whatever the working directory; nil when the sources are not where they were built.
    public static let packageRoot: URL? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    /// An executable `swift build` made next to the running test binary (the test runner lives in the build
    /// products directory on Linux), e.g. `kube-vip`; nil when there is none, so suites can skip saying so.
    public static func builtExecutable(_ name: String) -> String? {
        var directories: [URL] = []
        if let runner = Bundle.main.executableURL {
            directories.append(runner.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        return directories.map { $0.appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
