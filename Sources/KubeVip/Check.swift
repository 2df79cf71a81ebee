import ArgumentParser
import Foundation
import PoolCheck

/// `kube-vip check FILE`. Parsing, checking and formatting live in PoolCheck so that tests exercise them
/// without a process; this only writes the outcome and sets the exit status.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a kubevip ConfigMap file and print its pools, settings and problems.",
        discussion: """
            FILE is a ConfigMap manifest (it may hold other objects too; the ConfigMap named kubevip is \
            checked), a YAML mapping of keys to values, or key=value lines as read by \
            `kubectl create configmap --from-env-file`. Exits 0 when there are no errors (warnings are \
            allowed) and 1 when there are errors or FILE holds no ConfigMap.
            """
    )

    @Argument(help: "The file to check.")
    var file: String

    func run() throws {
        let outcome = runCheck(filePath: file)
        if !outcome.standardOutput.isEmpty {
            print(outcome.standardOutput, terminator: "")
        }
        if !outcome.standardError.isEmpty {
            FileHandle.standardError.write(Data(outcome.standardError.utf8))
        }
        // ArgumentParser's own failures exit 64; a failed check is 1 whatever went wrong.
        if outcome.exitStatus != 0 {
            throw ExitCode(outcome.exitStatus)
        }
    }
}
