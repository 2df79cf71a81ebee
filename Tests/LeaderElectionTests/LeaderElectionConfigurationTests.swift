import Testing

@testable import LeaderElection

@Suite("Leader election configuration")
struct LeaderElectionConfigurationTests {
    private func configuration(
        leaseName: String = "kube-vip-cloud-controller", namespace: String = "kube-system", identity: String = "a",
        lease: Duration = .seconds(15), renew: Duration = .seconds(10), retry: Duration = .seconds(2),
        jitter: Double = 0.2
    ) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            leaseName: leaseName, namespace: namespace, identity: identity, leaseDuration: lease,
            renewDeadline: renew, retryPeriod: retry, retryJitter: jitter)
    }

    private func message(_ configuration: LeaderElectionConfiguration) -> String? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.message
        }
    }

    @Test("upstream's defaults are 15 s lease, 10 s renew deadline, 2 s retry, and they are valid")
    func defaults() {
        let defaults = LeaderElectionConfiguration(leaseName: "l", namespace: "n", identity: "i")
        #expect(defaults.leaseDuration == .seconds(15))
        #expect(defaults.renewDeadline == .seconds(10))
        #expect(defaults.retryPeriod == .seconds(2))
        #expect(message(defaults) == nil)
    }

    @Test("a lease no longer than the renew deadline is refused, naming both values")
    func leaseNotLongerThanRenewDeadline() {
        #expect(
            message(configuration(lease: .seconds(10), renew: .seconds(10)))
                == "leader election for Lease kube-system/kube-vip-cloud-controller: leaseDuration (10s) must be "
                + "longer than renewDeadline (10s), or a peer may take over while the leader still writes")
    }

    @Test("a renew deadline within 1.2 retry periods is refused")
    func renewDeadlineTooShortForRetries() {
        #expect(
            message(configuration(renew: .milliseconds(2400), retry: .seconds(2)))
                == "leader election for Lease kube-system/kube-vip-cloud-controller: renewDeadline (2.4s) must be "
                + "longer than 1.2 × retryPeriod (2.4s), or the leader gets no second chance to renew")
        #expect(message(configuration(renew: .milliseconds(2401), retry: .seconds(2))) == nil)
    }

    @Test("a retry period of zero is refused")
    func zeroRetryPeriod() {
        #expect(
            message(configuration(retry: .zero))
                == "leader election for Lease kube-system/kube-vip-cloud-controller: retryPeriod (0s) must be "
                + "greater than zero")
    }

    @Test("an empty identity, Lease name or namespace is refused")
    func emptyNames() {
        #expect(
            message(configuration(identity: ""))
                == "leader election for Lease kube-system/kube-vip-cloud-controller: the identity (holderIdentity "
                + "of this replica) is empty")
        #expect(message(configuration(leaseName: ""))?.hasSuffix("the Lease name is empty") == true)
        #expect(message(configuration(namespace: ""))?.hasSuffix("the namespace is empty") == true)
    }

    @Test("a negative jitter is refused")
    func negativeJitter() {
        #expect(message(configuration(jitter: -0.1))?.contains("retryJitter (-0.1)") == true)
    }

    @Test("sub-second timings are accepted and shown with their fraction")
    func subSecondTimings() {
        #expect(message(configuration(lease: .seconds(1), renew: .milliseconds(700), retry: .milliseconds(200))) == nil)
        #expect(LeaderElectionConfiguration.seconds(.milliseconds(700)) == "0.7s")
        #expect(LeaderElectionConfiguration.seconds(.milliseconds(1250)) == "1.25s")
    }

    @Test("the Lease's duration is written in whole seconds, rounded up so that peers never wait less")
    func leaseDurationSecondsRoundUp() {
        #expect(configuration(lease: .seconds(15)).leaseDurationSeconds == 15)
        #expect(configuration(lease: .milliseconds(1500)).leaseDurationSeconds == 2)
        #expect(configuration(lease: .milliseconds(200)).leaseDurationSeconds == 1)
    }
}
