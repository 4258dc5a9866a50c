/*
 * A host folder over 9P2000.L (the protocol Linux's v9fs speaks to QEMU's
 * virtio-9p; messages in fs/9p_msg.h, requests fs/9p_rpc.c, transport
 * drivers/virtio_9p.c).
 * Every path operation walks a new fid from the root and clunks it when
 * done, so nothing is cached and the guest sees the host folder as it is
 * now; an open file keeps its fid until closed. File data moves between
 * the device and the caller's buffer directly: a read's chain is the
 * T-message, the R-message header and then the caller's buffer.
 * QEMU's security_model=none is what the run contract asks for: files
 * written here are plain files of the user running QEMU, readable by every
 * host tool; mapped-xattr would keep guest ownership in xattrs, which a
 * unikernel with one user has no use for.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/driver.h>
#include <kernel/file.h>
#include <kernel/log.h>
#include <kernel/vfs.h>
#include <kernel/virtio_9p.h>
#include <kernel/virtq.h>
#include "9p.h"

/* Tread/Twrite: hdr fid[4] offset[8] count[4]; Rread/Rwrite: hdr count[4] */
#define P9_RW_T 23
#define P9_RW_R 11
/* open(2) flags QEMU is given on Tlopen; we do O_APPEND ourselves */
#define P9_LOPEN_FLAGS (O_ACCMODE | O_TRUNC | O_SYNC)

/*
 * One Tread or Twrite of at most a message's worth at f->offset, the data
 * in the caller's buffer: the count moved (0 at the end of a file), or
 * -errno.
 */
static long p9_io(struct file *f, uint8_t *data, size_t n, bool write)
{
	struct p9_file *pf = f->priv;
	struct p9_fs *fs = pf->fs;
	uint32_t chunk = (uint32_t)(n < fs->msize - P9_IOHDR ?
				    n : fs->msize - P9_IOHDR);
	uint8_t type = write ? P9_TWRITE : P9_TREAD;
	uint8_t t[P9_RW_T], r[P9_RW_R];
	struct p9_msg tm, rm;
	struct virtq_buf b[3];
	uint32_t count;
	long got;
	int err;

	p9_begin(&tm, t, sizeof(t), type, 0);
	p9_put32(&tm, pf->fid);
	p9_put64(&tm, (uint64_t)f->offset);
	p9_put32(&tm, chunk);
	b[0] = (struct virtq_buf){ t, (uint32_t)p9_finish(&tm, write ? chunk : 0),
				   false };
	/* the device reads everything before it writes anything (2.7.4.1) */
	b[write ? 1 : 2] = (struct virtq_buf){ data, chunk, !write };
	b[write ? 2 : 1] = (struct virtq_buf){ r, sizeof(r), true };
	got = virtio_9p_request(fs->dev, b, write ? 2 : 1, 3);
	err = got < 0 ? (int)got :
			p9_reply(&rm, r, sizeof(r), (size_t)got, type + 1);
	if (err)
		return err;
	count = p9_get32(&rm);
	if (rm.bad || count > chunk || (write && count == 0) ||
	    (!write && (size_t)got < P9_RW_R + (size_t)count))
		return -EIO;
	f->offset += count;
	return count;
}

/* Reads or writes all n bytes, a message's worth at a time. */
static ssize_t p9_io_all(struct file *f, uint8_t *data, size_t n, bool write)
{
	size_t total = 0;
	long r = 0;

	while (total < n) {
		r = p9_io(f, data + total, n - total, write);
		if (r <= 0)
			break;
		total += (size_t)r;
	}
	return total ? (ssize_t)total : r;
}

static ssize_t p9_read(struct file *f, void *buf, size_t n)
{
	struct p9_file *pf = f->priv;

	if (pf->dir)
		return -EISDIR;
	return p9_io_all(f, buf, n, false);
}

static ssize_t p9_write(struct file *f, const void *buf, size_t n)
{
	struct p9_file *pf = f->priv;
	struct stat st;
	int err;

	if (f->flags & O_APPEND) {
		err = p9_getattr(pf->fs, pf->fid, &st);
		if (err)
			return err;
		f->offset = st.st_size;
	}
	return p9_io_all(f, (uint8_t *)buf, n, true);
}

