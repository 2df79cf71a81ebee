import Testing

@testable import KubeVip

/// The `--leader-elect-*` flags take durations as Go writes them, like the cloud-controller-manager's.
@Suite("Go duration flags")
struct GoDurationTests {
    @Test("seconds, milliseconds, minutes and compound forms read as Go reads them")
    func goForms() {
        #expect(GoDuration.parse("15s") == .seconds(15))
        #expect(GoDuration.parse("500ms") == .milliseconds(500))
        #expect(GoDuration.parse("1m30s") == .seconds(90))
        #expect(GoDuration.parse("1.5h") == .seconds(5400))
        #expect(GoDuration.parse("0") == .zero)
    }

    @Test("a number without a unit, an unknown unit or an empty text is refused")
    func refusals() {
        #expect(GoDuration.parse("15") == nil)
        #expect(GoDuration.parse("15 s") == nil)
        #expect(GoDuration.parse("2d") == nil)
        #expect(GoDuration.parse("") == nil)
        #expect(GoDuration(argument: "abc") == nil)
    }
}
