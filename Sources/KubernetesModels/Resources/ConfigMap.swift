/// A core/v1 ConfigMap: where kube-vip's address pools live (`kubevip` in `kube-system`).
public struct ConfigMap: KubernetesObject, Hashable {
    public var apiVersion: String? = "v1"
    public var kind: String? = "ConfigMap"
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Values are base64 text, as on the wire.
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
    }
}
