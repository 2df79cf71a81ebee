#ifndef KUBE_VIP_CLINUXNET_H
#define KUBE_VIP_CLINUXNET_H
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>

/// Creates a socket inside the network namespace `namespace_fd` (an open /var/run/netns/NAME) and
/// returns the calling thread to its own namespace before returning; -1 with errno on failure.
/// A socket stays in the namespace it was created in, so this is all a per-namespace driver needs,
/// and doing it in one C call keeps the thread from ever running Swift code in the wrong namespace.
/// With `namespace_fd` < 0 it is a plain socket() call.
/// Flags Swift does not import from glibc's enums once the kernel headers are in the same build.
static const int clinuxnet_sock_raw = SOCK_RAW;
static const int clinuxnet_sock_cloexec = SOCK_CLOEXEC;
static const int clinuxnet_msg_dontwait = MSG_DONTWAIT;

int clinuxnet_socket_in_namespace(int namespace_fd, int domain, int type, int protocol);

/// Attaches a classic BPF program to an AF_PACKET socket that keeps only IPv4 UDP datagrams to port 68 (not
/// later fragments), so a DHCP client's socket on a busy macvlan is not handed every packet of the traffic it
/// carries. 0, or -1 with errno.
int clinuxnet_attach_dhcp_client_filter(int fd);

#endif
