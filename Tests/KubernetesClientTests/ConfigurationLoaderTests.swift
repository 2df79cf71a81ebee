import Foundation
import KubernetesClient
import Testing

@Suite("Finding the configuration")
struct ConfigurationLoaderTests {
    static func kubeconfig(server: String) -> String {
        """
        current-context: c
        contexts:
        - name: c
          context: {cluster: k, user: u}
        clusters:
        - name: k
          cluster: {server: "\(server)"}
        users:
        - name: u
          user: {token: t}
        """
    }

    @Test("an explicit path wins over $KUBECONFIG and the home directory")
    func explicitPath() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(directory + "/explicit", Self.kubeconfig(server: "http://explicit:1"))
            try writeFile(directory + "/env", Self.kubeconfig(server: "http://env:1"))
            let configuration = try ConfigurationLoader.load(
                kubeconfigPath: directory + "/explicit", environment: ["KUBECONFIG": directory + "/env"],
                homeDirectory: directory)
            #expect(configuration.server == "http://explicit:1")
        }
    }

    @Test("the first existing file of a $KUBECONFIG list is used")
    func kubeconfigList() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(directory + "/second", Self.kubeconfig(server: "http://second:1"))
            try writeFile(directory + "/third", Self.kubeconfig(server: "http://third:1"))
            let list = "\(directory)/missing:\(directory)/second:\(directory)/third"
            let configuration = try ConfigurationLoader.load(environment: ["KUBECONFIG": list], homeDirectory: directory)
            #expect(configuration.server == "http://second:1")
        }
    }

    @Test("~/.kube/config is used when nothing else is given")
    func homeDirectory() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(directory + "/.kube/config", Self.kubeconfig(server: "http://home:1"))
            let configuration = try ConfigurationLoader.load(environment: [:], homeDirectory: directory)
            #expect(configuration.server == "http://home:1")
        }
    }

    @Test("the in-cluster ServiceAccount is the last resort")
    func inCluster() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(directory + "/sa/token", "tok")
            let configuration = try ConfigurationLoader.load(
                environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                homeDirectory: directory, serviceAccountDirectory: directory + "/sa")
            #expect(configuration.server == "https://10.96.0.1:443")
        }
    }

    @Test("with nothing found, the error lists every place looked at")
    func nothingFound() async {
        await withTemporaryDirectory { directory in
            #expect {
                try ConfigurationLoader.load(
                    environment: ["KUBECONFIG": directory + "/nope"], homeDirectory: directory,
                    serviceAccountDirectory: directory + "/sa")
            } throws: { error in
                guard case .noConfiguration(let searched) = error as? ConfigurationError else { return false }
                return searched.count == 3 && searched[1] == directory + "/.kube/config"
            }
        }
    }
}
