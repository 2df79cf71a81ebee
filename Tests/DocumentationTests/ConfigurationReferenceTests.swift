import Foundation
import NetworkLab
import Testing

@testable import KubeVip

/// The README's "Configuration reference" is what a user configures the project from, so it must name every
/// knob the code actually reads. These tests derive the knobs from the code itself (the command-line parser,
/// and the sources that read the environment, annotations, labels and ConfigMap keys), so a new one added
/// without documentation fails here, with its name in the message.
@Suite("README configuration reference")
struct ConfigurationReferenceTests {
    @Test("every flag of every subcommand is in the reference section of its subcommand")
    func everyFlagIsDocumented() throws {
        let reference = try ReferenceSection.load()
        let commands = CommandTree.all()
        #expect(commands.contains { $0.path == ["cloud-provider"] }, "the subcommand walk did not find cloud-provider")
        var missing: [String] = []
        var checked = 0
        for command in commands {
            let section = reference.subsection(forCommand: command.path)
            for flag in command.flags {
                checked += 1
                if !Mentions.contains(section.text, flag) {
                    missing.append("\(command.display) \(flag) (looked in: \(section.title))")
                }
            }
        }
        #expect(checked >= 20, "only \(checked) flags were found in the help texts: the help-text reader is broken")
        #expect(
            missing.isEmpty,
            "flags missing from README.md's Configuration reference:\n  \(missing.joined(separator: "\n  "))")
    }

    @Test("every environment variable the sources read is in the reference")
    func everyEnvironmentVariableIsDocumented() throws {
        let reference = try ReferenceSection.load()
        let names = try SourceScan.environmentVariables()
        let known: Set = ["vip_interface", "bgp_enable", "KUBEVIP_NAMESPACE", "KUBECONFIG", "KUBERNETES_SERVICE_HOST"]
        #expect(
            known.isSubset(of: names),
            "the source scan missed \(known.subtracting(names).sorted()): the scanner is out of date")
        let missing = names.filter { !Mentions.contains(reference.text, $0) }.sorted()
        #expect(missing.isEmpty, "environment variables missing from README.md's Configuration reference: \(missing)")
    }

    @Test("every kube-vip.io/ annotation named in the sources is in the reference")
    func everyAnnotationIsDocumented() throws {
        let reference = try ReferenceSection.load()
        let annotations = try SourceScan.kubeVipAnnotations()
        #expect(annotations.contains("kube-vip.io/loadbalancerIPs"), "the source scan found no kube-vip.io/loadbalancerIPs")
        let missing = annotations.filter { !Mentions.contains(reference.text, $0) }.sorted()
        #expect(missing.isEmpty, "annotations missing from README.md's Configuration reference: \(missing)")
    }

    @Test("every label the sources read or write is in the reference")
    func everyLabelIsDocumented() throws {
        let reference = try ReferenceSection.load()
        let labels = try SourceScan.labels()
        #expect(labels.contains("implementation"), "the source scan found no implementation label")
        let missing = labels.filter { !Mentions.contains(reference.text, $0) }.sorted()
        #expect(missing.isEmpty, "labels missing from README.md's Configuration reference: \(missing)")
    }

    @Test("every ConfigMap key the pool parser accepts is in the reference, per namespace and global")
    func everyConfigMapKeyIsDocumented() throws {
        let reference = try ReferenceSection.load()
        let keys = try SourceScan.configMapKeys()
        #expect(keys.prefixes.contains("cidr-"), "the source scan found no cidr- prefix: the scanner is out of date")
        #expect(keys.exact.contains("search-order"), "the source scan found no search-order key")
        var missing: [String] = []
        for prefix in keys.prefixes {
            for key in [prefix + "<ns>", prefix + "global"] where !Mentions.contains(reference.text, key) {
                missing.append(key)
            }
        }
        missing += keys.exact.filter { !Mentions.contains(reference.text, $0) }
        #expect(missing.isEmpty, "ConfigMap keys missing from README.md's Configuration reference: \(missing.sorted())")
    }
}

