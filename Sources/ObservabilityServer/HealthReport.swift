/// The probe endpoints; the raw value is the word kube-apiserver puts in "<endpoint> check passed".
enum ProbeEndpoint: String, Sendable, CaseIterable {
    /// The older name for liveness, still what most tooling and kubelet configurations probe.
    case healthz
    case livez
    case readyz
}

/// The answer to one probe request, worded as kube-apiserver words it, so that people and scripts used to
/// `kubectl get --raw '/readyz?verbose'` read ours without surprise.
///
/// Unlike kube-apiserver, a failure shows its reason instead of "reason withheld": the reasons here say things
/// like "not the leader" or "no pools configured", which is what an operator probing the port wants to know.
struct HealthReport: Sendable, Hashable {
    var passed: Bool
    var body: String

    /// The whole endpoint. "ok" when every check passes and the caller did not ask for `verbose`; otherwise one
    /// line per check and a verdict. Excluded checks count as passing, as kube-apiserver's `?exclude=` does.
    static func overall(
        endpoint: ProbeEndpoint, results: [(name: String, result: HealthCheckResult)], verbose: Bool,
        excluded: [String] = []
    ) -> HealthReport {
        var unmatched = Set(excluded)
        var lines = ""
        var passed = true
        for (name, result) in results {
            if unmatched.remove(name) != nil {
                lines += "[+]\(name) excluded: ok\n"
                continue
            }
            switch result {
            case .ok:
                lines += "[+]\(name) ok\n"
            case .failing(let reason):
                lines += "[-]\(name) failed: \(oneLine(reason))\n"
                passed = false
            }
        }
        if !unmatched.isEmpty {
            let quoted = unmatched.sorted().map { "\"\(oneLine($0))\"" }.joined(separator: ", ")
            lines += "warn: some health checks cannot be excluded: no matches for \(quoted)\n"
        }
        if passed && !verbose { return HealthReport(passed: true, body: "ok") }
        let verdict = passed ? "passed" : "failed"
        return HealthReport(passed: passed, body: lines + "\(endpoint.rawValue) check \(verdict)\n")
    }

    /// One check by name (`/readyz/NAME`); nil when no check has that name, which the endpoint answers with 404.
    static func single(
        named name: String, results: [(name: String, result: HealthCheckResult)], verbose: Bool
    ) -> HealthReport? {
        guard let found = results.first(where: { $0.name == name }) else { return nil }
        switch found.result {
        case .ok:
            return HealthReport(passed: true, body: verbose ? "[+]\(name) ok\n" : "ok")
        case .failing(let reason):
            return HealthReport(passed: false, body: "[-]\(name) failed: \(oneLine(reason))\n")
        }
    }

    /// A reason with a line break would break the one-line-per-check format that scripts grep.
    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
