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
    static let root = NetworkLab.packageRoot

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
    static let url: URL? = NetworkLab.builtExecutable("kube-vip").map { URL(fileURLWithPath: $0) }
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
