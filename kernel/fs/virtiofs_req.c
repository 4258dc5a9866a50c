/*
 * virtio-fs requests (virtio 1.2, 5.11): each FUSE request is one chain on
 * the request queue, the arguments the device reads then room for the
 * fuse_out_header and reply it writes; the caller sleeps on the device's
 * wait queue until the chain comes back. On top of that: LOOKUP-based path
 * walks from the root (the guest sees the folder as it is now), GETATTR
 * and the FUSE_INIT session. fs/virtiofs.c is the rest of the client.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>
#include "virtiofs.h"

/*
 * One FUSE request: `in` (in_len bytes) and optional `data` the device
 * reads, then the reply into `out` (out_len) and optional `rdata`.
 * *got is the reply's length after the out header. 0 or -errno (the
 * daemon's error as it sent it).
 */
int virtiofs_call(struct virtiofs *fs, uint32_t op, uint64_t nodeid,
		  const void *in, uint32_t in_len, const void *data,
		  uint32_t data_len, void *out, uint32_t out_len,
		  void *rdata, uint32_t rdata_len, uint32_t *got)
{
	struct {
		struct fuse_in_header h;
		uint8_t args[VIRTIOFS_ARGS_MAX];
	} req;
	struct fuse_out_header oh;
	struct virtq_buf b[5];
	unsigned int n = 0;
	long ret;

	if (in_len > sizeof(req.args))
		return -ENAMETOOLONG;
	memset(&req.h, 0, sizeof(req.h));
	req.h.len = (uint32_t)sizeof(req.h) + in_len + data_len;
	req.h.opcode = op;
	req.h.unique = __atomic_add_fetch(&fs->unique, 1, __ATOMIC_RELAXED);
	req.h.nodeid = nodeid;
	memcpy(req.args, in, in_len);
	/* the device reads everything before it writes anything (2.7.4.1) */
	b[n++] = (struct virtq_buf){ &req, (uint32_t)sizeof(req.h) + in_len,
				     false };
	if (data_len)
		b[n++] = (struct virtq_buf){ (void *)data, data_len, false };
	b[n++] = (struct virtq_buf){ &oh, sizeof(oh), true };
	if (out_len)
		b[n++] = (struct virtq_buf){ out, out_len, true };
	if (rdata_len)
		b[n++] = (struct virtq_buf){ rdata, rdata_len, true };
	memset(&oh, 0, sizeof(oh));
	ret = virtio_request(fs->vq, b, n, &fs->requests);
	if (ret < 0)
		return (int)ret;
	if (oh.unique != req.h.unique || oh.len < sizeof(oh))
		return -EIO;
	if (oh.error)
		return oh.error < 0 && oh.error > -4096 ? oh.error : -EIO;
	if (got)
		*got = oh.len - (uint32_t)sizeof(oh);
	return 0;
}

void virtiofs_attr_to_stat(const struct fuse_attr *a, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = a->ino;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_rdev = a->rdev;
	st->st_size = (off_t)a->size;
	st->st_blksize = a->blksize;
	st->st_blocks = (blkcnt_t)a->blocks;
	st->st_atim.tv_sec = (time_t)a->atime;
	st->st_atim.tv_nsec = a->atimensec;
	st->st_mtim.tv_sec = (time_t)a->mtime;
	st->st_mtim.tv_nsec = a->mtimensec;
	st->st_ctim.tv_sec = (time_t)a->ctime;
	st->st_ctim.tv_nsec = a->ctimensec;
}

