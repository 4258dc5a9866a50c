/*
 * setsockopt and getsockopt (sys/socket.h, netinet/tcp.h): the options a
 * BSD-socket program sets, mapped onto lwIP's pcb fields where lwIP has
 * them (SO_REUSEADDR and SO_KEEPALIVE are lwIP's so_options, TCP_NODELAY
 * its Nagle flag) and kept in the socket otherwise (the time-outs, which
 * Minnow's waits use). Options set before a pcb exists are applied when
 * it is made (socket_tcp.c). Unknown options answer ENOPROTOOPT.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <kernel/file.h>
#include <kernel/time.h>
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "sock.h"

/* what SO_RCVBUF and SO_SNDBUF report: lwIP's fixed sizes (lwipopts.h) */
#define SOCK_OPT_RCVBUF TCP_WND
#define SOCK_OPT_SNDBUF TCP_SND_BUF

static int sock_opt_int(const void *val, socklen_t len, int *out)
{
	if (!val || len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

static int sock_opt_time(const void *val, socklen_t len, uint64_t *ns)
{
	struct timeval tv;

	if (!val || len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;	/* as Linux answers */
	*ns = (uint64_t)tv.tv_sec * NSEC_PER_SEC +
	      (uint64_t)tv.tv_usec * NSEC_PER_USEC;
	return 0;
}

/* so_options on whichever pcb the socket has */
static void sock_opt_flag(struct sock *s, uint8_t flag, bool on)
{
	if (s->tcp) {
		if (on)
			ip_set_option(s->tcp, flag);
		else
			ip_reset_option(s->tcp, flag);
	} else if (s->udp) {
		if (on)
			ip_set_option(s->udp, flag);
		else
			ip_reset_option(s->udp, flag);
	}
}

static int sock_opt_set_socket(struct sock *s, int name, const void *val,
			       socklen_t len)
{
	struct linger lg;
	int v, r;

	switch (name) {
	case SO_RCVTIMEO:
		return sock_opt_time(val, len, &s->rcvtimeo_ns);
	case SO_SNDTIMEO:
		return sock_opt_time(val, len, &s->sndtimeo_ns);
	case SO_LINGER:
		if (!val || len < sizeof(lg))
			return -EINVAL;
		memcpy(&lg, val, sizeof(lg));
		s->linger_abort = lg.l_onoff && lg.l_linger == 0;
		return 0;
	}
	r = sock_opt_int(val, len, &v);
	if (r)
		return r;
	switch (name) {
	case SO_REUSEADDR:
		s->reuseaddr = v != 0;
		sock_opt_flag(s, SOF_REUSEADDR, s->reuseaddr);
		return 0;
	case SO_KEEPALIVE:
		s->keepalive = v != 0;
		sock_opt_flag(s, SOF_KEEPALIVE, s->keepalive);
		return 0;
	case SO_BROADCAST:
		sock_opt_flag(s, SOF_BROADCAST, v != 0);
		return 0;
	case SO_RCVBUF:
	case SO_SNDBUF:
	case SO_REUSEPORT:
		/* lwIP's buffers are fixed: accepted, with no effect */
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int sock_opt_set_tcp(struct sock *s, int name, const void *val,
			    socklen_t len)
{
	int v, r;

	if (s->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	r = sock_opt_int(val, len, &v);
	if (r)
		return r;
	switch (name) {
	case TCP_NODELAY:
		s->nodelay = v != 0;
		if (s->tcp && s->nodelay)
			tcp_nagle_disable(s->tcp);
		else if (s->tcp)
			tcp_nagle_enable(s->tcp);
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (v < 1)
			return -EINVAL;
		if (s->tcp && name == TCP_KEEPIDLE)
			s->tcp->keep_idle = (u32_t)v * 1000;
		else if (s->tcp)
			s->tcp->keep_intvl = (u32_t)v * 1000;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1)
			return -EINVAL;
		if (s->tcp)
			s->tcp->keep_cnt = (u32_t)v;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct file *f;
	struct sock *s;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	lock = net_lock_take();
	if (level == SOL_SOCKET)
		r = sock_opt_set_socket(s, name, val, len);
	else if (level == IPPROTO_TCP)
		r = sock_opt_set_tcp(s, name, val, len);
	else
		r = -ENOPROTOOPT;
	net_lock_give(lock);
	file_put(f);
	return (int)sock_ret(r);
}

/* The value of an option into v (bytes in *vlen): 0 or -errno. */
static int sock_opt_get(struct sock *s, int level, int name, void *v,
			socklen_t *vlen)
{
	int *i = v;
	struct timeval *tv = v;
	struct linger *lg = v;

	*vlen = sizeof(int);
	if (level == IPPROTO_TCP && s->type == SOCK_STREAM) {
		switch (name) {
		case TCP_NODELAY:
			*i = s->nodelay;
			return 0;
		case TCP_MAXSEG:
			*i = s->tcp ? s->tcp->mss : TCP_MSS;
			return 0;
		}
		return -ENOPROTOOPT;
	}
	if (level != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch (name) {
	case SO_TYPE:
		*i = s->type;
		return 0;
	case SO_ERROR:
		*i = s->err;
		s->err = 0;
		return 0;
	case SO_REUSEADDR:
		*i = s->reuseaddr;
		return 0;
	case SO_KEEPALIVE:
		*i = s->keepalive;
		return 0;
	case SO_ACCEPTCONN:
		*i = s->listening;
		return 0;
	case SO_RCVBUF:
		*i = SOCK_OPT_RCVBUF;
		return 0;
	case SO_SNDBUF:
		*i = SOCK_OPT_SNDBUF;
		return 0;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO: {
		uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns :
						    s->sndtimeo_ns;

		tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
		tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
		*vlen = sizeof(*tv);
		return 0;
	}
	case SO_LINGER:
		lg->l_onoff = s->linger_abort;
		lg->l_linger = 0;
		*vlen = sizeof(*lg);
		return 0;
	}
	return -ENOPROTOOPT;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	union {
		int i;
		struct timeval tv;
		struct linger lg;
	} v;
	socklen_t vlen = 0;
	struct file *f;
	struct sock *s;
	uint64_t lock;
	int r;

	s = sock_get(fd, &f, &r);
	if (!s)
		return (int)sock_ret(r);
	if (!val || !len) {
		file_put(f);
		return (int)sock_ret(-EFAULT);
	}
	memset(&v, 0, sizeof(v));
	lock = net_lock_take();
	r = sock_opt_get(s, level, name, &v, &vlen);
	net_lock_give(lock);
	file_put(f);
	if (r == 0) {
		memcpy(val, &v, *len < vlen ? *len : vlen);
		*len = vlen;
	}
	return (int)sock_ret(r);
}
