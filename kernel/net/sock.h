/*
 * What the files of kernel/net share and nothing else sees: the lock every
 * lwIP call is made under, the link to the card, and the socket object
 * behind a "socket" descriptor. lwIP runs with NO_SYS=1: it has no locks of
 * its own, so every call into it (socket calls from any thread, frames and
 * timers in the "net" thread) holds net_lock, a spinlock with interrupts
 * off. A thread that must wait (for data, a connection, send space) sleeps
 * on its socket's wait queue with waitq_wait_locked(), which drops
 * net_lock once the thread is queued; lwIP's callbacks, run under the same
 * lock, change the socket and wake the queue, so no wake-up is lost.
 */
#ifndef MINNOW_NET_SOCK_H
#define MINNOW_NET_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <kernel/spinlock.h>
#include <kernel/waitq.h>

struct file;
struct netdev;
struct pbuf;
struct tcp_pcb;
struct udp_pcb;
struct sockaddr;

/* net/net.c: the lock, the thread, start-up */
extern struct spinlock net_lock;
uint64_t net_lock_take(void);
/* Drops net_lock; wakes the net thread if lwIP now has a timer due before
 * the thread meant to wake (a connect started, a delayed ACK queued). */
void net_lock_give(uint64_t flags);
/* Waits until the interface has an address or deadline_ns: 0, -ETIMEDOUT. */
int net_wait_up(uint64_t deadline_ns);
/* The interface's address came or changed (net_link.c tells net.c). */
void net_up_changed(void);

/* net/net_link.c: lwIP's netif over the card; all under net_lock */
int net_link_setup(struct netdev *nd);
/* Feeds at most max received frames to lwIP; returns how many. */
int net_link_input(int max);
/* Sends frames queued for want of a transmit slot; true if some remain. */
bool net_link_flush(void);
/* Frames wait for a slot and one is free (interrupts off, no lock). */
bool net_link_tx_ready(void);

/* net/net_view.c: refreshes net_socks[] (kernel/net.h); after a read,
 * only the reader's entry */
void net_view_refresh(void);
struct sock;
void net_view_read(struct sock *s);
/* net/timewait.c: frees the oldest TIME_WAIT connections past the cap */
void net_timewait_trim(void);

/* A datagram waiting in a UDP socket. */
struct sock_dgram {
	struct sock_dgram *next;
	struct pbuf *p;
	uint32_t addr;		/* sender, network order */
	uint16_t port;		/* host order */
};

/* Datagrams a UDP socket keeps for reading before it drops new ones */
#define SOCK_DGRAM_QUEUE_MAX 128

struct sock {
	struct file *file;	/* NULL while it waits in an accept queue */
	int fd;			/* the descriptor it was first given */
	int type;		/* SOCK_STREAM, SOCK_DGRAM */
	struct tcp_pcb *tcp;	/* NULL once lwIP freed it (reset, closed) */
	struct udp_pcb *udp;
	struct waitq wq;	/* readers, writers, acceptors, connectors */
	int err;		/* pending error, a positive errno (SO_ERROR) */
	bool bound, listening, connecting, connected, outgoing;
	bool rd_eof;		/* the peer's FIN arrived */
	bool shut_rd, shut_wr;
	bool reuseaddr, nodelay, keepalive;
	bool linger_abort;	/* SO_LINGER {1, 0}: close() resets */
	/* TCP: received data not read yet, pbufs linked by ->next (each its
	 * own, not one lwIP chain: a chain's tot_len has 16 bits) */
	struct pbuf *rx_head, *rx_tail;
	uint32_t rx_off;	/* bytes of rx_head already read */
	uint32_t rx_bytes;
	/* UDP: datagrams waiting, oldest first */
	struct sock_dgram *dq_head, *dq_tail;
	uint32_t dq_count, dq_bytes, dq_dropped;
	/* LISTEN: connections lwIP accepted, waiting for accept() */
	struct sock *aq_head, *aq_tail, *aq_next;
	uint32_t aq_count, backlog;
	/* addresses, kept after the pcb is gone (getpeername, labels) */
	uint32_t laddr, raddr;	/* network order */
	uint16_t lport, rport;	/* host order */
	uint64_t rcvtimeo_ns, sndtimeo_ns;	/* 0: wait forever */
	uint32_t nrtx_seen, retransmits;
};

/* net/socket.c */
extern const struct file_ops sock_file_ops;
/* -errno to -1 with errno set; other values as they are */
long sock_ret(long r);
/* The socket behind fd with a reference to its file (file_put it), or
 * NULL with *err -EBADF or -ENOTSOCK. */
struct sock *sock_get(int fd, struct file **fp, int *err);
/* Gives s a file and the lowest free descriptor: the fd or -errno. */
int sock_install(struct sock *s, int fd_flags);
struct sock *sock_new(int type);
void sock_free(struct sock *s);
/* Wakes the socket's waiters and poll(). Under net_lock. */
void sock_wake(struct sock *s);
/* Writes the descriptor's label ("tcp 10.0.2.15:7 <- 10.0.2.2:5123"). */
void sock_label(struct sock *s);
/* Deadline for a wait of timeout_ns from now (0: none). */
uint64_t sock_deadline(uint64_t timeout_ns);
/* A struct sockaddr_in for (addr, port): how many bytes *len allowed. */
void sock_put_addr(struct sockaddr *sa, unsigned int *len, uint32_t addr,
		   uint16_t port);
/* The IPv4 address and port of a sockaddr: 0 or -EINVAL/-EAFNOSUPPORT. */
int sock_get_addr(const struct sockaddr *sa, unsigned int len,
		  uint32_t *addr, uint16_t *port);
int sock_errno_of(int lwip_err);

/* net/socket_tcp.c: the TCP half, under net_lock */
int sock_tcp_open(struct sock *s);
int sock_tcp_bind(struct sock *s, uint32_t addr, uint16_t port);
int sock_tcp_listen(struct sock *s, int backlog);
/* The next connection (a new sock with its file and descriptor): the fd,
 * or -errno. *flags is net_lock's saved state (waits may drop the lock). */
int sock_tcp_accept(struct sock *s, bool nonblock, int fd_flags);
int sock_tcp_connect(struct sock *s, uint32_t addr, uint16_t port,
		     bool nonblock);
ssize_t sock_tcp_send(struct sock *s, const void *buf, size_t n, int flags,
		      bool nonblock);
ssize_t sock_tcp_recv(struct sock *s, void *buf, size_t n, int flags,
		      bool nonblock);
int sock_tcp_shutdown(struct sock *s, int how);
short sock_tcp_poll(struct sock *s);
void sock_tcp_close(struct sock *s);
void sock_tcp_sync(struct sock *s);	/* addresses from the pcb */

/* net/socket_udp.c: the UDP half, under net_lock */
int sock_udp_open(struct sock *s);
int sock_udp_bind(struct sock *s, uint32_t addr, uint16_t port);
int sock_udp_connect(struct sock *s, uint32_t addr, uint16_t port);
ssize_t sock_udp_send(struct sock *s, const void *buf, size_t n,
		      const uint32_t *addr, uint16_t port);
ssize_t sock_udp_recv(struct sock *s, void *buf, size_t n, int flags,
		      bool nonblock, uint32_t *addr, uint16_t *port);
short sock_udp_poll(struct sock *s);
void sock_udp_close(struct sock *s);

#endif
