/*
 * The 9P2000.L client's requests (fs/9p.h): one T-message out and its
 * R-message back through the virtio-9p transport (drivers/virtio_9p.c),
 * walking a path to a fid, reading attributes, and starting the session.
 * Control messages use two heap buffers of P9_SMALL; file data never
 * passes here (fs/9p.c sends it from the caller's buffer).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <kernel/vfs.h>
#include <kernel/virtio_9p.h>
#include <kernel/virtq.h>
#include "9p.h"

static uint32_t p9_fid_new(struct p9_fs *fs)
{
	return __atomic_fetch_add(&fs->next_fid, 1, __ATOMIC_RELAXED);
}

struct p9_call *p9_call_new(uint8_t type)
{
	struct p9_call *c = malloc(sizeof(*c));

	if (c)
		p9_begin(&c->t, c->tbuf, sizeof(c->tbuf), type, 0);
	return c;
}

int p9_rpc(struct p9_fs *fs, struct p9_call *c, uint8_t rtype)
{
	struct virtq_buf b[2];
	long got;

	if (c->t.bad)
		return -ENAMETOOLONG;
	b[0] = (struct virtq_buf){ c->tbuf, (uint32_t)p9_finish(&c->t, 0),
				   false };
	b[1] = (struct virtq_buf){ c->rbuf, sizeof(c->rbuf), true };
	got = virtio_9p_request(fs->dev, b, 1, 2);
	if (got < 0)
		return (int)got;
	return p9_reply(&c->r, c->rbuf, sizeof(c->rbuf), (size_t)got, rtype);
}

/* One request of a single fid argument (Tclunk, Tfsync...). */
int p9_fid_call(struct p9_fs *fs, uint8_t type, uint32_t fid,
		       bool datasync_field)
{
	struct p9_call *c = p9_call_new(type);
	int err;

	if (!c)
		return -ENOMEM;
	p9_put32(&c->t, fid);
	if (datasync_field)
		p9_put32(&c->t, 0);
	err = p9_rpc(fs, c, type + 1);
	free(c);
	return err;
}

void p9_clunk(struct p9_fs *fs, uint32_t fid)
{
	p9_fid_call(fs, P9_TCLUNK, fid, false);
}

/*
 * A new fid for `path` (mount-relative), walked P9_MAXWELEM names at a
 * time; *qid is what it names. -ENOENT or -ENOTDIR when it is not there.
 */
int p9_walk(struct p9_fs *fs, const char *path, uint32_t *out,
	    struct p9_qid *qid)
{
	uint32_t fid = p9_fid_new(fs), from = P9_ROOT_FID;
	const char *p = path;
	struct p9_call *c;
	int err = 0;

	qid->type = P9_QTDIR;	/* the root, when path is "" */
	do {
		const char *names[P9_MAXWELEM];
		size_t lens[P9_MAXWELEM];
		uint16_t n = 0, nq;

		while (*p && n < P9_MAXWELEM) {
			names[n] = p;
			lens[n] = strcspn(p, "/");
			p += lens[n];
			if (*p == '/')
				p++;
			n++;
		}
		c = p9_call_new(P9_TWALK);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		p9_put32(&c->t, from);
		p9_put32(&c->t, fid);
		p9_put16(&c->t, n);
		for (uint16_t i = 0; i < n; i++)
			p9_putstr(&c->t, names[i], lens[i]);
		err = p9_rpc(fs, c, P9_TWALK + 1);
		nq = err ? 0 : p9_get16(&c->r);
		for (uint16_t i = 0; !err && i < nq && i < n; i++)
			p9_getqid(&c->r, qid);
		if (!err && c->r.bad)
			err = -EIO;
		else if (!err && nq < n)
			/* stopped early: at a file, or at a missing name */
			err = nq && !(qid->type & P9_QTDIR) ? -ENOTDIR :
							      -ENOENT;
		free(c);
		if (err && from != P9_ROOT_FID)
			p9_clunk(fs, fid);	/* walked in place: it exists */
		from = fid;
	} while (!err && *p);
	if (!err)
		*out = fid;
	return err;
}

