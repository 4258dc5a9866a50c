/*
 * virtio-net (virtio 1.2, 5.1): queue 0 receives, queue 1 transmits. Every
 * buffer starts with the 12-byte struct virtio_net_hdr (5.1.6; with
 * VERSION_1 it always includes num_buffers). We offer no offloads and no
 * mergeable buffers, so each receive buffer holds a whole frame; all of
 * them stay posted, and a buffer goes back to the device as soon as its
 * frame has been copied out. Sending copies the frame into a transmit slot,
 * so the caller's buffer is free on return.
 *
 * Two kinds of users: applications calling the raw frame calls of
 * <minnow/virtio_net.h>, and the TCP/IP stack ("net"), which drives the
 * card through the netdev table (kernel/netdev.h) and never blocks in here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/cpu.h>
#include <kernel/driver.h>
#include <kernel/netdev.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>
#include <minnow/virtio_net.h>

/* Feature bits (5.1.3) */
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16

/* struct virtio_net_config offsets (5.1.4) */
#define VIRTIO_NET_CFG_MAC 0

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_QUEUE_SIZE 128

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

/* header + frame, rounded up: one buffer per frame in both directions */
#define VIRTIO_NET_BUF_SIZE 2048

struct virtio_net_buf {
	struct virtio_net_hdr hdr;
	uint8_t frame[VIRTIO_NET_BUF_SIZE - sizeof(struct virtio_net_hdr)];
};

struct virtio_net {
	struct virtio_dev *dev;
	struct virtq *rxq, *txq;
	struct virtio_net_buf *rx_bufs, *tx_bufs;
	struct virtio_net_buf *tx_free[VIRTIO_NET_QUEUE_SIZE];
	unsigned int tx_nfree;
	uint8_t mac[NET_MAC_LEN];
	bool broken;
	unsigned long rx_frames, tx_frames;
	struct netdev netdev;	/* how the TCP/IP stack sees the card */
};

static struct virtio_net virtio_net;

int net_mac(uint8_t mac[NET_MAC_LEN])
{
	if (!virtio_net.dev)
		return -ENODEV;
	memcpy(mac, virtio_net.mac, NET_MAC_LEN);
	return 0;
}

static int virtio_net_post_rx(struct virtio_net_buf *b)
{
	struct virtq_buf vb = { b, sizeof(*b), true };

	return virtq_add(virtio_net.rxq, &vb, 1, b);
}

/* Takes back the transmit slots the device is done with. */
static void virtio_net_reap_tx(void)
{
	uint32_t len;
	void *token;
	int ret;

	while ((ret = virtq_collect(virtio_net.txq, &token, &len)) > 0)
		virtio_net.tx_free[virtio_net.tx_nfree++] = token;
	if (ret < 0)
		virtio_net.broken = true;
}

/*
 * Sends the frame made of frags. Without a free slot, `wait` sleeps until
 * the device returns one (the raw call); otherwise -EAGAIN (the stack,
 * which must not sleep holding its lock, queues the frame instead).
 */
static int virtio_net_xmit(const struct netdev_frag *frags, unsigned int n,
			   bool wait)
{
	struct virtio_net_buf *b;
	struct virtq_buf vb;
	size_t len = 0;
	uint64_t flags;
	int err;

	if (!virtio_net.dev)
		return -ENODEV;
	for (unsigned int i = 0; i < n; i++)
		len += frags[i].len;
	if (len > NET_FRAME_MAX || len == 0)
		return -EINVAL;
	flags = virtio_lock(virtio_net.dev);
	virtio_net_reap_tx();
	if (!virtio_net.tx_nfree && !virtio_net.broken && !wait) {
		virtio_unlock(virtio_net.dev, flags);
		return -EAGAIN;
	}
	if (!virtio_net.tx_nfree && !virtio_net.broken) {
		/* transmit completions interrupt only while we wait for one */
		virtq_interrupts(virtio_net.txq, true);
		virtio_net_reap_tx();
		while (!virtio_net.tx_nfree && !virtio_net.broken) {
			virtio_wait(virtio_net.dev, 0);
			virtio_net_reap_tx();
		}
		virtq_interrupts(virtio_net.txq, false);
	}
	if (virtio_net.broken) {
		virtio_unlock(virtio_net.dev, flags);
		return -EIO;
	}
	b = virtio_net.tx_free[--virtio_net.tx_nfree];
	virtio_unlock(virtio_net.dev, flags);
	memset(&b->hdr, 0, sizeof(b->hdr));
	len = 0;
	for (unsigned int i = 0; i < n; i++) {
		memcpy(b->frame + len, frags[i].data, frags[i].len);
		len += frags[i].len;
	}
	vb = (struct virtq_buf){ b, (uint32_t)(sizeof(b->hdr) + len), false };
	flags = virtio_lock(virtio_net.dev);
	err = virtq_add(virtio_net.txq, &vb, 1, b);
	if (err) {
		virtio_net.tx_free[virtio_net.tx_nfree++] = b;
		virtio_unlock(virtio_net.dev, flags);
		return -EIO;
	}
	virtq_kick(virtio_net.txq);
	virtio_net.tx_frames++;
	virtio_unlock(virtio_net.dev, flags);
	return 0;
}