int virtiofs_lookup(struct virtiofs *fs, uint64_t dir, const char *name,
		    size_t len, struct fuse_entry_out *e)
{
	char nm[VFS_NAME_MAX + 1];
	int err;

	if (len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(nm, name, len);
	nm[len] = '\0';
	err = virtiofs_call(fs, FUSE_LOOKUP, dir, nm, (uint32_t)len + 1, NULL,
			    0, e, sizeof(*e), NULL, 0, NULL);
	/* a zero node is the daemon's cached "no such name" */
	return err ? err : e->nodeid ? 0 : -ENOENT;
}

/*
 * The node of the first `len` bytes of a mount-relative path (the root
 * for ""), with its attributes in *e.
 */
int virtiofs_walk(struct virtiofs *fs, const char *path, size_t len,
		  struct fuse_entry_out *e)
{
	const char *p = path, *end = path + len;
	struct fuse_attr_out ao;
	struct fuse_getattr_in gi = { 0 };
	int err;

	memset(e, 0, sizeof(*e));
	e->nodeid = FUSE_ROOT_ID;
	if (len == 0) {
		err = virtiofs_call(fs, FUSE_GETATTR, FUSE_ROOT_ID, &gi,
				    sizeof(gi), NULL, 0, &ao, sizeof(ao), NULL,
				    0, NULL);
		e->attr = ao.attr;
		return err;
	}
	while (p < end) {
		const char *s = p;
		uint64_t parent = e->nodeid;

		while (p < end && *p != '/')
			p++;
		if (s < p && !S_ISDIR(e->attr.mode) && parent != FUSE_ROOT_ID) {
			virtiofs_put(fs, parent);
			return -ENOTDIR;
		}
		err = virtiofs_lookup(fs, parent, s, (size_t)(p - s), e);
		/* the folder was needed only to look its child up */
		virtiofs_put(fs, parent);
		if (err)
			return err;
		if (p < end)
			p++;
	}
	return 0;
}

/* The folder holding `path`, the last name in it and that name's length. */
int virtiofs_walk_parent(struct virtiofs *fs, const char *path, uint64_t *dir,
			 const char **name, size_t *len)
{
	struct fuse_entry_out e;
	const char *slash = strrchr(path, '/');
	size_t plen = slash ? (size_t)(slash - path) : 0;
	int err;

	*name = slash ? slash + 1 : path;
	*len = strlen(*name);
	if (vfs_name_bad(*name))
		return -EINVAL;
	if (*len > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	err = virtiofs_walk(fs, path, plen, &e);
	if (!err && !S_ISDIR(e.attr.mode)) {
		virtiofs_put(fs, e.nodeid);
		err = -ENOTDIR;
	}
	*dir = e.nodeid;
	return err;
}

/* One FUSE_BATCH_FORGET on the high-priority queue (5.11.6.1); the
 * daemon sends no reply, only the chain back. */
static void virtiofs_forget_send(struct virtiofs *fs,
				 const struct fuse_forget_one *nodes,
				 unsigned int n)
{
	struct {
		struct fuse_in_header h;
		struct fuse_batch_forget_in b;
	} req;
	struct virtq_buf b[2] = {
		{ &req, sizeof(req), false },
		{ (void *)nodes, (uint32_t)(n * sizeof(*nodes)), false },
	};

	memset(&req, 0, sizeof(req));
	req.h.len = (uint32_t)(sizeof(req) + n * sizeof(*nodes));
	req.h.opcode = FUSE_BATCH_FORGET;
	req.h.unique = __atomic_add_fetch(&fs->unique, 1, __ATOMIC_RELAXED);
	req.b.count = n;
	/* nothing to do if it fails: the daemon keeps the nodes, as before */
	if (virtio_request(fs->hiprio, b, 2, &fs->requests) >= 0)
		__atomic_add_fetch(&fs->forgotten, n, __ATOMIC_RELAXED);
}

/* Takes the gathered nodes out, under the lock: how many (into out). */
static unsigned int virtiofs_forget_take(struct virtiofs *fs,
					 struct fuse_forget_one *out)
{
	unsigned int n = fs->forget_count;

	memcpy(out, fs->forget, n * sizeof(*out));
	fs->forget_count = 0;
	return n;
}

void virtiofs_forget_flush(struct virtiofs *fs)
{
	struct fuse_forget_one nodes[VIRTIOFS_FORGET_BATCH];
	uint64_t flags = spin_lock_irqsave(&fs->forget_lock);
	unsigned int n = virtiofs_forget_take(fs, nodes);

	spin_unlock_irqrestore(&fs->forget_lock, flags);
	if (n)
		virtiofs_forget_send(fs, nodes, n);
}

void virtiofs_put(struct virtiofs *fs, uint64_t nodeid)
{
	struct fuse_forget_one nodes[VIRTIOFS_FORGET_BATCH];
	unsigned int i, n = 0;
	uint64_t flags;

	/* the root lives as long as the session; 0 names no node */
	if (nodeid == FUSE_ROOT_ID || nodeid == 0 || !fs->hiprio)
		return;
	flags = spin_lock_irqsave(&fs->forget_lock);
	for (i = 0; i < fs->forget_count; i++) {
		if (fs->forget[i].nodeid == nodeid)
			break;
	}
	if (i == fs->forget_count)
		fs->forget[fs->forget_count++] =
			(struct fuse_forget_one){ .nodeid = nodeid };
	fs->forget[i].nlookup++;
	/* a full batch leaves under the lock: the next put finds room */
	if (fs->forget_count == VIRTIOFS_FORGET_BATCH)
		n = virtiofs_forget_take(fs, nodes);
	spin_unlock_irqrestore(&fs->forget_lock, flags);
	if (n)
		virtiofs_forget_send(fs, nodes, n);
}

int virtiofs_getattr(struct virtiofs_file *vf, struct stat *st)
{
	struct fuse_getattr_in gi = { .getattr_flags = 0 };
	struct fuse_attr_out ao;
	int err = virtiofs_call(vf->fs, FUSE_GETATTR, vf->nodeid, &gi,
				sizeof(gi), NULL, 0, &ao, sizeof(ao), NULL, 0,
				NULL);

	if (!err)
		virtiofs_attr_to_stat(&ao.attr, st);
	return err;
}

/* FUSE_INIT: the session every other request needs. */
int virtiofs_session(struct virtiofs *fs)
{
	struct fuse_init_in in = { .major = FUSE_KERNEL_VERSION,
				   .minor = FUSE_KERNEL_MINOR,
				   .max_readahead = VIRTIOFS_IO_MAX };
	struct fuse_init_out out;
	int err;

	memset(&out, 0, sizeof(out));
	err = virtiofs_call(fs, FUSE_INIT, 0, &in, sizeof(in), NULL, 0, &out,
			    sizeof(out), NULL, 0, NULL);
	if (err)
		return err;
	if (out.major != FUSE_KERNEL_VERSION)
		return -EPROTO;
	fs->max_write = out.max_write ? out.max_write : 4096;
	return 0;
}
