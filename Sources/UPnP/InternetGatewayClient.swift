import NetworkAddresses

/// `InternetGatewayControl` over a `UPnPNetwork`: SSDP discovery, device descriptions and SOAP actions
/// for WANIPConnection:2/:1 and WANPPPConnection:1.
///
/// Stateless: caching the gateway is `GatewayCache`'s job. Every call throws `UPnPFailure` (or
/// `CancellationError` when its task is cancelled).
public struct InternetGatewayClient: InternetGatewayControl {
    public struct Settings: Sendable, Hashable {
        /// How long discovery listens for answers after its first M-SEARCH.
        public var searchTimeout: Duration
        /// `MX` of the M-SEARCHes, in seconds.
        public var searchMaximumWait: Int
        /// How often each M-SEARCH is sent (UDP may drop one), `searchResendDelay` apart.
        public var searchRepeats: Int
        public var searchResendDelay: Duration
        /// At most this many distinct description URLs are fetched per discovery, so that a LAN peer
        /// answering with endless locations cannot keep discovery busy.
        public var maximumDescriptions: Int
        /// Per HTTP exchange (description fetch or SOAP action).
        public var requestTimeout: Duration
        /// Longer description or SOAP answers are refused (`UPnPNetworkError.responseTooLarge`).
        public var maxResponseBytes: Int
        /// `USER-AGENT` of the M-SEARCHes.
        public var userAgent: String?

        public init(
            searchTimeout: Duration = .seconds(3), searchMaximumWait: Int = 1, searchRepeats: Int = 2,
            searchResendDelay: Duration = .milliseconds(250), maximumDescriptions: Int = 8,
            requestTimeout: Duration = .seconds(5), maxResponseBytes: Int = 256 * 1024,
            userAgent: String? = "Linux UPnP/1.1 kube-vip"
        ) {
            self.searchTimeout = searchTimeout
            self.searchMaximumWait = searchMaximumWait
            self.searchRepeats = searchRepeats
            self.searchResendDelay = searchResendDelay
            self.maximumDescriptions = maximumDescriptions
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
        }
    }

    public let network: any UPnPNetwork
    public let settings: Settings

    public init(network: any UPnPNetwork, settings: Settings = Settings()) {
        self.network = network
        self.settings = settings
    }

    // MARK: Discovery

    /// What the search loop hears from the concurrent searches.
    private enum SearchEvent: Sendable {
        case answer(SSDPDatagram)
        case failed(any Error)
    }

