/*
 * TCP sockets on lwIP's raw API. lwIP calls back (under net_lock, from the
 * net thread or from within a socket call) when data, an acknowledgement,
 * a connection or an error arrives; the callbacks only change the struct
 * sock and wake its queue, and the socket calls do the rest in the
 * caller's thread. Received data stays in lwIP's pbufs until read, and
 * the window opens (tcp_recved) only as the application reads, so a slow
 * reader slows the sender as TCP means it to. A pcb lwIP frees (reset,
 * retries exhausted) is forgotten in the error callback; the socket keeps
 * its addresses and reports the error once.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <kernel/file.h>
#include "lwip/tcp.h"
#include "sock.h"

/* lwIP's tcp_recved() and tcp_write() take 16-bit lengths */
#define SOCK_TCP_CHUNK 0xffff

static err_t sock_tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			      err_t err);
static err_t sock_tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len);
static void sock_tcp_err_cb(void *arg, err_t err);

static void sock_tcp_attach(struct sock *s, struct tcp_pcb *pcb)
{
	s->tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, sock_tcp_recv_cb);
	tcp_sent(pcb, sock_tcp_sent_cb);
	tcp_err(pcb, sock_tcp_err_cb);
	if (s->nodelay)
		tcp_nagle_disable(pcb);
	if (s->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	if (s->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
}

/* lwIP will not call back into s again: before a close or an abort */
static void sock_tcp_detach(struct sock *s)
{
	struct tcp_pcb *pcb = s->tcp;

	if (!pcb)
		return;
	tcp_arg(pcb, NULL);
	if (pcb->state != LISTEN) {
		tcp_recv(pcb, NULL);	/* lwIP's tcp_recv_null: drop, ack */
		tcp_sent(pcb, NULL);
		tcp_err(pcb, NULL);
	} else {
		tcp_accept(pcb, NULL);
	}
	s->tcp = NULL;
}

void sock_tcp_sync(struct sock *s)
{
	if (!s->tcp)
		return;
	s->laddr = ip4_addr_get_u32(ip_2_ip4(&s->tcp->local_ip));
	s->lport = s->tcp->local_port;
	if (s->tcp->state != LISTEN) {
		s->raddr = ip4_addr_get_u32(ip_2_ip4(&s->tcp->remote_ip));
		s->rport = s->tcp->remote_port;
	}
}

static void sock_tcp_rx_free(struct sock *s)
{
	struct pbuf *p = s->rx_head;

	while (p) {
		struct pbuf *next = p->next;

		p->next = NULL;
		pbuf_free(p);
		p = next;
	}
	s->rx_head = s->rx_tail = NULL;
	s->rx_bytes = s->rx_off = 0;
}

static err_t sock_tcp_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
			      err_t err)
{
	struct sock *s = arg;
	struct pbuf *q;

	if (!p) {
		s->rd_eof = true;	/* the peer's FIN */
		sock_wake(s);
		return ERR_OK;
	}
	if (s->shut_rd) {
		/* shutdown(SHUT_RD): read nothing more, keep the window open */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	/* take the chain apart: our queue links single pbufs */
	s->rx_bytes += p->tot_len;
	if (s->rx_tail)
		s->rx_tail->next = p;
	else
		s->rx_head = p;
	for (q = p; q->next; q = q->next)
		;
	s->rx_tail = q;
	sock_wake(s);
	return ERR_OK;
}

static err_t sock_tcp_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	sock_wake(arg);
	return ERR_OK;
}

/* The pcb is gone (lwIP freed it): remember why. */
static void sock_tcp_err_cb(void *arg, err_t err)
{
	struct sock *s = arg;

	if (!s)
		return;
	s->tcp = NULL;
	if (s->connecting)
		s->err = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
	else
		s->err = sock_errno_of(err);
	s->connecting = false;
	sock_wake(s);
}

static err_t sock_tcp_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *s = arg;

	s->connecting = false;
	s->connected = true;
	sock_tcp_sync(s);
	sock_label(s);
	sock_wake(s);
	return ERR_OK;
}

