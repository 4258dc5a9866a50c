/*
 * virtio-console (virtio 1.2, 5.3) as a second console port: without
 * VIRTIO_CONSOLE_F_MULTIPORT the device has exactly port 0, on queues 0
 * (receive) and 1 (transmit) (5.3.2). QEMU opens that port to the guest at
 * DRIVER_OK. Receive buffers stay posted; a buffer the reader has not
 * finished stays ours until it has been read to the end.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/cpu.h>
#include <kernel/driver.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>
#include <minnow/virtio_console.h>

#define VIRTIO_CONSOLE_RXQ 0
#define VIRTIO_CONSOLE_TXQ 1
#define VIRTIO_CONSOLE_QUEUE_SIZE 32
#define VIRTIO_CONSOLE_BUF_SIZE 1024

struct virtio_console_buf {
	uint8_t data[VIRTIO_CONSOLE_BUF_SIZE];
};

struct virtio_console {
	struct virtio_dev *dev;
	struct virtq *rxq, *txq;
	struct virtio_console_buf *rx_bufs, *tx_bufs;
	struct virtio_console_buf *tx_free[VIRTIO_CONSOLE_QUEUE_SIZE];
	unsigned int tx_nfree;
	/* the receive buffer being read: rx_cur->data[rx_pos..rx_len) */
	struct virtio_console_buf *rx_cur;
	uint32_t rx_pos, rx_len;
	bool broken;
};

static struct virtio_console vcon;

static void virtio_console_post_rx(struct virtio_console_buf *b)
{
	struct virtq_buf vb = { b->data, sizeof(b->data), true };

	if (virtq_add(vcon.rxq, &vb, 1, b) == 0)
		virtq_kick(vcon.rxq);
}

static void virtio_console_reap_tx(void)
{
	uint32_t len;
	void *token;
	int ret;

	while ((ret = virtq_collect(vcon.txq, &token, &len)) > 0)
		vcon.tx_free[vcon.tx_nfree++] = token;
	if (ret < 0)
		vcon.broken = true;
}

/* Sends up to one buffer's worth; returns bytes queued or -EIO. */
static int virtio_console_send(const uint8_t *p, size_t len)
{
	struct virtio_console_buf *b;
	struct virtq_buf vb;
	uint64_t flags;

	flags = virtio_lock(vcon.dev);
	virtio_console_reap_tx();
	while (!vcon.tx_nfree && !vcon.broken) {
		virtio_wait(vcon.dev, 0);
		virtio_console_reap_tx();
	}
	if (vcon.broken) {
		virtio_unlock(vcon.dev, flags);
		return -EIO;
	}
	if (len > sizeof(b->data))
		len = sizeof(b->data);
	b = vcon.tx_free[--vcon.tx_nfree];
	memcpy(b->data, p, len);
	vb = (struct virtq_buf){ b->data, (uint32_t)len, false };
	if (virtq_add(vcon.txq, &vb, 1, b)) {
		vcon.tx_free[vcon.tx_nfree++] = b;
		virtio_unlock(vcon.dev, flags);
		return -EIO;
	}
	virtq_kick(vcon.txq);
	virtio_unlock(vcon.dev, flags);
	return (int)len;
}

/*
 * Returns once the device has taken every byte (handed them to the host
 * side, or stalled until the host reads): a program that writes and exits
 * loses nothing, and a slow reader slows the writer instead of losing data.
 */
int vconsole_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t done = 0;
	uint64_t flags;
	int n;

	if (!vcon.dev)
		return -ENODEV;
	while (done < len) {
		n = virtio_console_send(p + done, len - done);
		if (n < 0)
			return n;
		done += (size_t)n;
	}
	flags = virtio_lock(vcon.dev);
	virtio_console_reap_tx();
	while (vcon.tx_nfree < vcon.txq->size && !vcon.broken) {
		virtio_wait(vcon.dev, 0);
		virtio_console_reap_tx();
	}
	virtio_unlock(vcon.dev, flags);
	return vcon.broken ? -EIO : (int)len;
}

