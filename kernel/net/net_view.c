/*
 * The debugger's table of sockets, net_socks[] (kernel/net.h), rebuilt
 * from lwIP's own lists of protocol control blocks: listeners, then
 * connections (with those lwIP still finishes after close(), TIME_WAIT),
 * then UDP sockets. A pcb's callback argument is its struct sock, when an
 * application still has it open. Called by the net thread after each
 * batch of frames and timers, and by the socket calls that open, connect
 * or close, so the table is never more than one batch behind.
 */
#include <string.h>
#include <sys/socket.h>
#include <kernel/net.h>
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "sock.h"

struct net_sock net_socks[NET_SOCK_MAX];
uint32_t net_socks_unlisted;

/* lwIP's enum tcp_state, in its order (lwip/tcpbase.h) */
static const char *const net_view_states[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING", "LAST_ACK",
	"TIME_WAIT",
};

static unsigned int net_view_len;

static struct net_sock *net_view_next(void)
{
	if (net_view_len == NET_SOCK_MAX) {
		net_socks_unlisted++;
		return NULL;
	}
	return &net_socks[net_view_len++];
}

static void net_view_tcp(struct tcp_pcb *pcb, bool listener)
{
	struct net_sock *v = net_view_next();
	struct sock *s = pcb->callback_arg;

	if (!v)
		return;
	v->used = 1;
	v->fd = s && s->file ? s->fd : -1;
	v->type = SOCK_STREAM;
	v->state = pcb->state < sizeof(net_view_states) /
					sizeof(net_view_states[0]) ?
			   net_view_states[pcb->state] :
			   "?";
	v->laddr = ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip));
	v->lport = pcb->local_port;
	if (listener) {
		v->backlog = s ? s->aq_count : 0;
		v->backlog_max = s ? s->backlog : 0;
		return;
	}
	v->raddr = ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip));
	v->rport = pcb->remote_port;
	v->rx_queued = s ? s->rx_bytes : 0;
	/* snd_buf itself: tcp_sndbuf() clamps it to 16 bits, and with
	 * TCP_SND_BUF over 64 KiB (lwipopts.h) an idle connection would show
	 * 64 KiB queued */
	v->tx_queued = TCP_SND_BUF - pcb->snd_buf;
	if (s) {
		/* nrtx counts retries of the oldest unacknowledged segment and
		 * starts again at 0 once it is acknowledged */
		if (pcb->nrtx > s->nrtx_seen)
			s->retransmits += pcb->nrtx - s->nrtx_seen;
		s->nrtx_seen = pcb->nrtx;
		v->retransmits = s->retransmits;
	} else {
		v->retransmits = pcb->nrtx;
	}
	v->snd_wnd = pcb->snd_wnd;
	v->rcv_wnd = pcb->rcv_wnd;
	v->mss = pcb->mss;
}

static void net_view_udp(struct udp_pcb *pcb)
{
	struct net_sock *v = net_view_next();
	struct sock *s = pcb->recv_arg;

	if (!v)
		return;
	v->used = 1;
	v->fd = s && s->file ? s->fd : -1;
	v->type = SOCK_DGRAM;
	v->state = "UDP";
	v->laddr = ip4_addr_get_u32(ip_2_ip4(&pcb->local_ip));
	v->lport = pcb->local_port;
	v->raddr = ip4_addr_get_u32(ip_2_ip4(&pcb->remote_ip));
	v->rport = pcb->remote_port;
	v->rx_queued = s ? s->dq_bytes : 0;
}

void net_view_refresh(void)
{
	struct tcp_pcb_listen *l;
	struct tcp_pcb *pcb;
	struct udp_pcb *u;

	net_view_len = 0;
	net_socks_unlisted = 0;
	memset(net_socks, 0, sizeof(net_socks));
	for (l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		net_view_tcp((struct tcp_pcb *)l, true);
	for (pcb = tcp_bound_pcbs; pcb; pcb = pcb->next)
		net_view_tcp(pcb, false);
	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		net_view_tcp(pcb, false);
	for (pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
		net_view_tcp(pcb, false);
	for (u = udp_pcbs; u; u = u->next)
		net_view_udp(u);
}

/*
 * After a read: the reader's own entry, so that a debugger stopped after
 * recv() sees what is left, not what the last batch of frames left (a
 * whole refresh per read would walk every pcb, TIME_WAIT ones too).
 */
void net_view_read(struct sock *s)
{
	for (unsigned int i = 0; i < net_view_len; i++) {
		struct net_sock *v = &net_socks[i];

		if (v->fd != s->fd || !s->file)
			continue;
		v->rx_queued = s->type == SOCK_STREAM ? s->rx_bytes :
							 s->dq_bytes;
		return;
	}
}