/* A connection completed its handshake on the listener arg. */
static err_t sock_tcp_accept_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg;
	struct sock *s;

	if (err != ERR_OK || !pcb || !l)
		return ERR_VAL;
	s = sock_new(SOCK_STREAM);
	if (!s)
		return ERR_MEM;	/* lwIP resets the connection */
	/* options a Linux listener passes on to what it accepts */
	s->nodelay = l->nodelay;
	s->keepalive = l->keepalive;
	s->rcvtimeo_ns = l->rcvtimeo_ns;
	s->sndtimeo_ns = l->sndtimeo_ns;
	s->bound = s->connected = true;
	sock_tcp_attach(s, pcb);
	sock_tcp_sync(s);
	/* counts against the backlog until accept() takes it */
	tcp_backlog_delayed(pcb);
	if (l->aq_tail)
		l->aq_tail->aq_next = s;
	else
		l->aq_head = s;
	l->aq_tail = s;
	l->aq_count++;
	sock_wake(l);
	return ERR_OK;
}

int sock_tcp_open(struct sock *s)
{
	struct tcp_pcb *pcb = tcp_new();

	if (!pcb)
		return -ENOMEM;
	sock_tcp_attach(s, pcb);
	return 0;
}

int sock_tcp_bind(struct sock *s, uint32_t addr, uint16_t port)
{
	ip_addr_t ip = IPADDR4_INIT(addr);
	err_t err;

	if (!s->tcp || s->connected || s->connecting)
		return -EINVAL;
	err = tcp_bind(s->tcp, &ip, port);
	if (err != ERR_OK)
		return -sock_errno_of(err);
	s->bound = true;
	sock_tcp_sync(s);
	return 0;
}

