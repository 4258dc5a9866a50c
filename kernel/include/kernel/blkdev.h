/*
 * Block devices as filesystems see them (issue 13's blkdev): read and
 * write 512-byte sectors, the size, flush. Drivers register each disk
 * (drivers/virtio_blk.c); FAT (fs/fat.c) mounts one by its place in the
 * table, so no filesystem calls a device model directly. The table is
 * plain data for the debugger. Implemented in drivers/blkdev.c.
 */
#ifndef KERNEL_BLKDEV_H
#define KERNEL_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

#define BLKDEV_SECTOR 512
#define BLKDEV_MAX 8
#define BLKDEV_NAME_MAX 32

struct blkdev {
	char name[BLKDEV_NAME_MAX];	/* "virtio-blk0" */
	uint64_t sectors;
	bool read_only;
	/* 0 or -errno (-EIO, -ERANGE past the end, -EPERM read-only) */
	int (*read)(struct blkdev *b, uint64_t sector, void *buf,
		    uint32_t count);
	int (*write)(struct blkdev *b, uint64_t sector, const void *buf,
		     uint32_t count);
	/* returns when every write before it is on the medium */
	int (*flush)(struct blkdev *b);
	void *priv;			/* the driver's */
	bool in_use;			/* a filesystem has it mounted */
};

/* The registered disks, in order: fat:d<N> in minnow.fs is the Nth. */
extern struct blkdev *blkdev_table[BLKDEV_MAX];

/* drivers/blkdev.c */
/* 0, or -ENOSPC when the table is full. */
int blkdev_register(struct blkdev *b);
/* "d<N>": the Nth registered disk; NULL when there is none. */
struct blkdev *blkdev_find(const char *name);

#endif