static off_t p9_lseek(struct file *f, off_t off, int whence)
{
	struct p9_file *pf = f->priv;
	struct stat st;
	off_t end = 0;
	int err;

	if (pf->dir) {
		/* a listing can only start again (rewinddir) */
		if (off != 0 || whence != SEEK_SET)
			return -EINVAL;
		pf->cookie = 0;
		pf->dir_len = pf->dir_pos = 0;
		f->offset = 0;
		return 0;
	}
	if (whence == SEEK_END) {
		err = p9_getattr(pf->fs, pf->fid, &st);
		if (err)
			return err;
		end = st.st_size;
	}
	return vfs_seek(f, off, whence, end);
}

static int p9_fstat(struct file *f, struct stat *st)
{
	struct p9_file *pf = f->priv;

	return p9_getattr(pf->fs, pf->fid, st);
}

static int p9_fsync(struct file *f)
{
	struct p9_file *pf = f->priv;

	return p9_fid_call(pf->fs, P9_TFSYNC, pf->fid, true);
}

/* Reads the next batch of entries into pf->dir: 0, or -errno. */
static int p9_readdir_batch(struct p9_file *pf)
{
	struct p9_call *c = p9_call_new(P9_TREADDIR);
	uint32_t count;
	int err;

	if (!c)
		return -ENOMEM;
	p9_put32(&c->t, pf->fid);
	p9_put64(&c->t, pf->cookie);
	p9_put32(&c->t, P9_SMALL - P9_IOHDR);
	err = p9_rpc(pf->fs, c, P9_TREADDIR + 1);
	count = err ? 0 : p9_get32(&c->r);
	if (!err && (c->r.bad || count > c->r.len - c->r.pos))
		err = -EIO;
	if (!err) {
		memcpy(pf->dir, c->r.buf + c->r.pos, count);
		pf->dir_len = count;
		pf->dir_pos = 0;
	}
	free(c);
	return err;
}

static int p9_getdents(struct file *f, struct dirent *d)
{
	struct p9_file *pf = f->priv;
	struct p9_msg m;
	struct p9_qid qid;
	const char *name;
	uint16_t len;
	int err;

	if (pf->dir_pos >= pf->dir_len) {
		err = p9_readdir_batch(pf);
		if (err)
			return err;
		if (pf->dir_len == 0)
			return 0;
	}
	m = (struct p9_msg){ .buf = pf->dir, .len = pf->dir_len,
			     .pos = pf->dir_pos, .cap = pf->dir_len };
	p9_getqid(&m, &qid);
	pf->cookie = p9_get64(&m);
	memset(d, 0, sizeof(*d));
	d->d_type = p9_get8(&m);
	name = p9_getstr(&m, &len);
	if (m.bad || !name || len > VFS_NAME_MAX)
		return -EIO;
	memcpy(d->d_name, name, len);
	d->d_ino = qid.path;
	d->d_off = (off_t)pf->cookie;
	pf->dir_pos = m.pos;
	f->offset++;
	return 1;
}

static void p9_release(struct file *f)
{
	struct p9_file *pf = f->priv;

	p9_clunk(pf->fs, pf->fid);
	free(pf->dir);
	free(pf);
}

static const struct file_ops p9_file_ops = {
	.kind = "9p",
	.read = p9_read,
	.write = p9_write,
	.lseek = p9_lseek,
	.fstat = p9_fstat,
	.fsync = p9_fsync,
	.release = p9_release,
};

static const struct file_ops p9_dir_ops = {
	.kind = "9p",
	.read = p9_read,
	.lseek = p9_lseek,
	.fstat = p9_fstat,
	.fsync = p9_fsync,
	.getdents = p9_getdents,
	.release = p9_release,
};

