import Foundation
import KubernetesClient
import Testing

@Suite("In-cluster configuration and token rotation")
struct InClusterConfigurationTests {
    let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test("server, CA, token file and namespace come from the environment and the ServiceAccount directory")
    func readsServiceAccount() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(directory + "/token", "abc\n")
            try writeFile(directory + "/ca.crt", "PEM")
            try writeFile(directory + "/namespace", "kube-system\n")
            let configuration = try InClusterConfiguration.load(
                environment: environment, serviceAccountDirectory: directory)
            #expect(configuration.server == "https://10.96.0.1:443")
            #expect(configuration.bearerToken == .file(directory + "/token"))
            #expect(configuration.certificateAuthority == .file(directory + "/ca.crt"))
            #expect(configuration.namespace == "kube-system")
        }
    }

    @Test("an IPv6 service host is bracketed in the URL")
    func ipv6Host() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(directory + "/token", "abc")
            let configuration = try InClusterConfiguration.load(
                environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
                serviceAccountDirectory: directory)
            #expect(configuration.server == "https://[fd00::1]:443")
            #expect(configuration.namespace == "default")
        }
    }

    @Test("without KUBERNETES_SERVICE_HOST we are not in a cluster")
    func notInCluster() {
        #expect(throws: ConfigurationError.notInCluster(reason: "KUBERNETES_SERVICE_HOST is not set")) {
            try InClusterConfiguration.load(environment: [:], serviceAccountDirectory: "/nonexistent")
        }
    }

    @Test("a rotated token file is picked up once the recheck interval has passed, not before")
    func tokenRotationByInterval() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/token"
            try writeFile(path, "first")
            let clock = TestClock()
            let provider = BearerTokenProvider(.file(path), recheckInterval: .seconds(60), clock: ClientClock(clock))
            #expect(try await provider.token() == "first")

            try writeFile(path, "second")
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: 10)], ofItemAtPath: path)
            clock.advance(by: .seconds(30))
            #expect(try await provider.token() == "first")
            clock.advance(by: .seconds(31))
            #expect(try await provider.token() == "second")
        }
    }

    @Test("after a 401 (invalidate) the token file is read again at once")
    func tokenRotationOnUnauthorized() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/token"
            try writeFile(path, "first")
            let clock = TestClock()
            let provider = BearerTokenProvider(.file(path), recheckInterval: .seconds(60), clock: ClientClock(clock))
            #expect(try await provider.token() == "first")
            try writeFile(path, "second")
            await provider.invalidate()
            #expect(try await provider.token() == "second")
        }
    }

    @Test("a token file that disappears during rotation keeps the last good token")
    func keepsLastGoodToken() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/token"
            try writeFile(path, "first")
            let provider = BearerTokenProvider(.file(path), recheckInterval: .zero, clock: ClientClock(TestClock()))
            #expect(try await provider.token() == "first")
            try FileManager.default.removeItem(atPath: path)
            await provider.invalidate()
            #expect(try await provider.token() == "first")
        }
    }
}
