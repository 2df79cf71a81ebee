import ClusterStatus
import Foundation
import KubernetesModels
import Testing

/// A LoadBalancer Service as the API server returns it.
func service(
    _ namespace: String, _ name: String, address: String? = nil, ports: [Int] = [80], vipHost: String? = nil,
    leaseName: String? = nil, loadBalancerClass: String? = nil, ingress: [String] = [], created: String = "2024-05-01T12:00:00Z"
) -> KubernetesService {
    var annotations: [String: String] = [:]
    if let address { annotations["kube-vip.io/loadbalancerIPs"] = address }
    if let vipHost { annotations["kube-vip.io/vipHost"] = vipHost }
    if let leaseName { annotations["kube-vip.io/leaseName"] = leaseName }
    var metadata = ObjectMeta(name: name, namespace: namespace)
    metadata.annotations = annotations
    metadata.creationTimestamp = created
    metadata.uid = "uid-\(namespace)-\(name)"
    return KubernetesService(
        metadata: metadata,
        spec: ServiceSpec(
            type: "LoadBalancer", ports: ports.map { KubernetesModels.ServicePort(protocol: "TCP", port: $0) },
            loadBalancerClass: loadBalancerClass),
        status: ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: ingress.map { LoadBalancerIngress(ip: $0) })))
}

let now = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

func lease(_ namespace: String, _ name: String, holder: String, renewedSecondsAgo: Double = 1, duration: Int = 15)
    -> Lease
{
    Lease(
        metadata: ObjectMeta(name: name, namespace: namespace),
        spec: LeaseSpec(
            holderIdentity: holder, leaseDurationSeconds: duration,
            renewTime: MicroTime(now.addingTimeInterval(-renewedSecondsAgo))))
}

func warningEvent(
    _ namespace: String, _ name: String, reason: String, message: String, at seconds: Int64, uid: String? = nil
) -> Event {
    Event(
        metadata: ObjectMeta(name: "\(name).\(seconds)", namespace: namespace),
        involvedObject: ObjectReference(kind: "Service", namespace: namespace, name: name, uid: uid),
        reason: reason, message: message, type: "Warning",
        lastTimestamp: Timestamp(secondsSinceEpoch: Int64(now.timeIntervalSince1970) - 100 + seconds))
}

func report(
    _ data: [String: String]?, _ services: [KubernetesService], leases: [Lease] = [], events: [Event] = [],
    namespace: String? = nil
) -> StatusReport {
    StatusReport(
        StatusInput(
            configMap: data.map { .found($0) } ?? .missing, services: services, leases: leases, events: events,
            namespaceFilter: namespace, now: now))
}

extension StatusReport {
    func row(_ namespace: String, _ name: String) -> ServiceRow? {
        services.first { $0.namespace == namespace && $0.name == name }
    }
}

extension ServiceRow {
    var kinds: [String] { problems.map(\.kind) }
}

@Suite("kube-vip status: pools")
struct PoolStatusTests {
    @Test("a pool shows its capacity, the addresses Services hold, and what is left")
    func capacityInUseAndFree() throws {
        // .0 is never handed out, so a /29 holds 7.
        let status = report(
            ["cidr-global": "198.51.100.0/29"],
            [service("a", "one", address: "198.51.100.1"), service("b", "two", address: "198.51.100.2")])
        let pool = try #require(status.pools.first)
        #expect(pool.name == "cidr-global")
        #expect(pool.scope == "global")
        #expect(pool.family == "IPv4")
        #expect(pool.capacity == "7")
        #expect(pool.inUse == 2)
        #expect(pool.free == "5")
        #expect(pool.ranges == ["198.51.100.0/29"])
    }

