/*
 * TIME_WAIT, bounded. A server that closes first (HTTP with
 * "Connection: close") leaves each connection in TIME_WAIT for 2 MSL, and
 * lwIP keeps those on one list that tcp_input walks for every segment no
 * active connection claims. With lwIP's memory from the heap
 * (MEMP_MEM_MALLOC, lwipopts.h) nothing bounds that list: the web
 * benchmark's close-per-request run left one pcb per request, thousands
 * of them, and fell from 281 to 10 requests a second. lwIP recycles
 * TIME_WAIT pcbs only when a pool runs dry, which a heap never does here.
 *
 * Two remedies, as Linux has them:
 * - a cap (Linux's tcp_max_tw_buckets): past NET_TIMEWAIT_MAX the oldest
 *   are freed; lwIP puts new ones at the head of tcp_tw_pcbs, so the
 *   oldest are at its tail.
 * - a new SYN on a connection in TIME_WAIT opens a new connection when its
 *   sequence number is past what the old one received (Linux without
 *   timestamps; RFC 6191 says the same with them). QEMU's user network
 *   keeps the host client's source port, so a host that reuses ports soon
 *   sends such SYNs; lwIP alone answers them with a reset (in window) or
 *   an ACK. The old pcb is freed before lwIP looks, so the SYN reaches the
 *   listener. This runs from lwIP's IPv4 input hook, on the frame before
 *   TCP checks its checksum: a corrupted frame could at worst end one
 *   TIME_WAIT early, which is what the cap does anyway.
 *
 * The counters are plain data for the debugger (net_timewait, kernel/net.h).
 * Everything here runs under net_lock.
 */
#include <kernel/net.h>
#include "lwip/ip4.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "sock.h"

/* TIME_WAIT connections kept (lwipopts.h's MEMP_NUM_TCP_PCB) */
#define NET_TIMEWAIT_MAX 1024

struct net_timewait net_timewait = { .max = NET_TIMEWAIT_MAX };

void net_timewait_trim(void)
{
	struct tcp_pcb *pcb = tcp_tw_pcbs, *next;
	uint32_t n = 0;

	while (pcb && n < NET_TIMEWAIT_MAX) {
		pcb = pcb->next;
		n++;
	}
	/* pcb is the first past the cap: it and the older ones go */
	for (; pcb; pcb = next) {
		next = pcb->next;
		tcp_abort(pcb);	/* a TIME_WAIT pcb is freed, no reset sent */
		net_timewait.recycled++;
	}
	net_timewait.count = n;
}

int net_timewait_syn(struct pbuf *p, struct netif *inp)
{
	const struct ip_hdr *ip = p->payload;
	const struct tcp_hdr *th;
	struct tcp_pcb *pcb;
	uint16_t ihl;

	(void)inp;
	if (p->len < IP_HLEN || IPH_V(ip) != 4 || IPH_PROTO(ip) != IP_PROTO_TCP)
		return 0;
	/* a fragment's first bytes are not necessarily a TCP header */
	if (lwip_ntohs(IPH_OFFSET(ip)) & (IP_OFFMASK | IP_MF))
		return 0;
	ihl = IPH_HL_BYTES(ip);
	if (p->len < ihl + TCP_HLEN)
		return 0;
	th = (const struct tcp_hdr *)((const uint8_t *)ip + ihl);
	if ((TCPH_FLAGS(th) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return 0;
	for (pcb = tcp_tw_pcbs; pcb; pcb = pcb->next) {
		if (pcb->local_port != lwip_ntohs(th->dest) ||
		    pcb->remote_port != lwip_ntohs(th->src) ||
		    ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip)) !=
			    ip->src.addr ||
		    ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip)) !=
			    ip->dest.addr)
			continue;
		if (TCP_SEQ_GT(lwip_ntohl(th->seqno), pcb->rcv_nxt)) {
			tcp_abort(pcb);
			net_timewait.reused++;
		}
		break;
	}
	return 0;	/* lwIP goes on with the frame */
}
