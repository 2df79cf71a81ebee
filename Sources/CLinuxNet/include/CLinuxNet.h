#ifndef KUBE_VIP_CLINUXNET_H
#define KUBE_VIP_CLINUXNET_H
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#endif
