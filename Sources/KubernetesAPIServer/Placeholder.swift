enum KubernetesAPIServerPlaceholder {}
