// `kube-vip status` report: written by the status work of issue 8.
