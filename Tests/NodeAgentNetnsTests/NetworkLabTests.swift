import Foundation
import NetworkLab
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("NetworkLab output parsing")
struct NetworkLabParsingTests {
    @Test("a resolved neighbour entry gives its MAC and state")
    func resolvedEntry() {
        let entry = NeighbourEntry.parse(
            "198.51.100.100 lladdr 02:00:00:00:00:0b REACHABLE\n", address: "198.51.100.100")
        #expect(entry == NeighbourEntry(address: "198.51.100.100", mac: "02:00:00:00:00:0b", state: "REACHABLE"))
    }

    @Test("an unresolved neighbour entry has no MAC")
    func unresolvedEntry() {
        let entry = NeighbourEntry.parse("2001:db8::100 dev eth0 FAILED\n", address: "2001:db8::100")
        #expect(entry == NeighbourEntry(address: "2001:db8::100", mac: nil, state: "FAILED"))
    }

    @Test("no line for the address means no entry")
    func missingEntry() {
        #expect(NeighbourEntry.parse("198.51.100.12 lladdr 02:00:00:00:00:0c STALE\n", address: "198.51.100.1") == nil)
    }

    @Test("host numbers map to the addressing plan")
    func addressingPlan() {
        let spec = HostSpec.host("node1", 11, ipv6: true)
        #expect(spec.ipv4 == "198.51.100.11")
        #expect(spec.ipv6 == "2001:db8::11")
        #expect(spec.mac == "02:00:00:00:00:0b")
    }
}

@Suite(
    "NetworkLab namespaces",
    .serialized,
    .enabled(if: NetworkLab.unavailableReason() == nil, "\(NetworkLab.unavailableReason() ?? "")"),
    .enabled(if: NetworkLab.missingTools(["ping", "sleep"]).isEmpty, "ping or sleep is not installed"),
    .timeLimit(.minutes(1))
)
struct NetworkLabTests {
    @Test("hosts reach each other over the bridge, in both families, and see each other's MACs")
    func hostsReachEachOther() async throws {
        try await NetworkLab.with(hosts: [.host("a", 11, ipv6: true), .host("b", 12, ipv6: true)]) { lab in
            let a = try lab.host("a")
            let b = try lab.host("b")
            #expect(try await lab.ping(from: a, to: b.ipv4))
            #expect(try await lab.ping(from: a, to: "2001:db8::12"))
            #expect(try await lab.neighbourEntry(in: a, for: b.ipv4)?.mac == b.mac)
            let addresses = try await lab.addresses(in: a)
            #expect(addresses.contains("198.51.100.11/24"), "\(addresses)")
            #expect(addresses.contains("2001:db8::11/64"), "\(addresses)")
        }
    }

    @Test("teardown stops every spawned process and deletes every namespace")
    func teardownCleansUp() async throws {
        let (process, namespaces) = try await NetworkLab.with(hosts: [.host("a", 11)]) { lab in
            let process = try lab.spawn(in: try lab.host("a"), ["sleep", "600"])
            return (process, lab.hosts.map(\.namespace) + [lab.switchNamespace])
        }
        #expect(process.exitStatus == .signalled(SIGTERM))
        #expect(kill(process.pid, 0) != 0)
        let listed = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        for namespace in namespaces { #expect(!listed.contains("/run/netns/\(namespace) ")) }
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(namespaces[0])"))
    }

    @Test("teardown also runs when the body throws")
    func teardownAfterThrow() async throws {
        struct Boom: Error {}
        let recorded = RecordedNamespace()
        await #expect(throws: Boom.self) {
            try await NetworkLab.with(hosts: [.host("a", 11)]) { lab in
                recorded.set(try lab.host("a").namespace)
                throw Boom()
            }
        }
        let namespace = try #require(recorded.get())
        #expect(!FileManager.default.fileExists(atPath: "/run/netns/\(namespace)"))
    }

    @Test("a spawned process gets SIGTERM (the runner's blocked signals are not inherited)")
    func sigtermReachesChildren() async throws {
        try await NetworkLab.with(hosts: [.host("a", 11)]) { lab in
            let process = try lab.spawn(in: try lab.host("a"), ["sleep", "600"])
            process.signal(SIGTERM)
            #expect(await process.waitForExit(timeout: .seconds(5)) == .signalled(SIGTERM))
        }
    }
}

/// A value set inside a lab body and read after it.
final class RecordedNamespace: Sendable {
    private let value = Mutex<String?>(nil)
    func set(_ name: String) { value.withLock { $0 = name } }
    func get() -> String? { value.withLock { $0 } }
}

/// `ChildProcess`: programs outside any lab, without Foundation's `Process` (no root needed).
@Suite("ChildProcess")
struct ChildProcessTests {
    @Test("run returns the status and both outputs, and leaves no files behind")
    func runReturnsStatusAndOutput() async throws {
        let result = try await ChildProcess.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(result.status == .exited(3))
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
    }

    @Test("a program that outlives its timeout is killed and reported")
    func runKillsAfterTheTimeout() async throws {
        let start = ContinuousClock.now
        await #expect(throws: NetworkLabError.self) {
            _ = try await ChildProcess.run(["sleep", "30"], timeout: .milliseconds(200))
        }
        // Well before sleep's own 30 s; a loaded CI machine took 11 s once (the suites starve the pool at first).
        #expect(ContinuousClock.now - start < .seconds(25))
    }

    @Test("runBlocking works without an async context")
    func runBlockingWorks() throws {
        let result = try ChildProcess.runBlocking(["sh", "-c", "printf hello"])
        #expect(result.succeeded)
        #expect(result.stdout == "hello")
    }

    @Test("removeFiles deletes a started program's private directory")
    func removeFilesDeletesTheDirectory() async throws {
        let process = try ChildProcess.start(["true"])
        _ = await process.exit()
        let directory = process.stdoutURL.deletingLastPathComponent()
        #expect(FileManager.default.fileExists(atPath: directory.path))
        ChildProcess.removeFiles(of: process)
        #expect(!FileManager.default.fileExists(atPath: directory.path))
    }

    @Test("an unknown program is an error, not a crash")
    func unknownProgram() async {
        await #expect(throws: NetworkLabError.self) {
            _ = try await ChildProcess.run(["no-such-program-kube-vip"])
        }
    }
}
