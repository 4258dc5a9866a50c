/*
 * lwIP's hooks (lwip/opt.h, "Hooks"), included by lwIP's sources through
 * LWIP_HOOK_FILENAME: the functions of Minnow's that lwIP calls at the
 * points it leaves open. Defined in net/net.c and net/timewait.c.
 */
#ifndef MINNOW_LWIP_ARCH_HOOKS_H
#define MINNOW_LWIP_ARCH_HOOKS_H

#include "lwip/ip_addr.h"

/* TCP's initial sequence number for a connection (RFC 6528) */
u32_t net_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
		  const ip_addr_t *remote_ip, u16_t remote_port);

struct pbuf;
struct netif;
/* every IPv4 frame before lwIP takes it: a SYN on a connection in
 * TIME_WAIT ends that one first (net/timewait.c); 0 lets lwIP go on */
int net_timewait_syn(struct pbuf *p, struct netif *inp);

#endif
