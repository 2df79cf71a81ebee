/// Decoding of Kubernetes protobuf bodies; filled in by the protobuf work.
enum KubernetesProtobufPlaceholder {}