/* Tlcreate in the folder of `path`: on success *fid is the open file. */
static int p9_create(struct p9_fs *fs, const char *path, int flags,
		     mode_t mode, uint32_t *fid)
{
	struct p9_call *c;
	const char *name;
	int err = p9_walk_parent(fs, path, fid, &name);

	if (err)
		return err;
	c = p9_call_new(P9_TLCREATE);
	if (!c) {
		p9_clunk(fs, *fid);
		return -ENOMEM;
	}
	p9_put32(&c->t, *fid);
	p9_putstr(&c->t, name, strlen(name));
	p9_put32(&c->t, (uint32_t)(flags & (P9_LOPEN_FLAGS | O_EXCL)));
	p9_put32(&c->t, S_IFREG | (mode & 07777));
	p9_put32(&c->t, 0);	/* gid */
	err = p9_rpc(fs, c, P9_TLCREATE + 1);
	free(c);
	if (err)
		p9_clunk(fs, *fid);
	return err;
}

static int p9_lopen(struct p9_fs *fs, uint32_t fid, int flags)
{
	struct p9_call *c = p9_call_new(P9_TLOPEN);
	int err;

	if (!c)
		return -ENOMEM;
	if ((flags & O_ACCMODE) == O_RDONLY)
		flags &= ~O_TRUNC;
	p9_put32(&c->t, fid);
	p9_put32(&c->t, (uint32_t)(flags & P9_LOPEN_FLAGS));
	err = p9_rpc(fs, c, P9_TLOPEN + 1);
	free(c);
	return err;
}

static int p9_open(struct mount *m, const char *path, int flags, mode_t mode,
		   struct file **out)
{
	struct p9_fs *fs = m->priv;
	struct p9_file *pf;
	struct p9_qid qid;
	uint32_t fid;
	bool dir;
	int err = p9_walk(fs, path, &fid, &qid);

	if (err == -ENOENT && (flags & O_CREAT)) {
		err = p9_create(fs, path, flags, mode, &fid);
		if (err)
			return err;
		dir = false;
	} else if (err) {
		return err;
	} else {
		dir = qid.type & P9_QTDIR;
		err = (flags & O_CREAT) && (flags & O_EXCL) ? -EEXIST :
		      dir && (flags & O_ACCMODE) != O_RDONLY ? -EISDIR :
		      !dir && (flags & O_DIRECTORY)	     ? -ENOTDIR :
								 p9_lopen(fs, fid, flags);
		if (err) {
			p9_clunk(fs, fid);
			return err;
		}
	}
	pf = calloc(1, sizeof(*pf));
	if (pf && dir)
		pf->dir = malloc(P9_SMALL);
	*out = pf && (!dir || pf->dir) ?
		file_alloc(dir ? &p9_dir_ops : &p9_file_ops, pf, flags, NULL) :
		NULL;
	if (!*out) {
		if (pf)
			free(pf->dir);
		free(pf);
		p9_clunk(fs, fid);
		return -ENOMEM;
	}
	pf->fs = fs;
	pf->fid = fid;
	return 0;
}

static int p9_stat(struct mount *m, const char *path, struct stat *st)
{
	struct p9_fs *fs = m->priv;
	struct p9_qid qid;
	uint32_t fid;
	int err = p9_walk(fs, path, &fid, &qid);

	if (err)
		return err;
	err = p9_getattr(fs, fid, st);
	p9_clunk(fs, fid);
	return err;
}

/* Tmkdir or Tunlinkat on the last name of `path` in its folder. */
static int p9_dir_op(struct mount *m, uint8_t type, const char *path,
		     uint32_t arg)
{
	struct p9_fs *fs = m->priv;
	struct p9_call *c;
	const char *name;
	uint32_t dfid;
	int err = p9_walk_parent(fs, path, &dfid, &name);

	if (err)
		return err;
	c = p9_call_new(type);
	if (c) {
		p9_put32(&c->t, dfid);
		p9_putstr(&c->t, name, strlen(name));
		p9_put32(&c->t, arg);
		if (type == P9_TMKDIR)
			p9_put32(&c->t, 0);	/* gid */
		err = p9_rpc(fs, c, type + 1);
		free(c);
	} else {
		err = -ENOMEM;
	}
	p9_clunk(fs, dfid);
	return err;
}

static int p9_mkdir(struct mount *m, const char *path, mode_t mode)
{
	return p9_dir_op(m, P9_TMKDIR, path, S_IFDIR | (mode & 07777));
}