int net_send(const void *frame, size_t len)
{
	struct netdev_frag frag = { frame, len };

	return virtio_net_xmit(&frag, 1, true);
}

/* One received frame, if any: copies it out and reposts the buffer.
 * Returns the frame length, 0 when nothing is there, or -EIO. */
static int virtio_net_take_rx(void *buf, size_t size)
{
	struct virtio_net_buf *b;
	uint32_t len;
	void *token;
	size_t n;
	int ret;

	ret = virtq_collect(virtio_net.rxq, &token, &len);
	if (ret < 0) {
		virtio_net.broken = true;
		return -EIO;
	}
	if (ret == 0)
		return 0;
	b = token;
	if (len <= sizeof(b->hdr)) {
		/* an empty frame: nothing for the caller, recycle it */
		n = 0;
	} else {
		n = len - sizeof(b->hdr);
		if (n > size)
			n = size;
		memcpy(buf, b->frame, n);
	}
	if (virtio_net_post_rx(b) == 0)
		virtq_kick(virtio_net.rxq);
	virtio_net.rx_frames++;
	return n ? (int)n : -EAGAIN;
}

int net_recv(void *buf, size_t size, uint64_t timeout_ms)
{
	uint64_t deadline = 0, flags;
	int ret;

	if (!virtio_net.dev)
		return -ENODEV;
	if (timeout_ms)
		deadline = virtio_now_ns() + timeout_ms * 1000000ull;
	flags = virtio_lock(virtio_net.dev);
	for (;;) {
		ret = virtio_net_take_rx(buf, size);
		if (ret == -EAGAIN)
			continue;
		if (ret != 0)
			break;
		ret = virtio_wait(virtio_net.dev, deadline);
		if (ret)
			break;
	}
	virtio_unlock(virtio_net.dev, flags);
	return ret;
}

/* netdev operations (kernel/netdev.h) for the TCP/IP stack */

static int virtio_net_nd_send(struct netdev *nd, const struct netdev_frag *frags,
			      unsigned int n)
{
	return virtio_net_xmit(frags, n, false);
}

static int virtio_net_nd_recv(struct netdev *nd, void *buf, size_t size)
{
	uint64_t flags = virtio_lock(virtio_net.dev);
	int ret;

	do
		ret = virtio_net_take_rx(buf, size);
	while (ret == -EAGAIN);
	virtio_unlock(virtio_net.dev, flags);
	return ret;
}

static bool virtio_net_nd_rx_ready(struct netdev *nd)
{
	return virtq_pending(virtio_net.rxq);
}

static unsigned int virtio_net_nd_tx_space(struct netdev *nd, bool notify)
{
	uint64_t flags = virtio_lock(virtio_net.dev);
	unsigned int n;

	virtio_net_reap_tx();
	virtq_interrupts(virtio_net.txq, notify && !virtio_net.tx_nfree);
	/* a slot freed before interrupts were on would never interrupt */
	virtio_net_reap_tx();
	n = virtio_net.broken ? 0 : virtio_net.tx_nfree;
	virtio_unlock(virtio_net.dev, flags);
	return n;
}

/* The stack's thread found nothing to do; it sleeps unless a frame came
 * in since, or a transmit slot came back while none was free (looked at
 * again under the lock the interrupt takes, which may be another CPU's). */
static int virtio_net_nd_wait(struct netdev *nd, uint64_t deadline_ns)
{
	uint64_t flags = virtio_lock(virtio_net.dev);
	int err = 0;

	if (!virtq_pending(virtio_net.rxq) &&
	    (virtio_net.tx_nfree || !virtq_pending(virtio_net.txq)))
		err = virtio_wait(virtio_net.dev, deadline_ns);
	virtio_unlock(virtio_net.dev, flags);
	return err;
}

