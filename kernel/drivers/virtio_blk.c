/*
 * virtio-blk (virtio 1.2, 5.2): one request queue, each request a chain of
 * three buffers: the header (type, sector), the data, and one status byte
 * the device writes last (5.2.6). Requests carry a slot of ours that holds
 * the header and status in DMA memory; the caller's blk_request only says
 * what to do and receives the result. Any number of requests can be in
 * flight, up to the queue size; completions arrive by interrupt and the
 * waiting thread sleeps on the device meanwhile.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/blkdev.h>
#include <kernel/cpu.h>
#include <kernel/driver.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>
#include <minnow/virtio_blk.h>

/* Feature bits (5.2.3) */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

/* struct virtio_blk_config offsets (5.2.4) */
#define VIRTIO_BLK_CFG_CAPACITY 0
#define VIRTIO_BLK_CFG_SIZE_MAX 8

/* Request types and status values (5.2.6) */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_QUEUE_SIZE 128
#define VIRTIO_BLK_STATUS_UNSET 0xff

struct virtio_blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk_slot {
	struct virtio_blk_hdr hdr;	/* device reads */
	uint8_t status;			/* device writes */
	struct blk_request *req;
	struct virtio_blk_slot *next_free;
};

struct virtio_blk {
	struct virtio_dev *dev;
	struct virtq *vq;
	uint64_t capacity;
	uint32_t max_bytes;		/* largest data buffer per request */
	bool read_only;
	bool broken;
	struct virtio_blk_slot *slots;
	struct virtio_blk_slot *free;
	unsigned int in_flight;
};

static struct virtio_blk virtio_blk;

uint64_t blk_capacity(void)
{
	return virtio_blk.dev ? virtio_blk.capacity : 0;
}

bool blk_read_only(void)
{
	return virtio_blk.read_only;
}

static void virtio_blk_complete(struct virtio_blk_slot *slot, int result)
{
	struct blk_request *req = slot->req;

	req->result = result;
	req->done = true;
	slot->req = NULL;
	slot->next_free = virtio_blk.free;
	virtio_blk.free = slot;
	virtio_blk.in_flight--;
}

/* The device stopped following the protocol: every request in flight ends
 * with -EIO, and so does everything after. */
static void virtio_blk_fail_all(void)
{
	unsigned int i;

	virtio_blk.broken = true;
	for (i = 0; i < virtio_blk.vq->size; i++) {
		if (virtio_blk.slots[i].req)
			virtio_blk_complete(&virtio_blk.slots[i], -EIO);
	}
}

/* Finishes every request the device has returned. */
static void virtio_blk_reap(void)
{
	struct virtio_blk_slot *slot;
	uint32_t len;
	void *token;
	int ret;

	while ((ret = virtq_collect(virtio_blk.vq, &token, &len)) > 0) {
		slot = token;
		/* the status byte is the last thing the device writes */
		if (slot->status == VIRTIO_BLK_S_OK)
			virtio_blk_complete(slot, 0);
		else if (slot->status == VIRTIO_BLK_S_UNSUPP)
			virtio_blk_complete(slot, -EIO);
		else
			virtio_blk_complete(slot, -EIO);
	}
	if (ret < 0 && !virtio_blk.broken)
		virtio_blk_fail_all();
}

static int virtio_blk_check(const struct blk_request *req)
{
	uint64_t bytes = (uint64_t)req->count * BLK_SECTOR_SIZE;

	if (!virtio_blk.dev)
		return -ENODEV;
	if (virtio_blk.broken)
		return -EIO;
	if (req->op == BLK_FLUSH)
		return 0;
	if (req->op != BLK_READ && req->op != BLK_WRITE)
		return -EINVAL;
	if (req->count == 0 || req->count > BLK_REQUEST_MAX_SECTORS ||
	    bytes > virtio_blk.max_bytes || !req->buf)
		return -EINVAL;
	if (req->sector >= virtio_blk.capacity ||
	    req->count > virtio_blk.capacity - req->sector)
		return -ERANGE;
	if (req->op == BLK_WRITE && virtio_blk.read_only)
		return -EPERM;
	return 0;
}

/* blk_submit() holding the device's lock: threads on several CPUs share
 * the queue and its free slots. */
