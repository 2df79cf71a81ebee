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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // IP address and prefix value types: parsing, canonical text, arithmetic.
        .target(name: "NetworkAddresses"),
        // The address allocator: ConfigMap parsing into pools, then allocation. Pure values, no I/O.
        .target(name: "IPAM", dependencies: ["NetworkAddresses"]),
        // `kube-vip check`: read a ConfigMap file and report pools and diagnostics.
        .target(name: "PoolCheck", dependencies: ["IPAM", "NetworkAddresses", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "KubeVip",
            dependencies: ["PoolCheck", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "NetworkAddressesTests", dependencies: ["NetworkAddresses"]),
        .testTarget(
            name: "IPAMTests",
            dependencies: ["IPAM", .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(name: "PoolCheckTests", dependencies: ["PoolCheck", "KubeVip"]),
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
}
