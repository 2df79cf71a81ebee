import Testing

@testable import CloudProvider

/// Upstream's environment variables, read the way upstream reads them.
@Suite("Cloud-provider settings from the environment")
struct SettingsTests {
    @Test("without variables: kube-system/kubevip, Services without a class")
    func defaults() throws {
        let settings = try CloudProviderSettings(environment: [:])
        #expect(settings.configMapNamespace == "kube-system")
        #expect(settings.configMapName == "kubevip")
        #expect(settings.classSelection == .unclassified)
    }

    @Test("KUBEVIP_NAMESPACE and KUBEVIP_CONFIG_MAP locate the pools")
    func configMapLocation() throws {
        let settings = try CloudProviderSettings(
            environment: ["KUBEVIP_NAMESPACE": "lb", "KUBEVIP_CONFIG_MAP": "pools"])
        #expect(settings.configMapNamespace == "lb")
        #expect(settings.configMapName == "pools")
    }

    @Test("class mode serves the default class, or the custom one when named")
    func classMode() throws {
        let plain = try CloudProviderSettings(environment: ["KUBEVIP_ENABLE_LOADBALANCERCLASS": "true"])
        #expect(plain.classSelection == .only("kube-vip.io/kube-vip-class"))
        let custom = try CloudProviderSettings(
            environment: ["KUBEVIP_ENABLE_LOADBALANCERCLASS": "1", "KUBEVIP_CUSTOM_LOADBALANCERCLASS_NAME": "example.com/lb"])
        #expect(custom.classSelection == .only("example.com/lb"))
        let off = try CloudProviderSettings(environment: ["KUBEVIP_ENABLE_LOADBALANCERCLASS": "false"])
        #expect(off.classSelection == .unclassified)
    }

    @Test("a value strconv.ParseBool would refuse is an error naming the variable")
    func unreadableBoolean() {
        #expect {
            try CloudProviderSettings(environment: ["KUBEVIP_ENABLE_LOADBALANCERCLASS": "yes"])
        } throws: { error in
            "\(error)".contains("KUBEVIP_ENABLE_LOADBALANCERCLASS=yes")
        }
    }
}
