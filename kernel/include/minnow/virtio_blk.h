/*
 * A virtio block disk for applications (link with "components": ["virtio_blk"]
 * in minnow.json). Sectors are 512 bytes. Every call returns 0 or a
 * negative errno: -ENODEV without a disk, -ERANGE for sectors beyond the
 * end, -EPERM for writes to a read-only disk, -EIO when the device reports
 * an error or misbehaves. The calling thread sleeps while the disk works.
 */
#ifndef MINNOW_VIRTIO_BLK_H
#define MINNOW_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_SECTOR_SIZE 512

/* Size of the disk in sectors; 0 when there is none. */
uint64_t blk_capacity(void);
bool blk_read_only(void);
/* Read or write `count` sectors starting at `sector`; any size, any count. */
int blk_read(uint64_t sector, void *buf, uint32_t count);
int blk_write(uint64_t sector, const void *buf, uint32_t count);
/* Returns when everything written before has reached the disk image. */
int blk_flush(void);

/*
 * Several requests in flight: fill op/sector/buf/count, blk_submit() each
 * (it does not wait), then blk_wait() each. A request moves at most
 * BLK_REQUEST_MAX_SECTORS sectors. blk_submit() returns -EAGAIN when the
 * queue is full: wait for an earlier request, then submit again. A request
 * that blk_submit() refused is already done: blk_wait() returns its error.
 */
enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

#define BLK_REQUEST_MAX_SECTORS 1024u

struct blk_request {
	enum blk_op op;
	uint64_t sector;
	void *buf;
	uint32_t count;
	/* owned by the driver until blk_wait() returns */
	volatile bool done;
	int result;
};

int blk_submit(struct blk_request *req);
int blk_wait(struct blk_request *req);

#endif
