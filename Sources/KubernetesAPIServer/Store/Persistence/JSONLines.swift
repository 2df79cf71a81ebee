import Foundation
import KubernetesModels

/// The lines of a JSON-lines file, with their 1-based numbers.
struct JSONLines {
    struct Line {
        var number: Int
        var bytes: Data
        /// False for a last line that does not end in a newline: a write that did not complete.
        var complete: Bool
    }

    var lines: [Line] = []

    init(contentsOf path: String) throws(StoreLoadError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw StoreLoadError(file: path, reason: "cannot be read: \(error.localizedDescription)")
        }
        var start = data.startIndex
        var number = 1
        while start < data.endIndex {
            if let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(Line(number: number, bytes: data[start..<newline], complete: true))
                start = data.index(after: newline)
            } else {
                lines.append(Line(number: number, bytes: data[start...], complete: false))
                start = data.endIndex
            }
            number += 1
        }
    }

    static func parse(_ line: Line, file: String) throws(StoreLoadError) -> JSONValue {
        do {
            return try JSONValue(parsing: line.bytes)
        } catch {
            throw StoreLoadError(file: file, line: line.number, reason: "is not valid JSON (\(error))")
        }
    }
}
