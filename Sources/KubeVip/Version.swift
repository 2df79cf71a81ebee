/// The release this binary is; `kube-vip --version` prints it, the manifests' image tag defaults to it.
enum KubeVipVersion {
    static let current = "0.1.0"
}
