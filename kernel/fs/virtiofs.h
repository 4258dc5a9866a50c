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
#include <kernel/spinlock.h>
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
#define VIRTIOFS_HIPRIO_SIZE 16
#define VIRTIOFS_DEVICES_MAX 8

/* the most one READ or WRITE moves; less if the daemon says so */
#define VIRTIOFS_IO_MAX (128 * 1024)
/* a folder's READDIR batch */
#define VIRTIOFS_DIR_BUF 8192
/* room for the arguments of any control request: two names and more */
#define VIRTIOFS_ARGS_MAX (2 * (VFS_NAME_MAX + 1) + 64)
/* nodes no longer used, forgotten in one FUSE_BATCH_FORGET once this many
 * have gathered (or at once after an unlink, rmdir or rename) */
#define VIRTIOFS_FORGET_BATCH 32

struct virtiofs {
	struct virtio_dev *dev;
	struct virtq *vq;
	struct virtq *hiprio;	/* queue 0: FORGETs */
	char tag[VIRTIOFS_TAG_MAX + 1];
	bool mounted;
	uint64_t unique;
	uint32_t max_write;
	unsigned long requests;	/* Kernel view */
	/* The daemon keeps each node it names in a reply to LOOKUP, CREATE
	 * or MKDIR until we FORGET it as many times (its nlookup). No node
	 * outlives the operation that looked it up except an open file's:
	 * once done with, it waits here for the next batch. */
	struct spinlock forget_lock;
	unsigned int forget_count;
	struct fuse_forget_one forget[VIRTIOFS_FORGET_BATCH];
	unsigned long forgotten;	/* nodes forgotten (Kernel view) */
};

struct virtiofs_file {
	struct virtiofs *fs;
	uint64_t nodeid, fh;	/* the file holds one lookup of nodeid */
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
/* The node of path[0..len) with its attributes; on success the caller
 * holds one lookup of e->nodeid and gives it back with virtiofs_put(). */
int virtiofs_walk(struct virtiofs *fs, const char *path, size_t len,
		  struct fuse_entry_out *e);
/* The folder holding `path` (held, as by virtiofs_walk), the last name in
 * it and that name's length. */
int virtiofs_walk_parent(struct virtiofs *fs, const char *path, uint64_t *dir,
			 const char **name, size_t *len);
/* Gives back one lookup of `nodeid` (the root is never forgotten). */
void virtiofs_put(struct virtiofs *fs, uint64_t nodeid);
/* Sends the FORGETs gathered so far. */
void virtiofs_forget_flush(struct virtiofs *fs);
int virtiofs_getattr(struct virtiofs_file *vf, struct stat *st);
/* FUSE_INIT: the session every other request needs. */
int virtiofs_session(struct virtiofs *fs);

#endif
