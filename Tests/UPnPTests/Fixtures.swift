// Real bytes from miniupnpd 2.3.1 (Debian miniupnpd-nftables), captured by hand once in a throw-away
// namespace lab set up as in network-testbed.sh `upnp` (gateway 198.51.100.254, lan0; node 198.51.100.11; WAN
// 100.128.0.1, which miniupnpd needs as a non-reserved external address): the SSDP answer with a Python
// socket sending an M-SEARCH from the node, the description with `curl -i http://198.51.100.254:5000/rootDesc.xml`,
// the SOAP answers with curl POSTs to /ctl/IPConn as in network-testbed.md part 4. Bodies only, byte for byte.
enum Fixtures {
    /// The unicast answer to `M-SEARCH` with `ST: urn:schemas-upnp-org:service:WANIPConnection:2`.
    static let ssdpAnswer: [UInt8] = Array(
        [
            "HTTP/1.1 200 OK\r\n",
            "CACHE-CONTROL: max-age=120\r\n",
            "ST: urn:schemas-upnp-org:service:WANIPConnection:2\r\n",
            "USN: uuid:3d3c5c2a-0000-4000-8000-000000000003::urn:schemas-upnp-org:service:WANIPConnection:2\r\n",
            "EXT:\r\n",
            "SERVER: Debian/6.18.44-fc-v657 UPnP/1.1 MiniUPnPd/2.3.1\r\n",
            "LOCATION: http://198.51.100.254:5000/rootDesc.xml\r\n",
            "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n",
            "01-NLS: 1795748254\r\n",
            "BOOTID.UPNP.ORG: 1795748254\r\n",
            "CONFIGID.UPNP.ORG: 1337\r\n",
            "\r\n",
        ].joined().utf8)

    /// A `NOTIFY ssdp:alive` the same daemon multicast meanwhile (from tcpdump -A, line ends CRLF).
    static let notify: [UInt8] = Array(
        [
            "NOTIFY * HTTP/1.1\r\n",
            "HOST: 239.255.255.250:1900\r\n",
            "CACHE-CONTROL: max-age=60\r\n",
            "LOCATION: http://198.51.100.254:5000/rootDesc.xml\r\n",
            "SERVER: Debian/6.18.44-fc-v657 UPnP/1.1 MiniUPnPd/2.3.1\r\n",
            "NT: upnp:rootdevice\r\n",
            "USN: uuid:3d3c5c2a-0000-4000-8000-000000000001::upnp:rootdevice\r\n",
            "NTS: ssdp:alive\r\n",
            "OPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n",
            "01-NLS: 1795748254\r\n",
            "BOOTID.UPNP.ORG: 1795748254\r\n",
            "CONFIGID.UPNP.ORG: 1337\r\n",
            "\r\n",
        ].joined().utf8)

    /// `GET /rootDesc.xml` (3095 bytes): IGD2 with WANIPConnection:2 at /ctl/IPConn, two devices deep.
    static let rootDescription: [UInt8] = Array(
        [
            "<?xml version=\"1.0\"?>\r\n",
            "<root xmlns=\"urn:schemas-upnp-org:device-1-0\" configId=\"1337\"><specVersion>",
            "<major>1</major><minor>1</minor></specVersion><device>",
            "<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:2</deviceType>",
            "<friendlyName>Debian router</friendlyName><manufacturer>Debian</manufacturer>",
            "<manufacturerURL>http://www.debian.org/</manufacturerURL>",
            "<modelDescription>Debian router</modelDescription><modelName>Debian router</modelName>",
            "<modelNumber>1</modelNumber><modelURL>http://www.debian.org/</modelURL>",
            "<serialNumber>00000000</serialNumber><UDN>uuid:3d3c5c2a-0000-4000-8000-000000000001</UDN><serviceList>",
            "<service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>",
            "<serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId><SCPDURL>/L3F.xml</SCPDURL>",
            "<controlURL>/ctl/L3F</controlURL><eventSubURL>/evt/L3F</eventSubURL></service><service>",
            "<serviceType>urn:schemas-upnp-org:service:DeviceProtection:1</serviceType>",
            "<serviceId>urn:upnp-org:serviceId:DeviceProtection1</serviceId><SCPDURL>/DP.xml</SCPDURL>",
            "<controlURL>/ctl/DP</controlURL><eventSubURL>/evt/DP</eventSubURL></service></serviceList><deviceList>",
            "<device><deviceType>urn:schemas-upnp-org:device:WANDevice:2</deviceType>",
            "<friendlyName>WANDevice</friendlyName><manufacturer>MiniUPnP</manufacturer>",
            "<manufacturerURL>http://miniupnp.free.fr/</manufacturerURL>",
            "<modelDescription>WAN Device</modelDescription><modelName>WAN Device</modelName>",
            "<modelNumber>20221221</modelNumber><modelURL>http://miniupnp.free.fr/</modelURL>",
            "<serialNumber>00000000</serialNumber><UDN>uuid:3d3c5c2a-0000-4000-8000-000000000002</UDN>",
            "<UPC>000000000000</UPC><serviceList><service>",
            "<serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>",
            "<serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId><SCPDURL>/WANCfg.xml</SCPDURL>",
            "<controlURL>/ctl/CmnIfCfg</controlURL><eventSubURL>/evt/CmnIfCfg</eventSubURL></service></serviceList>",
            "<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:2</deviceType>",
            "<friendlyName>WANConnectionDevice</friendlyName><manufacturer>MiniUPnP</manufacturer>",
            "<manufacturerURL>http://miniupnp.free.fr/</manufacturerURL>",
            "<modelDescription>MiniUPnP daemon</modelDescription><modelName>MiniUPnPd</modelName>",
            "<modelNumber>20221221</modelNumber><modelURL>http://miniupnp.free.fr/</modelURL>",
            "<serialNumber>00000000</serialNumber><UDN>uuid:3d3c5c2a-0000-4000-8000-000000000003</UDN>",
            "<UPC>000000000000</UPC><serviceList><service>",
            "<serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType>",
            "<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/WANIPCn.xml</SCPDURL>",
            "<controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL></service><service>",
            "<serviceType>urn:schemas-upnp-org:service:WANIPv6FirewallControl:1</serviceType>",
            "<serviceId>urn:upnp-org:serviceId:WANIPv6Firewall1</serviceId><SCPDURL>/WANIP6FC.xml</SCPDURL>",
            "<controlURL>/ctl/IP6FCtl</controlURL><eventSubURL>/evt/IP6FCtl</eventSubURL></service></serviceList>",
            "</device></deviceList></device></deviceList><presentationURL>http://198.51.100.254/</presentationURL>",
            "</device></root>",
        ].joined().utf8)

