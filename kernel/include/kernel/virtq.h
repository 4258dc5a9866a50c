/*
 * Split virtqueues (virtio 1.2, 2.7). A driver adds a chain of buffers with
 * a token of its own, kicks, and later collects (token, length) pairs from
 * the used ring. Everything the device writes back is checked: a used index
 * that runs ahead of what was made available, an unknown descriptor id or a
 * length beyond the writable buffers marks the queue broken and returns
 * -EIO; it never crashes or hangs the kernel.
 */
#ifndef KERNEL_VIRTQ_H
#define KERNEL_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

struct virtio_dev;

/* Descriptor flags (2.7.5) */
#define VIRTQ_DESC_F_NEXT 1	/* the chain continues in `next` */
#define VIRTQ_DESC_F_WRITE 2	/* device writes (otherwise reads) */
#define VIRTQ_DESC_F_INDIRECT 4

/* Driver area flags (2.7.6) and device area flags (2.7.8) */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

/* Queue Size is a power of 2 no larger than 32768 (2.7) */
#define VIRTQ_SIZE_MAX 32768

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;	/* head of the chain the device finished */
	uint32_t len;	/* bytes it wrote into the chain */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

/* One buffer of a chain: driver-to-device (writable false) or the reverse. */
struct virtq_buf {
	void *addr;
	uint32_t len;
	bool writable;
};

struct virtq {
	struct virtio_dev *dev;
	unsigned int index;
	unsigned int size;	/* number of descriptors, a power of 2 */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head;	/* first free descriptor */
	uint16_t num_free;
	uint16_t avail_idx;	/* next avail->idx we publish */
	uint16_t kicked_idx;	/* avail_idx at the last notification */
	uint16_t last_used;	/* next used->idx entry to consume */
	bool broken;		/* the device misbehaved; no more I/O */
	/* per chain head: the driver's token, the bytes the device may
	 * write, the number of descriptors */
	void **token;
	uint32_t *writable;
	uint16_t *chain_len;
	void *mem;		/* the three rings, one allocation */
};

/* virtq.c */
int virtq_create(struct virtio_dev *dev, unsigned int index,
		 unsigned int max_size, struct virtq **out);
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned int n,
	      void *token);
void virtq_kick(struct virtq *vq);
int virtq_collect(struct virtq *vq, void **token, uint32_t *len);
bool virtq_pending(const struct virtq *vq);
void virtq_interrupts(struct virtq *vq, bool on);
unsigned int virtq_free_count(const struct virtq *vq);

#endif
