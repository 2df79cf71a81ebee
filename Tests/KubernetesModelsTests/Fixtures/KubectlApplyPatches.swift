/// Strategic merge patch bodies captured from the real kubectl v1.32.5
/// (`/usr/lib/google-cloud-sdk/bin/kubectl.1.32 apply --validate=false -f service.yaml`) against a throwaway
/// server on loopback whose live Service `default/web` had one port `{"name":"http","port":80,"protocol":"TCP",
/// "targetPort":8080,"nodePort":30002}`, selector `app=web`, type LoadBalancer, and a last-applied annotation
/// matching that port. kubectl sent them as `PATCH /api/v1/namespaces/default/services/web` with
/// `Content-Type: application/strategic-merge-patch+json`.
enum KubectlApplyPatches {
    /// The live object the patches were computed against (as the capture server returned it).
    static let liveService =
        ##"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","uid":"u1","resourceVersion":"5","creationTimestamp":"2026-11-26T17:00:00Z","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\",\"targetPort\":8080}],\"selector\":{\"app\":\"web\"},\"type\":\"LoadBalancer\"}}\n"}},"spec":{"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080,"nodePort":30002}],"selector":{"app":"web"},"type":"LoadBalancer","clusterIP":"10.96.0.4","clusterIPs":["10.96.0.4"]},"status":{"loadBalancer":{}}}"##

    /// service.yaml changed the port from 80 to 8081 (the change from network-testbed.md part 5, point 3).
    static let changePort =
        ##"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":8081,\"protocol\":\"TCP\",\"targetPort\":8080}],\"selector\":{\"app\":\"web\"},\"type\":\"LoadBalancer\"}}\n"}},"spec":{"$setElementOrder/ports":[{"port":8081}],"ports":[{"name":"http","port":8081,"protocol":"TCP","targetPort":8080},{"$patch":"delete","port":80}]}}"##

    /// service.yaml added port 443 before port 80, a label `tier=front` and `externalTrafficPolicy: Local`.
    static let addPortLabelAndPolicy =
        ##"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"labels\":{\"tier\":\"front\"},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"externalTrafficPolicy\":\"Local\",\"ports\":[{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\",\"targetPort\":8443},{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\",\"targetPort\":8080}],\"selector\":{\"app\":\"web\"},\"type\":\"LoadBalancer\"}}\n"},"labels":{"tier":"front"}},"spec":{"$setElementOrder/ports":[{"port":443},{"port":80}],"externalTrafficPolicy":"Local","ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":8443}]}}"##
}
