/*
 * The table of block devices (kernel/blkdev.h): drivers add their disks at
 * boot, filesystems look them up by place. Nothing is ever removed: disks
 * do not come and go in a microVM.
 */
#include <errno.h>
#include <stdlib.h>
#include <kernel/blkdev.h>

struct blkdev *blkdev_table[BLKDEV_MAX];

int blkdev_register(struct blkdev *b)
{
	for (int i = 0; i < BLKDEV_MAX; i++) {
		if (!blkdev_table[i]) {
			blkdev_table[i] = b;
			return 0;
		}
	}
	return -ENOSPC;
}

struct blkdev *blkdev_find(const char *name)
{
	char *end;
	unsigned long n;

	if (name[0] != 'd' || !name[1])
		return NULL;
	n = strtoul(name + 1, &end, 10);
	if (*end || n >= BLKDEV_MAX)
		return NULL;
	return blkdev_table[n];
}
