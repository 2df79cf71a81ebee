import Foundation
import Testing

/// The built `kube-vip` executable, as a user runs it: argument parsing, output streams and exit status.
@Suite("kube-vip check, the executable", .serialized, .timeLimit(.minutes(2)))
struct KubeVipBinaryTests {
    private func binary() throws -> URL {
        try #require(KubeVipBinary.url, "the kube-vip executable was not found next to the test runner")
    }

    @Test func theExampleManifestPassesAndItsPoolsArePrinted() throws {
        let result = try runProcess(binary(), ["check", PackageFiles.manifestURL().path])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("  namespace default      IPv4           8  192.168.0.200/29\n"))
        #expect(result.standardOutput.contains("  global                 IPv4           8  192.168.0.240/29\n"))
        #expect(result.standardOutput.hasSuffix("valid: 4 pools, 0 errors, 2 warnings\n"))
        #expect(result.standardError.isEmpty)
    }

    @Test func aFileWithABadEntryExitsOne() throws {
        let file = try TemporaryFile(contents: "range-global: 192.0.2.9-192.0.2.1\n")
        defer { file.remove() }
        let result = try runProcess(binary(), ["check", file.url.path])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("error: range-global: entry \"192.0.2.9-192.0.2.1\""))
        #expect(result.standardOutput.hasSuffix("invalid: 1 error, 0 warnings\n"))
    }

    @Test func aMissingFileExitsOneWithAMessageOnStandardError() throws {
        let missing = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-vip-check-\(UUID().uuidString)-missing.yaml").path
        let result = try runProcess(binary(), ["check", missing])
        #expect(result.status == 1)
        #expect(result.standardError == "error: \(missing): no such file\n")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func aFileThatIsNotAConfigMapExitsOneNotWithAUsageError() throws {
        let file = try TemporaryFile(contents: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
        defer { file.remove() }
        let result = try runProcess(binary(), ["check", file.url.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("no ConfigMap in the file (found Deployment web)"))
    }
}
