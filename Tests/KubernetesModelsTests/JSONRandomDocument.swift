import KubernetesModels

/// Random JSON documents with every kind of string and number, and a random but valid spelling of each as
/// text (whitespace, escapes, exponents), so the reader is tested on inputs no writer would produce.
struct JSONRandomDocument {
    var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func value(depth: Int = 4) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &random) {
        case 0: return Bool.random(using: &random) ? .null : .bool(Bool.random(using: &random))
        case 1: return .int(integer())
        case 2: return .double(double())
        case 3, 4: return .string(string())
        case 5:
            var generator = RandomJSON(seed: random.next())
            return generator.object(depth: 2)
        case 6: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth - 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) { members[string()] = value(depth: depth - 1) }
            return .object(members)
        }
    }

    mutating func integer() -> Int64 {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return Int64.random(in: -10...10, using: &random)
        case 1: return Int64.random(in: -100_000...100_000, using: &random)
        case 2: return [Int64.max, .min, .max - 1, .min + 1, 0][Int.random(in: 0..<5, using: &random)]
        default: return Int64(bitPattern: random.next())
        }
    }

    mutating func double() -> Double {
        while true {
            let value: Double
            switch Int.random(in: 0..<4, using: &random) {
            case 0: value = Double(Int.random(in: -1000...1000, using: &random)) / 8
            case 1: value = Double.random(in: -1e6...1e6, using: &random)
            case 2:
                value = Double(sign: .plus, exponent: Int.random(in: -1074...1023, using: &random), significand: 1)
            default: value = Double(bitPattern: random.next())
            }
            // An integral double is written like an integer (as Go does) and reads back as `.int`.
            if value.isFinite && Int64(exactly: value) == nil { return value }
        }
    }

    mutating func string() -> String {
        let pieces: [String] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1f}", "\u{7f}", "é", "€",
                                "😀", "\u{2028}", "spec", "metadata"]
        var text = ""
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            text += pieces[Int.random(in: 0..<pieces.count, using: &random)]
        }
        return text
    }

    /// A valid spelling of `value` in JSON text.
    mutating func text(_ value: JSONValue) -> String {
        var output = ""
        write(value, to: &output)
        return space() + output + space()
    }

    private mutating func space() -> String {
        let spaces = ["", "", "", " ", "\n", "\t", "\r\n  "]
        return spaces[Int.random(in: 0..<spaces.count, using: &random)]
    }

    private mutating func write(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number):
            // Swift's description always has a fraction or an exponent, so it reads back as a double.
            var spelled = number.description
            if Bool.random(using: &random) { spelled = spelled.replacingOccurrences(of: "e", with: "E") }
            output += spelled
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            output += "[" + space()
            for (index, element) in elements.enumerated() {
                if index > 0 { output += space() + "," + space() }
                write(element, to: &output)
            }
            output += space() + "]"
        case .object(let members):
            output += "{" + space()
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { output += space() + "," + space() }
                writeString(key, to: &output)
                output += space() + ":" + space()
                write(member, to: &output)
            }
            output += space() + "}"
        }
    }

    private mutating func writeString(_ string: String, to output: inout String) {
        output += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += Bool.random(using: &random) ? "\\n" : "\\u000A"
            case "\t": output += "\\t"
            case "/" where Bool.random(using: &random): output += "\\/"
            case _ where scalar.value < 0x20 || Int.random(in: 0..<4, using: &random) == 0:
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16, uppercase: Bool.random(using: &random))
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