// MARK: - The README

/// The part of README.md between `## Configuration reference` and the next `## ` heading.
private struct ReferenceSection {
    struct Part {
        let title: String
        let text: String
    }

    let text: String
    /// `###`/`####` headings and the text under each, up to the next heading of the same or a higher level.
    private let subsections: [Part]

    static let heading = "## Configuration reference"

    static func load() throws -> ReferenceSection {
        let root = try #require(NetworkLab.packageRoot, "package root not found above \(#filePath)")
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(
            lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == heading },
            "README.md has no '\(heading)' section")
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
        return ReferenceSection(lines: Array(lines[start..<end]))
    }

    private init(lines: [String]) {
        text = lines.joined(separator: "\n")
        var parts: [Part] = []
        for (index, line) in lines.enumerated() {
            guard let level = Self.headingLevel(line), level >= 3 else { continue }
            let end = lines[(index + 1)...].firstIndex { (Self.headingLevel($0) ?? Int.max) <= level } ?? lines.endIndex
            parts.append(Part(title: line, text: lines[index..<end].joined(separator: "\n")))
        }
        subsections = parts
    }

    /// The subsection whose heading names `kube-vip <path>` in code (`` `kube-vip manager` ``), else the one of
    /// the nearest parent command (a heading naming `` `kube-vip manifest daemonset`, `pod` `` serves `pod` too),
    /// else the whole reference, which is also where the root's own flags (`--version`) are looked for.
    func subsection(forCommand path: [String]) -> Part {
        var path = path
        while !path.isEmpty {
            let name = (["kube-vip"] + path).joined(separator: " ")
            if let part = subsections.first(where: { Self.headingNames($0.title, command: name) }) { return part }
            path.removeLast()
        }
        return Part(title: Self.heading, text: text)
    }

    private static func headingNames(_ title: String, command: String) -> Bool {
        title.contains("`\(command)`") || title.contains("`\(command) ")
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard hashes > 0, line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }
}


/// Whole-token matching, so that `--leader-elect` is not found inside `--leader-elect-retry-period`, nor
/// `vip_arp` inside `vip_arpRate`.
private enum Mentions {
    static func contains(_ text: String, _ token: String) -> Bool {
        var searchStart = text.startIndex
        while let found = text.range(of: token, range: searchStart..<text.endIndex) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !isTokenCharacter(before) && !isTokenCharacter(after) { return true }
            searchStart = text.index(after: found.lowerBound)
        }
        return false
    }

    private static func isTokenCharacter(_ character: Character?) -> Bool {
        guard let character else { return false }
        return character.isLetter || character.isNumber || character == "_" || character == "-"
    }
}

// MARK: - The command line

/// Every subcommand of `kube-vip`, found through ArgumentParser's configuration so that a new subcommand
/// (and its nested ones) is covered without editing this test.
private struct CommandTree {
    let path: [String]
    let flags: [String]

    var display: String { (["kube-vip"] + path).joined(separator: " ") }

    static func all() -> [CommandTree] {
        var result = [CommandTree(path: [], flags: flags(inHelp: KubeVip.helpMessage(includeHidden: false, columns: 2000)))]
        // A work list of (sibling commands, their parent's path); the element types are inferred from
        // ArgumentParser's configuration, so this file needs no import of the argument-parser package.
        var pending = [(commands: KubeVip.configuration.subcommands, parent: [String]())]
        while let (commands, parent) = pending.popLast() {
            for command in commands {
                let path = parent + [command._commandName]
                // `--version` is the root's, repeated in every subcommand's help.
                let help = command.helpMessage(includeHidden: false, columns: 2000)
                let own = flags(inHelp: help).filter { $0 != "--version" }
                result.append(CommandTree(path: path, flags: own))
                pending.append((command.configuration.subcommands, path))
            }
        }
        return result
    }

