import Testing

/// The suites whose tests start long-lived children (`kubectl get -w`, `kube-vip dev`) run one test at a time.
///
/// Foundation's `Pipe` leaves both ends inheritable, so a child spawned while another test's kubectl runs keeps
/// a copy of that kubectl's output pipe, and the other test never sees the end of its output while the
/// long-lived child lives. In full parallel runs this made kubectl waits take 60 s (the safety timeout) or
/// hang. Serialising these suites keeps every long-lived child alone with the children of its own test.
@Suite(.serialized)
struct ChildProcessSuites {}
