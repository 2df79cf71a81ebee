import Foundation
import PoolCheck
import Testing

private let kubevipManifest = """
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: kubevip
      namespace: kube-system
    data:
      cidr-global: 192.0.2.0/24
      range-finance: 198.51.100.10-198.51.100.20
    """

@Suite("Reading a ConfigMap manifest")
struct ConfigMapManifestReadingTests {
    @Test func readsTheDataOfAConfigMap() throws {
        let file = try read(kubevipManifest)
        #expect(file.form == .configMap(name: "kubevip", namespace: "kube-system"))
        #expect(file.data == ["cidr-global": "192.0.2.0/24", "range-finance": "198.51.100.10-198.51.100.20"])
        #expect(file.problems.isEmpty)
    }

    @Test func picksTheKubevipConfigMapOutOfAMultiDocumentStream() throws {
        let file = try read(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: kube-system
            data:
              cidr-global: 203.0.113.0/24
            ---
            \(kubevipManifest)
            """)
        #expect(file.form == .configMap(name: "kubevip", namespace: "kube-system"))
        #expect(file.data["cidr-global"] == "192.0.2.0/24")
        #expect(file.problems.map(\.reason) == [.otherConfigMapsSkipped(["kube-system/settings"])])
    }

    @Test func takesTheOnlyConfigMapWhateverItsName() throws {
        let file = try read(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: lb-pools
              namespace: networking
            data:
              cidr-global: 192.0.2.0/24
            """)
        #expect(file.data == ["cidr-global": "192.0.2.0/24"])
    }

    @Test func anotherNameOrNamespaceIsANoteNotAnError() throws {
        let file = try read(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: lb-pools
              namespace: networking
            data:
              cidr-global: 192.0.2.0/24
            """)
        let problem = try #require(file.problems.first)
        #expect(file.problems.count == 1)
        #expect(problem.severity == .note)
        #expect(problem.reason == .notTheDefaultConfigMap(name: "lb-pools", namespace: "networking"))
        #expect(problem.message.contains("KUBEVIP_NAMESPACE"))
        #expect(problem.message.contains("KUBEVIP_CONFIG_MAP"))
    }

    @Test func readsAConfigMapInsideAList() throws {
        let file = try read(
            """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: web, namespace: default}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: kubevip, namespace: kube-system}
              data:
                range-global: 192.0.2.10-192.0.2.20
            """)
        #expect(file.data == ["range-global": "192.0.2.10-192.0.2.20"])
        #expect(file.problems.isEmpty)
    }

    @Test func anUnquotedBoolIsAnErrorNamingTheKeyAndItsTextIsStillUsed() throws {
        let file = try read(kubevipManifest + "\n  allow-share-global: true")
        let problem = try #require(file.problems.first)
        #expect(problem.severity == .error)
        #expect(problem.subject == "allow-share-global")
        #expect(problem.reason == .unquotedScalar(text: "true", type: "bool"))
        #expect(problem.line == 9)
        #expect(problem.description.contains("quote it"))
        #expect(file.data["allow-share-global"] == "true")
    }

    @Test func anUnquotedNumberIsAnErrorNamingTheKey() throws {
        let file = try read(kubevipManifest + "\n  skip-end-ips-in-cidr: 1")
        #expect(file.problems.map(\.subject) == ["skip-end-ips-in-cidr"])
        #expect(file.problems.map(\.reason) == [.unquotedScalar(text: "1", type: "int")])
        #expect(file.problems.map(\.severity) == [.error])
    }

    @Test func quotedAndBlockValuesAreStrings() throws {
        let file = try read(
            kubevipManifest + """

                  allow-share-global: "true"
                  skip-end-ips-in-cidr: 'false'
                  range-development: |
                    192.0.2.30-192.0.2.31
                    192.0.2.40

                """)
        #expect(file.problems.isEmpty)
        #expect(file.data["allow-share-global"] == "true")
        #expect(file.data["range-development"] == "192.0.2.30-192.0.2.31\n192.0.2.40\n")
    }

    @Test func aListOrMapUnderADataKeyIsAnErrorAndTheKeyIsLeftOut() throws {
        let file = try read(
            kubevipManifest + """

