/*
 * virtio-9p (virtio 1.2, 5.11): QEMU's `-fsdev local` + `virtio-9p-device`
 * (microvm) or `virtio-9p-pci` (q35) export a host folder; the device has
 * one request queue and no protocol of its own: each chain is a 9P
 * T-message the device reads followed by room for the R-message it writes.
 * This file only carries messages; the 9P2000.L client is fs/9p.c. Any
 * number of threads may have requests in flight; each sleeps on the device
 * until its own chain comes back.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <kernel/cpu.h>
#include <kernel/driver.h>
#include <kernel/virtio.h>
#include <kernel/virtio_9p.h>
#include <kernel/virtq.h>

/* Device type (5) and feature bits (5.11.3) */
#define VIRTIO_ID_9P 9
#define VIRTIO_9P_F_MOUNT_TAG 0

/* struct virtio_9p_config (5.11.4): le16 tag_len, then the tag */
#define VIRTIO_9P_CFG_TAG_LEN 0
#define VIRTIO_9P_CFG_TAG 2

#define VIRTIO_9P_QUEUE_SIZE 128

struct virtio_9p virtio_9p_devices[VIRTIO_9P_DEVICES_MAX];
unsigned int virtio_9p_count;

/* One request in flight: the token its chain carries. */
struct virtio_9p_req {
	volatile bool done;
	long result;
};

struct virtio_9p *virtio_9p_find(const char *tag)
{
	for (unsigned int i = 0; i < virtio_9p_count; i++) {
		if (strcmp(virtio_9p_devices[i].tag, tag) == 0)
			return &virtio_9p_devices[i];
	}
	return NULL;
}

/* Finishes every request the device has returned; interrupts off. */
static void virtio_9p_reap(struct virtio_9p *d)
{
	struct virtio_9p_req *req;
	uint32_t len;
	void *token;
	int ret;

	while ((ret = virtq_collect(d->vq, &token, &len)) > 0) {
		req = token;
		req->result = len;
		req->done = true;
	}
	if (ret < 0 && !d->broken) {
		/* a queue that broke finishes nothing more: every waiter
		 * would sleep for good, so all of them end with -EIO */
		d->broken = true;
		if (token)
			((struct virtio_9p_req *)token)->done = true;
		waitq_wake_all(&d->dev->wq);
	}
}

long virtio_9p_request(struct virtio_9p *d, const struct virtq_buf *bufs,
		       unsigned int n_out, unsigned int n)
{
	struct virtio_9p_req req = { .done = false, .result = -EIO };
	uint64_t flags;
	int err;

	(void)n_out;	/* the buffers carry their direction themselves */
	flags = virtio_lock(d->dev);
	for (;;) {
		if (d->broken) {
			virtio_unlock(d->dev, flags);
			return -EIO;
		}
		err = virtq_add(d->vq, bufs, n, &req);
		if (err != -ENOSPC)
			break;
		/* queue full: wait for someone's chain to come back */
		virtio_9p_reap(d);
		if (virtq_free_count(d->vq) < n)
			virtio_wait(d->dev, 0);
	}
	if (err) {
		virtio_unlock(d->dev, flags);
		return err;
	}
	d->requests++;
	virtq_kick(d->vq);
	while (!req.done && !d->broken) {
		virtio_9p_reap(d);
		if (!req.done && !d->broken)
			virtio_wait(d->dev, 0);
	}
	virtio_unlock(d->dev, flags);
	/* another thread's wake-up may be ours too: pass it on */
	waitq_wake_all(&d->dev->wq);
	return req.done && !d->broken ? req.result : -EIO;
}

static void virtio_9p_read_tag(struct virtio_9p *d)
{
	unsigned int len = virtio_config_read8(d->dev, VIRTIO_9P_CFG_TAG_LEN) |
			   (virtio_config_read8(d->dev,
						VIRTIO_9P_CFG_TAG_LEN + 1) << 8);

	if (len >= VIRTIO_9P_TAG_MAX)
		len = VIRTIO_9P_TAG_MAX - 1;
	for (unsigned int i = 0; i < len; i++)
		d->tag[i] = (char)virtio_config_read8(d->dev,
						      VIRTIO_9P_CFG_TAG + i);
	d->tag[len] = '\0';
}

static int virtio_9p_setup(struct virtio_dev *dev)
{
	struct virtio_9p *d = &virtio_9p_devices[virtio_9p_count];
	int err;

	err = virtio_negotiate(dev, 1ull << VIRTIO_9P_F_MOUNT_TAG);
	if (err)
		return err;
	d->dev = dev;
	err = virtq_create(dev, 0, VIRTIO_9P_QUEUE_SIZE, &d->vq);
	if (err)
		goto err_fail;
	err = virtio_irq_attach(dev, "virtio-9p reply");
	if (err)
		goto err_fail;
	if (virtio_has_feature(dev, VIRTIO_9P_F_MOUNT_TAG))
		virtio_9p_read_tag(d);
	virtio_driver_ok(dev);
	virtio_9p_count++;
	virtio_log_info("%s: virtio-9p, mount tag \"%s\"\n", dev->name, d->tag);
	return 0;

err_fail:
	virtio_log("%s: virtio-9p setup failed: error %d\n", dev->name, err);
	virtio_fail(dev);
	memset(d, 0, sizeof(*d));
	return err;
}

static int virtio_9p_init(void)
{
	struct virtio_dev *dev;

	/* virtio_find skips claimed devices: the nth unclaimed is always 0 */
	while (virtio_9p_count < VIRTIO_9P_DEVICES_MAX &&
	       (dev = virtio_find(VIRTIO_ID_9P, 0))) {
		dev->claimed = true;
		virtio_9p_setup(dev);
	}
	return 0;
}
DRIVER_INIT(virtio_9p_init);
