import ObservabilityServer

/// One sample of the Prometheus text format: `name{label="value",...} number`.
struct MetricSample: Hashable {
    let name: String
    let labels: [String: String]
    let value: Double

    /// Every sample in an exposition; comment lines and anything unreadable are skipped.
    static func parse(_ exposition: String) -> [MetricSample] {
        exposition.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
            else { return nil }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                return MetricSample(name: String(series), labels: [:], value: value)
            }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)...].dropLast().split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
            }
            return MetricSample(name: String(series[..<brace]), labels: labels, value: value)
        }
    }
}

extension MetricsRegistry {
    /// The value of the series with exactly these labels, nil when it has not been exported.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        MetricSample.parse(exposition()).first { $0.name == name && $0.labels == labels }?.value
    }
}
