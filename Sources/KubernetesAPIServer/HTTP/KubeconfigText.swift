/// The kubeconfig that points kubectl (or any client) at the embedded server: plain HTTP on loopback, no
/// credentials, because the server has no authentication and listens on 127.0.0.1 by default.
enum KubeconfigText {
    static let clusterName = "kube-vip-dev"

    static func make(host: String, port: Int) -> String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(clusterName)
              cluster:
                server: http://\(hostPart):\(port)
            users:
            - name: \(clusterName)
              user: {}
            contexts:
            - name: \(clusterName)
              context:
                cluster: \(clusterName)
                user: \(clusterName)
                namespace: default
            current-context: \(clusterName)
            preferences: {}

            """
    }
}
