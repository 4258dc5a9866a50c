/*
 * The 9P2000.L client's insides, shared by its two files: fs/9p_rpc.c
 * (requests, walking paths, the session) and fs/9p.c (files and the
 * filesystem operations). Messages themselves are fs/9p_msg.h.
 */
#ifndef FS_9P_H
#define FS_9P_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include "9p_msg.h"

/* what we ask for: a 512 KiB read or write per round trip */
#define P9_MSIZE_WANTED (512 * 1024 + P9_IOHDR)
#define P9_MSIZE_MIN 4096
/* room for control messages: a walk of 16 names of 255 bytes fits */
#define P9_SMALL 8192
#define P9_ROOT_FID 1

struct virtio_9p;

/* One session with one device (a mount's priv). */
struct p9_fs {
	struct virtio_9p *dev;
	uint32_t msize;
	uint32_t next_fid;
};

struct p9_file {
	struct p9_fs *fs;
	uint32_t fid;
	/* folders: one Rreaddir's entries, read ahead */
	uint8_t *dir;
	size_t dir_len, dir_pos;
	uint64_t cookie;	/* where the next Treaddir starts */
};

/* A control request's two message buffers, from the heap (16 KiB stacks). */
struct p9_call {
	struct p9_msg t, r;
	uint8_t tbuf[P9_SMALL];
	uint8_t rbuf[P9_SMALL];
};

/* fs/9p_rpc.c */
struct p9_call *p9_call_new(uint8_t type);
/* Sends c->t and reads the reply, which must be of type `rtype`. */
int p9_rpc(struct p9_fs *fs, struct p9_call *c, uint8_t rtype);
/* A request whose only argument is a fid (Tclunk; Tfsync with its
 * datasync field). */
int p9_fid_call(struct p9_fs *fs, uint8_t type, uint32_t fid,
		bool datasync_field);
void p9_clunk(struct p9_fs *fs, uint32_t fid);
/* A new fid for a mount-relative path; *qid names what it is. */
int p9_walk(struct p9_fs *fs, const char *path, uint32_t *fid,
	    struct p9_qid *qid);
/* A fid for the folder holding `path`; *name is its last component. */
int p9_walk_parent(struct p9_fs *fs, const char *path, uint32_t *fid,
		   const char **name);
int p9_getattr(struct p9_fs *fs, uint32_t fid, struct stat *st);
/* Tversion and Tattach: the root fid of a new session. */
int p9_session(struct p9_fs *fs);

#endif
