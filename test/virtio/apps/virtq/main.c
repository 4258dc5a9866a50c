/*
 * Split virtqueue checks against a simulated device: a fake transport hands
 * us the rings, and this file plays the device by writing the used ring,
 * well and badly. A device that misbehaves must produce -EIO, never a crash
 * or a hang. Prints PASS/FAIL per case; exit code = number of failures.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>

static unsigned int notifies;
static int failures;

static unsigned int fake_queue_max(struct virtio_dev *dev, unsigned int i)
{
	return 8;
}

static int fake_queue_enable(struct virtio_dev *dev, unsigned int index,
			     unsigned int size, uint64_t desc, uint64_t drv,
			     uint64_t dv)
{
	return 0;
}

static void fake_queue_notify(struct virtio_dev *dev, unsigned int index)
{
	notifies++;
}

static const struct virtio_transport fake = {
	.name = "fake",
	.queue_max = fake_queue_max,
	.queue_enable = fake_queue_enable,
	.queue_notify = fake_queue_notify,
};

static struct virtio_dev fake_dev = { .tr = &fake, .name = "fake" };
static char data[8][128];

static void check(const char *name, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	failures += !ok;
}

/* The device finishes chain `id`, having written `len` bytes. */
static void device_use(struct virtq *vq, uint32_t id, uint32_t len)
{
	uint16_t idx = vq->used->idx;

	vq->used->ring[idx % vq->size].id = id;
	vq->used->ring[idx % vq->size].len = len;
	vq->used->idx = (uint16_t)(idx + 1);
}

static struct virtq *fresh(void)
{
	struct virtq *vq = NULL;

	if (virtq_create(&fake_dev, 0, 8, &vq))
		return NULL;
	return vq;
}

static int add2(struct virtq *vq, void *token)
{
	struct virtq_buf b[2] = { { data[0], 16, false },
				  { data[1], 100, true } };

	return virtq_add(vq, b, 2, token);
}

int main(void)
{
	struct virtq *vq = fresh();
	struct virtq_buf one = { data[2], 64, true };
	uint16_t head;
	uint32_t len;
	void *tok;
	int i, ok;

	check("create", vq && vq->size == 8 && virtq_free_count(vq) == 8);
	if (!vq)
		return 1;

	/* a good round trip */
	check("add chain", add2(vq, data) == 0 && virtq_free_count(vq) == 6);
	virtq_kick(vq);
	check("kick notifies", notifies == 1);
	virtq_kick(vq);
	check("kick without news is silent", notifies == 1);
	head = vq->avail->ring[0];
	check("descriptor chain",
	      (vq->desc[head].flags & VIRTQ_DESC_F_NEXT) &&
		      vq->desc[vq->desc[head].next].flags == VIRTQ_DESC_F_WRITE);
	check("nothing used yet", virtq_collect(vq, &tok, &len) == 0);
	device_use(vq, head, 50);
	check("collect", virtq_collect(vq, &tok, &len) == 1 && tok == data &&
				 len == 50 && virtq_free_count(vq) == 8);

	/* filling the queue */
	for (i = 0, ok = 1; i < 8; i++)
		ok &= virtq_add(vq, &one, 1, data[i]) == 0;
	check("fill to size", ok && virtq_free_count(vq) == 0);
	check("full queue says -ENOSPC", virtq_add(vq, &one, 1, data) == -ENOSPC);

	/* 70000 round trips: avail->idx and used->idx wrap at 65536 */
	vq = fresh();
	for (i = 0, ok = 1; i < 70000 && ok; i++) {
		ok &= virtq_add(vq, &one, 1, data[i & 7]) == 0;
		device_use(vq, vq->avail->ring[(uint16_t)(vq->avail->idx - 1) % 8], 10);
		ok &= virtq_collect(vq, &tok, &len) == 1 && tok == data[i & 7];
	}
	check("indices wrap at 65536", ok && vq->avail->idx == (uint16_t)70000);

	/* misbehaving devices */
	vq = fresh();
	add2(vq, data);
	vq->used->idx = 5;	/* five used entries for one buffer */
	check("used idx beyond the ring is -EIO",
	      virtq_collect(vq, &tok, &len) == -EIO && vq->broken);
	check("a broken queue refuses new buffers",
	      virtq_add(vq, &one, 1, data) == -EIO);

	vq = fresh();
	add2(vq, data);
	device_use(vq, vq->avail->ring[0], 4096);	/* 100 writable bytes */
	check("used len larger than the buffer is -EIO, token returned",
	      virtq_collect(vq, &tok, &len) == -EIO && tok == data);

	vq = fresh();
	add2(vq, data);
	device_use(vq, 7, 10);	/* descriptor 7 heads no chain */
	check("used id of no outstanding chain is -EIO",
	      virtq_collect(vq, &tok, &len) == -EIO);

	vq = fresh();
	add2(vq, data);
	device_use(vq, 4000, 10);
	check("used id beyond the table is -EIO",
	      virtq_collect(vq, &tok, &len) == -EIO);

	check("empty chain is -EINVAL", virtq_add(fresh(), &one, 0, data) == -EINVAL);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "DONE", failures);
	return failures;
}
