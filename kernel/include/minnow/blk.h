/*
 * The block device API for applications, named for what it is rather than
 * for the device model: today the one virtio-blk disk of minnow.json's
 * "disk" (link with "components": ["virtio_blk"]). The calls are those of
 * minnow/virtio_blk.h, which stays for programs written against it.
 * Filesystems use the kernel's blkdev table instead (kernel/blkdev.h).
 */
#ifndef MINNOW_BLK_H
#define MINNOW_BLK_H

#include <minnow/virtio_blk.h>

#endif
