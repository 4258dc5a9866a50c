/*
 * The FUSE messages virtio-fs carries (virtio 1.2, 5.11: "requests are
 * FUSE messages"), protocol 7.31, written from the layout Linux documents
 * in include/uapi/linux/fuse.h. Only what fs/virtiofs.c sends or reads.
 * All fields are little-endian, as is this machine.
 */
#ifndef FS_FUSE_H
#define FS_FUSE_H

#include <stdint.h>

#define FUSE_KERNEL_VERSION 7
#define FUSE_KERNEL_MINOR 31
#define FUSE_ROOT_ID 1

/* opcodes (enum fuse_opcode) */
#define FUSE_LOOKUP 1
#define FUSE_FORGET 2
#define FUSE_GETATTR 3
#define FUSE_SETATTR 4
#define FUSE_MKDIR 9
#define FUSE_UNLINK 10
#define FUSE_RMDIR 11
#define FUSE_RENAME 12
#define FUSE_OPEN 14
#define FUSE_READ 15
#define FUSE_WRITE 16
#define FUSE_RELEASE 18
#define FUSE_FSYNC 20
#define FUSE_INIT 26
#define FUSE_OPENDIR 27
#define FUSE_READDIR 28
#define FUSE_RELEASEDIR 29
#define FUSE_CREATE 35
#define FUSE_BATCH_FORGET 42

/* fuse_setattr_in.valid */
#define FUSE_FATTR_SIZE (1u << 3)

struct fuse_in_header {
	uint32_t len;		/* the whole request, header included */
	uint32_t opcode;
	uint64_t unique;
	uint64_t nodeid;
	uint32_t uid, gid, pid;
	uint16_t total_extlen;
	uint16_t padding;
};

struct fuse_out_header {
	uint32_t len;
	int32_t error;		/* 0 or -errno */
	uint64_t unique;
};

struct fuse_init_in {
	uint32_t major, minor, max_readahead, flags;
};

struct fuse_init_out {
	uint32_t major, minor, max_readahead, flags;
	uint16_t max_background, congestion_threshold;
	uint32_t max_write, time_gran;
	uint16_t max_pages, map_alignment;
	uint32_t flags2;
	uint32_t unused[7];
};

struct fuse_attr {
	uint64_t ino, size, blocks, atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec;
	uint32_t mode, nlink, uid, gid, rdev, blksize, flags;
};

struct fuse_entry_out {
	uint64_t nodeid, generation, entry_valid, attr_valid;
	uint32_t entry_valid_nsec, attr_valid_nsec;
	struct fuse_attr attr;
};

struct fuse_attr_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec, dummy;
	struct fuse_attr attr;
};

struct fuse_getattr_in {
	uint32_t getattr_flags, dummy;
	uint64_t fh;
};

struct fuse_setattr_in {
	uint32_t valid, padding;
	uint64_t fh, size, lock_owner, atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec, mode, unused4, uid, gid;
	uint32_t unused5;
};

struct fuse_open_in {
	uint32_t flags, open_flags;
};

struct fuse_create_in {
	uint32_t flags, mode, umask, open_flags;
};

struct fuse_open_out {
	uint64_t fh;
	uint32_t open_flags, padding;
};

/* READ, READDIR and WRITE share this shape */
struct fuse_io_in {
	uint64_t fh, offset;
	uint32_t size, io_flags;
	uint64_t lock_owner;
	uint32_t flags, padding;
};

struct fuse_write_out {
	uint32_t size, padding;
};

struct fuse_release_in {
	uint64_t fh;
	uint32_t flags, release_flags;
	uint64_t lock_owner;
};

struct fuse_fsync_in {
	uint64_t fh;
	uint32_t fsync_flags, padding;
};

struct fuse_mkdir_in {
	uint32_t mode, umask;
};

struct fuse_rename_in {
	uint64_t newdir;
};

/* FUSE_BATCH_FORGET: count fuse_forget_one follow; no reply */
struct fuse_batch_forget_in {
	uint32_t count, dummy;
};

struct fuse_forget_one {
	uint64_t nodeid;
	uint64_t nlookup;	/* how many LOOKUP-like replies named it */
};

struct fuse_dirent {
	uint64_t ino, off;
	uint32_t namelen, type;
	char name[];		/* padded to 8 bytes */
};

#endif
