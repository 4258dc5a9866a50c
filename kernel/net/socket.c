/*
 * BSD sockets for applications (sys/socket.h): the socket object, its
 * descriptor (a struct file of kind "socket", so read, write, close, poll
 * and fcntl work through the fd layer), and the calls common to TCP and
 * UDP. The protocol halves are socket_tcp.c and socket_udp.c. Each call
 * takes net_lock for as long as it talks to lwIP (net/sock.h); the
 * public functions turn a -errno into -1 with errno set, as POSIX says.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <kernel/file.h>
#include <kernel/time.h>
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "sock.h"

long sock_ret(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

int sock_errno_of(int lwip_err)
{
	switch (lwip_err) {
	case ERR_OK:
		return 0;
	case ERR_MEM:
	case ERR_BUF:
		return ENOBUFS;
	case ERR_TIMEOUT:
		return ETIMEDOUT;
	case ERR_RTE:
		return ENETUNREACH;
	case ERR_INPROGRESS:
		return EINPROGRESS;
	case ERR_VAL:
	case ERR_ARG:
		return EINVAL;
	case ERR_WOULDBLOCK:
		return EAGAIN;
	case ERR_USE:
		return EADDRINUSE;
	case ERR_ALREADY:
		return EALREADY;
	case ERR_ISCONN:
		return EISCONN;
	case ERR_CONN:
	case ERR_CLSD:
		return ENOTCONN;
	case ERR_ABRT:
		return ECONNABORTED;
	case ERR_RST:
		return ECONNRESET;
	case ERR_IF:
		return ENETDOWN;
	default:
		return EIO;
	}
}

uint64_t sock_deadline(uint64_t timeout_ns)
{
	return timeout_ns ? time_now_ns() + timeout_ns : 0;
}

void sock_wake(struct sock *s)
{
	waitq_wake_all(&s->wq);
	if (s->file)
		file_notify(s->file);
}

static void sock_fmt_addr(char *out, size_t size, uint32_t addr,
			  uint16_t port)
{
	const uint8_t *a = (const uint8_t *)&addr;

	snprintf(out, size, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], port);
}

void sock_label(struct sock *s)
{
	char l[24], r[24];
	const char *proto = s->type == SOCK_STREAM ? "tcp" : "udp";

	if (!s->file)
		return;
	sock_fmt_addr(l, sizeof(l), s->laddr, s->lport);
	sock_fmt_addr(r, sizeof(r), s->raddr, s->rport);
	if (s->listening)
		snprintf(s->file->label, sizeof(s->file->label),
			 "%s %s listen", proto, l);
	else if (s->connected || s->connecting)
		snprintf(s->file->label, sizeof(s->file->label), "%s %s %s %s",
			 proto, l, s->outgoing ? "->" : "<-", r);
	else if (s->bound)
		snprintf(s->file->label, sizeof(s->file->label), "%s %s",
			 proto, l);
	else
		snprintf(s->file->label, sizeof(s->file->label), "%s", proto);
}

void sock_put_addr(struct sockaddr *sa, unsigned int *len, uint32_t addr,
		   uint16_t port)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr = { addr } };

	if (!sa || !len)
		return;
	memcpy(sa, &in, *len < sizeof(in) ? *len : sizeof(in));
	*len = sizeof(in);
}

int sock_get_addr(const struct sockaddr *sa, unsigned int len,
		  uint32_t *addr, uint16_t *port)
{
	struct sockaddr_in in;

	if (!sa || len < sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family != AF_INET)
		return -EAFNOSUPPORT;
	if (len < sizeof(in))
		return -EINVAL;
	memcpy(&in, sa, sizeof(in));
	*addr = in.sin_addr.s_addr;
	*port = ntohs(in.sin_port);
	return 0;
}

struct sock *sock_new(int type)
{
	struct sock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->type = type;
	s->fd = -1;
	waitq_init(&s->wq, type == SOCK_STREAM ? "tcp socket" : "udp socket");
	return s;
}

void sock_free(struct sock *s)
{
	if (s->type == SOCK_STREAM)
		sock_tcp_close(s);
	else
		sock_udp_close(s);
	free(s);
}

/* The socket behind fd with a reference to its file, or an error. */
struct sock *sock_get(int fd, struct file **fp, int *err)
{
	struct file *f = fd_get(fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &sock_file_ops) {
		file_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return f->priv;
}

static bool sock_nonblock(struct file *f, int flags)
{
	return (f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
}

static ssize_t sock_do_send(struct file *f, struct sock *s, const void *buf,
			    size_t n, int flags, const struct sockaddr *to,
			    socklen_t tolen)
{
	bool nonblock = sock_nonblock(f, flags);
	uint32_t addr = 0;
	uint16_t port = 0;
	uint64_t lock;
	ssize_t r;

	if (to) {
		r = sock_get_addr(to, tolen, &addr, &port);
		if (r)
			return r;
	}
	lock = net_lock_take();
	if (s->type == SOCK_STREAM)	/* the address is ignored, as on Linux */
		r = sock_tcp_send(s, buf, n, flags, nonblock);
	else
		r = sock_udp_send(s, buf, n, to ? &addr : NULL, port);
	net_lock_give(lock);
	return r;
}

static ssize_t sock_do_recv(struct file *f, struct sock *s, void *buf,
			    size_t n, int flags, struct sockaddr *from,
			    socklen_t *fromlen)
{
	bool nonblock = sock_nonblock(f, flags);
	uint32_t addr = 0;
	uint16_t port = 0;
	uint64_t lock;
	ssize_t r;

	lock = net_lock_take();
	if (s->type == SOCK_STREAM) {
		r = sock_tcp_recv(s, buf, n, flags, nonblock);
		addr = s->raddr;
		port = s->rport;
	} else {
		r = sock_udp_recv(s, buf, n, flags, nonblock, &addr, &port);
	}
	if (r > 0)
		net_view_read(s);
	net_lock_give(lock);
	if (r >= 0 && from)
		sock_put_addr(from, fromlen, addr, port);
	return r;
}

/* file_ops: what read, write, poll, fstat and close do on a socket */

static ssize_t sock_file_read(struct file *f, void *buf, size_t n)
{
	return sock_do_recv(f, f->priv, buf, n, 0, NULL, NULL);
}

static ssize_t sock_file_write(struct file *f, const void *buf, size_t n)
{
	return sock_do_send(f, f->priv, buf, n, 0, NULL, 0);
}

static short sock_file_poll(struct file *f)
{
	struct sock *s = f->priv;
	uint64_t lock = net_lock_take();
	short r;

	r = s->type == SOCK_STREAM ? sock_tcp_poll(s) : sock_udp_poll(s);
	spin_unlock_irqrestore(&net_lock, lock);
	return r;
}

static int sock_file_fstat(struct file *f, struct stat *st)
{
	st->st_mode = S_IFSOCK | 0777;
	return 0;
}

static int sock_file_ioctl(struct file *f, unsigned long req, void *arg)
{
	struct sock *s = f->priv;
	uint64_t lock;

	if (req != FIONREAD)
		return -ENOTTY;
	lock = net_lock_take();
	*(int *)arg = (int)(s->type == SOCK_STREAM ?
				    s->rx_bytes :
				    (s->dq_head ? s->dq_head->p->tot_len : 0));
	spin_unlock_irqrestore(&net_lock, lock);
	return 0;
}

static void sock_file_release(struct file *f)
{
	struct sock *s = f->priv;
	uint64_t lock = net_lock_take();

	s->file = NULL;
	sock_free(s);
	net_view_refresh();
	net_lock_give(lock);
}

const struct file_ops sock_file_ops = {
	.kind = "socket",
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = sock_file_poll,
	.fstat = sock_file_fstat,
	.ioctl = sock_file_ioctl,
	.release = sock_file_release,
};

/* The descriptor for s (its file made here): fd or -errno. */
int sock_install(struct sock *s, int fd_flags)
{
	struct file *f = file_alloc(&sock_file_ops, s, O_RDWR | fd_flags,
				    NULL);
	int fd;

	if (!f)
		return -ENOMEM;
	fd = fd_install(f);
	if (fd < 0) {
		f->priv = NULL;
		free(f);
		return fd;
	}
	s->file = f;
	s->fd = fd;
	sock_label(s);
	return fd;
}

/* the calls */

int socket(int domain, int type, int protocol)
{
	int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int fd_flags = type & SOCK_NONBLOCK ? O_NONBLOCK : 0;
	struct sock *s;
	uint64_t lock;
	int r;

	if (domain != AF_INET)
		return (int)sock_ret(-EAFNOSUPPORT);
	if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
		return (int)sock_ret(-EPROTOTYPE);
	if (protocol != 0 &&
	    protocol != (kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return (int)sock_ret(-EPROTONOSUPPORT);
	s = sock_new(kind);
	if (!s)
		return (int)sock_ret(-ENOMEM);
	lock = net_lock_take();
	r = kind == SOCK_STREAM ? sock_tcp_open(s) : sock_udp_open(s);
	if (r == 0) {
		r = sock_install(s, fd_flags);
		if (r >= 0 && (type & SOCK_CLOEXEC))
			fd_cloexec[r] = true;
	}
	if (r < 0)
		sock_free(s);
	net_view_refresh();
	net_lock_give(lock);
	return (int)sock_ret(r);
}

/* bind() and connect(): an address, then the protocol's call. */
static int sock_addr_call(int fd, const struct sockaddr *addr, socklen_t len,
			  bool is_connect)
{
	struct file *f;
	struct sock *s;
	uint32_t a;
	uint16_t port;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	r = sock_get_addr(addr, len, &a, &port);
	if (r == 0) {
		lock = net_lock_take();
		if (is_connect && s->type == SOCK_STREAM)
			r = sock_tcp_connect(s, a, port, sock_nonblock(f, 0));
		else if (is_connect)
			r = sock_udp_connect(s, a, port);
		else if (s->bound)
			r = -EINVAL;
		else if (s->type == SOCK_STREAM)
			r = sock_tcp_bind(s, a, port);
		else
			r = sock_udp_bind(s, a, port);
		sock_label(s);
		net_view_refresh();
		net_lock_give(lock);
	}
	file_put(f);
	return (int)sock_ret(r);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return sock_addr_call(fd, addr, len, false);
}

int listen(int fd, int backlog)
{
	struct file *f;
	struct sock *s;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	lock = net_lock_take();
	r = s->type == SOCK_STREAM ? sock_tcp_listen(s, backlog) : -EOPNOTSUPP;
	sock_label(s);
	net_view_refresh();
	net_lock_give(lock);
	file_put(f);
	return (int)sock_ret(r);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct file *f;
	struct sock *s;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		file_put(f);
		return (int)sock_ret(-EINVAL);
	}
	lock = net_lock_take();
	if (s->type != SOCK_STREAM)
		r = -EOPNOTSUPP;
	else
		r = sock_tcp_accept(s, sock_nonblock(f, 0),
				    flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	if (r >= 0) {
		struct sock *ns = fd_table[r]->priv;

		if (flags & SOCK_CLOEXEC)
			fd_cloexec[r] = true;
		sock_put_addr(addr, len, ns->raddr, ns->rport);
	}
	net_view_refresh();
	net_lock_give(lock);
	file_put(f);
	return (int)sock_ret(r);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return sock_addr_call(fd, addr, len, true);
}

int shutdown(int fd, int how)
{
	struct file *f;
	struct sock *s;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
		file_put(f);
		return (int)sock_ret(-EINVAL);
	}
	lock = net_lock_take();
	if (s->type == SOCK_STREAM) {
		r = sock_tcp_shutdown(s, how);
	} else if (!s->connected) {
		r = -ENOTCONN;
	} else {
		s->shut_rd |= how != SHUT_WR;
		s->shut_wr |= how != SHUT_RD;
		sock_wake(s);
		r = 0;
	}
	net_lock_give(lock);
	file_put(f);
	return (int)sock_ret(r);
}

static int sock_name(int fd, struct sockaddr *addr, socklen_t *len,
		     bool peer)
{
	struct file *f;
	struct sock *s;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	if (!addr || !len) {
		file_put(f);
		return (int)sock_ret(-EFAULT);
	}
	lock = net_lock_take();
	if (s->type == SOCK_STREAM)
		sock_tcp_sync(s);
	if (peer && !s->connected)
		r = -ENOTCONN;
	else
		sock_put_addr(addr, len, peer ? s->raddr : s->laddr,
			      peer ? s->rport : s->lport);
	net_lock_give(lock);
	file_put(f);
	return (int)sock_ret(r);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sock_name(fd, addr, len, false);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sock_name(fd, addr, len, true);
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	struct file *f;
	struct sock *s;
	int err;
	ssize_t r;

	s = sock_get(fd, &f, &err);
	if (!s)
		return sock_ret(err);
	r = sock_do_send(f, s, buf, n, flags, to, tolen);
	file_put(f);
	return sock_ret(r);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
	return sendto(fd, buf, n, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	struct file *f;
	struct sock *s;
	int err;
	ssize_t r;

	s = sock_get(fd, &f, &err);
	if (!s)
		return sock_ret(err);
	r = sock_do_recv(f, s, buf, n, flags, from, fromlen);
	file_put(f);
	return sock_ret(r);
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	return recvfrom(fd, buf, n, flags, NULL, NULL);
}
