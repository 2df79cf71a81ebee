#define _GNU_SOURCE
#include "CLinuxNet.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
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