    /// `GetExternalIPAddress` → 200.
    static let externalAddressAnswer: [UInt8] = Array(
        [
            "<?xml version=\"1.0\"?>\r\n",
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><u:GetExternalIPAddressResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">",
            "<NewExternalIPAddress>100.128.0.1</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body>",
            "</s:Envelope>\r\n",
        ].joined().utf8)

    /// `AddPortMapping` (32380/TCP to 198.51.100.100:32380, lease 3600) → 200.
    static let addPortMappingAnswer: [UInt8] = Array(
        [
            "<?xml version=\"1.0\"?>\r\n",
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><u:AddPortMappingResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\"/></s:Body>",
            "</s:Envelope>\r\n",
        ].joined().utf8)

    /// `GetSpecificPortMappingEntry` for 32380/TCP after that → 200.
    static let portMappingEntryAnswer: [UInt8] = Array(
        [
            "<?xml version=\"1.0\"?>\r\n",
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><u:GetSpecificPortMappingEntryResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">",
            "<NewInternalPort>32380</NewInternalPort><NewInternalClient>198.51.100.100</NewInternalClient>",
            "<NewEnabled>1</NewEnabled><NewPortMappingDescription>default/web</NewPortMappingDescription>",
            "<NewLeaseDuration>3600</NewLeaseDuration></u:GetSpecificPortMappingEntryResponse></s:Body>",
            "</s:Envelope>\r\n",
        ].joined().utf8)

    /// `GetSpecificPortMappingEntry` for an unmapped port → 500, 714 NoSuchEntryInArray.
    static let noSuchEntryFault: [UInt8] = Array(
        [
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>",
            "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>714</errorCode>",
            "<errorDescription>NoSuchEntryInArray</errorDescription></UPnPError></detail></s:Fault></s:Body>",
            "</s:Envelope>",
        ].joined().utf8)

    /// `AddPortMapping` of 32380/TCP for another client (198.51.100.12) → 500, 718 ConflictInMappingEntry.
    static let conflictFault: [UInt8] = Array(
        [
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>",
            "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>718</errorCode>",
            "<errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault></s:Body>",
            "</s:Envelope>",
        ].joined().utf8)

    /// `AddPortMapping` of external port 80 (outside the `allow 1024-65535` rule) → 500, 606.
    static let notAuthorizedFault: [UInt8] = Array(
        [
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>",
            "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>606</errorCode>",
            "<errorDescription>Action not authorized</errorDescription></UPnPError></detail></s:Fault></s:Body>",
            "</s:Envelope>",
        ].joined().utf8)

    /// `DeletePortMapping` of 32380/TCP → 200.
    static let deletePortMappingAnswer: [UInt8] = Array(
        [
            "<?xml version=\"1.0\"?>\r\n",
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">",
            "<s:Body><u:DeletePortMappingResponse xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:2\">",
            "</u:DeletePortMappingResponse></s:Body></s:Envelope>\r\n",
        ].joined().utf8)

}