static int virtio_blk_submit_locked(struct blk_request *req)
{
	struct virtio_blk_slot *slot;
	struct virtq_buf bufs[3];
	unsigned int n = 0;
	int err;

	req->done = false;
	req->result = 0;
	err = virtio_blk_check(req);
	if (err)
		goto finish;
	if (req->op == BLK_FLUSH &&
	    !virtio_has_feature(virtio_blk.dev, VIRTIO_BLK_F_FLUSH))
		goto finish;	/* no write cache to flush: done already */
	slot = virtio_blk.free;
	if (!slot) {
		err = -EAGAIN;
		goto finish;
	}

	slot->hdr.type = req->op == BLK_READ	? VIRTIO_BLK_T_IN :
			 req->op == BLK_WRITE ? VIRTIO_BLK_T_OUT :
						VIRTIO_BLK_T_FLUSH;
	slot->hdr.reserved = 0;
	slot->hdr.sector = req->op == BLK_FLUSH ? 0 : req->sector;
	slot->status = VIRTIO_BLK_STATUS_UNSET;
	bufs[n++] = (struct virtq_buf){ &slot->hdr, sizeof(slot->hdr), false };
	if (req->op != BLK_FLUSH)
		bufs[n++] = (struct virtq_buf){
			req->buf, req->count * BLK_SECTOR_SIZE,
			req->op == BLK_READ };
	bufs[n++] = (struct virtq_buf){ &slot->status, 1, true };

	err = virtq_add(virtio_blk.vq, bufs, n, slot);
	if (err == -ENOSPC)
		err = -EAGAIN;
	if (err)
		goto finish;
	virtio_blk.free = slot->next_free;
	slot->req = req;
	virtio_blk.in_flight++;
	virtq_kick(virtio_blk.vq);
	return 0;

finish:	/* done without the device: an error, -EAGAIN or nothing to do;
	 * blk_wait() on it returns at once */
	req->result = err;
	req->done = true;
	return err;
}

/* Starts a request without waiting for it (see minnow/virtio_blk.h). */
int blk_submit(struct blk_request *req)
{
	uint64_t flags;
	int err;

	if (!virtio_blk.dev) {
		req->result = -ENODEV;
		req->done = true;
		return -ENODEV;
	}
	flags = virtio_lock(virtio_blk.dev);
	err = virtio_blk_submit_locked(req);
	virtio_unlock(virtio_blk.dev, flags);
	return err;
}

/* Sleeps until `req` is finished; returns its result. */
int blk_wait(struct blk_request *req)
{
	uint64_t flags;

	while (!req->done) {
		flags = virtio_lock(virtio_blk.dev);
		virtio_blk_reap();
		if (!req->done)
			virtio_wait(virtio_blk.dev, 0);
		virtio_unlock(virtio_blk.dev, flags);
	}
	return req->result;
}

/* Waits for any request to finish, to free a slot. */
static void virtio_blk_wait_slot(void)
{
	uint64_t flags = virtio_lock(virtio_blk.dev);

	virtio_blk_reap();
	if (!virtio_blk.free && !virtio_blk.broken)
		virtio_wait(virtio_blk.dev, 0);
	virtio_unlock(virtio_blk.dev, flags);
}

static int virtio_blk_submit_wait(struct blk_request *req)
{
	int err;

	while ((err = blk_submit(req)) == -EAGAIN)
		virtio_blk_wait_slot();
	return err;
}

#define VIRTIO_BLK_BATCH 8

/* Splits a transfer into requests of at most max_bytes, keeping up to
 * VIRTIO_BLK_BATCH of them in flight. */
static int virtio_blk_rw(enum blk_op op, uint64_t sector, uint8_t *buf,
			 uint32_t count)
{
	struct blk_request reqs[VIRTIO_BLK_BATCH];
	uint32_t per = virtio_blk.max_bytes / BLK_SECTOR_SIZE;
	unsigned int i, n;
	int err = 0, ret;

	if (per > BLK_REQUEST_MAX_SECTORS)
		per = BLK_REQUEST_MAX_SECTORS;
	if (!virtio_blk.dev)
		return -ENODEV;
	if (count == 0)
		return 0;
	if (sector >= virtio_blk.capacity ||
	    count > virtio_blk.capacity - sector)
		return -ERANGE;
	while (count && !err) {
		for (n = 0; n < VIRTIO_BLK_BATCH && count; n++) {
			uint32_t c = count < per ? count : per;

			reqs[n] = (struct blk_request){
				.op = op, .sector = sector, .buf = buf,
				.count = c };
			ret = virtio_blk_submit_wait(&reqs[n]);
			if (ret) {
				err = ret;
				n++;
				break;
			}
			sector += c;
			buf += (uint64_t)c * BLK_SECTOR_SIZE;
			count -= c;
		}
		for (i = 0; i < n; i++) {
			ret = blk_wait(&reqs[i]);
			if (ret && !err)
				err = ret;
		}
	}
	return err;
}