int sock_tcp_listen(struct sock *s, int backlog)
{
	struct tcp_pcb *lpcb;
	err_t err;
	int r;

	if (backlog < 1)
		backlog = 1;
	if (backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	if (s->listening) {
		s->backlog = (uint32_t)backlog;
		return 0;
	}
	if (!s->tcp || s->connected || s->connecting)
		return -EINVAL;
	if (!s->bound) {
		r = sock_tcp_bind(s, 0, 0);
		if (r)
			return r;
	}
	lpcb = tcp_listen_with_backlog_and_err(s->tcp, (u8_t)backlog, &err);
	if (!lpcb)
		return -sock_errno_of(err);
	/* lwIP freed the old pcb and made a smaller listening one */
	s->tcp = lpcb;
	tcp_arg(lpcb, s);
	tcp_accept(lpcb, sock_tcp_accept_cb);
	s->listening = true;
	s->backlog = (uint32_t)backlog;
	return 0;
}

int sock_tcp_accept(struct sock *s, bool nonblock, int fd_flags)
{
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	struct sock *ns;
	int fd;

	for (;;) {
		if (!s->listening)
			return -EINVAL;
		if (s->aq_head)
			break;
		if (nonblock)
			return -EAGAIN;
		if (waitq_wait_locked(&s->wq, &net_lock, deadline))
			return -EAGAIN;
	}
	ns = s->aq_head;
	fd = sock_install(ns, fd_flags);
	if (fd < 0)
		return fd;	/* it stays queued, as on Linux */
	s->aq_head = ns->aq_next;
	if (!s->aq_head)
		s->aq_tail = NULL;
	s->aq_count--;
	ns->aq_next = NULL;
	if (ns->tcp)
		tcp_backlog_accepted(ns->tcp);
	return fd;
}

int sock_tcp_connect(struct sock *s, uint32_t addr, uint16_t port,
		     bool nonblock)
{
	uint64_t deadline;
	ip_addr_t ip = IPADDR4_INIT(addr);
	err_t err;
	int r;

	if (s->listening)
		return -EINVAL;
	if (s->connected)
		return -EISCONN;
	if (s->connecting && nonblock)
		return -EALREADY;
	if (!s->connecting) {
		if (!s->tcp)
			return s->err ? -s->err : -EINVAL;
		if (addr == 0 || port == 0)
			return -EADDRNOTAVAIL;
		err = tcp_connect(s->tcp, &ip, port, sock_tcp_connected_cb);
		if (err != ERR_OK)
			return -sock_errno_of(err);
		s->connecting = s->outgoing = s->bound = true;
		s->err = 0;
		sock_tcp_sync(s);
		tcp_output(s->tcp);
		if (nonblock)
			return -EINPROGRESS;
	}
	deadline = sock_deadline(s->sndtimeo_ns);
	while (s->connecting) {
		if (waitq_wait_locked(&s->wq, &net_lock, deadline))
			return -EINPROGRESS;
	}
	if (s->connected)
		return 0;
	r = s->err ? s->err : ECONNREFUSED;
	s->err = 0;
	return -r;
}

/* Space lwIP has for new data now: bytes, bounded by its segment queue. */
static size_t sock_tcp_space(struct sock *s)
{
	if (tcp_sndqueuelen(s->tcp) >= TCP_SND_QUEUELEN - 4)
		return 0;
	return tcp_sndbuf(s->tcp);
}

/* Pushes out what is queued and waits for acknowledgements to make room:
 * 0 (look again), or -EAGAIN (non-blocking, or SO_SNDTIMEO passed). */
static int sock_tcp_wait_room(struct sock *s, bool nonblock, uint64_t deadline)
{
	if (s->tcp)
		tcp_output(s->tcp);
	if (nonblock)
		return -EAGAIN;
	return waitq_wait_locked(&s->wq, &net_lock, deadline) ? -EAGAIN : 0;
}

ssize_t sock_tcp_send(struct sock *s, const void *buf, size_t n, int flags,
		      bool nonblock)
{
	uint64_t deadline = sock_deadline(s->sndtimeo_ns);
	const char *p = buf;
	size_t done = 0;
	int r;

	if (s->listening || (!s->connected && !s->connecting))
		return -ENOTCONN;
	while (done < n) {
		size_t room, chunk;
		err_t err;

		if (s->err) {
			r = s->err;
			s->err = 0;
			return done ? (ssize_t)done : -r;
		}
		if (s->shut_wr || (s->connected && !s->tcp))
			return done ? (ssize_t)done : -EPIPE;
		room = s->connected ? sock_tcp_space(s) : 0;
		if (room == 0) {
			if (sock_tcp_wait_room(s, nonblock, deadline))
				return done ? (ssize_t)done : -EAGAIN;
			continue;
		}
		chunk = n - done;
		if (chunk > room)
			chunk = room;
		if (chunk > SOCK_TCP_CHUNK)
			chunk = SOCK_TCP_CHUNK;
		err = tcp_write(s->tcp, p + done, (u16_t)chunk,
				TCP_WRITE_FLAG_COPY |
					(done + chunk < n || (flags & MSG_MORE) ?
						 TCP_WRITE_FLAG_MORE :
						 0));
		if (err == ERR_MEM) {
			/* out of segments or memory: wait for acknowledgements */
			if (sock_tcp_wait_room(s, nonblock, deadline))
				return done ? (ssize_t)done : -EAGAIN;
			continue;
		}
		if (err != ERR_OK)
			return done ? (ssize_t)done : -sock_errno_of(err);
		done += chunk;
	}
	if (s->tcp && !(flags & MSG_MORE))
		tcp_output(s->tcp);
	return (ssize_t)done;
}

/* Copies up to n queued bytes out; consumes them unless peek. */
static size_t sock_tcp_take(struct sock *s, char *out, size_t n, bool peek)
{
	struct pbuf *p = s->rx_head;
	uint32_t off = s->rx_off;
	size_t done = 0;

	while (p && done < n) {
		size_t len = p->len - off;

		if (len > n - done)
			len = n - done;
		memcpy(out + done, (char *)p->payload + off, len);
		done += len;
		off += (uint32_t)len;
		if (off < p->len)
			break;
		p = p->next;
		off = 0;
		if (!peek) {
			struct pbuf *used = s->rx_head;

			s->rx_head = p;
			used->next = NULL;
			pbuf_free(used);
		}
	}
	if (peek)
		return done;
	s->rx_off = off;
	if (!s->rx_head)
		s->rx_tail = NULL;
	s->rx_bytes -= (uint32_t)done;
	/* the window opens by what the application took */
	for (size_t left = done; s->tcp && left;) {
		u16_t step = left > SOCK_TCP_CHUNK ? SOCK_TCP_CHUNK : (u16_t)left;

		tcp_recved(s->tcp, step);
		left -= step;
	}
	return done;
}

ssize_t sock_tcp_recv(struct sock *s, void *buf, size_t n, int flags,
		      bool nonblock)
{
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	size_t done = 0;
	int r;

	if (s->listening)
		return -ENOTCONN;
	if (n == 0)
		return 0;
	for (;;) {
		if (s->rx_bytes) {
			done += sock_tcp_take(s, (char *)buf + done, n - done,
					      flags & MSG_PEEK);
			if (done == n || !(flags & MSG_WAITALL) ||
			    (flags & MSG_PEEK))
				return (ssize_t)done;
			continue;
		}
		if (done)
			return (ssize_t)done;
		if (s->err) {
			r = s->err;
			s->err = 0;
			return -r;
		}
		if (s->rd_eof || s->shut_rd || (s->connected && !s->tcp))
			return 0;
		if (!s->connected && !s->connecting)
			return -ENOTCONN;
		if (nonblock)
			return -EAGAIN;
		if (waitq_wait_locked(&s->wq, &net_lock, deadline))
			return done ? (ssize_t)done : -EAGAIN;
	}
}

int sock_tcp_shutdown(struct sock *s, int how)
{
	err_t err;

	if (!s->connected)
		return -ENOTCONN;
	if (how != SHUT_WR) {
		s->shut_rd = true;
		sock_tcp_rx_free(s);
	}
	if (how != SHUT_RD && !s->shut_wr) {
		s->shut_wr = true;
		if (s->tcp) {
			/* FIN after what is queued: the peer reads to its end */
			err = tcp_shutdown(s->tcp, 0, 1);
			if (err != ERR_OK)
				return -sock_errno_of(err);
		}
	}
	sock_wake(s);
	return 0;
}

short sock_tcp_poll(struct sock *s)
{
	short r = 0;

	if (s->listening)
		return s->aq_head ? POLLIN : 0;
	if (s->rx_bytes || s->rd_eof || s->shut_rd)
		r |= POLLIN;
	if (s->err)
		r |= POLLERR;
	if (s->connecting)
		return r;
	if (!s->connected) {
		/* never connected, or a connect that failed: Linux says so */
		return r | POLLOUT | POLLHUP;
	}
	if (!s->tcp) {
		return r | POLLIN | POLLOUT | POLLHUP;
	}
	if (s->shut_wr || sock_tcp_space(s) >= TCP_SNDLOWAT)
		r |= POLLOUT;
	if (s->rd_eof && s->shut_wr)
		r |= POLLHUP;
	return r;
}

/* The last descriptor closed: let lwIP finish the connection alone. */
void sock_tcp_close(struct sock *s)
{
	struct tcp_pcb *pcb = s->tcp;
	bool reset = s->rx_bytes || s->linger_abort;

	while (s->aq_head) {
		struct sock *q = s->aq_head;

		s->aq_head = q->aq_next;
		q->linger_abort = true;	/* never accepted: reset it */
		sock_free(q);
	}
	s->aq_tail = NULL;
	s->aq_count = 0;
	sock_tcp_rx_free(s);
	if (!pcb)
		return;
	sock_tcp_detach(s);
	/* unread data is lost: Linux tells the peer with a reset */
	if (reset && pcb->state != LISTEN) {
		tcp_abort(pcb);
		return;
	}
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);	/* out of memory for the FIN */
}