static int p9_unlink(struct mount *m, const char *path)
{
	return p9_dir_op(m, P9_TUNLINKAT, path, 0);
}

static int p9_rmdir(struct mount *m, const char *path)
{
	return p9_dir_op(m, P9_TUNLINKAT, path, P9_AT_REMOVEDIR);
}

static int p9_rename(struct mount *m, const char *from, const char *to)
{
	struct p9_fs *fs = m->priv;
	const char *fname, *tname;
	uint32_t ffid, tfid;
	struct p9_call *c;
	int err = p9_walk_parent(fs, from, &ffid, &fname);

	if (err)
		return err;
	err = p9_walk_parent(fs, to, &tfid, &tname);
	if (err) {
		p9_clunk(fs, ffid);
		return err;
	}
	c = p9_call_new(P9_TRENAMEAT);
	if (c) {
		p9_put32(&c->t, ffid);
		p9_putstr(&c->t, fname, strlen(fname));
		p9_put32(&c->t, tfid);
		p9_putstr(&c->t, tname, strlen(tname));
		err = p9_rpc(fs, c, P9_TRENAMEAT + 1);
		free(c);
	} else {
		err = -ENOMEM;
	}
	p9_clunk(fs, ffid);
	p9_clunk(fs, tfid);
	return err;
}

static int p9_truncate(struct mount *m, const char *path, off_t length)
{
	struct p9_fs *fs = m->priv;
	struct p9_call *c;
	struct p9_qid qid;
	uint32_t fid;
	int err = p9_walk(fs, path, &fid, &qid);

	if (err)
		return err;
	c = p9_call_new(P9_TSETATTR);
	if (c) {
		p9_put32(&c->t, fid);
		p9_put32(&c->t, P9_SETATTR_SIZE);
		p9_put32(&c->t, 0);	/* mode */
		p9_put32(&c->t, 0);	/* uid */
		p9_put32(&c->t, 0);	/* gid */
		p9_put64(&c->t, (uint64_t)length);
		for (int i = 0; i < 4; i++)
			p9_put64(&c->t, 0);	/* atime, mtime */
		err = qid.type & P9_QTDIR ? -EISDIR :
					    p9_rpc(fs, c, P9_TSETATTR + 1);
		free(c);
	} else {
		err = -ENOMEM;
	}
	p9_clunk(fs, fid);
	return err;
}

static const struct fs_ops p9_ops = {
	.name = "9p",
	.open = p9_open,
	.stat = p9_stat,
	.mkdir = p9_mkdir,
	.unlink = p9_unlink,
	.rmdir = p9_rmdir,
	.rename = p9_rename,
	.truncate = p9_truncate,
};

static void p9_mount_one(const char *tag, const char *path, bool ro)
{
	struct virtio_9p *dev = virtio_9p_find(tag);
	char source[MOUNT_SOURCE_MAX];
	struct p9_fs *fs;
	int err;

	if (!dev) {
		kernel_printf("minnow: fs: no virtio-9p device with mount tag \"%s\" for %s\n",
			      tag, path);
		return;
	}
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return;
	fs->dev = dev;
	fs->next_fid = P9_ROOT_FID + 1;
	err = p9_session(fs);
	snprintf(source, sizeof(source), "9p tag %s", tag);
	if (!err)
		err = vfs_mount(path, &p9_ops, fs, source, ro);
	if (err) {
		kernel_printf("minnow: fs: mounting 9p tag \"%s\" on %s failed: error %d\n",
			      tag, path, err);
		free(fs);
	}
}

static int p9_init(void)
{
	/* without minnow.fs, a tag that is a path mounts itself there */
	if (vfs_boot_mounts("9p", p9_mount_one) == 0) {
		for (unsigned int i = 0; i < virtio_9p_count; i++) {
			if (virtio_9p_devices[i].tag[0] == '/')
				p9_mount_one(virtio_9p_devices[i].tag,
					     virtio_9p_devices[i].tag, false);
		}
	}
	return 0;
}
DRIVER_INIT(p9_init);
