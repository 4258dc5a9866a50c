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

struct virtio_9p *virtio_9p_find(const char *tag)
{
	for (unsigned int i = 0; i < virtio_9p_count; i++) {
		if (strcmp(virtio_9p_devices[i].tag, tag) == 0)
			return &virtio_9p_devices[i];
	}
	return NULL;
}

long virtio_9p_request(struct virtio_9p *d, const struct virtq_buf *bufs,
		       unsigned int n_out, unsigned int n)
{
	(void)n_out;	/* the buffers carry their direction themselves */
	return virtio_request(d->vq, bufs, n, &d->requests);
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