/* Makes rx_cur the next buffer with data, if the device returned one. */
static int virtio_console_next_rx(void)
{
	uint32_t len;
	void *token;
	int ret;

	while (!vcon.rx_cur) {
		ret = virtq_collect(vcon.rxq, &token, &len);
		if (ret < 0) {
			vcon.broken = true;
			return -EIO;
		}
		if (ret == 0)
			return 0;
		if (len == 0) {
			virtio_console_post_rx(token);
			continue;
		}
		vcon.rx_cur = token;
		vcon.rx_pos = 0;
		vcon.rx_len = len;
	}
	return 1;
}

int vconsole_read(void *buf, size_t len, uint64_t timeout_ms)
{
	uint64_t deadline = 0, flags;
	size_t n;
	int ret;

	if (!vcon.dev)
		return -ENODEV;
	if (len == 0)
		return 0;
	if (timeout_ms)
		deadline = virtio_now_ns() + timeout_ms * 1000000ull;
	flags = virtio_lock(vcon.dev);
	while ((ret = virtio_console_next_rx()) == 0) {
		ret = virtio_wait(vcon.dev, deadline);
		if (ret)
			break;
	}
	if (ret < 0) {
		virtio_unlock(vcon.dev, flags);
		return ret;
	}
	n = vcon.rx_len - vcon.rx_pos;
	if (n > len)
		n = len;
	memcpy(buf, vcon.rx_cur->data + vcon.rx_pos, n);
	vcon.rx_pos += (uint32_t)n;
	if (vcon.rx_pos == vcon.rx_len) {
		struct virtio_console_buf *b = vcon.rx_cur;

		vcon.rx_cur = NULL;
		virtio_console_post_rx(b);
	}
	virtio_unlock(vcon.dev, flags);
	return (int)n;
}

static int virtio_console_setup(struct virtio_dev *dev)
{
	struct virtq_buf vb;
	unsigned int i;
	int err;

	err = virtq_create(dev, VIRTIO_CONSOLE_RXQ, VIRTIO_CONSOLE_QUEUE_SIZE,
			   &vcon.rxq);
	if (err)
		return err;
	err = virtq_create(dev, VIRTIO_CONSOLE_TXQ, VIRTIO_CONSOLE_QUEUE_SIZE,
			   &vcon.txq);
	if (err)
		return err;
	vcon.rx_bufs = virtio_dma_alloc(sizeof(*vcon.rx_bufs) * vcon.rxq->size);
	vcon.tx_bufs = virtio_dma_alloc(sizeof(*vcon.tx_bufs) * vcon.txq->size);
	if (!vcon.rx_bufs || !vcon.tx_bufs)
		return -ENOMEM;
	for (i = 0; i < vcon.rxq->size; i++) {
		vb = (struct virtq_buf){ vcon.rx_bufs[i].data,
					 VIRTIO_CONSOLE_BUF_SIZE, true };
		err = virtq_add(vcon.rxq, &vb, 1, &vcon.rx_bufs[i]);
		if (err)
			return err;
	}
	for (i = 0; i < vcon.txq->size; i++)
		vcon.tx_free[vcon.tx_nfree++] = &vcon.tx_bufs[i];
	return 0;
}

static int virtio_console_init(void)
{
	struct virtio_dev *dev = virtio_find(VIRTIO_ID_CONSOLE, 0);
	int err;

	if (!dev) {
		virtio_log("virtio-console: no device found\n");
		return -ENODEV;
	}
	err = virtio_negotiate(dev, 0);
	if (err)
		return err;
	err = virtio_console_setup(dev);
	if (err)
		goto err_fail;
	err = virtio_irq_attach(dev, "virtio-console");
	if (err)
		goto err_fail;
	vcon.dev = dev;
	virtio_driver_ok(dev);
	virtq_kick(vcon.rxq);
	virtio_log_info("%s: virtio-console\n", dev->name);
	return 0;

err_fail:
	virtio_log("%s: virtio-console setup failed: error %d\n", dev->name,
		   err);
	virtio_fail(dev);
	return err;
}
DRIVER_INIT(virtio_console_init);
