#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process can start with SIGTERM and SIGINT blocked (a parent's mask is inherited across exec; Foundation's
/// `Process` leaves almost every signal blocked). Graceful shutdown must not depend on the parent.
enum SignalMask {
    static func unblockTerminationSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
