/// `key=value` lines read the way `kubectl create configmap --from-env-file` reads them: leading whitespace
/// and `#` comment lines are skipped, the key ends at the first '=', and the value is kept exactly (no quote
/// removal, no trimming).
enum EnvFileInput {
    /// Nil unless every line that is not blank or a comment has an '='. kubectl would read a line without one
    /// as the name of an environment variable to copy, which `check` cannot see; such text is far more likely
    /// to be something other than an env file.
    static func read(_ text: String) -> ConfigMapFile? {
        let lines = contentLines(text)
        guard !lines.isEmpty, lines.allSatisfy({ $0.text.contains("=") }) else { return nil }
        var data: [String: String] = [:]
        var problems: [FileProblem] = []
        for (number, line) in lines {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = parts.count == 2 ? String(parts[1]) : ""
            if let why = ConfigMapKey.problem(key) {
                problems.append(FileProblem(subject: "\"\(key)\"", line: number, reason: .invalidKey(why)))
            } else if data[key] != nil {
                problems.append(FileProblem(subject: key, line: number, reason: .duplicateKey))
            } else {
                data[key] = value
            }
        }
        return ConfigMapFile(form: .envFile, data: data, problems: problems)
    }

    /// The first line that is neither blank, a comment nor `key=value`, to show the user what was not understood.
    static func unrecognised(_ text: String) -> ConfigMapFileError {
        guard let (number, line) = contentLines(text).first(where: { !$0.text.contains("=") }) else {
            return .empty
        }
        return .unrecognised(line: number, text: line)
    }

    /// Lines with content, numbered from 1, leading whitespace and a trailing carriage return removed.
    private static func contentLines(_ text: String) -> [(number: Int, text: String)] {
        var result: [(number: Int, text: String)] = []
        // kubectl splits on "\n" only; "\r\n" is one Character in Swift, so it is named too.
        let rawLines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, rawLine) in rawLines.enumerated() {
            var line = rawLine.drop { $0.isWhitespace }
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            result.append((index + 1, String(line)))
        }
        return result
    }
}
