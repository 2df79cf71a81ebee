import KubernetesClient
import Testing

@Suite("Go duration syntax (flags, kube-vip.io/upnp-lease-duration)")
struct GoDurationSyntaxTests {
    @Test(arguments: [
        ("1h", 3600.0), ("30m", 1800), ("1h30m", 5400), ("90s", 90), ("1.5s", 1.5), ("0", 0), ("0s", 0), ("-1s", -1),
        ("500ms", 0.5), ("2h45m30s", 9930),
    ])
    func readsGoSyntax(_ text: String, _ seconds: Double) {
        #expect(GoDurationSyntax.seconds(text) == seconds)
    }

    @Test(arguments: ["", "10", "1d", "h", "1.2.3s", "s1", "--1s", "1 h", "."])
    func refusesEverythingElse(_ text: String) {
        #expect(GoDurationSyntax.seconds(text) == nil)
    }
}