    public func discover(interface: String, source: IPAddress?) async throws -> InternetGateway {
        let (events, continuation) = AsyncStream<SearchEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let settings = self.settings
        let network = self.network
        let requests = WANConnectionService.all.map { serviceType in
            SSDPSearchRequest(
                searchTarget: serviceType, maximumWait: settings.searchMaximumWait, userAgent: settings.userAgent
            ).bytes
        }
        let repeats = max(settings.searchRepeats, 1)

        return try await withThrowingTaskGroup(of: Void.self, returning: InternetGateway.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { searches in
                    for attempt in 0..<repeats {
                        let delay = settings.searchResendDelay * attempt
                        for request in requests {
                            searches.addTask {
                                if attempt > 0 {
                                    // Not synchronisation: the resend timer of an unreliable protocol.
                                    guard (try? await Task.sleep(for: delay)) != nil else { return }
                                }
                                do {
                                    let answers = network.search(
                                        request, interface: interface, source: source,
                                        timeout: max(settings.searchTimeout - delay, .zero))
                                    for try await datagram in answers {
                                        continuation.yield(.answer(datagram))
                                    }
                                } catch {
                                    continuation.yield(.failed(error))
                                }
                            }
                        }
                    }
                }
                continuation.finish()
            }
            defer { group.cancelAll() }

            // Descriptions are fetched one after another; a device that accepts connections and never
            // answers must not stretch discovery by a request timeout per LOCATION.
            var attempts = DiscoveryLog(deadline: .now + settings.searchTimeout + settings.requestTimeout)
            for await event in events {
                switch event {
                case .failed(let error):
                    if error is CancellationError { continue }
                    attempts.searchErrors.append(error)
                case .answer(let datagram):
                    if let gateway = try await gateway(answering: datagram, source: source, log: &attempts) {
                        return gateway
                    }
                }
            }
            try Task.checkCancellation()
            throw attempts.failure(interface: interface, timeout: settings.searchTimeout)
        }
    }

    /// What discovery saw, for the reason when it finds nothing.
    private struct DiscoveryLog {
        var deadline: ContinuousClock.Instant
        var searchErrors: [any Error] = []
        var answers = 0
        var locations: Set<HTTPLocation> = []
        var problems: [String] = []

        mutating func note(_ problem: String) {
            if problems.count < 8 { problems.append(problem) }
        }

        func failure(interface: String, timeout: Duration) -> UPnPFailure {
            if answers == 0, let error = searchErrors.first {
                if let networkError = error as? UPnPNetworkError { return .network(networkError) }
                return .noGateway("searching on \(interface) failed: \(error)")
            }
            let searched =
                "searched \(interface) for WANIPConnection:2, WANIPConnection:1 and WANPPPConnection:1 for \(timeout)"
            if answers == 0 { return .noGateway("\(searched): no answer") }
            return .noGateway("\(searched): \(answers) answer(s), none usable: \(problems.joined(separator: "; "))")
        }
    }

    /// The gateway behind an SSDP answer, if it is a new, usable one. Problems are logged, not thrown:
    /// one broken device on the LAN must not hide the real gateway.
    private func gateway(
        answering datagram: SSDPDatagram, source: IPAddress?, log: inout DiscoveryLog
    ) async throws -> InternetGateway? {
        log.answers += 1
        let answer: SSDPResponse
        do {
            answer = try SSDPResponse(decoding: datagram.bytes)
        } catch {
            log.note("\(datagram.sender): \(error)")
            return nil
        }
        let location: HTTPLocation
        do {
            location = try HTTPLocation(parsing: answer.location)
        } catch {
            log.note("\(datagram.sender): LOCATION \(answer.location.prefix(100)): \(error)")
            return nil
        }
        guard !log.locations.contains(location) else { return nil }
        guard log.locations.count < settings.maximumDescriptions else {
            log.note("\(location): not fetched, already fetched \(settings.maximumDescriptions) descriptions")
            return nil
        }
        let remaining = log.deadline - .now
        guard remaining > .zero else {
            log.note("\(location): not fetched, discovery ran out of time")
            return nil
        }
        log.locations.insert(location)

        let response: HTTPResponse
        do {
            response = try await network.send(
                HTTPRequest(method: "GET", target: location.target), to: location.endpoint, source: source,
                timeout: min(settings.requestTimeout, remaining))
        } catch let error as UPnPNetworkError {
            log.note("\(location): \(error)")
            return nil
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            log.note("\(location): \(error)")
            return nil
        }
        guard response.status == 200 else {
            log.note("\(location): HTTP \(response.status)")
            return nil
        }
        guard response.body.count <= settings.maxResponseBytes else {
            log.note("\(location): \(UPnPNetworkError.responseTooLarge(limit: settings.maxResponseBytes))")
            return nil
        }
        let description: DeviceDescription
        do {
            description = try DeviceDescription(parsing: response.body, location: location)
        } catch {
            log.note("\(location): \(error)")
            return nil
        }
        guard let service = description.preferred else {
            let unusable = description.unusable.isEmpty ? "" : " (\(description.unusable.joined(separator: ", ")))"
            log.note("\(location): no usable WAN connection service\(unusable)")
            return nil
        }
        return InternetGateway(
            serviceType: service.serviceType, control: service.control.endpoint, controlPath: service.control.target,
            descriptionLocation: answer.location)
    }

    // MARK: Actions

    public func externalAddress(of gateway: InternetGateway, source: IPAddress?) async throws -> IPAddress {
        let answer = try await perform("GetExternalIPAddress", [], on: gateway, source: source)
        guard let text = answer.value(of: "NewExternalIPAddress") else {
            throw UPnPFailure.malformed("GetExternalIPAddress answer without NewExternalIPAddress")
        }
        let trimmed = text.trimmingASCIIWhitespace
        guard !trimmed.isEmpty else {
            throw UPnPFailure.malformed("the gateway has no external address (empty NewExternalIPAddress)")
        }
        guard case .success(let address) = IPAddress.parse(trimmed) else {
            throw UPnPFailure.malformed("NewExternalIPAddress \"\(trimmed.prefix(64))\" is not an IP address")
        }
        return address
    }

    public func addPortMapping(_ mapping: PortMapping, on gateway: InternetGateway, source: IPAddress?) async throws {
        _ = try await perform(
            "AddPortMapping",
            [
                // The empty string is the IGD wildcard for "any remote host" ("0.0.0.0" is not, per the spec).
                SOAPArgument("NewRemoteHost", ""),
                SOAPArgument("NewExternalPort", String(mapping.externalPort)),
                SOAPArgument("NewProtocol", mapping.protocol.rawValue),
                SOAPArgument("NewInternalPort", String(mapping.internalPort)),
                SOAPArgument("NewInternalClient", mapping.internalClient.description),
                SOAPArgument("NewEnabled", mapping.enabled ? "1" : "0"),
                SOAPArgument("NewPortMappingDescription", mapping.description),
                SOAPArgument("NewLeaseDuration", String(mapping.leaseDuration)),
            ], on: gateway, source: source)
    }

    public func portMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    ) async throws -> PortMapping? {
        let answer: [SOAPArgument]
        do {
            answer = try await perform(
                "GetSpecificPortMappingEntry", Self.entryArguments(externalPort, `protocol`), on: gateway,
                source: source)
        } catch UPnPFailure.fault(let error) where error.code == UPnPError.noSuchEntryInArray {
            return nil
        }
        func required(_ name: String) throws -> Substring {
            guard let value = answer.value(of: name) else {
                throw UPnPFailure.malformed("GetSpecificPortMappingEntry answer without \(name)")
            }
            return value.trimmingASCIIWhitespace
        }
        func invalid(_ name: String, _ value: Substring) -> UPnPFailure {
            .malformed("GetSpecificPortMappingEntry: \(name) \"\(value.prefix(64))\" is not valid")
        }
        let portText = try required("NewInternalPort")
        guard let internalPort = String.parseDecimal(portText, as: UInt16.self) else {
            throw invalid("NewInternalPort", portText)
        }
        let clientText = try required("NewInternalClient")
        guard case .success(let client) = IPAddress.parse(clientText) else {
            throw invalid("NewInternalClient", clientText)
        }
        let enabledText = try required("NewEnabled")
        let enabled: Bool
        switch enabledText.lowercased() {
        case "1", "true", "yes": enabled = true
        case "0", "false", "no": enabled = false
        default: throw invalid("NewEnabled", enabledText)
        }
        let leaseText = try required("NewLeaseDuration")
        guard let lease = String.parseDecimal(leaseText, as: UInt32.self) else {
            throw invalid("NewLeaseDuration", leaseText)
        }
        return PortMapping(
            externalPort: externalPort, protocol: `protocol`, internalClient: client, internalPort: internalPort,
            description: answer.value(of: "NewPortMappingDescription") ?? "", leaseDuration: lease,
            enabled: enabled)
    }

    public func deletePortMapping(
        externalPort: UInt16, protocol: PortMappingProtocol, on gateway: InternetGateway, source: IPAddress?
    ) async throws {
        do {
            _ = try await perform(
                "DeletePortMapping", Self.entryArguments(externalPort, `protocol`), on: gateway, source: source)
        } catch UPnPFailure.fault(let error) where error.code == UPnPError.noSuchEntryInArray {
            // Already gone: what deleting wanted.
        }
    }

    private static func entryArguments(_ externalPort: UInt16, _ protocol: PortMappingProtocol) -> [SOAPArgument] {
        [
            SOAPArgument("NewRemoteHost", ""),
            SOAPArgument("NewExternalPort", String(externalPort)),
            SOAPArgument("NewProtocol", `protocol`.rawValue),
        ]
    }

    /// One SOAP exchange: the out arguments, or the failure. A fault is a `.fault` whatever the HTTP status;
    /// a non-200 status without one is `.httpStatus`.
    func perform(
        _ action: String, _ arguments: [SOAPArgument], on gateway: InternetGateway, source: IPAddress?
    ) async throws -> [SOAPArgument] {
        let request = SOAPRequest(serviceType: gateway.serviceType, action: action, arguments: arguments)
        let response: HTTPResponse
        do {
            response = try await network.send(
                request.httpRequest(target: gateway.controlPath), to: gateway.control, source: source,
                timeout: settings.requestTimeout)
        } catch let error as UPnPNetworkError {
            throw UPnPFailure.network(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw UPnPFailure.network(.connection("\(error)"))
        }
        guard response.body.count <= settings.maxResponseBytes else {
            throw UPnPFailure.network(.responseTooLarge(limit: settings.maxResponseBytes))
        }
        let decoded: SOAPResponse
        do {
            decoded = try SOAPResponse(decoding: response.body, action: action)
        } catch {
            if response.status != 200 { throw UPnPFailure.httpStatus(response.status) }
            throw UPnPFailure.malformed("\(action): \(error)")
        }
        switch decoded {
        case .fault(let error):
            throw UPnPFailure.fault(error)
        case .success(let answer):
            guard response.status == 200 else { throw UPnPFailure.httpStatus(response.status) }
            return answer
        }
    }
}
