#ifndef KUBE_VIP_CNETLINK_SHIM_H
#define KUBE_VIP_CNETLINK_SHIM_H
// libmnl and the rtnetlink definitions the Linux network driver uses (links, addresses, their notifications).
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_arp.h>
#include <linux/if.h>
#endif
