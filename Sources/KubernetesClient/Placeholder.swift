enum KubernetesClientPlaceholder {}
