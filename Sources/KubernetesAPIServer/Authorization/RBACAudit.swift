import KubernetesModels
import Logging

/// Holds a role's RBAC rules to what the role really does: runs some work against an embedded API server that
/// enforces `grants` for `user` (and lets `admin` do anything, to set the scene), then says what the work was
/// refused and which grants it never needed. Both roles' RBAC tests check their manifests with it.
public struct RBACAudit {
    /// Requests refused: the rules grant too little.
    public let denied: [RequestAttributes]
    /// The user's requests outside the resource API (`/version`, discovery), which the rules do not grant.
    public let nonResourceRequests: [RequestAttributes]
    /// The user's grants that no request used: the rules grant too much. Only meaningful when the work
    /// finished (`failure` is nil).
    public let unused: [RBACPolicy.Permission]
    /// The work's own error; read it after `denied`, which usually explains it.
    public let failure: (any Error)?

    /// - Parameter work: given the server's port; users are told apart by their clients' User-Agent.
    public static func run(
        user: String, grants: [Grant], admin: String, configuration: APIServerConfiguration = APIServerConfiguration(),
        logger: Logger, _ work: (_ port: Int) async throws -> Void
    ) async -> RBACAudit {
        var policy = RBACPolicy()
        policy.bind(user, grants: grants)
        policy.bind(admin, [RBACPolicy.Rule(namespace: nil, apiGroups: ["*"], resources: ["*"], verbs: ["*"])])
        let log = RequestLog()
        var configuration = configuration
        configuration.authorizer = log.recording(policy.authorizes)
        var failure: (any Error)?
        do {
            try await EmbeddedAPIServer.withRunningServer(configuration: configuration, logger: logger, work)
        } catch {
            failure = error
        }
        let requests = log.requests(of: user)
        return RBACAudit(
            denied: log.denied,
            nonResourceRequests: requests.filter { !$0.isResourceRequest },
            unused: policy.unusedPermissions(by: requests).filter { $0.user == user },
            failure: failure)
    }
}
