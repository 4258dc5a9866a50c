/*
 * UDP sockets on lwIP's raw API. A received datagram stays in its pbuf,
 * queued on the socket with its sender, until recvfrom() copies it out
 * (the rest of a datagram longer than the buffer is lost, as POSIX says);
 * a socket with SOCK_DGRAM_QUEUE_MAX datagrams waiting drops new ones, as
 * a full receive buffer does. Sending copies into a fresh pbuf: lwIP adds
 * the headers and fragments what is larger than the MTU.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include "sock.h"

/* the largest UDP payload in one IPv4 datagram (65535 - 20 - 8) */
#define SOCK_UDP_MAX 65507

static void sock_udp_recv_cb(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			     const ip_addr_t *addr, u16_t port)
{
	struct sock *s = arg;
	struct sock_dgram *d;

	if (!s || s->shut_rd || s->dq_count >= SOCK_DGRAM_QUEUE_MAX) {
		if (s)
			s->dq_dropped++;
		pbuf_free(p);
		return;
	}
	d = malloc(sizeof(*d));
	if (!d) {
		s->dq_dropped++;
		pbuf_free(p);
		return;
	}
	d->next = NULL;
	d->p = p;
	d->addr = ip4_addr_get_u32(ip_2_ip4(addr));
	d->port = port;
	if (s->dq_tail)
		s->dq_tail->next = d;
	else
		s->dq_head = d;
	s->dq_tail = d;
	s->dq_count++;
	s->dq_bytes += p->tot_len;
	sock_wake(s);
}

int sock_udp_open(struct sock *s)
{
	s->udp = udp_new();
	if (!s->udp)
		return -ENOMEM;
	udp_recv(s->udp, sock_udp_recv_cb, s);
	return 0;
}

static void sock_udp_sync(struct sock *s)
{
	s->laddr = ip4_addr_get_u32(ip_2_ip4(&s->udp->local_ip));
	s->lport = s->udp->local_port;
}

int sock_udp_bind(struct sock *s, uint32_t addr, uint16_t port)
{
	ip_addr_t ip = IPADDR4_INIT(addr);
	err_t err;

	if (s->reuseaddr)
		ip_set_option(s->udp, SOF_REUSEADDR);
	err = udp_bind(s->udp, &ip, port);
	if (err != ERR_OK)
		return -sock_errno_of(err);
	s->bound = true;
	sock_udp_sync(s);
	return 0;
}

int sock_udp_connect(struct sock *s, uint32_t addr, uint16_t port)
{
	ip_addr_t ip = IPADDR4_INIT(addr);
	err_t err;

	err = udp_connect(s->udp, &ip, port);
	if (err != ERR_OK)
		return -sock_errno_of(err);
	s->bound = s->connected = s->outgoing = true;
	s->raddr = addr;
	s->rport = port;
	sock_udp_sync(s);
	return 0;
}

ssize_t sock_udp_send(struct sock *s, const void *buf, size_t n,
		      const uint32_t *addr, uint16_t port)
{
	struct pbuf *p;
	err_t err;

	if (s->shut_wr)
		return -EPIPE;
	if (!addr && !s->connected)
		return -EDESTADDRREQ;
	if (n > SOCK_UDP_MAX)
		return -EMSGSIZE;
	p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	if (n)
		pbuf_take(p, buf, (u16_t)n);
	if (addr) {
		ip_addr_t ip = IPADDR4_INIT(*addr);

		err = udp_sendto(s->udp, p, &ip, port);
	} else {
		err = udp_send(s->udp, p);
	}
	pbuf_free(p);
	if (!s->bound) {
		s->bound = true;	/* udp_sendto chose a port */
		sock_udp_sync(s);
		sock_label(s);
	}
	if (err != ERR_OK)
		return -sock_errno_of(err);
	return (ssize_t)n;
}

ssize_t sock_udp_recv(struct sock *s, void *buf, size_t n, int flags,
		      bool nonblock, uint32_t *addr, uint16_t *port)
{
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	struct sock_dgram *d;
	size_t len;

	while (!s->dq_head) {
		if (s->shut_rd)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (waitq_wait_locked(&s->wq, &net_lock, deadline))
			return -EAGAIN;
	}
	d = s->dq_head;
	len = d->p->tot_len;
	*addr = d->addr;
	*port = d->port;
	pbuf_copy_partial(d->p, buf, (u16_t)(n < len ? n : len), 0);
	if (flags & MSG_PEEK)
		return (ssize_t)(flags & MSG_TRUNC ? len : (n < len ? n : len));
	s->dq_head = d->next;
	if (!s->dq_head)
		s->dq_tail = NULL;
	s->dq_count--;
	s->dq_bytes -= (uint32_t)len;
	pbuf_free(d->p);
	free(d);
	/* MSG_TRUNC: the datagram's real length, as on Linux */
	return (ssize_t)(flags & MSG_TRUNC ? len : (n < len ? n : len));
}

short sock_udp_poll(struct sock *s)
{
	short r = POLLOUT;

	if (s->dq_head || s->shut_rd)
		r |= POLLIN;
	if (s->err)
		r |= POLLERR;
	return r;
}

void sock_udp_close(struct sock *s)
{
	while (s->dq_head) {
		struct sock_dgram *d = s->dq_head;

		s->dq_head = d->next;
		pbuf_free(d->p);
		free(d);
	}
	s->dq_tail = NULL;
	s->dq_count = s->dq_bytes = 0;
	if (s->udp) {
		udp_recv(s->udp, NULL, NULL);
		udp_remove(s->udp);
		s->udp = NULL;
	}
}
