import Foundation
import Manifests
import NetworkLab
import Testing

@testable import KubeVip

/// `kube-vip manifest` command lines covering each subcommand with its main flags, alone and combined.
let manifestMatrix: [[String]] = {
    let agentModes: [[String]] = [
        [],
        ["--inCluster"],
        ["--taint"],
        ["--inCluster", "--taint", "--servicesElection", "--interface", "eth0"],
        ["--leaderElection", "--servicesLeaseName", "vip/plndr-svcs-lock", "--namespace", "vip"],
        ["--serviceInterface", "auto", "--arpRate", "1500", "--leaseDuration", "5", "--leaseRenewDuration", "3", "--leaseRetry", "1"],
        ["--lbClassName", "example.com/lb", "--lbClassOnly", "--enableUPNP"],
        ["--prometheusHTTPServer", "", "--healthCheckPort", "10256"],
        ["--prometheusHTTPServer", "127.0.0.1:9100"],
        ["--inCluster", "--withRBAC", "--image", "registry.example/kube-vip:1"],
    ]
    var matrix: [[String]] = []
    for subcommand in ["daemonset", "pod"] {
        matrix += agentModes.map { [subcommand, "--services", "--arp"] + $0 }
    }
    matrix += [
        ["rbac"], ["rbac", "--servicesElection"], ["rbac", "--servicesLeaseName", "vip/lock"], ["rbac", "--namespace", "vip"],
    ]
    matrix += [
        ["cloud-provider"], ["cloud-provider", "--namespace", "kube-vip", "--configMapNamespace", "pools", "--configMapName", "addresses"],
        ["cloud-provider", "--lbClassOnly", "--lbClassName", "example.com/lb"], ["cloud-provider", "--writeStatus", "--replicas", "3"],
    ]
    return matrix
}()

/// One run of kubernetes-validate over every checked-in manifest, every generated one and a deliberately
/// invalid one, shared by the tests below (the tool takes seconds to start; once is enough).
private enum ValidationRun {
    struct Outcome: Sendable {
        /// Output lines by the file they are about.
        var lines: [String: [String]]
        var result: String
    }

    static let checkedIn = ["manifest/kube-vip-cloud-controller.yaml", "manifest/kube-vip-ds.yaml", "manifest/configmap-example.yaml", "manifest/kubevip-configmap.yaml"]

    /// A Deployment with a field Kubernetes does not have: strict validation must reject it.
    static let invalid = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: invalid
        spec:
          selector:
            matchLabels:
              app: invalid
          template:
            metadata:
              labels:
                app: invalid
            spec:
              containers:
                - name: invalid
                  image: invalid
                  privilegedd: true

        """

    static let outcome = Task<Outcome, any Error> {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var files = try checkedIn.map { try PackageRoot.file($0) }
        for (index, arguments) in manifestMatrix.enumerated() {
            let document = try ManifestCommand.document(arguments: arguments)
            files.append(try scratch.write(document.yaml, named: "matrix-\(index).yaml"))
        }
        files.append(try scratch.write(invalid, named: "invalid.yaml"))
        let result = try await Validator.validate(files)
        var lines: [String: [String]] = [:]
        for line in (result.stdout + "\n" + result.stderr).split(separator: "\n") {
            if let file = files.first(where: { line.contains($0.path + " ") }) {
                lines[file.path, default: []].append(String(line))
            }
        }
        // Keyed by the name the tests know: the package path or the matrix index.
        var named: [String: [String]] = [:]
        for (path, found) in lines {
            let name = checkedIn.first { path.hasSuffix("/" + $0) } ?? URL(fileURLWithPath: path).lastPathComponent
            named[name] = found
        }
        return Outcome(lines: named, result: result.description)
    }
}

@Suite("kubernetes-validate", .enabled(if: Validator.path != nil, Comment(rawValue: Validator.missing)))
struct ManifestValidationTests {
    /// Every object of the file passed, and nothing else was said about it.
    private func expectPassed(_ name: String, _ outcome: ValidationRun.Outcome, _ what: String) {
        let lines = outcome.lines[name] ?? []
        #expect(!lines.isEmpty, "kubernetes-validate said nothing about \(what)\n\(outcome.result)")
        #expect(lines.allSatisfy { $0.contains(" passed ") }, "\(what):\n\(lines.joined(separator: "\n"))")
    }

    @Test("every file under manifest/ is valid for Kubernetes 1.37 with strict validation", arguments: ValidationRun.checkedIn)
    func checkedInFile(path: String) async throws {
        expectPassed(path, try await ValidationRun.outcome.value, path)
    }

    @Test("every generated manifest of the matrix is valid for Kubernetes 1.37 with strict validation", arguments: manifestMatrix.indices)
    func generated(index: Int) async throws {
        expectPassed(
            "matrix-\(index).yaml", try await ValidationRun.outcome.value,
            "kube-vip manifest \(manifestMatrix[index].joined(separator: " "))")
    }

    @Test("a field Kubernetes does not have fails, so the validation above is strict")
    func strict() async throws {
        let lines = try await ValidationRun.outcome.value.lines["invalid.yaml"] ?? []
        #expect(lines.contains { $0.contains("did not validate") && $0.contains("privilegedd") }, "\(lines)")
    }
}