                  cidr-development:
                  - 192.0.2.64/26
                  interface-development: {name: eth1}
                """)
        #expect(file.problems.map(\.subject) == ["cidr-development", "interface-development"])
        #expect(file.problems.map(\.reason) == [.nonScalarValue(kind: "a list"), .nonScalarValue(kind: "a map")])
        #expect(file.problems.allSatisfy { $0.severity == .error })
        #expect(file.data["cidr-development"] == nil)
        #expect(file.data["interface-development"] == nil)
    }

    @Test func anEmptyValueIsAWarningAndReadsAsEmpty() throws {
        let file = try read(kubevipManifest + "\n  cidr-development:")
        #expect(file.problems.map(\.reason) == [.nullValue(text: "")])
        #expect(file.problems.map(\.severity) == [.warning])
        #expect(file.data["cidr-development"] == "")
    }

    @Test func aKeyTheAPIServerRefusesIsAnError() throws {
        let file = try read(kubevipManifest + "\n  \"cidr global\": 192.0.2.0/24")
        #expect(file.problems.map(\.severity) == [.error])
        #expect(file.data["cidr global"] == nil)
    }

    @Test func binaryDataIsAWarning() throws {
        let file = try read(kubevipManifest + "\nbinaryData:\n  cidr-default: MTkyLjAuMi4wLzI0")
        #expect(file.problems.map(\.reason) == [.binaryDataIgnored])
    }

    @Test func aConfigMapWithoutDataHasEmptyData() throws {
        let file = try read("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kubevip\n  namespace: kube-system\n")
        #expect(file.data.isEmpty)
        #expect(file.problems.isEmpty)
    }
}

@Suite("Reading plain data")
struct PlainDataReadingTests {
    @Test func aMappingWithoutKindIsTheDataItself() throws {
        let file = try read("cidr-global: 192.0.2.0/24\nrange-finance: 198.51.100.1-198.51.100.9\n")
        #expect(file.form == .dataMapping)
        #expect(file.data == ["cidr-global": "192.0.2.0/24", "range-finance": "198.51.100.1-198.51.100.9"])
    }

    @Test func aMappingWithoutKindAcceptsUnquotedBoolsAndNumbers() throws {
        let file = try read("allow-share-global: true\nskip-end-ips-in-cidr: 1\n")
        #expect(file.data == ["allow-share-global": "true", "skip-end-ips-in-cidr": "1"])
        #expect(file.problems.isEmpty)
    }

    @Test func aMappingWithoutKindStillRefusesNestedValues() throws {
        let file = try read("cidr-global: [192.0.2.0/24]\n")
        #expect(file.problems.map(\.subject) == ["cidr-global"])
        #expect(file.data.isEmpty)
    }

    @Test func envFileLinesAreKeyEqualsValue() throws {
        let file = try read("cidr-global=192.0.2.0/24\nsearch-order=desc\n")
        #expect(file.form == .envFile)
        #expect(file.data == ["cidr-global": "192.0.2.0/24", "search-order": "desc"])
        #expect(file.problems.isEmpty)
    }

    @Test func envFileCommentsAndBlankLinesAreIgnored() throws {
        let file = try read(
            """
            # pools for the lab

            cidr-global=192.0.2.0/24
              # indented comment
            \t
            range-finance=198.51.100.1-198.51.100.9
            """)
        #expect(file.data == ["cidr-global": "192.0.2.0/24", "range-finance": "198.51.100.1-198.51.100.9"])
        #expect(file.problems.isEmpty)
    }

    @Test func envFileValuesEndAtTheLineAndMayContainEquals() throws {
        let file = try read("interface-global=eth0=x\r\nrange-global=192.0.2.1\r\n")
        #expect(file.data == ["interface-global": "eth0=x", "range-global": "192.0.2.1"])
    }

    @Test func envFileRepeatedKeyIsAnErrorAndTheFirstValueIsKept() throws {
        let file = try read("cidr-global=192.0.2.0/24\ncidr-global=198.51.100.0/24\n")
        #expect(file.problems.map(\.reason) == [.duplicateKey])
        #expect(file.problems.map(\.line) == [2])
        #expect(file.data == ["cidr-global": "192.0.2.0/24"])
    }
}

@Suite("Files that hold no ConfigMap")
struct NotAConfigMapTests {
    @Test func aDeploymentManifestIsNotAConfigMap() {
        let failure = readFailure(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
            """)
        #expect(failure == .noConfigMap(found: ["Deployment web"]))
        #expect(failure?.description.contains("no ConfigMap") == true)
    }

    @Test func binaryGarbageIsNotText() {
        let garbage = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0xFF, 0xFE, 0x00, 0x10])
        #expect(throws: ConfigMapFileError.notText) { try ConfigMapFile.read(contents: garbage) }
    }

    @Test func proseIsNotAConfigMap() {
        let failure = readFailure("These are the address pools for the lab.\nAsk the network team.\n")
        #expect(failure == .unrecognised(line: 1, text: "These are the address pools for the lab."))
    }

    @Test func brokenYAMLIsReportedWithTheParsersMessage() throws {
        let failure = try #require(readFailure("data:\n  cidr-global: 192.0.2.0/24\n   range-global: : x\n"))
        guard case .invalidYAML(let message) = failure else {
            Issue.record("expected invalidYAML, got \(failure)")
            return
        }
        #expect(message.contains("3:"))
    }

    @Test func anEmptyFileIsRejected() {
        #expect(readFailure("") == .empty)
        #expect(readFailure("# nothing here\n\n") == .empty)
    }

    @Test func severalConfigMapsWithNoneNamedKubevipAreAmbiguous() {
        let failure = readFailure(
            """
            kind: ConfigMap
            apiVersion: v1
            metadata: {name: one, namespace: default}
            ---
            kind: ConfigMap
            apiVersion: v1
            metadata: {name: two, namespace: default}
            """)
        #expect(failure == .ambiguous(["default/one", "default/two"]))
    }
}
