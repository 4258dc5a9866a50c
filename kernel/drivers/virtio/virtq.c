/*
 * Split virtqueues (virtio 1.2, 2.7): the descriptor table, the driver area
 * ("avail") and the device area ("used") live in one zeroed allocation.
 * Free descriptors form a list threaded through desc[].next. The driver
 * publishes a chain as soon as it is added; virtq_kick() only tells the
 * device, so that a batch of chains costs one notification.
 *
 * Nothing here sleeps or takes locks: the scheduler is cooperative and the
 * interrupt handler never touches a ring (it only acknowledges the ISR and
 * wakes the waiting threads), so every ring access happens in thread context.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>

static size_t virtq_align(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Byte offsets of the three areas for a queue of `size` entries (2.7). */
static void virtq_layout(unsigned int size, size_t *avail_off,
			 size_t *used_off, size_t *total)
{
	size_t desc_bytes = sizeof(struct virtq_desc) * size;
	/* flags, idx, ring[size], used_event */
	size_t avail_bytes = 2 + 2 + 2 * size + 2;
	/* flags, idx, ring[size], avail_event */
	size_t used_bytes = 2 + 2 + sizeof(struct virtq_used_elem) * size + 2;

	*avail_off = desc_bytes;
	/* the device area must be 4-byte aligned (2.7, table "Alignment");
	 * a separate cache line keeps device and driver writes apart */
	*used_off = virtq_align(desc_bytes + avail_bytes, 64);
	*total = *used_off + used_bytes;
}

static void virtq_free_mem(struct virtq *vq, size_t ring_bytes)
{
	virtio_dma_free(vq->mem, ring_bytes);
	virtio_dma_free(vq->token, sizeof(*vq->token) * vq->size);
	virtio_dma_free(vq->writable, sizeof(*vq->writable) * vq->size);
	virtio_dma_free(vq->chain_len, sizeof(*vq->chain_len) * vq->size);
	virtio_dma_free(vq, sizeof(*vq));
}

/*
 * Sets up queue `index` of `dev` with at most `max_size` entries (rounded
 * down to a power of two) and hands it to the device. Returns 0, -ENOENT when
 * the device has no such queue, -ENOMEM, or the transport's error.
 */
int virtq_create(struct virtio_dev *dev, unsigned int index,
		 unsigned int max_size, struct virtq **out)
{
	struct virtq *vq;
	unsigned int size, dev_max, i;
	size_t avail_off, used_off, total;
	int err;

	dev_max = dev->tr->queue_max(dev, index);
	if (dev_max == 0)
		return -ENOENT;
	size = dev_max < max_size ? dev_max : max_size;
	if (size > VIRTQ_SIZE_MAX)
		size = VIRTQ_SIZE_MAX;
	while (size & (size - 1))	/* round down to a power of two */
		size &= size - 1;

	vq = virtio_dma_alloc(sizeof(*vq));
	if (!vq)
		return -ENOMEM;
	virtq_layout(size, &avail_off, &used_off, &total);
	vq->size = size;
	vq->mem = virtio_dma_alloc(total);
	vq->token = virtio_dma_alloc(sizeof(*vq->token) * size);
	vq->writable = virtio_dma_alloc(sizeof(*vq->writable) * size);
	vq->chain_len = virtio_dma_alloc(sizeof(*vq->chain_len) * size);
	if (!vq->mem || !vq->token || !vq->writable || !vq->chain_len) {
		err = -ENOMEM;
		goto err_free;
	}

	vq->dev = dev;
	vq->index = index;
	vq->desc = vq->mem;
	vq->avail = (struct virtq_avail *)((uint8_t *)vq->mem + avail_off);
	vq->used = (struct virtq_used *)((uint8_t *)vq->mem + used_off);
	for (i = 0; i < size; i++)
		vq->desc[i].next = (uint16_t)(i + 1);
	vq->free_head = 0;
	vq->num_free = (uint16_t)size;

	/* identity mapping: a kernel address is the guest-physical one */
	err = dev->tr->queue_enable(dev, index, size, (uintptr_t)vq->desc,
				    (uintptr_t)vq->avail, (uintptr_t)vq->used);
	if (err)
		goto err_free;
	*out = vq;
	return 0;

err_free:
	virtq_free_mem(vq, total);
	return err;
}

unsigned int virtq_free_count(const struct virtq *vq)
{
	return vq->num_free;
}

