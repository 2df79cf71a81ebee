import Foundation
import NetworkLab
import PoolCheck
import Testing

/// Reads `text`, failing the test (not crashing) when it is not accepted.
func read(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ConfigMapFile {
    do {
        return try ConfigMapFile.read(text: text)
    } catch {
        Issue.record("expected the text to be read, got: \(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Why `text` is not accepted, or nil when it is.
func readFailure(_ text: String) -> ConfigMapFileError? {
    do {
        _ = try ConfigMapFile.read(text: text)
        return nil
    } catch {
        return error
    }
}

/// The report's lines, for tests that look for exact lines wherever they are.
func reportLines(_ text: String, fileName: String = "test.yaml") throws -> [String] {
    let report = CheckReport(file: try read(text), fileName: fileName)
    return report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

enum PackageFiles {
    /// The package root, found from this file's location so that tests do not depend on the working directory.
    static let root: URL? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static let manifestPath = "manifest/kubevip-configmap.yaml"

    static func manifestURL() throws -> URL {
        try #require(root, "package root not found above \(#filePath)").appendingPathComponent(manifestPath)
    }

    static func manifestText() throws -> String {
        try String(contentsOf: manifestURL(), encoding: .utf8)
    }
}

/// A file under the temporary directory with a name no other test or test run uses; removed by `remove()`.
struct TemporaryFile {
    let url: URL

    init(contents: String, suffix: String = ".yaml") throws {
        let name = "kube-vip-check-\(UUID().uuidString)\(suffix)"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// The `kube-vip` executable that `swift test` built for this run.
enum KubeVipBinary {
    /// The test runner lives in the build products directory next to the executables: on Linux it is the
    /// process itself, on macOS the `.xctest` bundle loaded into `xctest`. Other scratch folders under the
    /// package root are searched last, newest binary first, since they may hold a stale build.
    static let url: URL? = {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL {
            directories.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        if let first = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        for directory in directories {
            let candidate = directory.appendingPathComponent("kube-vip")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return fallbackInScratchFolders()
    }()

    private static func fallbackInScratchFolders() -> URL? {
        guard let root = PackageFiles.root,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path)
        else { return nil }
        let candidates = entries.filter { $0.hasPrefix(".build") }.map {
            root.appendingPathComponent($0).appendingPathComponent("debug").appendingPathComponent("kube-vip")
        }.filter { FileManager.default.isExecutableFile(atPath: $0.path) }
        func modified(_ url: URL) -> Date {
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            return attributes?[.modificationDate] as? Date ?? .distantPast
        }
        return candidates.max { modified($0) < modified($1) }
    }
}

struct ProcessResult: Sendable {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

struct ProcessTimedOut: Error, CustomStringConvertible {
    let seconds: Int
    var description: String { "the process did not finish within \(seconds) seconds and was killed" }
}

/// Runs `executable` to completion, or kills it after `seconds` so a hung child cannot hang the test run.
func runProcess(_ executable: URL, _ arguments: [String], seconds: Int = 60) throws -> ProcessResult {
    let result: CommandResult
    do {
        result = try ChildProcess.runBlocking([executable.path] + arguments, timeout: .seconds(seconds))
    } catch NetworkLabError.timedOut {
        throw ProcessTimedOut(seconds: seconds)
    }
    return ProcessResult(status: result.status.code, standardOutput: result.stdout, standardError: result.stderr)
}
