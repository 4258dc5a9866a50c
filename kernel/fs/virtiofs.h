/*
 * The virtio-fs client's insides, shared by its two files:
 * fs/virtiofs_req.c (the request queue, FUSE requests, walking paths, the
 * session) and fs/virtiofs.c (the driver, files and the filesystem
 * operations). FUSE's messages themselves are fs/fuse.h.
 */
#ifndef FS_VIRTIOFS_H
#define FS_VIRTIOFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <kernel/vfs.h>
#include "fuse.h"

struct virtio_dev;
struct virtq;

/* virtio 1.2, 5.11.2 and 5.11.4: device id, queues, config layout */
#define VIRTIO_ID_FS 26
#define VIRTIOFS_HIPRIO_QUEUE 0
#define VIRTIOFS_REQUEST_QUEUE 1
#define VIRTIOFS_CFG_TAG 0
#define VIRTIOFS_TAG_MAX 36
#define VIRTIOFS_QUEUE_SIZE 128
#define VIRTIOFS_DEVICES_MAX 8

/* the most one READ or WRITE moves; less if the daemon says so */
#define VIRTIOFS_IO_MAX (128 * 1024)
/* a folder's READDIR batch */
#define VIRTIOFS_DIR_BUF 8192
/* room for the arguments of any control request: two names and more */
#define VIRTIOFS_ARGS_MAX (2 * (VFS_NAME_MAX + 1) + 64)

struct virtiofs {
	struct virtio_dev *dev;
	struct virtq *vq;
	char tag[VIRTIOFS_TAG_MAX + 1];
	bool mounted;
	uint64_t unique;
	uint32_t max_write;
	unsigned long requests;	/* Kernel view */
};

struct virtiofs_file {
	struct virtiofs *fs;
	uint64_t nodeid, fh;
	bool dir;
	uint8_t *buf;		/* folders: one READDIR's entries */
	size_t len, pos;
	uint64_t next_off;	/* where the next READDIR starts */
};

/* fs/virtiofs_req.c */
/*
 * One FUSE request to node `nodeid`: `in` (in_len bytes) and optional
 * `data` the device reads, then the reply into `out` (out_len) and
 * optional `rdata`; *got is the reply's length after the out header.
 * 0 or -errno (the daemon's error as it sent it).
 */
int virtiofs_call(struct virtiofs *fs, uint32_t op, uint64_t nodeid,
		  const void *in, uint32_t in_len, const void *data,
		  uint32_t data_len, void *out, uint32_t out_len, void *rdata,
		  uint32_t rdata_len, uint32_t *got);
void virtiofs_attr_to_stat(const struct fuse_attr *a, struct stat *st);
/* The node of name[0..len) in folder `dir`; -ENOENT when there is none. */
int virtiofs_lookup(struct virtiofs *fs, uint64_t dir, const char *name,
		    size_t len, struct fuse_entry_out *e);
int virtiofs_walk(struct virtiofs *fs, const char *path, size_t len,
		  struct fuse_entry_out *e);
int virtiofs_walk_parent(struct virtiofs *fs, const char *path, uint64_t *dir,
			 const char **name, size_t *len);
int virtiofs_getattr(struct virtiofs_file *vf, struct stat *st);
/* FUSE_INIT: the session every other request needs. */
int virtiofs_session(struct virtiofs *fs);

#endif
