import Foundation
import NetworkLab
import Testing

@testable import KubeVip

/// The `kube-vip` executable built next to this test runner.
private let kubeVipBinary = NetworkLab.builtExecutable("kube-vip")

@Suite("kube-vip manifest, the binary", .enabled(if: kubeVipBinary != nil, "the kube-vip binary is not next to the test runner"))
struct ManifestBinaryTests {
    @Test("daemonset --inCluster prints the manifest on stdout and reminds on stderr that the RBAC is needed")
    func inClusterReminder() async throws {
        let binary = try #require(kubeVipBinary)
        let result = try await ChildProcess.run([binary, "manifest", "daemonset", "--services", "--arp", "--inCluster"])
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout == (try manifest("daemonset", "--services", "--arp", "--inCluster").yaml))
        #expect(result.stderr.contains("kube-vip manifest rbac"), "\(result.stderr)")
    }

    @Test("with --withRBAC there is nothing to remind")
    func noReminderWithRBAC() async throws {
        let binary = try #require(kubeVipBinary)
        let result = try await ChildProcess.run(
            [binary, "manifest", "daemonset", "--services", "--arp", "--inCluster", "--withRBAC"])
        #expect(result.succeeded, "\(result)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("an unsupported upstream flag exits with a usage error, the reason, and no YAML")
    func unsupportedFlag() async throws {
        let binary = try #require(kubeVipBinary)
        let result = try await ChildProcess.run([binary, "manifest", "daemonset", "--services", "--arp", "--bgp"])
        #expect(result.status == .exited(64), "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--bgp is upstream kube-vip's flag"), "\(result.stderr)")
    }
}