static void virtio_net_nd_wake(struct netdev *nd)
{
	waitq_wake_all(&virtio_net.dev->wq);
}

static const struct netdev_ops virtio_net_nd_ops = {
	.send = virtio_net_nd_send,
	.recv = virtio_net_nd_recv,
	.rx_ready = virtio_net_nd_rx_ready,
	.tx_space = virtio_net_nd_tx_space,
	.wait = virtio_net_nd_wait,
	.wake = virtio_net_nd_wake,
};

static int virtio_net_setup_queues(void)
{
	unsigned int i;
	int err;

	err = virtq_create(virtio_net.dev, VIRTIO_NET_RXQ,
			   VIRTIO_NET_QUEUE_SIZE, &virtio_net.rxq);
	if (err)
		return err;
	err = virtq_create(virtio_net.dev, VIRTIO_NET_TXQ,
			   VIRTIO_NET_QUEUE_SIZE, &virtio_net.txq);
	if (err)
		return err;
	virtio_net.rx_bufs = virtio_dma_alloc(sizeof(struct virtio_net_buf) *
					      virtio_net.rxq->size);
	virtio_net.tx_bufs = virtio_dma_alloc(sizeof(struct virtio_net_buf) *
					      virtio_net.txq->size);
	if (!virtio_net.rx_bufs || !virtio_net.tx_bufs)
		return -ENOMEM;
	for (i = 0; i < virtio_net.rxq->size; i++) {
		err = virtio_net_post_rx(&virtio_net.rx_bufs[i]);
		if (err)
			return err;
	}
	for (i = 0; i < virtio_net.txq->size; i++)
		virtio_net.tx_free[virtio_net.tx_nfree++] =
			&virtio_net.tx_bufs[i];
	return 0;
}

static int virtio_net_init(void)
{
	struct virtio_dev *dev = virtio_find(VIRTIO_ID_NET, 0);
	unsigned int i;
	int err;

	if (!dev) {
		virtio_log("virtio-net: no device found\n");
		return -ENODEV;
	}
	err = virtio_negotiate(dev, 1ull << VIRTIO_NET_F_MAC);
	if (err)
		return err;
	virtio_net.dev = dev;
	err = virtio_net_setup_queues();
	if (err)
		goto err_fail;
	if (virtio_has_feature(dev, VIRTIO_NET_F_MAC)) {
		for (i = 0; i < NET_MAC_LEN; i++)
			virtio_net.mac[i] = virtio_config_read8(
				dev, VIRTIO_NET_CFG_MAC + i);
	} else {
		/* a locally administered address of our own (5.1.5) */
		static const uint8_t mac[NET_MAC_LEN] = { 0x02, 0x6d, 0x69,
							  0x6e, 0x6e, 0x01 };
		memcpy(virtio_net.mac, mac, NET_MAC_LEN);
	}
	err = virtio_irq_attach(dev, "virtio-net");
	if (err)
		goto err_fail;
	/* sent frames are reclaimed when the next one is sent, not by
	 * interrupt: a receiver sleeping on the device is not woken for them */
	virtq_interrupts(virtio_net.txq, false);
	virtio_driver_ok(dev);
	/* the receive buffers were made available before DRIVER_OK */
	virtq_kick(virtio_net.rxq);
	memcpy(virtio_net.netdev.name, "virtio-net0", sizeof("virtio-net0"));
	memcpy(virtio_net.netdev.mac, virtio_net.mac, NET_MAC_LEN);
	virtio_net.netdev.mtu = NETDEV_MTU;
	virtio_net.netdev.ops = &virtio_net_nd_ops;
	virtio_net.netdev.priv = &virtio_net;
	netdev_register(&virtio_net.netdev);
	virtio_log_info("%s: virtio-net, MAC %02x:%02x:%02x:%02x:%02x:%02x\n",
			dev->name, virtio_net.mac[0], virtio_net.mac[1],
			virtio_net.mac[2], virtio_net.mac[3], virtio_net.mac[4],
			virtio_net.mac[5]);
	return 0;

err_fail:
	virtio_log("%s: virtio-net setup failed: error %d\n", dev->name, err);
	virtio_net.dev = NULL;
	virtio_fail(dev);
	return err;
}
DRIVER_INIT(virtio_net_init);