    @Test("an address shared by two Services counts once")
    func sharedAddressCountsOnce() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/29", "allow-share-global": "true"],
            [
                service("a", "web", address: "198.51.100.1", ports: [80]),
                service("a", "dns", address: "198.51.100.1", ports: [53]),
            ])
        #expect(try #require(status.pools.first).inUse == 1)
    }

    @Test("a namespace's cidr- and range- keys form one pool named after both")
    func poolNamedByItsKeys() {
        let status = report(
            ["cidr-web": "198.51.100.0/30", "range-web": "198.51.100.10-198.51.100.12", "cidr-global": "203.0.113.0/30"],
            [])
        #expect(status.pools.map(\.name) == ["cidr-global", "cidr-web+range-web"])
        #expect(status.pools.map(\.scope) == ["global", "web"])
        #expect(status.pools.last?.capacity == "6")  // .0 skipped: .1-.3 and .10-.12
    }

    @Test("an IPv6 /64 has 2^64 - 1 addresses: exact in JSON, 1.8e19 in the table")
    func ipv6Capacity() throws {
        let status = report(["cidr-global": "2001:db8::/64"], [service("a", "v6", address: "2001:db8::5")])
        let pool = try #require(status.pools.first)
        #expect(pool.family == "IPv6")
        #expect(pool.capacity == "18446744073709551615")
        #expect(pool.free == "18446744073709551614")
        #expect(pool.inUse == 1)
        #expect(status.text.contains("1.8e19"))
        #expect(!status.text.contains("18446744073709551615"))
    }

    @Test("counts up to ten million are exact, larger ones scientific with two digits")
    func countText() {
        #expect(CountText.short(UInt128(254)) == "254")
        #expect(CountText.short(UInt128(9_999_999)) == "9999999")
        #expect(CountText.short(UInt128(16_777_214)) == "1.7e7")
        #expect(CountText.short(UInt128(99_600_000)) == "1.0e8")
        #expect(CountText.short(UInt128.max) == "3.4e38")
    }

    @Test("ConfigMap entries that cannot be read are listed as problems")
    func badEntriesAreProblems() {
        let status = report(["cidr-global": "198.51.100.0/29, not-a-cidr"], [])
        #expect(status.configMap.problems.map(\.kind) == ["configMapEntry"])
        #expect(status.configMap.problems.first?.severity == .error)
        #expect(status.text.contains("ConfigMap problems:"))
        #expect(status.text.contains("not-a-cidr"))
    }

    @Test("a missing ConfigMap is reported and the Services are still listed")
    func missingConfigMap() {
        let status = report(nil, [service("a", "web")])
        #expect(status.configMap.state == .missing)
        #expect(status.configMap.problems.map(\.kind) == ["configMapMissing"])
        #expect(status.pools.isEmpty)
        #expect(status.row("a", "web")?.state == .pending)
    }
}

@Suite("kube-vip status: the usage bar")
struct UsageBarTests {
    @Test("an empty pool shows no #")
    func empty() {
        #expect(UsageBar.render(used: 0, capacity: 10) == "[....................]")
    }

    @Test("a full pool shows no .")
    func full() {
        #expect(UsageBar.render(used: 10, capacity: 10) == "[####################]")
    }

    @Test("half a pool fills half the bar")
    func half() {
        #expect(UsageBar.render(used: 5, capacity: 10) == "[##########..........]")
    }

    @Test("one address of many still shows, and one free address of many keeps a .")
    func nearlyEmptyAndNearlyFull() {
        #expect(UsageBar.render(used: 1, capacity: 1000) == "[#...................]")
        #expect(UsageBar.render(used: 999, capacity: 1000) == "[###################.]")
    }

    @Test("every bar has the same width, whatever the pool size")
    func fixedWidth() {
        var bars = [(0, 1), (1, 3), (3, 3), (7, 254)].map { UsageBar.render(used: UInt128($0), capacity: UInt128($1)) }
        bars.append(UsageBar.render(used: 3, capacity: UInt128.max))
        #expect(Set(bars.map(\.count)) == [UsageBar.width + 2])
    }

    @Test("an IPv6 /64 with a few addresses used shows as barely used, without overflowing")
    func hugePool() {
        let capacity = (UInt128(1) << 64) - 1
        #expect(UsageBar.render(used: 3, capacity: capacity) == "[#...................]")
        #expect(UsageBar.percent(used: 3, capacity: capacity) == "1%")
        #expect(UsageBar.percent(used: 0, capacity: capacity) == "0%")
    }
}

