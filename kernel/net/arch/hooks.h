/*
 * lwIP's hooks (lwip/opt.h, "Hooks"), included by lwIP's sources through
 * LWIP_HOOK_FILENAME: the functions of Minnow's that lwIP calls at the
 * points it leaves open. Defined in net/net.c.
 */
#ifndef MINNOW_LWIP_ARCH_HOOKS_H
#define MINNOW_LWIP_ARCH_HOOKS_H

#include "lwip/ip_addr.h"

/* TCP's initial sequence number for a connection (RFC 6528) */
u32_t net_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
		  const ip_addr_t *remote_ip, u16_t remote_port);

#endif
