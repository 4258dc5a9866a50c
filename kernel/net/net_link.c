/*
 * lwIP's network interface over the first card of the netdev table
 * (kernel/netdev.h). Received frames go from the card straight into a
 * pbuf (one copy) and to lwIP's ethernet_input; lwIP's outgoing frames,
 * pbuf chains, go to the card as fragments that it copies into a transmit
 * slot. When every slot is busy the frame waits in a queue of our own and
 * the card interrupts when one frees: lwIP is never made to wait, since it
 * runs holding net_lock. The interface's state and counters are kept in
 * net_iface0 (kernel/net.h) for the debugger. Everything here runs under
 * net_lock.
 */
#include <errno.h>
#include <string.h>
#include <kernel/log.h>
#include <kernel/net.h>
#include <kernel/netdev.h>
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include "sock.h"

/* frames that wait for a transmit slot before new ones are dropped */
#define NET_LINK_TXQ_MAX 256
/* pieces of a pbuf chain passed to the card as they are; longer chains
 * (rare: TCP makes header + data) are flattened first */
#define NET_LINK_FRAGS_MAX 8

struct net_iface net_iface0;

static struct netif net_link_netif;
static struct netdev *net_link_dev;
static struct pbuf *net_link_txq[NET_LINK_TXQ_MAX];
static unsigned int net_link_txq_head, net_link_txq_len;
static uint8_t net_link_scratch[NETDEV_FRAME_MAX];

/* Hands one frame to the card: 0 (sent, or dropped as bad), -EAGAIN. */
static int net_link_send(struct pbuf *p)
{
	struct netdev_frag frags[NET_LINK_FRAGS_MAX];
	unsigned int n = 0;
	struct pbuf *q;
	int err;

	for (q = p; q && n < NET_LINK_FRAGS_MAX; q = q->next)
		frags[n++] = (struct netdev_frag){ q->payload, q->len };
	if (q) {
		n = 1;
		frags[0].data = net_link_scratch;
		frags[0].len = pbuf_copy_partial(p, net_link_scratch,
						 sizeof(net_link_scratch), 0);
	}
	err = net_link_dev->ops->send(net_link_dev, frags, n);
	if (err == -EAGAIN)
		return err;
	if (err) {
		net_iface0.tx_dropped++;
		return 0;
	}
	net_iface0.tx_frames++;
	net_iface0.tx_bytes += p->tot_len;
	return 0;
}

/* netif->linkoutput: lwIP owns p; a queued frame keeps a reference. */
static err_t net_link_output(struct netif *nif, struct pbuf *p)
{
	unsigned int tail;

	if (!net_link_txq_len && net_link_send(p) == 0)
		return ERR_OK;
	if (net_link_txq_len == NET_LINK_TXQ_MAX) {
		net_iface0.tx_dropped++;
		return ERR_OK;	/* as a wire that lost it: TCP sends again */
	}
	pbuf_ref(p);
	tail = (net_link_txq_head + net_link_txq_len) % NET_LINK_TXQ_MAX;
	net_link_txq[tail] = p;
	net_link_txq_len++;
	net_iface0.tx_queued = net_link_txq_len;
	return ERR_OK;
}

bool net_link_flush(void)
{
	while (net_link_txq_len) {
		struct pbuf *p = net_link_txq[net_link_txq_head];

		if (net_link_send(p) == -EAGAIN)
			break;
		pbuf_free(p);
		net_link_txq_head = (net_link_txq_head + 1) % NET_LINK_TXQ_MAX;
		net_link_txq_len--;
	}
	net_iface0.tx_queued = net_link_txq_len;
	/* what is left waits for the card's interrupt (net_link_tx_ready) */
	return false;
}

bool net_link_tx_ready(void)
{
	return net_link_txq_len &&
	       net_link_dev->ops->tx_space(net_link_dev, true) > 0;
}

int net_link_input(int max)
{
	struct netdev *nd = net_link_dev;
	int n;

	for (n = 0; n < max && nd->ops->rx_ready(nd); n++) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, NETDEV_FRAME_MAX,
					    PBUF_POOL);
		int len;

		if (!p || p->next) {
			/* out of memory (or a pool too small for one frame):
			 * the frame is read and lost, as on a full ring */
			len = nd->ops->recv(nd, net_link_scratch,
					    sizeof(net_link_scratch));
			if (p)
				pbuf_free(p);
			if (len <= 0)
				break;
			net_iface0.rx_dropped++;
			continue;
		}
		len = nd->ops->recv(nd, p->payload, p->len);
		if (len <= 0) {
			pbuf_free(p);
			break;
		}
		pbuf_realloc(p, (u16_t)len);
		net_iface0.rx_frames++;
		net_iface0.rx_bytes += (uint64_t)len;
		if (net_link_netif.input(p, &net_link_netif) != ERR_OK) {
			pbuf_free(p);
			net_iface0.rx_dropped++;
		}
	}
	return n;
}

/* The prefix length of a netmask in network order ("/24"). */
static int net_link_prefix(uint32_t mask)
{
	int n = 0;

	for (uint32_t m = __builtin_bswap32(mask); m & 0x80000000u; m <<= 1)
		n++;
	return n;
}

/* lwIP's status callback: DHCP (or a static set-up) gave an address. */
static void net_link_status(struct netif *nif)
{
	const ip_addr_t *dns = dns_getserver(0);

	net_iface0.addr = ip4_addr_get_u32(netif_ip4_addr(nif));
	net_iface0.mask = ip4_addr_get_u32(netif_ip4_netmask(nif));
	net_iface0.gw = ip4_addr_get_u32(netif_ip4_gw(nif));
	net_iface0.dns = ip4_addr_get_u32(ip_2_ip4(dns));
	net_iface0.up = netif_is_up(nif) && net_iface0.addr != 0;
	if (net_iface0.up) {
		const uint8_t *a = (const uint8_t *)&net_iface0.addr;
		const uint8_t *g = (const uint8_t *)&net_iface0.gw;

		kernel_info("net: %u.%u.%u.%u/%d, gateway %u.%u.%u.%u (%s)\n",
			    a[0], a[1], a[2], a[3],
			    net_link_prefix(net_iface0.mask), g[0], g[1],
			    g[2], g[3], net_iface0.config);
	}
	net_up_changed();
}

static err_t net_link_netif_init(struct netif *nif)
{
	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->output = etharp_output;
	nif->linkoutput = net_link_output;
	nif->mtu = net_link_dev->mtu;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, net_link_dev->mac, ETH_HWADDR_LEN);
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
		     NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
	return ERR_OK;
}

int net_link_setup(struct netdev *nd)
{
	err_t err;

	net_link_dev = nd;
	nd->in_use = true;
	memcpy(net_iface0.mac, nd->mac, sizeof(net_iface0.mac));
	net_iface0.mtu = nd->mtu;
	if (!netif_add(&net_link_netif, NULL, NULL, NULL, NULL,
		       net_link_netif_init, ethernet_input))
		return -EIO;
	netif_set_default(&net_link_netif);
	netif_set_status_callback(&net_link_netif, net_link_status);
	netif_set_up(&net_link_netif);
	net_iface0.config = "dhcp";
	err = dhcp_start(&net_link_netif);
	return err == ERR_OK ? 0 : -ENOMEM;
}
