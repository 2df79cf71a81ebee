/// An object's age as kubectl prints it (`45s`, `2m30s`, `5h`, `3d`), with apimachinery's `HumanDuration`
/// thresholds: more precision while an object is young, whole units once it is old.
enum HumanAge {
    static func format(seconds: Double) -> String {
        let total = Int(seconds.rounded(.towardZero))
        if total < -1 { return "<invalid>" }
        if total < 0 { return "0s" }
        if total < 120 { return "\(total)s" }
        let minutes = total / 60
        if minutes < 10 { return withRemainder(minutes, "m", total % 60, "s") }
        if minutes < 180 { return "\(minutes)m" }
        let hours = total / 3600
        if hours < 8 { return withRemainder(hours, "h", minutes % 60, "m") }
        if hours < 48 { return "\(hours)h" }
        let days = hours / 24
        if hours < 24 * 8 { return withRemainder(days, "d", hours % 24, "h") }
        if hours < 24 * 365 * 2 { return "\(days)d" }
        let years = days / 365
        if hours < 24 * 365 * 8 { return withRemainder(years, "y", days % 365, "d") }
        return "\(years)y"
    }

    private static func withRemainder(_ whole: Int, _ unit: String, _ remainder: Int, _ smallUnit: String) -> String {
        remainder == 0 ? "\(whole)\(unit)" : "\(whole)\(unit)\(remainder)\(smallUnit)"
    }
}