@Suite("kube-vip status: Services")
struct ServiceStatusTests {
    @Test("a Service in a namespace no pool serves is pending, and says so")
    func pendingWithoutPool() throws {
        let status = report(["cidr-web": "198.51.100.0/29"], [service("other", "api")])
        let row = try #require(status.row("other", "api"))
        #expect(row.state == .pending)
        #expect(row.addresses.isEmpty)
        let pending = try #require(row.problems.first { $0.kind == "pending" })
        #expect(pending.message.contains("no address pool serves namespace other"), "\(pending)")
    }

    @Test("a Service whose pool is used up is pending because the pool is exhausted")
    func pendingExhausted() throws {
        let status = report(
            ["range-global": "198.51.100.1-198.51.100.2"],
            [
                service("a", "one", address: "198.51.100.1"), service("a", "two", address: "198.51.100.2"),
                service("a", "three"),
            ])
        let pending = try #require(status.row("a", "three")?.problems.first { $0.kind == "pending" })
        #expect(pending.message.contains("no IPv4 addresses left in the global pool"), "\(pending)")
        #expect(status.pools.first?.free == "0")
    }

    @Test("a pending Service shows its latest Warning Event's reason and message")
    func pendingShowsWarningEvent() throws {
        let status = report(
            ["cidr-web": "198.51.100.0/29"], [service("other", "api")],
            events: [
                warningEvent("other", "api", reason: "NoAddressPool", message: "older", at: 1),
                warningEvent("other", "api", reason: "PoolExhausted", message: "newest", at: 2),
            ])
        let row = try #require(status.row("other", "api"))
        let event = try #require(row.problems.first { $0.kind == "warningEvent" })
        #expect(event.message.contains("PoolExhausted: newest"), "\(event)")
    }

