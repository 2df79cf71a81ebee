/// The generated files under `manifest/`, defined once so that the tests can hold the checked-in files to
/// exactly this output and the files cannot drift from the generator.
public enum CheckedInManifests {
    /// `manifest/kube-vip-cloud-controller.yaml`: `kube-vip manifest cloud-provider` with every default.
    public static func cloudController(version: String) throws(ManifestError) -> ManifestDocument {
        try CloudProviderManifest.document(CloudProviderManifestOptions(version: version))
    }

    /// The node agent's options behind `manifest/kube-vip-ds.yaml`: in-cluster credentials, a Lease per
    /// Service (spreads Services over nodes), and `eth0`, the usual name of a node's first interface.
    public static func daemonSetOptions(version: String) -> NodeAgentManifestOptions {
        var options = NodeAgentManifestOptions(version: version)
        options.interface = "eth0"
        options.services = true
        options.arp = true
        options.servicesElection = true
        options.inCluster = true
        options.withRBAC = true
        return options
    }

    /// `manifest/kube-vip-ds.yaml`: `kube-vip manifest daemonset --withRBAC`, the ServiceAccount, RBAC and
    /// DaemonSet in one file.
    public static func daemonSet(version: String) throws(ManifestError) -> ManifestDocument {
        try NodeAgentManifest.daemonSet(daemonSetOptions(version: version))
    }

    /// Path (relative to the package root) and expected content of every generated file.
    public static func files(version: String) throws(ManifestError) -> [(path: String, document: ManifestDocument)] {
        [
            ("manifest/kube-vip-cloud-controller.yaml", try cloudController(version: version)),
            ("manifest/kube-vip-ds.yaml", try daemonSet(version: version)),
        ]
    }
}