/*
 * Adds a chain of `n` buffers, device-readable ones first (2.7.4.1 wants
 * readable before writable; the caller orders them), and makes it available.
 * `token` (not NULL) comes back from virtq_collect() when the device is done.
 * Returns 0, -ENOSPC when too few descriptors are free (collect, then retry),
 * -EINVAL for an empty chain, -EIO when the queue is broken.
 */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned int n,
	      void *token)
{
	uint16_t head, idx;
	uint32_t writable = 0;
	unsigned int i;

	if (vq->broken)
		return -EIO;
	if (n == 0 || !token)
		return -EINVAL;
	if (n > vq->num_free)
		return -ENOSPC;

	head = idx = vq->free_head;
	for (i = 0; i < n; i++) {
		struct virtq_desc *d = &vq->desc[idx];

		d->addr = (uintptr_t)bufs[i].addr;
		d->len = bufs[i].len;
		d->flags = bufs[i].writable ? VIRTQ_DESC_F_WRITE : 0;
		if (bufs[i].writable)
			writable += bufs[i].len;
		if (i + 1 < n)
			d->flags |= VIRTQ_DESC_F_NEXT;
		/* the end of the free list points one past the table: the
		 * mask keeps every index inside it whatever the table says */
		idx = d->next & (vq->size - 1);
	}
	vq->free_head = idx;
	vq->num_free = (uint16_t)(vq->num_free - n);
	vq->token[head] = token;
	vq->writable[head] = writable;
	vq->chain_len[head] = (uint16_t)n;

	/* queue size is a power of two, so the ring slot is idx & (size-1) */
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
	vq->avail_idx++;	/* avail->idx wraps naturally at 65536 */
	/* the ring entry must be visible before the index (2.7.13.2) */
	__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Notifies the device of the chains added since the last kick, unless it
 * asked not to be notified (2.7.10). A full barrier orders our avail->idx
 * store before the load of used->flags (2.7.13.3).
 */
void virtq_kick(struct virtq *vq)
{
	if (vq->broken || vq->kicked_idx == vq->avail_idx)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->kicked_idx = vq->avail_idx;
	if (__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
	    VIRTQ_USED_F_NO_NOTIFY)
		return;
	vq->dev->tr->queue_notify(vq->dev, vq->index);
}

/*
 * Asks the device not to interrupt when it returns buffers of this queue
 * (VIRTQ_AVAIL_F_NO_INTERRUPT, 2.7.7), or to interrupt again. Only a hint:
 * the device may still interrupt, and a driver that turns interrupts back
 * on must look at the used ring once more before it sleeps.
 */
void virtq_interrupts(struct virtq *vq, bool on)
{
	uint16_t flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;

	__atomic_store_n(&vq->avail->flags, flags, __ATOMIC_RELEASE);
	/* the flag must be visible before we read used->idx again */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* True when the device has returned chains that were not collected yet. */
bool virtq_pending(const struct virtq *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_used;
}

static int virtq_broken(struct virtq *vq, const char *what, unsigned int a,
			unsigned int b)
{
	vq->broken = true;
	virtio_log("%s: queue %u: device misbehaved: %s (%u, %u); queue stopped\n",
		   vq->dev->name, vq->index, what, a, b);
	return -EIO;
}

static void virtq_free_chain(struct virtq *vq, uint16_t head)
{
	uint16_t idx = head, n = vq->chain_len[head], i;

	for (i = 1; i < n; i++)
		idx = vq->desc[idx].next & (vq->size - 1);
	/* the chain's last descriptor points at the old free list */
	vq->desc[idx].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	vq->token[head] = NULL;
}

/*
 * Takes one finished chain off the used ring: stores its token and the
 * number of bytes the device wrote. Returns 1, 0 when nothing is pending,
 * or -EIO when the device broke the protocol (then *token is the chain the
 * bad entry named, if it named a real one, else NULL).
 */
int virtq_collect(struct virtq *vq, void **token, uint32_t *len)
{
	uint16_t used_idx, ready, in_flight, id;
	struct virtq_used_elem e;

	*token = NULL;
	*len = 0;
	if (vq->broken)
		return -EIO;
	used_idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	ready = (uint16_t)(used_idx - vq->last_used);
	if (ready == 0)
		return 0;
	in_flight = (uint16_t)(vq->avail_idx - vq->last_used);
	if (ready > in_flight)
		return virtq_broken(vq, "used idx beyond the buffers made available",
				    used_idx, vq->avail_idx);

	e = vq->used->ring[vq->last_used & (vq->size - 1)];
	if (e.id >= vq->size || !vq->token[e.id])
		return virtq_broken(vq, "used id is not an outstanding chain",
				    e.id, vq->size);
	id = (uint16_t)e.id;
	if (e.len > vq->writable[id]) {
		*token = vq->token[id];
		*len = 0;
		virtq_free_chain(vq, id);
		vq->last_used++;
		return virtq_broken(vq, "used len larger than the writable buffers",
				    e.len, vq->writable[id]);
	}
	*token = vq->token[id];
	*len = e.len;
	virtq_free_chain(vq, id);
	vq->last_used++;
	return 1;
}