    @Test("a Warning Event about an earlier Service of the same name is not the current Service's problem")
    func eventsOfARecreatedServiceAreIgnored() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/29"], [service("other", "api", address: "198.51.100.1", vipHost: "node-1")],
            events: [
                warningEvent("other", "api", reason: "PoolExhausted", message: "before", at: 1, uid: "uid-of-the-deleted-api"),
                warningEvent("other", "api", reason: "AddressConflict", message: "now", at: 2, uid: "uid-other-api"),
            ])
        let problems = try #require(status.row("other", "api")).problems.filter { $0.kind == "warningEvent" }
        #expect(problems.map(\.message) == ["last event: Warning AddressConflict: now"])

        let recreated = report(
            ["cidr-global": "198.51.100.0/29"], [service("other", "api", address: "198.51.100.1", vipHost: "node-1")],
            events: [warningEvent("other", "api", reason: "PoolExhausted", message: "before", at: 1, uid: "uid-of-the-deleted-api")])
        #expect(try #require(recreated.row("other", "api")).problems.isEmpty)
    }

    @Test("a static address outside every pool is a note, not an error")
    func outsideEveryPool() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"], [service("a", "static", address: "203.0.113.50", vipHost: "node-1")])
        let row = try #require(status.row("a", "static"))
        #expect(row.state == .served)
        #expect(row.pools.isEmpty)
        #expect(row.problems.map(\.kind) == ["outsidePools"])
        #expect(row.problems.first?.severity == .note)
        #expect(status.summary.errors == 0 && status.summary.warnings == 0)
    }

    @Test("two Services on one address in namespaces that do not share is a conflict for both")
    func conflictWithoutSharing() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"],
            [
                service("a", "one", address: "198.51.100.7", ports: [80], vipHost: "n1"),
                service("b", "two", address: "198.51.100.7", ports: [443], vipHost: "n1"),
            ])
        for (namespace, name, other) in [("a", "one", "b/two"), ("b", "two", "a/one")] {
            let conflict = try #require(status.row(namespace, name)?.problems.first { $0.kind == "conflict" })
            #expect(conflict.severity == .error)
            #expect(conflict.message.contains("198.51.100.7 is also used by \(other)"), "\(conflict)")
        }
    }

    @Test("sharing allowed with disjoint ports is not a conflict")
    func sharingIsNotAConflict() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24", "allow-share-global": "true"],
            [
                service("a", "web", address: "198.51.100.7", ports: [80], vipHost: "n1"),
                service("a", "tls", address: "198.51.100.7", ports: [443], vipHost: "n1"),
            ])
        let row = try #require(status.row("a", "web"))
        #expect(!row.kinds.contains("conflict"))
        #expect(row.kinds.contains("shared"))
        #expect(status.summary.errors == 0)
    }

    @Test("sharing allowed but the same port twice is a conflict naming the port")
    func portClash() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24", "allow-share-global": "true"],
            [
                service("a", "one", address: "198.51.100.7", ports: [80]),
                service("a", "two", address: "198.51.100.7", ports: [80, 8080]),
            ])
        let conflict = try #require(status.row("a", "one")?.problems.first { $0.kind == "conflict" })
        #expect(conflict.message.contains("TCP/80"), "\(conflict)")
    }

    @Test("the holder is the node kube-vip.io/vipHost names")
    func holderFromAnnotation() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"], [service("a", "web", address: "198.51.100.1", vipHost: "node-1")],
            leases: [lease("a", "kubevip-web", holder: "node-1")])
        let row = try #require(status.row("a", "web"))
        #expect(row.state == .served)
        #expect(row.holder == "node-1")
        #expect(row.holderSource == "vipHost")
        #expect(row.lease == "a/kubevip-web")
        #expect(row.problems.isEmpty)
    }

    @Test("without vipHost, the holder of the Service's Lease serves it")
    func holderFromLease() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"], [service("a", "web", address: "198.51.100.1")],
            leases: [lease("a", "kubevip-web", holder: "node-2")])
        let row = try #require(status.row("a", "web"))
        #expect(row.holder == "node-2")
        #expect(row.holderSource == "lease")
    }

    @Test("the kube-vip.io/leaseName annotation names the Lease, and the global Lease covers the rest")
    func leaseNameAndGlobalLease() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"],
            [
                service("a", "named", address: "198.51.100.1", leaseName: "shared/custom"),
                service("a", "plain", address: "198.51.100.2"),
            ],
            leases: [lease("shared", "custom", holder: "node-3"), lease("kube-system", "plndr-svcs-lock", holder: "node-4")])
        #expect(status.row("a", "named")?.holder == "node-3")
        #expect(status.row("a", "named")?.lease == "shared/custom")
        #expect(status.row("a", "plain")?.holder == "node-4")
        #expect(status.row("a", "plain")?.lease == "kube-system/plndr-svcs-lock")
    }

    @Test("with externalTrafficPolicy Local the holder is read from the Service's own Lease, as the node agent elects it")
    func localTrafficIgnoresLeaseName() throws {
        var local = service("a", "local", address: "198.51.100.1", vipHost: "node-1", leaseName: "shared/custom")
        local.spec?.externalTrafficPolicy = "Local"
        let status = report(
            ["cidr-global": "198.51.100.0/24"], [local],
            leases: [lease("shared", "custom", holder: "node-3"), lease("a", "kubevip-local", holder: "node-1")])
        let row = try #require(status.row("a", "local"))
        #expect(row.lease == "a/kubevip-local")
        #expect(row.holder == "node-1")
        #expect(row.problems.isEmpty, "\(row.problems)")
    }

    @Test("a Lease held by another node than vipHost is a problem")
    func holderMismatch() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"], [service("a", "web", address: "198.51.100.1", vipHost: "node-1")],
            leases: [lease("a", "kubevip-web", holder: "node-2")])
        let row = try #require(status.row("a", "web"))
        #expect(row.holder == "node-1")
        let mismatch = try #require(row.problems.first { $0.kind == "holderMismatch" })
        #expect(mismatch.message.contains("node-2"))
    }

    @Test("an expired Lease is a problem, and its old holder does not count as serving")
    func expiredLease() throws {
        let status = report(
            ["cidr-global": "198.51.100.0/24"], [service("a", "web", address: "198.51.100.1")],
            leases: [lease("a", "kubevip-web", holder: "node-2", renewedSecondsAgo: 60, duration: 15)])
        let row = try #require(status.row("a", "web"))
        #expect(row.kinds.contains("leaseExpired"))
        #expect(row.kinds.contains("noHolder"))
        #expect(row.holder == nil)
        #expect(row.state == .unheld)
    }

    @Test("an address nobody serves is unheld, with a no-holder problem")
    func noHolder() throws {
        let status = report(["cidr-global": "198.51.100.0/24"], [service("a", "web", address: "198.51.100.1")])
        let row = try #require(status.row("a", "web"))
        #expect(row.state == .unheld)
        #expect(row.kinds == ["noHolder"])
    }

    @Test("0.0.0.0 without a leased address is waiting for DHCP; with one, the leased address is shown")
    func dhcp() throws {
        let status = report(
            ["cidr-global": "0.0.0.0/32"],
            [
                service("a", "waiting", address: "0.0.0.0"),
                service("a", "leased", address: "0.0.0.0", vipHost: "node-1", ingress: ["198.51.100.77"]),
            ])
        #expect(status.row("a", "waiting")?.state == .waitingForDHCP)
        #expect(status.row("a", "waiting")?.kinds == ["dhcpWaiting"])
        #expect(status.row("a", "leased")?.state == .served)
        #expect(status.row("a", "leased")?.addresses == ["198.51.100.77"])
        #expect(status.pools.first?.family == "DHCP")
        #expect(status.pools.first?.inUse == 2)
    }

    @Test("Services of another loadBalancerClass are not kube-vip's and are left out")
    func otherClassLeftOut() {
        let status = report(
            ["cidr-global": "198.51.100.0/24"],
            [service("a", "mine"), service("a", "theirs", loadBalancerClass: "example.com/other")])
        #expect(status.services.map(\.name) == ["mine"])
    }

    @Test("-n lists one namespace, while pools still count every Service")
    func namespaceFilter() {
        let status = report(
            ["cidr-global": "198.51.100.0/24"],
            [service("a", "one", address: "198.51.100.1"), service("b", "two", address: "198.51.100.2")],
            namespace: "b")
        #expect(status.services.map(\.name) == ["two"])
        #expect(status.pools.first?.inUse == 2)
    }
}

