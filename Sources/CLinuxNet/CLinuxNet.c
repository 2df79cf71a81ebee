#define _GNU_SOURCE
#include "CLinuxNet.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <linux/filter.h>
#include <unistd.h>

int clinuxnet_socket_in_namespace(int namespace_fd, int domain, int type, int protocol) {
    if (namespace_fd < 0) {
        return socket(domain, type, protocol);
    }
    int original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original < 0) {
        return -1;
    }
    if (setns(namespace_fd, CLONE_NEWNET) != 0) {
        int saved = errno;
        close(original);
        errno = saved;
        return -1;
    }
    int fd = socket(domain, type, protocol);
    int saved = errno;
    if (setns(original, CLONE_NEWNET) != 0) {
        // The thread (possibly one of Swift's shared executor threads) would keep running in
        // the wrong namespace and silently misdirect everything it does afterwards.
        abort();
    }
    close(original);
    errno = saved;
    return fd;
}

int clinuxnet_attach_dhcp_client_filter(int fd) {
    // Offsets are from the start of the Ethernet header (SOCK_RAW).
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),              // EtherType
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0800, 0, 8),   //   IPv4, else drop
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),              // IPv4 protocol
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 6),       //   UDP, else drop
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),              // flags and fragment offset
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),  //   a later fragment has no UDP header: drop
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),             // X = IPv4 header length
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),              // UDP destination port (14 + X + 2)
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 0, 1),       //   68, else drop
        BPF_STMT(BPF_RET | BPF_K, 0x40000),                  // keep the whole frame
        BPF_STMT(BPF_RET | BPF_K, 0),                        // drop
    };
    struct sock_fprog program = {
        .len = (unsigned short)(sizeof(code) / sizeof(code[0])),
        .filter = code,
    };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof(program));
}
