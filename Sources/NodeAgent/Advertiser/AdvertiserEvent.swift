import NetworkAddresses
import NetworkDriver
import NetworkFrames

/// What an advertiser tells its supervisor, for status, Events and health.
enum AdvertiserEvent: Sendable, Hashable {
    /// The address is on the link and its first announcement went out (again after a re-add).
    case held(IPAddress, link: NetworkLink)
    /// Another host answered for the address while probing; it is not added. Reported once per episode:
    /// the advertiser keeps probing quietly until the address is free.
    case conflict(IPAddress, owner: MACAddress, link: NetworkLink)
    /// No usable link for the address; retried every period. Reported again only when the reason changes.
    case noLink(IPAddress, reason: String)
    /// A driver call failed; the advertiser retries after a period.
    case failed(IPAddress, reason: String)
    /// `run()` has ended and the address is no longer on any link.
    case released(IPAddress)
}