int p9_walk_parent(struct p9_fs *fs, const char *path, uint32_t *fid,
			  const char **name)
{
	char *parent = malloc(strlen(path) + 1);
	struct p9_qid qid;
	int err;

	if (!parent)
		return -ENOMEM;
	vfs_parent(path, parent);
	*name = vfs_basename(path);
	err = vfs_name_bad(*name) ? -EEXIST : p9_walk(fs, parent, fid, &qid);
	free(parent);
	if (!err && !(qid.type & P9_QTDIR)) {
		p9_clunk(fs, *fid);
		err = -ENOTDIR;
	}
	return err;
}

int p9_getattr(struct p9_fs *fs, uint32_t fid, struct stat *st)
{
	struct p9_call *c = p9_call_new(P9_TGETATTR);
	struct p9_msg *r;
	struct p9_qid qid;
	int err;

	if (!c)
		return -ENOMEM;
	p9_put32(&c->t, fid);
	p9_put64(&c->t, P9_GETATTR_BASIC);
	err = p9_rpc(fs, c, P9_TGETATTR + 1);
	r = &c->r;
	if (!err) {
		memset(st, 0, sizeof(*st));
		p9_get64(r);	/* valid */
		p9_getqid(r, &qid);
		st->st_ino = qid.path;
		st->st_mode = p9_get32(r);
		st->st_uid = p9_get32(r);
		st->st_gid = p9_get32(r);
		st->st_nlink = p9_get64(r);
		st->st_rdev = p9_get64(r);
		st->st_size = (off_t)p9_get64(r);
		st->st_blksize = (blksize_t)p9_get64(r);
		st->st_blocks = (blkcnt_t)p9_get64(r);
		st->st_atim.tv_sec = (time_t)p9_get64(r);
		st->st_atim.tv_nsec = (long)p9_get64(r);
		st->st_mtim.tv_sec = (time_t)p9_get64(r);
		st->st_mtim.tv_nsec = (long)p9_get64(r);
		st->st_ctim.tv_sec = (time_t)p9_get64(r);
		st->st_ctim.tv_nsec = (long)p9_get64(r);
		if (r->bad)
			err = -EIO;
	}
	free(c);
	return err;
}

int p9_session(struct p9_fs *fs)
{
	struct p9_call *c = p9_call_new(P9_TVERSION);
	const char *version;
	uint16_t len;
	int err;

	if (!c)
		return -ENOMEM;
	c->tbuf[5] = P9_NOTAG & 0xff;	/* Tversion carries NOTAG */
	c->tbuf[6] = P9_NOTAG >> 8;
	p9_put32(&c->t, P9_MSIZE_WANTED);
	p9_putstr(&c->t, P9_VERSION, strlen(P9_VERSION));
	err = p9_rpc(fs, c, P9_TVERSION + 1);
	fs->msize = err ? 0 : p9_get32(&c->r);
	version = err ? NULL : p9_getstr(&c->r, &len);
	if (!err && (!version || len != strlen(P9_VERSION) ||
		     memcmp(version, P9_VERSION, len) ||
		     fs->msize < P9_MSIZE_MIN))
		err = -EPROTO;	/* the server does not speak 9P2000.L */
	if (fs->msize > P9_MSIZE_WANTED)
		fs->msize = P9_MSIZE_WANTED;
	free(c);
	if (err)
		return err;
	c = p9_call_new(P9_TATTACH);
	if (!c)
		return -ENOMEM;
	p9_put32(&c->t, P9_ROOT_FID);
	p9_put32(&c->t, P9_NOFID);
	p9_putstr(&c->t, "minnow", 6);	/* uname */
	p9_putstr(&c->t, "", 0);	/* aname: the fsdev's folder */
	p9_put32(&c->t, 0);		/* n_uname */
	err = p9_rpc(fs, c, P9_TATTACH + 1);
	free(c);
	return err;
}
