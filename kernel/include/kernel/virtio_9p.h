/*
 * virtio-9p transports (virtio 1.2, 5.11) as the 9P client (fs/9p.c) sees
 * them: each device is a host folder QEMU exports under a mount tag, and a
 * request is one T-message out and one R-message back, each possibly in
 * several buffers so that file data moves straight from and into the
 * caller's memory. Implemented in drivers/virtio_9p.c.
 */
#ifndef KERNEL_VIRTIO_9P_H
#define KERNEL_VIRTIO_9P_H

#include <stdbool.h>
#include <stdint.h>

struct virtq_buf;

#define VIRTIO_9P_DEVICES_MAX 8
#define VIRTIO_9P_TAG_MAX 64

struct virtio_9p {
	struct virtio_dev *dev;
	struct virtq *vq;
	char tag[VIRTIO_9P_TAG_MAX];	/* the device's mount_tag */
	unsigned long requests;		/* sent so far (Kernel view) */
};

/* The devices found at boot, for the debugger and the 9P client. */
extern struct virtio_9p virtio_9p_devices[VIRTIO_9P_DEVICES_MAX];
extern unsigned int virtio_9p_count;

/* drivers/virtio_9p.c */
/* The device exporting `tag`, or NULL. */
struct virtio_9p *virtio_9p_find(const char *tag);
/* Sends bufs[0..n_out) and receives into bufs[n_out..n): sleeps until the
 * device answers. Returns the bytes received, or -EIO. */
long virtio_9p_request(struct virtio_9p *d, const struct virtq_buf *bufs,
		       unsigned int n_out, unsigned int n);

#endif
