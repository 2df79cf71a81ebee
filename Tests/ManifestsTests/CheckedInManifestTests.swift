import Foundation
import Manifests
import Testing

@testable import KubeVip

@Suite("manifest/ files")
struct CheckedInManifestTests {
    static let generated: [String] = ["manifest/kube-vip-cloud-controller.yaml", "manifest/kube-vip-ds.yaml"]

    @Test("each generated file under manifest/ is exactly the generator's output", arguments: generated)
    func matchesGenerator(path: String) throws {
        let files = try CheckedInManifests.files(version: KubeVipVersion.current)
        let document = try #require(files.first { $0.path == path }?.document)
        let command = document.header.first { $0.hasPrefix("  kube-vip ") }?.trimmingCharacters(in: .whitespaces) ?? "?"
        #expect(
            try PackageRoot.text(path) == document.yaml,
            "\(path) differs from the generator; regenerate it with: \(command) > \(path)")
    }

    @Test("every generated file is listed, so none goes unchecked")
    func everyFileListed() throws {
        #expect(try CheckedInManifests.files(version: KubeVipVersion.current).map(\.path) == Self.generated)
    }

    @Test("kube-vip-ds.yaml installs the agent with its RBAC, in-cluster, a Lease per Service, on eth0")
    func daemonSetFile() throws {
        let parsed = try ParsedManifest(text: PackageRoot.text("manifest/kube-vip-ds.yaml"))
        #expect(parsed.objects.compactMap { $0["kind"] as? String } == ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"])
        let env = try parsed.environment()
        #expect(env["vip_interface"] == .some("eth0"))
        #expect(env["svc_election"] == .some("true"))
        #expect(try parsed.podSpec()["serviceAccountName"] as? String == "kube-vip")
    }

    @Test("the header of kube-vip-ds.yaml names the command that printed it")
    func daemonSetHeader() throws {
        let text = try PackageRoot.text("manifest/kube-vip-ds.yaml")
        #expect(text.contains("#   kube-vip manifest daemonset --interface eth0 --services --arp --servicesElection --inCluster --withRBAC\n"))
    }

    @Test("configmap-example.yaml holds the seed's example pools, as the existing kubevip-configmap.yaml does")
    func configMapExample() throws {
        let example = try ParsedManifest(text: PackageRoot.text("manifest/configmap-example.yaml")).only(kind: "ConfigMap")
        let existing = try ParsedManifest(text: PackageRoot.text("manifest/kubevip-configmap.yaml")).only(kind: "ConfigMap")
        #expect(value(example, "metadata", "name") as? String == "kubevip")
        #expect(value(example, "metadata", "namespace") as? String == "kube-system")
        let data = try #require(example["data"] as? [String: String])
        #expect(
            data == [
                "cidr-default": "192.168.0.200/29", "range-development": "192.168.0.210-192.168.0.219",
                "cidr-finance": "192.168.0.220/29,192.168.0.230/29", "cidr-global": "192.168.0.240/29",
            ])
        #expect(existing["data"] as? [String: String] == data)
    }
}
