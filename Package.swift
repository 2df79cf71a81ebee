// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

let package = Package(
    name: "kube-vip",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kube-vip", targets: ["KubeVip"]),
        .library(name: "IPAM", targets: ["IPAM"]),
        .library(name: "NetworkAddresses", targets: ["NetworkAddresses"]),
        .library(name: "KubernetesModels", targets: ["KubernetesModels"]),
        .library(name: "KubernetesClient", targets: ["KubernetesClient"]),
        .library(name: "KubernetesAPIServer", targets: ["KubernetesAPIServer"]),
        .library(name: "LeaderElection", targets: ["LeaderElection"]),
        .library(name: "CloudProvider", targets: ["CloudProvider"]),
        .library(name: "NodeAgent", targets: ["NodeAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/pointfreeco/swift-clocks.git", from: "1.1.1"),
    ],
    targets: [
        // IP address and prefix value types: parsing, canonical text, arithmetic.
        .target(name: "NetworkAddresses"),
        // The address allocator: ConfigMap parsing into pools, then allocation. Pure values, no I/O.
        .target(name: "IPAM", dependencies: ["NetworkAddresses"]),
        // The annotation and label names and the per-Service Lease rule shared with upstream, for every role.
        .target(name: "KubeVipConventions"),
        // What the terminal reports of `check` and `status` share: tables, address ranges, counts, severities.
        .target(name: "ReportText", dependencies: ["NetworkAddresses"]),
        // `kube-vip check`: read a ConfigMap file and report pools and diagnostics.
        .target(
            name: "PoolCheck",
            dependencies: ["IPAM", "NetworkAddresses", "ReportText", .product(name: "Yams", package: "Yams")]),
        // Kubernetes objects as JSON values and typed views, and the patch semantics (merge, strategic merge).
        .target(name: "KubernetesModels"),
        // Kubernetes' protobuf wire format (the `k8s\0` envelope), decoded into the same JSON values.
        .target(name: "KubernetesProtobuf", dependencies: ["KubernetesModels"]),
        // The API client: kubeconfig/in-cluster config, HTTP, list+watch informers, writes, rate limits.
        .target(
            name: "KubernetesClient",
            dependencies: [
                "KubernetesModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The embedded, in-memory Kubernetes-compatible API server behind `kube-vip dev`.
        .target(
            name: "KubernetesAPIServer",
            dependencies: [
                "KubernetesModels", "KubernetesProtobuf",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // ARP and IPv6 neighbour-discovery frames as pure values: encode, decode, checksums. No I/O.
        .target(name: "NetworkFrames", dependencies: ["NetworkAddresses"]),
        // Lease-based leader election (coordination.k8s.io/v1) with a write fence, for every HA role.
        .target(
            name: "LeaderElection",
            dependencies: [
                "KubernetesClient", "KubernetesModels",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The /metrics, /healthz and /readyz endpoint every long-running role serves.
        .target(
            name: "ObservabilityServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The cloud-provider role: watches Services and the kubevip ConfigMap, allocates, records, reports.
        .target(
            name: "CloudProvider",
            dependencies: [
                "IPAM", "NetworkAddresses", "KubernetesClient", "KubernetesModels", "LeaderElection",
                "KubeVipConventions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The RFC 2131 DHCPv4 client as a pure state machine (no I/O, injected time), for DHCP mode's leases.
        .target(name: "DHCPClient", dependencies: ["NetworkAddresses", "NetworkFrames"]),
        // What the node agent needs from the host's network (links, addresses, frames), as a protocol.
        .target(name: "NetworkDriver", dependencies: ["NetworkAddresses", "NetworkFrames"]),
        // libmnl, for rtnetlink (links, addresses and their notifications).
        .systemLibrary(name: "CNetlink", pkgConfig: "libmnl", providers: [.apt(["libmnl-dev"])]),
        // The few C helpers Swift cannot call directly (AF_PACKET addresses, setns).
        .target(name: "CLinuxNet"),
        // The Linux NetworkDriver: rtnetlink through libmnl, AF_PACKET sockets for ARP and NDP frames.
        .target(
            name: "LinuxNetwork",
            dependencies: [
                "NetworkDriver", "NetworkAddresses", "NetworkFrames", "CNetlink", "CLinuxNet",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // UPnP IGD control as pure protocol logic: SSDP, device descriptions, SOAP, over a `UPnPNetwork` seam.
        .target(name: "UPnP", dependencies: ["NetworkAddresses"]),
        // The `UPnPNetwork` over real sockets (SwiftNIO): SSDP multicast on an interface, HTTP from a source address.
        .target(
            name: "UPnPSockets",
            dependencies: [
                "UPnP", "NetworkAddresses",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The node agent (`kube-vip manager`): which Services this node serves, VIPs with ARP/NDP, status.
        .target(
            name: "NodeAgent",
            dependencies: [
                "NetworkDriver", "NetworkAddresses", "NetworkFrames", "KubernetesClient", "KubernetesModels",
                "LeaderElection", "IPAM", "DHCPClient", "UPnP", "KubeVipConventions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // What the roles may do in a cluster (RBAC rules, the single source) and the manifests that install them.
        .target(name: "Manifests", dependencies: ["KubernetesModels", .product(name: "Yams", package: "Yams")]),
        // `kube-vip status`: pools, Services and holders read from a cluster, as a pure report with text and JSON.
        .target(
            name: "ClusterStatus",
            dependencies: ["IPAM", "NetworkAddresses", "KubernetesModels", "ReportText", "KubeVipConventions"]),
        // Log lines as JSON objects (`--log-format json`), one per line, for log pipelines.
        .target(
            name: "StructuredLogging",
            dependencies: ["KubernetesModels", .product(name: "Logging", package: "swift-log")]),
        // Test support: network namespaces, a bridge, veths and processes inside them, torn down by PID.
        .target(name: "NetworkLab"),
        .executableTarget(
            name: "KubeVip",
            dependencies: [
                "PoolCheck", "KubernetesAPIServer", "CloudProvider", "LeaderElection", "ObservabilityServer",
                "KubernetesClient", "NodeAgent", "NetworkDriver", "LinuxNetwork", "UPnP", "UPnPSockets",
                "Manifests", "ClusterStatus", "StructuredLogging", "KubernetesModels", "IPAM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        .testTarget(name: "NetworkAddressesTests", dependencies: ["NetworkAddresses"]),
        .testTarget(
            name: "IPAMTests",
            dependencies: ["IPAM", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "PoolCheckTests", dependencies: ["PoolCheck", "KubeVip", "NetworkLab"]),
        .testTarget(
            name: "KubernetesModelsTests",
            dependencies: ["KubernetesModels", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "KubernetesProtobufTests", dependencies: ["KubernetesProtobuf", "KubernetesModels"]),
        .testTarget(
            name: "KubernetesClientTests",
            dependencies: [
                "KubernetesClient", "KubernetesAPIServer", "KubernetesModels", "NetworkLab",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KubernetesAPIServerTests",
            dependencies: [
                "KubernetesAPIServer", "KubernetesModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "NetworkFramesTests",
            dependencies: [
                "NetworkFrames", "NetworkAddresses", "NetworkLab",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "DHCPClientTests",
            dependencies: [
                "DHCPClient", "NetworkFrames", "NetworkAddresses",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "UPnPTests",
            dependencies: [
                "UPnP", "NetworkAddresses",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "UPnPSocketsTests",
            dependencies: [
                "UPnPSockets", "UPnP", "NetworkAddresses", "NetworkLab",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LeaderElectionTests",
            dependencies: [
                "LeaderElection", "KubernetesClient", "KubernetesModels", "KubernetesAPIServer",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ObservabilityServerTests",
            dependencies: [
                "ObservabilityServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CloudProviderTests",
            dependencies: [
                "CloudProvider", "IPAM", "NetworkAddresses", "KubernetesClient", "KubernetesModels", "KubeVipConventions",
                "KubernetesAPIServer", "LeaderElection", "ObservabilityServer", "Manifests",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LinuxNetworkTests",
            dependencies: ["LinuxNetwork", "NetworkDriver", "NetworkAddresses", "NetworkFrames", "NetworkLab"]
        ),
        .testTarget(
            name: "NodeAgentTests",
            dependencies: [
                "NodeAgent", "NetworkDriver", "NetworkAddresses", "NetworkFrames", "KubernetesClient",
                "KubernetesModels", "KubernetesAPIServer", "LeaderElection", "DHCPClient", "Manifests", "IPAM",
                "KubeVipConventions",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Manifests: generated output, the checked-in files, `kubernetes-validate` against a current Kubernetes.
        .testTarget(
            name: "ManifestsTests",
            dependencies: [
                "Manifests", "KubeVip", "KubernetesModels", "NetworkLab", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "ClusterStatusTests",
            dependencies: ["ClusterStatus", "IPAM", "NetworkAddresses", "KubernetesModels"]
        ),
        .testTarget(
            name: "StructuredLoggingTests",
            dependencies: ["StructuredLogging", "NetworkLab", .product(name: "Logging", package: "swift-log")]
        ),
        // The README and docs/ against the code: every flag, env var, annotation, ConfigMap key and metric.
        .testTarget(name: "DocumentationTests", dependencies: ["KubeVip", "Manifests", "NetworkLab"]),
        // Real `kube-vip manager` processes in network namespaces against `kube-vip dev` (root only).
        .testTarget(
            name: "NodeAgentNetnsTests",
            dependencies: [
                "KubeVip", "NetworkLab", "KubernetesClient", "KubernetesModels", "LinuxNetwork", "NetworkDriver",
                "NetworkFrames", "NetworkAddresses", "UPnP", "UPnPSockets",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The real kubectl against `kube-vip dev`: every command line of the seed document.
        .testTarget(
            name: "KubectlTests",
            dependencies: [
                "KubeVip", "KubernetesAPIServer", "KubernetesModels", "KubernetesClient", "NetworkLab",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]  // YAML files the tests hand to kubectl, read by path
        ),
    ]
)

// Benchmarks are opt-in so that `swift build` and `swift test` never compile the benchmark toolchain.
if ProcessInfo.processInfo.environment["ENABLE_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "IPAMBenchmarks",
            dependencies: ["IPAM", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/IPAMBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
    package.targets.append(
        .executableTarget(
            name: "KubernetesBenchmarks",
            dependencies: [
                "KubernetesModels", "KubernetesAPIServer", "KubernetesClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/KubernetesBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
    // What the end-to-end benchmarks share: finding the kube-vip binary, summary lines.
    package.targets.append(.target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"))
    package.targets.append(
        .executableTarget(
            name: "FailoverBenchmarks",
            dependencies: [
                "NetworkLab", "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/FailoverBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
    package.targets.append(
        .executableTarget(
            name: "CloudProviderBenchmarks",
            dependencies: [
                "KubernetesModels", "KubernetesClient", "BenchmarkSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/CloudProviderBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
