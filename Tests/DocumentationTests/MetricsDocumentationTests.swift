import Foundation
import NetworkLab
import Testing

/// docs/metrics.md and manifest/grafana-dashboard.json against the metric names the code registers, so that a
/// metric added, renamed or removed in Sources cannot leave the documentation or the dashboard behind.
@Suite("Metrics documentation")
struct MetricsDocumentationTests {
    static func packageRoot() throws -> URL {
        guard let root = NetworkLab.packageRoot else { throw MissingFile(path: "Package.swift above \(#filePath)") }
        return root
    }

    /// Every `"kube_vip_…"` string literal in Sources: metric labels are always written out whole (the metric
    /// types take them as literals), and doc comments name the prefix in backticks, never in quotes.
    static func registeredMetrics() throws -> Set<String> {
        let sources = try packageRoot().appendingPathComponent("Sources")
        guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else {
            throw MissingFile(path: sources.path)
        }
        var names: Set<String> = []
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            names.formUnion(matches(of: #""(kube_vip_[a-z0-9_]+)""#, in: text))
        }
        return names
    }

    static func text(_ relativePath: String) throws -> String {
        let url = try packageRoot().appendingPathComponent(relativePath)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw MissingFile(path: url.path) }
        return text
    }

    /// The first capture group of every match.
    static func matches(of pattern: String, in text: String) -> Set<String> {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let whole = NSRange(text.startIndex..., in: text)
        return Set(
            expression.matches(in: text, range: whole).compactMap { match in
                Range(match.range(at: 1), in: text).map { String(text[$0]) }
            })
    }

    /// Metric names in free text or PromQL, with the suffixes Prometheus adds to histogram and summary series
    /// removed, so that `x_bucket` counts as a use of `x`.
    static func metricNames(in text: String) -> Set<String> {
        Set(
            matches(of: #"(kube_vip_[a-z0-9_]*[a-z0-9])"#, in: text).map { name in
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                    return String(name.dropLast(suffix.count))
                }
                return name
            })
    }

    @Test("Sources register metrics under the kube_vip_ prefix (the scan finds them)")
    func scanFindsMetrics() throws {
        let registered = try Self.registeredMetrics()
        #expect(registered.contains("kube_vip_pool_addresses_in_use"), "\(registered.sorted())")
        #expect(registered.contains("kube_vip_arp_announcements_sent_total"), "\(registered.sorted())")
    }

    @Test("docs/metrics.md describes every metric the code registers")
    func everyMetricDocumented() throws {
        let documented = Self.metricNames(in: try Self.text("docs/metrics.md"))
        let missing = try Self.registeredMetrics().subtracting(documented)
        #expect(missing.isEmpty, "registered in Sources but missing from docs/metrics.md: \(missing.sorted())")
    }

    @Test("docs/metrics.md names no metric the code does not register")
    func noStaleDocumentation() throws {
        let documented = Self.metricNames(in: try Self.text("docs/metrics.md"))
        let stale = documented.subtracting(try Self.registeredMetrics())
        #expect(stale.isEmpty, "in docs/metrics.md but registered nowhere in Sources: \(stale.sorted())")
    }

    @Test("the Grafana dashboard is an importable JSON dashboard with a Prometheus input")
    func dashboardShape() throws {
        let data = Data(try Self.text("manifest/grafana-dashboard.json").utf8)
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(dashboard["title"] is String)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        let inputs = try #require(dashboard["__inputs"] as? [[String: Any]])
        #expect(inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" })
        let targets = Self.targets(of: dashboard)
        #expect(!targets.isEmpty)
        for target in targets {
            let source = target["datasource"] as? [String: Any]
            #expect(source?["uid"] as? String == "${DS_PROMETHEUS}", "target without the input datasource: \(target)")
        }
    }

    @Test("every metric the dashboard queries is registered in Sources")
    func dashboardUsesRealMetrics() throws {
        let data = Data(try Self.text("manifest/grafana-dashboard.json").utf8)
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let expressions = Self.targets(of: dashboard).compactMap { $0["expr"] as? String }
        let used = expressions.reduce(into: Set<String>()) { $0.formUnion(Self.metricNames(in: $1)) }
        #expect(!used.isEmpty)
        let unknown = used.subtracting(try Self.registeredMetrics())
        #expect(unknown.isEmpty, "manifest/grafana-dashboard.json queries metrics registered nowhere: \(unknown.sorted())")
    }

    /// Query targets of every panel, also of panels nested in collapsed rows.
    static func targets(of dashboard: [String: Any]) -> [[String: Any]] {
        func collect(_ panels: [[String: Any]]) -> [[String: Any]] {
            panels.flatMap { panel in
                (panel["targets"] as? [[String: Any]] ?? []) + collect(panel["panels"] as? [[String: Any]] ?? [])
            }
        }
        return collect(dashboard["panels"] as? [[String: Any]] ?? [])
    }

    struct MissingFile: Error, CustomStringConvertible {
        let path: String
        var description: String { "cannot read \(path)" }
    }
}
