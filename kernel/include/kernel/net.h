/*
 * The TCP/IP stack's state as a debugger reads it (the Kernel view,
 * minnow/kernelInfo): a table of the sockets and the connections lwIP
 * holds, and the interface's address and counters. Plain data, kept
 * current by kernel/net (net/net_view.c refreshes the socket table after
 * every batch of frames, timer tick and socket call that changes a
 * connection); nothing here needs a call to read. The field names are a
 * contract with the debug adapter: add fields after the ones listed, never
 * rename or reorder them.
 */
#ifndef KERNEL_NET_H
#define KERNEL_NET_H

#include <stdint.h>

#define NET_SOCK_MAX 64

/* One socket or connection. Entries with used == 0 are free; the used
 * ones come first: listeners, then connections, then UDP. */
struct net_sock {
	int used;
	int fd;			/* the descriptor it was opened as; -1: closed
				 * (a connection lwIP still finishes, TIME_WAIT) */
	int type;		/* SOCK_STREAM 1, SOCK_DGRAM 2 */
	const char *state;	/* "LISTEN", "ESTABLISHED", "TIME_WAIT", "UDP"... */
	uint32_t laddr, raddr;	/* network order */
	uint16_t lport, rport;	/* host order */
	uint32_t rx_queued;	/* bytes received, not read yet */
	uint32_t tx_queued;	/* bytes written, not acknowledged yet */
	uint32_t retransmits;	/* segments sent again (lwIP's nrtx, summed) */
	uint32_t backlog;	/* LISTEN: connections waiting for accept() */
	uint32_t backlog_max;	/* LISTEN: listen()'s backlog */
	uint32_t snd_wnd;	/* the peer's window, bytes */
	uint32_t rcv_wnd;	/* the window we offer, bytes */
	uint32_t mss;
};

extern struct net_sock net_socks[NET_SOCK_MAX];
/* sockets and connections past NET_SOCK_MAX, not in the table */
extern uint32_t net_socks_unlisted;

/* The network interface (the first card), as DHCP or minnow.json set it. */
struct net_iface {
	int up;			/* has an address */
	uint8_t mac[6];
	uint32_t addr, mask, gw, dns;	/* network order */
	uint16_t mtu;
	uint64_t rx_frames, tx_frames, rx_bytes, tx_bytes, rx_dropped,
		tx_dropped;
	uint32_t tx_queued;	/* frames waiting for a free transmit slot */
	const char *config;	/* "dhcp", "static", or "none" (no card) */
};

extern struct net_iface net_iface0;

/* TCP connections in TIME_WAIT (net/timewait.c): how many, and how many
 * ended early, past the cap or taken over by a new connection's SYN. */
struct net_timewait {
	uint32_t count;		/* in TIME_WAIT now */
	uint32_t max;		/* the cap */
	uint64_t recycled;	/* the oldest, freed past the cap */
	uint64_t reused;	/* freed for a new SYN on the same four numbers */
};

extern struct net_timewait net_timewait;

#endif