int blk_read(uint64_t sector, void *buf, uint32_t count)
{
	return virtio_blk_rw(BLK_READ, sector, buf, count);
}

int blk_write(uint64_t sector, const void *buf, uint32_t count)
{
	return virtio_blk_rw(BLK_WRITE, sector, (void *)buf, count);
}

int blk_flush(void)
{
	struct blk_request req = { .op = BLK_FLUSH };
	int err = virtio_blk_submit_wait(&req);

	return err ? err : blk_wait(&req);
}

static int virtio_blk_dev_read(struct blkdev *b, uint64_t sector, void *buf,
			       uint32_t count)
{
	return blk_read(sector, buf, count);
}

static int virtio_blk_dev_write(struct blkdev *b, uint64_t sector,
				const void *buf, uint32_t count)
{
	return blk_write(sector, buf, count);
}

static int virtio_blk_dev_flush(struct blkdev *b)
{
	return blk_flush();
}

/* The disk as filesystems see it (kernel/blkdev.h). */
static struct blkdev virtio_blk_dev = {
	.name = "virtio-blk0",
	.read = virtio_blk_dev_read,
	.write = virtio_blk_dev_write,
	.flush = virtio_blk_dev_flush,
};

/* The device's largest segment, if it names a usable one (5.2.4). */
static void virtio_blk_size_max(uint32_t size_max)
{
	if (size_max >= BLK_SECTOR_SIZE && size_max < virtio_blk.max_bytes)
		virtio_blk.max_bytes = size_max & ~(BLK_SECTOR_SIZE - 1u);
}

static int virtio_blk_init(void)
{
	struct virtio_dev *dev = virtio_find(VIRTIO_ID_BLOCK, 0);
	uint64_t wanted = (1ull << VIRTIO_BLK_F_FLUSH) |
			  (1ull << VIRTIO_BLK_F_RO) |
			  (1ull << VIRTIO_BLK_F_SIZE_MAX);
	unsigned int i;
	int err;

	if (!dev) {
		virtio_log("virtio-blk: no device found\n");
		return -ENODEV;
	}
	err = virtio_negotiate(dev, wanted);
	if (err)
		return err;
	err = virtq_create(dev, 0, VIRTIO_BLK_QUEUE_SIZE, &virtio_blk.vq);
	if (err)
		goto err_fail;
	/* three descriptors per request */
	virtio_blk.slots = virtio_dma_alloc(sizeof(*virtio_blk.slots) *
					    virtio_blk.vq->size);
	if (!virtio_blk.slots) {
		err = -ENOMEM;
		goto err_fail;
	}
	for (i = 0; i < virtio_blk.vq->size / 3; i++) {
		virtio_blk.slots[i].next_free = virtio_blk.free;
		virtio_blk.free = &virtio_blk.slots[i];
	}
	virtio_blk.capacity =
		virtio_config_read64(dev, VIRTIO_BLK_CFG_CAPACITY);
	virtio_blk.read_only = virtio_has_feature(dev, VIRTIO_BLK_F_RO);
	virtio_blk.max_bytes = BLK_REQUEST_MAX_SECTORS * BLK_SECTOR_SIZE;
	if (virtio_has_feature(dev, VIRTIO_BLK_F_SIZE_MAX))
		virtio_blk_size_max(
			virtio_config_read32(dev, VIRTIO_BLK_CFG_SIZE_MAX));
	err = virtio_irq_attach(dev, "virtio-blk I/O");
	if (err)
		goto err_fail;
	virtio_blk.dev = dev;
	virtio_driver_ok(dev);
	virtio_blk_dev.sectors = virtio_blk.capacity;
	virtio_blk_dev.read_only = virtio_blk.read_only;
	blkdev_register(&virtio_blk_dev);
	virtio_log_info("%s: virtio-blk, %llu sectors%s\n", dev->name,
			(unsigned long long)virtio_blk.capacity,
			virtio_blk.read_only ? ", read-only" : "");
	return 0;

err_fail:
	virtio_log("%s: virtio-blk setup failed: error %d\n", dev->name, err);
	virtio_fail(dev);
	return err;
}
DRIVER_INIT(virtio_blk_init);