@Suite("kube-vip status: output")
struct StatusOutputTests {
    let status = report(
        ["cidr-global": "198.51.100.0/29", "cidr-web": "203.0.113.0/30"],
        [
            service("web", "b-site", address: "203.0.113.1", vipHost: "node-1"),
            service("apps", "api"), service("web", "a-site", address: "203.0.113.2", vipHost: "node-2"),
        ])

    @Test("JSON has the documented field names, with pool sizes as strings")
    func jsonShape() throws {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(status.json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["configMap", "pools", "services", "readProblems", "summary"])
        let pool = try #require((object["pools"] as? [[String: Any]])?.first)
        #expect(
            Set(pool.keys) == ["name", "scope", "family", "capacity", "inUse", "free", "usedFraction", "ranges"])
        #expect(pool["capacity"] is String)
        let row = try #require((object["services"] as? [[String: Any]])?.first)
        #expect(
            Set(row.keys) == [
                "namespace", "name", "state", "addresses", "pools", "holder", "holderSource", "lease", "problems",
            ])
        #expect(row["holder"] is NSNull, "a pending Service has no holder, written as null")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["pending"] as? Int == 1)
        let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(status.json.utf8))
        #expect(decoded == status)
    }

    @Test("Services are sorted by namespace then name, pools by name")
    func sorted() {
        #expect(status.services.map { "\($0.namespace)/\($0.name)" } == ["apps/api", "web/a-site", "web/b-site"])
        #expect(status.pools.map(\.name) == ["cidr-global", "cidr-web"])
    }

    @Test("the text has aligned columns, a bar per pool and a summary line")
    func textLayout() throws {
        let lines = status.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("SERVICE") })
        let stateColumn = try #require(header.range(of: "STATE")).lowerBound.utf16Offset(in: header)
        for line in lines where line.hasPrefix("web/") || line.hasPrefix("apps/") {
            let cells = line.split(separator: " ", omittingEmptySubsequences: true)
            let stateStart = try #require(line.range(of: " \(cells[1])")).lowerBound.utf16Offset(in: line) + 1
            #expect(stateStart == stateColumn, "\(line)")
        }
        let webPool = try #require(lines.first { $0.hasPrefix("cidr-web") })
        #expect(webPool.contains("[#############.......] 66%"), "\(webPool)")
        let text = status.text
        let summary = "2 pools; 3 Services: 2 served, 1 pending; 0 errors, 1 warning, 0 notes"
        #expect(lines.suffix(2) == [summary, ""], "\(text)")
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }
}
