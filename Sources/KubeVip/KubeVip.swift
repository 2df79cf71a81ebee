import ArgumentParser

/// The single `kube-vip` binary; each mode of operation is a subcommand so that they share one image.
@main
struct KubeVip: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-vip",
        abstract: "Virtual IPs and LoadBalancer addresses for Kubernetes on premises.",
        version: KubeVipVersion.current,
        subcommands: [Dev.self, CloudProviderCommand.self, ManagerCommand.self, Check.self, ManifestCommand.self, StatusCommand.self]
    )
}
