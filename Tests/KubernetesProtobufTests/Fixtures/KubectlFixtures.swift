/// Request bodies captured from the real kubectl v1.32.5 (`/usr/lib/google-cloud-sdk/bin/kubectl.1.32`,
/// `Content-Type: application/vnd.kubernetes.protobuf`), POSTed to a throwaway capture server on loopback
/// that answered 404 to every GET and saved every POST body. Each fixture names the command that sent it
/// (run with a kubeconfig pointing at that server, a fresh `HOME` and `--cache-dir`). kubectl v1.33.1 sent
/// byte-identical bodies for the kubevip ConfigMap, the web Deployment and the web Service.
enum KubectlFixtures {
    /// `kubectl create configmap kubevip -n kube-system --from-literal cidr-global=192.168.0.220/29 --from-literal range-development=192.168.0.210-192.168.0.219`
    static let configMapKubeVip = hexBytes(
        """
        6b3873000a0f0a0276311209436f6e6669674d617012770a220a076b75626576697012001a0b6b7562652d7379737465
        6d22002a00320038004200121f0a0b636964722d676c6f62616c12103139322e3136382e302e3232302f323912300a11
        72616e67652d646576656c6f706d656e74121b3139322e3136382e302e3231302d3139322e3136382e302e3231391a00
        2200
        """)

    /// `printf 'bin\x00\xff\xfe\x01data' > blob.bin; kubectl create configmap mixed -n default --from-literal greeting=hello --from-file=blob=blob.bin`
    static let configMapWithBinaryData = hexBytes(
        """
        6b3873000a0f0a0276311209436f6e6669674d617012460a1c0a056d6978656412001a0764656661756c7422002a0032
        003800420012110a086772656574696e67120568656c6c6f1a130a04626c6f62120b62696e00fffe01646174611a0022
        00
        """)

    /// `kubectl create configmap saved -n default --from-literal a=b --save-config`
    static let configMapSavedConfig = hexBytes(
        """
        6b3873000a0f0a0276311209436f6e6669674d617012e2010ad7010a05736176656412001a0764656661756c7422002a
        0032003800420062b8010a306b75626563746c2e6b756265726e657465732e696f2f6c6173742d6170706c6965642d63
        6f6e66696775726174696f6e1283017b226b696e64223a22436f6e6669674d6170222c2261706956657273696f6e223a
        227631222c226d65746164617461223a7b226e616d65223a227361766564222c226e616d657370616365223a22646566
        61756c74222c226372656174696f6e54696d657374616d70223a6e756c6c7d2c2264617461223a7b2261223a2262227d
        7d0a12060a01611201621a002200
        """)

    /// `kubectl create namespace dev`
    static let namespaceDev = hexBytes(
        """
        6b3873000a0f0a02763112094e616d657370616365121b0a130a0364657612001a0022002a0032003800420012001a02
        0a001a002200
        """)

    /// `kubectl create secret generic creds -n default --from-literal=user=admin --from-literal=password='s3cr3t!' --type=kubernetes.io/basic-auth`
    static let secretBasicAuth = hexBytes(
        """
        6b3873000a0c0a0276311206536563726574125c0a1c0a05637265647312001a0764656661756c7422002a0032003800
        420012130a0870617373776f7264120773336372337421120d0a0475736572120561646d696e1a186b756265726e6574
        65732e696f2f62617369632d617574681a002200
        """)

    /// `kubectl create service loadbalancer web -n default --tcp=80:8080 --tcp=443:https`
    static let serviceLoadBalancer = hexBytes(
        """
        6b3873000a0d0a0276311207536572766963651297010a260a0377656212001a0764656661756c7422002a0032003800
        42005a0a0a03617070120377656212690a1b0a0738302d38303830120354435018502207080010903f1a0028000a220a
        093434332d6874747073120354435018bb03220b080110001a0568747470732800120a0a0361707012037765621a0022
        0c4c6f616442616c616e6365723a00420052005a00600068001a020a001a002200
        """)

    /// `kubectl create service nodeport np -n default --tcp=80:8080 --node-port=30080`
    static let serviceNodePort = hexBytes(
        """
        6b3873000a0d0a027631120753657276696365126e0a240a026e7012001a0764656661756c7422002a00320038004200
        5a090a0361707012026e7012420a1d0a0738302d38303830120354435018502207080010903f1a002880eb0112090a03
        61707012026e701a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200
        """)

    /// `kubectl create service clusterip headless -n default --clusterip=None`
    static let serviceHeadless = hexBytes(
        """
        6b3873000a0d0a02763112075365727669636512660a300a08686561646c65737312001a0764656661756c7422002a00
        3200380042005a0f0a036170701208686561646c657373122e120f0a036170701208686561646c6573731a044e6f6e65
        2209436c757374657249503a00420052005a00600068001a020a001a002200
        """)

    /// `kubectl create deployment web -n default --image=nginx:1.27 --port=80 --replicas=2 -- nginx -g 'daemon off;'`
    static let deploymentWeb = hexBytes(
        """
        6b3873000a150a07617070732f7631120a4465706c6f796d656e7412dd010a260a0377656212001a0764656661756c74
        22002a003200380042005a0a0a03617070120377656212a4010802120c0a0a0a0361707012037765621a89010a1c0a00
        12001a0022002a003200380042005a0a0a0361707012037765621269124b0a056e67696e78120a6e67696e783a312e32
        371a056e67696e781a022d671a0b6461656d6f6e206f66663b2a00320a0a001000185022002a0042006a007200800100
        880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c08
        00100018002000280038001a002200
        """)

    /// `kubectl create deployment multi -n default --image=nginx --image=busybox`
    static let deploymentTwoContainers = hexBytes(
        """
        6b3873000a150a07617070732f7631120a4465706c6f796d656e7412e4010a2a0a056d756c746912001a076465666175
        6c7422002a003200380042005a0c0a0361707012056d756c746912a7010801120e0a0c0a0361707012056d756c74691a
        8a010a1e0a0012001a0022002a003200380042005a0c0a0361707012056d756c7469126812220a056e67696e7812056e
        67696e782a0042006a007200800100880100900100a2010012260a0762757379626f78120762757379626f782a004200
        6a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00
        280038001a0c0800100018002000280038001a002200
        """)

    static let all: [(name: String, bytes: [UInt8])] = [
        ("configMapKubeVip", configMapKubeVip),
        ("configMapWithBinaryData", configMapWithBinaryData),
        ("configMapSavedConfig", configMapSavedConfig),
        ("namespaceDev", namespaceDev),
        ("secretBasicAuth", secretBasicAuth),
        ("serviceLoadBalancer", serviceLoadBalancer),
        ("serviceNodePort", serviceNodePort),
        ("serviceHeadless", serviceHeadless),
        ("deploymentWeb", deploymentWeb),
        ("deploymentTwoContainers", deploymentTwoContainers),
    ]
}