    /// The long options in the option lines of a help text (`  --name <value>   help`, `  -h, --help`,
    /// `  --flag/--no-flag`), without `--help`, which every command has.
    static func flags(inHelp help: String) -> [String] {
        var flags: [String] = []
        for line in help.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            guard line.first == " ", trimmed.first == "-" else { continue }
            // The option's own spelling ends where the help column begins (two or more spaces).
            let specification = trimmed.split(separator: "  ", maxSplits: 1).first ?? trimmed
            for match in specification.matches(of: #/--[A-Za-z][A-Za-z0-9-]*/#) {
                let flag = String(match.output)
                if flag != "--help", !flags.contains(flag) { flags.append(flag) }
            }
        }
        return flags
    }
}

// MARK: - The sources

private enum SourceScan {
    /// Swift files under Sources/, except NetworkLab (test support: it sets variables for the processes it starts
    /// and reads its own debugging switch, neither of which a user configures).
    static func sourceFiles() throws -> [(path: String, text: String)] {
        let root = try #require(NetworkLab.packageRoot, "package root not found above \(#filePath)")
        let sources = root.appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path), "cannot list \(sources.path)")
        var files: [(String, String)] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.hasPrefix("NetworkLab/") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(relative), encoding: .utf8)
            files.append((relative, text))
        }
        return files
    }

    /// `environment["NAME"]` anywhere, and in the node agent's settings also its helpers `text("NAME")`,
    /// `flag("NAME"`, `seconds("NAME"` and the list of refused modes (`for unsupported in ["NAME", ...]`).
    static func environmentVariables() throws -> Set<String> {
        var names: Set<String> = []
        for (path, text) in try sourceFiles() {
            for match in text.matches(of: #/environment\["([^"]+)"\]/#) { names.insert(String(match.output.1)) }
            guard path.hasSuffix("AgentSettings.swift") else { continue }
            for match in text.matches(of: #/(?:text|flag|seconds)\("([^"]+)"/#) { names.insert(String(match.output.1)) }
            for list in text.matches(of: #/for \w+ in \[([^\]]*)\]/#) {
                for literal in list.output.1.matches(of: #/"([^"]+)"/#) { names.insert(String(literal.output.1)) }
            }
        }
        return names
    }

    /// Every string literal that starts with `kube-vip.io/`.
    static func kubeVipAnnotations() throws -> Set<String> {
        var names: Set<String> = []
        for (_, text) in try sourceFiles() {
            for match in text.matches(of: #/"(kube-vip\.io/[A-Za-z0-9_.\-/]+)"/#) { names.insert(String(match.output.1)) }
        }
        return names
    }

    /// The values of constants named `...Label` (`implementationLabel = "implementation"`, ...).
    static func labels() throws -> Set<String> {
        var names: Set<String> = []
        for (_, text) in try sourceFiles() {
            for match in text.matches(of: #/static let \w*Label\s*=\s*"([^"]+)"/#) {
                names.insert(String(match.output.1))
            }
        }
        return names
    }

    /// The key shapes of the IPAM parser's `ConfigKey`: exact keys (`case "search-order":`) and scoped prefixes
    /// (`("cidr-", .cidr)`).
    static func configMapKeys() throws -> (prefixes: [String], exact: [String]) {
        let files = try sourceFiles()
        let parser = try #require(
            files.first { $0.path == "IPAM/Configuration/PoolConfiguration.swift" }?.text,
            "Sources/IPAM/Configuration/PoolConfiguration.swift not found")
        let start = try #require(parser.range(of: "enum ConfigKey"), "no enum ConfigKey in PoolConfiguration.swift")
        let body = parser[start.lowerBound...]
        let exact = body.matches(of: #/case "([^"]+)":/#).map { String($0.output.1) }
        let prefixes = body.matches(of: #/\("([a-z\-]+-)",\s*\.\w+\)/#).map { String($0.output.1) }
        return (prefixes, exact)
    }
}
