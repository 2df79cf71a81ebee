import Foundation

/// Everything `kube-vip check` does except writing to the terminal, so that tests see exactly what a user sees.
public struct CheckOutcome: Sendable, Equatable {
    /// The report; empty when the file could not be read as a ConfigMap.
    public let standardOutput: String
    /// Why the file could not be read; empty when there is a report.
    public let standardError: String
    /// 0 when the ConfigMap has no errors (warnings and notes allowed), 1 otherwise.
    public let exitStatus: Int32

    public init(standardOutput: String, standardError: String, exitStatus: Int32) {
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.exitStatus = exitStatus
    }
}

/// Checks the file at `filePath`, named in messages as given.
public func runCheck(filePath: String) -> CheckOutcome {
    let contents: Data
    switch readFile(filePath) {
    case .success(let data): contents = data
    case .failure(let failure): return CheckOutcome(failing: filePath, failure.message)
    }
    return runCheck(fileContents: contents, fileName: filePath)
}

public func runCheck(fileContents: Data, fileName: String) -> CheckOutcome {
    check(fileName) { () throws(ConfigMapFileError) in try ConfigMapFile.read(contents: fileContents) }
}

public func runCheck(fileText: String, fileName: String) -> CheckOutcome {
    check(fileName) { () throws(ConfigMapFileError) in try ConfigMapFile.read(text: fileText) }
}

private func check(
    _ fileName: String, _ read: () throws(ConfigMapFileError) -> ConfigMapFile
) -> CheckOutcome {
    do {
        let report = CheckReport(file: try read(), fileName: fileName)
        return CheckOutcome(standardOutput: report.text, standardError: "", exitStatus: report.isValid ? 0 : 1)
    } catch {
        return CheckOutcome(failing: fileName, error.description)
    }
}

extension CheckOutcome {
    fileprivate init(failing fileName: String, _ message: String) {
        self.init(standardOutput: "", standardError: "error: \(fileName): \(message)\n", exitStatus: 1)
    }
}

private struct ReadFailure: Error {
    let message: String
}

/// Foundation's own messages do not say which of the usual reasons applies, so those are checked first.
private func readFile(_ path: String) -> Result<Data, ReadFailure> {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        return .failure(ReadFailure(message: "no such file"))
    }
    if isDirectory.boolValue {
        return .failure(ReadFailure(message: "is a directory, not a file"))
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
        return .failure(ReadFailure(message: "permission denied"))
    }
    do {
        return .success(try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        return .failure(ReadFailure(message: "cannot be read: \(error.localizedDescription)"))
    }
}
