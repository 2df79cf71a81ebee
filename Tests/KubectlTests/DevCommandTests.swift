import Foundation
import NetworkLab
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension ChildProcessSuites {
/// The built `kube-vip` binary, run as a user runs it: `kube-vip dev` prints the KUBECONFIG line, kubectl
/// works with it, SIGTERM stops it, and a restart on the same data directory finds every object again.
@Suite(
    "kube-vip dev, the binary",
    .enabled(if: DevBinary.path != nil, "the kube-vip binary was not found next to the test runner"),
    .enabled(if: KubectlProcess.isAvailable, "kubectl is not installed at /usr/bin/kubectl"),
    .timeLimit(.minutes(2))
)
struct DevCommandTests {
    @Test("prints the KUBECONFIG to export, serves kubectl with it, and exits 0 on SIGTERM")
    func printsKubeconfigAndStopsOnSIGTERM() async throws {
        try await DevWorld.with { world in
            let dev = try world.startDev()
            let kubeconfig = try await world.kubeconfig(of: dev)
            #expect(kubeconfig == world.dataDirectory.appendingPathComponent("kubeconfig").path)
            let namespaces = try await world.kubectl(kubeconfig, "get", "namespaces")
            #expect(namespaces.status == 0, "\(namespaces)")
            #expect(namespaces.stdout.contains("kube-system"))
            let stopped = await dev.terminate(with: SIGTERM)
            #expect(stopped.status == 0, "\(stopped)")
        }
    }

    @Test("objects survive a restart on the same data directory")
    func objectsSurviveRestart() async throws {
        try await DevWorld.with { world in
            let first = try world.startDev()
            let firstConfig = try await world.kubeconfig(of: first)
            let created = try await world.kubectl(
                firstConfig, "create", "configmap", "-n", "kube-system", "kubevip",
                "--from-literal", "cidr-global=192.168.0.220/29")
            #expect(created.status == 0, "\(created)")
            #expect(await first.terminate(with: SIGINT).status == 0)

            let second = try world.startDev()
            let secondConfig = try await world.kubeconfig(of: second)
            let read = try await world.kubectl(
                secondConfig, "get", "configmap", "kubevip", "-n", "kube-system",
                "-o", "jsonpath={.data.cidr-global}")
            #expect(read.stdout == "192.168.0.220/29", "\(read)")
            #expect(await second.terminate(with: SIGTERM).status == 0)
        }
    }

    @Test("--ephemeral keeps nothing across a restart")
    func ephemeralForgets() async throws {
        try await DevWorld.with { world in
            let first = try world.startDev("--ephemeral")
            let firstConfig = try await world.kubeconfig(of: first)
            #expect(try await world.kubectl(firstConfig, "create", "namespace", "scratch").status == 0)
            _ = await first.terminate(with: SIGTERM)

            let second = try world.startDev("--ephemeral")
            let secondConfig = try await world.kubeconfig(of: second)
            let read = try await world.kubectl(secondConfig, "get", "namespace", "scratch")
            #expect(read.status != 0)
            #expect(read.stderr.contains("not found"), "\(read)")
            _ = await second.terminate(with: SIGTERM)
        }
    }

    @Test("a corrupt journal stops the start with the file and line named, and nothing is overwritten")
    func corruptJournalIsRefused() async throws {
        try await DevWorld.with { world in
            let first = try world.startDev()
            let config = try await world.kubeconfig(of: first)
            #expect(try await world.kubectl(config, "create", "namespace", "precious").status == 0)
            _ = await first.terminate(with: SIGTERM)

            let journal = world.dataDirectory.appendingPathComponent("journal.jsonl")
            var lines = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n").map(String.init)
            if lines.isEmpty {
                // The journal was folded into the snapshot at the last start; damage the snapshot instead.
                let snapshot = world.dataDirectory.appendingPathComponent("snapshot.jsonl")
                lines = try String(contentsOf: snapshot, encoding: .utf8).split(separator: "\n").map(String.init)
                lines.insert("{not json", at: lines.count / 2)
                try Data(lines.joined(separator: "\n").utf8 + [UInt8(ascii: "\n")]).write(to: snapshot)
            } else {
                lines.insert("{not json", at: 0)
                try Data(lines.joined(separator: "\n").utf8 + [UInt8(ascii: "\n")]).write(to: journal)
            }
            let before = try world.dataFiles()

            let refused = try world.startDev()
            let result = await refused.waitForExit()
            #expect(result.status != 0)
            #expect(result.stderr.contains("journal.jsonl:1:") || result.stderr.contains("snapshot.jsonl:"), "\(result)")
            #expect(!result.stderr.contains("Usage:"), "\(result)")
            #expect(try world.dataFiles() == before)
        }
    }
}
}

/// Where the binary is: the test runner lives in the build products directory next to the executables.
enum DevBinary {
    static let path = NetworkLab.builtExecutable("kube-vip")
}

/// One test's temporary world: a data directory, a fresh HOME and kubectl cache; every `kube-vip dev`
/// started in it is killed and awaited when the test ends, also when it fails.
final class DevWorld: Sendable {
    let root: URL
    var dataDirectory: URL { root.appendingPathComponent("data") }
    var home: URL { root.appendingPathComponent("home") }
    private let started = ProcessList()

    private init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kube-vip-dev-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    static func with(_ body: (DevWorld) async throws -> Void) async throws {
        let world = try DevWorld()
        defer { try? FileManager.default.removeItem(at: world.root) }
        do {
            try await body(world)
        } catch {
            await world.started.killAll()
            throw error
        }
        await world.started.killAll()
    }

    func startDev(_ extra: String...) throws -> KubectlProcess {
        guard let binary = DevBinary.path else { throw DevTestFailure("no kube-vip binary") }
        let child = try KubectlProcess(
            ["dev", "--port", "0", "--data-dir", dataDirectory.path] + extra,
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin"], executable: binary)
        started.append(child)
        return child
    }

    /// The path `kube-vip dev` told the user to export.
    func kubeconfig(of dev: KubectlProcess) async throws -> String {
        guard await dev.waitForOutput(containing: "\n") else {
            throw DevTestFailure("kube-vip dev ended before serving: \(await dev.waitForExit())")
        }
        let line = dev.stdout.split(separator: "\n").first { $0.hasPrefix("export KUBECONFIG=") }
        guard let line else { throw DevTestFailure("no export line in: \(dev.stdout)") }
        return String(line.dropFirst("export KUBECONFIG=".count))
    }

    func kubectl(_ kubeconfig: String, _ arguments: String...) async throws -> KubectlProcess.Result {
        try await KubectlProcess.run(
            arguments + ["--cache-dir=\(home.appendingPathComponent("cache").path)"],
            environment: ["HOME": home.path, "KUBECONFIG": kubeconfig, "PATH": "/usr/bin:/bin"])
    }

    /// Names and contents of the data directory, to show that a refused start changed nothing.
    func dataFiles() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dataDirectory.path) {
            files[name] = try Data(contentsOf: dataDirectory.appendingPathComponent(name))
        }
        return files
    }
}

/// The children a test started, so that none outlives it.
final class ProcessList: Sendable {
    private let children = Mutex<[KubectlProcess]>([])
    func append(_ child: KubectlProcess) { children.withLock { $0.append(child) } }
    func killAll() async {
        for child in children.withLock({ $0 }) { _ = await child.stop() }
    }
}

struct DevTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
