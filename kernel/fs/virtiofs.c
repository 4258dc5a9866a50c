/*
 * A host folder over virtio-fs (virtio 1.2, 5.11; device 26): QEMU's
 * vhost-user-fs-device (microvm) or vhost-user-fs-pci (q35) connected to
 * the host's virtiofsd, selected by minnow.fs=virtiofs:<tag>:<path>. The
 * device speaks FUSE (fs/fuse.h): each request is a chain of a
 * fuse_in_header and its arguments the device reads, then room for a
 * fuse_out_header and the reply it writes. This file is both the driver
 * (queue 1, the first request queue, and the high-priority queue 0 for
 * FORGETs; no INTERRUPT is sent) and the filesystem; the requests
 * themselves are fs/virtiofs_req.c's. Paths are walked with LOOKUP from
 * the root on every operation, so the guest sees the folder as it is now,
 * and no inodes are kept: a node looked up is dropped when the operation
 * ends, an open file's when it is closed, and the daemon is told with
 * FUSE_BATCH_FORGET (virtiofs_put()), so that it does not keep a handle
 * for every file the application ever named.
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
#include <kernel/virtio.h>
#include <kernel/virtq.h>
#include "virtiofs.h"

struct virtiofs virtiofs_devices[VIRTIOFS_DEVICES_MAX];
unsigned int virtiofs_count;

/* One READ or WRITE at f->offset: bytes moved (0 at the end) or -errno. */
static long virtiofs_io(struct file *f, uint8_t *data, size_t n, bool write)
{
	struct virtiofs_file *vf = f->priv;
	uint32_t max = write && vf->fs->max_write < VIRTIOFS_IO_MAX ?
			       vf->fs->max_write : VIRTIOFS_IO_MAX;
	uint32_t chunk = (uint32_t)(n < max ? n : max);
	struct fuse_io_in in = { .fh = vf->fh, .offset = (uint64_t)f->offset,
				 .size = chunk, .flags = (uint32_t)f->flags };
	struct fuse_write_out wo;
	uint32_t got = 0;
	int err;

	if (write)
		err = virtiofs_call(vf->fs, FUSE_WRITE, vf->nodeid, &in,
				    sizeof(in), data, chunk, &wo, sizeof(wo),
				    NULL, 0, &got);
	else
		err = virtiofs_call(vf->fs, FUSE_READ, vf->nodeid, &in,
				    sizeof(in), NULL, 0, NULL, 0, data, chunk,
				    &got);
	if (err)
		return err;
	if (write)
		got = got >= sizeof(wo) ? wo.size : 0;
	if (got > chunk || (write && got == 0))
		return -EIO;
	f->offset += got;
	return got;
}

static ssize_t virtiofs_io_all(struct file *f, uint8_t *data, size_t n,
			       bool write)
{
	size_t total = 0;
	long r = 0;

	while (total < n) {
		r = virtiofs_io(f, data + total, n - total, write);
		if (r <= 0)
			break;
		total += (size_t)r;
	}
	return total ? (ssize_t)total : r;
}

static ssize_t virtiofs_read(struct file *f, void *buf, size_t n)
{
	struct virtiofs_file *vf = f->priv;

	return vf->dir ? -EISDIR : virtiofs_io_all(f, buf, n, false);
}

static ssize_t virtiofs_write(struct file *f, const void *buf, size_t n)
{
	struct virtiofs_file *vf = f->priv;
	struct stat st;
	int err;

	if (f->flags & O_APPEND) {
		err = virtiofs_getattr(vf, &st);
		if (err)
			return err;
		f->offset = st.st_size;
	}
	return virtiofs_io_all(f, (uint8_t *)buf, n, true);
}

static off_t virtiofs_lseek(struct file *f, off_t off, int whence)
{
	struct virtiofs_file *vf = f->priv;
	struct stat st;
	off_t end = 0;
	int err;

	if (vf->dir) {
		/* a listing can only start again (rewinddir) */
		if (off != 0 || whence != SEEK_SET)
			return -EINVAL;
		vf->next_off = 0;
		vf->len = vf->pos = 0;
		f->offset = 0;
		return 0;
	}
	if (whence == SEEK_END) {
		err = virtiofs_getattr(vf, &st);
		if (err)
			return err;
		end = st.st_size;
	}
	return vfs_seek(f, off, whence, end);
}

static int virtiofs_fstat(struct file *f, struct stat *st)
{
	return virtiofs_getattr(f->priv, st);
}

static int virtiofs_fsync(struct file *f)
{
	struct virtiofs_file *vf = f->priv;
	struct fuse_fsync_in in = { .fh = vf->fh };

	if (vf->dir)
		return 0;
	return virtiofs_call(vf->fs, FUSE_FSYNC, vf->nodeid, &in, sizeof(in),
			     NULL, 0, NULL, 0, NULL, 0, NULL);
}

static int virtiofs_getdents(struct file *f, struct dirent *d)
{
	struct virtiofs_file *vf = f->priv;
	struct fuse_io_in in = { .fh = vf->fh, .size = VIRTIOFS_DIR_BUF };
	struct fuse_dirent *de;
	uint32_t got;
	int err;

	if (vf->pos + sizeof(*de) > vf->len) {
		in.offset = vf->next_off;
		err = virtiofs_call(vf->fs, FUSE_READDIR, vf->nodeid, &in,
				    sizeof(in), NULL, 0, NULL, 0, vf->buf,
				    VIRTIOFS_DIR_BUF, &got);
		if (err)
			return err;
		vf->len = got;
		vf->pos = 0;
		if (got == 0)
			return 0;
	}
	de = (struct fuse_dirent *)(vf->buf + vf->pos);
	if (vf->pos + sizeof(*de) + de->namelen > vf->len ||
	    de->namelen > VFS_NAME_MAX)
		return -EIO;
	memset(d, 0, sizeof(*d));
	memcpy(d->d_name, de->name, de->namelen);
	d->d_ino = de->ino;
	d->d_off = (off_t)de->off;
	d->d_type = (unsigned char)de->type;
	vf->next_off = de->off;
	/* each entry is padded to 8 bytes */
	vf->pos += (sizeof(*de) + de->namelen + 7) & ~(size_t)7;
	f->offset++;
	return 1;
}

static void virtiofs_release(struct file *f)
{
	struct virtiofs_file *vf = f->priv;
	struct fuse_release_in in = { .fh = vf->fh,
				      .flags = (uint32_t)f->flags };

	virtiofs_call(vf->fs, vf->dir ? FUSE_RELEASEDIR : FUSE_RELEASE,
		      vf->nodeid, &in, sizeof(in), NULL, 0, NULL, 0, NULL, 0,
		      NULL);
	virtiofs_put(vf->fs, vf->nodeid);
	free(vf->buf);
	free(vf);
}

static const struct file_ops virtiofs_file_ops = {
	.kind = "virtiofs",
	.read = virtiofs_read,
	.write = virtiofs_write,
	.lseek = virtiofs_lseek,
	.fstat = virtiofs_fstat,
	.fsync = virtiofs_fsync,
	.release = virtiofs_release,
};

static const struct file_ops virtiofs_dir_ops = {
	.kind = "virtiofs",
	.read = virtiofs_read,
	.lseek = virtiofs_lseek,
	.fstat = virtiofs_fstat,
	.fsync = virtiofs_fsync,
	.getdents = virtiofs_getdents,
	.release = virtiofs_release,
};

/* CREATE in the folder of `path`: the new node and its handle. */
static int virtiofs_create(struct virtiofs *fs, const char *path, int flags,
			   mode_t mode, uint64_t *nodeid, uint64_t *fh)
{
	struct {
		struct fuse_create_in c;
		char name[VFS_NAME_MAX + 1];
	} in;
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	const char *name;
	uint64_t dir;
	size_t len;
	int err = virtiofs_walk_parent(fs, path, &dir, &name, &len);

	if (err)
		return err;
	in.c = (struct fuse_create_in){ .flags = (uint32_t)flags,
					.mode = S_IFREG | (mode & 07777) };
	memcpy(in.name, name, len + 1);
	err = virtiofs_call(fs, FUSE_CREATE, dir, &in,
			    (uint32_t)(sizeof(in.c) + len + 1), NULL, 0, &out,
			    sizeof(out), NULL, 0, NULL);
	virtiofs_put(fs, dir);
	/* on success the new node's lookup is the caller's */
	*nodeid = out.e.nodeid;
	*fh = out.o.fh;
	return err;
}

static int virtiofs_open(struct mount *m, const char *path, int flags,
			 mode_t mode, struct file **out)
{
	struct virtiofs *fs = m->priv;
	struct fuse_open_in oi = { 0 };
	struct fuse_open_out oo;
	struct virtiofs_file *vf;
	struct fuse_entry_out e;
	uint64_t nodeid, fh = 0;
	bool dir = false;
	int err = virtiofs_walk(fs, path, strlen(path), &e);

	if (err == -ENOENT && (flags & O_CREAT)) {
		err = virtiofs_create(fs, path, flags, mode, &nodeid, &fh);
		if (err)
			return err;
	} else if (err) {
		return err;
	} else {
		nodeid = e.nodeid;
		dir = S_ISDIR(e.attr.mode);
		if ((flags & O_CREAT) && (flags & O_EXCL))
			err = -EEXIST;
		else if (dir && (flags & O_ACCMODE) != O_RDONLY)
			err = -EISDIR;
		else if (!dir && (flags & O_DIRECTORY))
			err = -ENOTDIR;
		oi.flags = (uint32_t)(flags & (O_ACCMODE | O_TRUNC));
		if ((flags & O_ACCMODE) == O_RDONLY)
			oi.flags &= ~(uint32_t)O_TRUNC;
		if (!err)
			err = virtiofs_call(fs, dir ? FUSE_OPENDIR : FUSE_OPEN,
					    nodeid, &oi, sizeof(oi), NULL, 0,
					    &oo, sizeof(oo), NULL, 0, NULL);
		if (err) {
			virtiofs_put(fs, nodeid);
			return err;
		}
		fh = oo.fh;
	}
	vf = calloc(1, sizeof(*vf));
	if (vf && dir)
		vf->buf = malloc(VIRTIOFS_DIR_BUF);
	*out = vf && (!dir || vf->buf) ?
		       file_alloc(dir ? &virtiofs_dir_ops : &virtiofs_file_ops,
				  vf, flags, NULL) :
		       NULL;
	if (vf) {
		vf->fs = fs;
		vf->nodeid = nodeid;
		vf->fh = fh;
		vf->dir = dir;
	}
	if (!*out) {
		if (vf)
			free(vf->buf);
		free(vf);
		virtiofs_put(fs, nodeid);
		return -ENOMEM;
	}
	return 0;	/* the file holds nodeid's lookup until it is closed */
}

static int virtiofs_stat(struct mount *m, const char *path, struct stat *st)
{
	struct fuse_entry_out e;
	int err = virtiofs_walk(m->priv, path, strlen(path), &e);

	if (!err) {
		virtiofs_attr_to_stat(&e.attr, st);
		virtiofs_put(m->priv, e.nodeid);
	}
	return err;
}

/* MKDIR, UNLINK or RMDIR of the last name of `path` in its folder. */
static int virtiofs_name_op(struct mount *m, uint32_t op, const char *path,
			    mode_t mode)
{
	struct {
		struct fuse_mkdir_in mk;
		char name[VFS_NAME_MAX + 1];
	} in;
	struct virtiofs *fs = m->priv;
	struct fuse_entry_out e;
	const char *name;
	uint32_t hdr = op == FUSE_MKDIR ? sizeof(in.mk) : 0;
	uint8_t *args = (uint8_t *)&in + sizeof(in.mk) - hdr;
	uint64_t dir;
	size_t len;
	int err = virtiofs_walk_parent(fs, path, &dir, &name, &len);

	if (err)
		return err;
	/* virtiofsd answers EIO for a name it cannot find: look first, as
	 * Linux's VFS always does, so a missing name is ENOENT */
	if (op != FUSE_MKDIR) {
		err = virtiofs_lookup(fs, dir, name, len, &e);
		if (err)
			goto out_put_dir;
	}
	in.mk = (struct fuse_mkdir_in){ .mode = S_IFDIR | (mode & 07777) };
	memcpy(in.name, name, len + 1);
	err = virtiofs_call(fs, op, dir, args, hdr + (uint32_t)len + 1, NULL,
			    0, op == FUSE_MKDIR ? &e : NULL,
			    op == FUSE_MKDIR ? sizeof(e) : 0, NULL, 0, NULL);
	/* the name's node: looked up first, or named by MKDIR's reply */
	if (op != FUSE_MKDIR || !err)
		virtiofs_put(fs, e.nodeid);
out_put_dir:
	virtiofs_put(fs, dir);
	/* a removed node is let go at once: the daemon holds the host's
	 * file open until then */
	if (op != FUSE_MKDIR)
		virtiofs_forget_flush(fs);
	return err;
}

static int virtiofs_mkdir(struct mount *m, const char *path, mode_t mode)
{
	return virtiofs_name_op(m, FUSE_MKDIR, path, mode);
}

static int virtiofs_unlink(struct mount *m, const char *path)
{
	return virtiofs_name_op(m, FUSE_UNLINK, path, 0);
}

static int virtiofs_rmdir(struct mount *m, const char *path)
{
	return virtiofs_name_op(m, FUSE_RMDIR, path, 0);
}

static int virtiofs_rename(struct mount *m, const char *from, const char *to)
{
	struct virtiofs *fs = m->priv;
	uint8_t in[sizeof(struct fuse_rename_in) + 2 * (VFS_NAME_MAX + 1)];
	struct fuse_rename_in ri;
	struct fuse_entry_out e;
	const char *fname, *tname;
	uint64_t fdir;
	size_t fl, tl;
	int err = virtiofs_walk_parent(fs, from, &fdir, &fname, &fl);

	if (err)
		return err;
	err = virtiofs_walk_parent(fs, to, &ri.newdir, &tname, &tl);
	if (err)
		goto out_put_from;
	/* as for unlink: a missing source would be EIO */
	err = virtiofs_lookup(fs, fdir, fname, fl, &e);
	if (err)
		goto out_put_to;
	memcpy(in, &ri, sizeof(ri));
	memcpy(in + sizeof(ri), fname, fl + 1);
	memcpy(in + sizeof(ri) + fl + 1, tname, tl + 1);
	err = virtiofs_call(fs, FUSE_RENAME, fdir, in,
			    (uint32_t)(sizeof(ri) + fl + tl + 2), NULL, 0,
			    NULL, 0, NULL, 0, NULL);
	virtiofs_put(fs, e.nodeid);
out_put_to:
	virtiofs_put(fs, ri.newdir);
out_put_from:
	virtiofs_put(fs, fdir);
	/* a name renamed over is removed: as for unlink */
	virtiofs_forget_flush(fs);
	return err;
}

static int virtiofs_truncate(struct mount *m, const char *path, off_t length)
{
	struct fuse_setattr_in in = { .valid = FUSE_FATTR_SIZE,
				      .size = (uint64_t)length };
	struct fuse_entry_out e;
	struct fuse_attr_out ao;
	int err = virtiofs_walk(m->priv, path, strlen(path), &e);

	if (err)
		return err;
	err = S_ISDIR(e.attr.mode) ?
		      -EISDIR :
		      virtiofs_call(m->priv, FUSE_SETATTR, e.nodeid, &in,
				    sizeof(in), NULL, 0, &ao, sizeof(ao), NULL,
				    0, NULL);
	virtiofs_put(m->priv, e.nodeid);
	return err;
}

static const struct fs_ops virtiofs_ops = {
	.name = "virtiofs",
	.open = virtiofs_open,
	.stat = virtiofs_stat,
	.mkdir = virtiofs_mkdir,
	.unlink = virtiofs_unlink,
	.rmdir = virtiofs_rmdir,
	.rename = virtiofs_rename,
	.truncate = virtiofs_truncate,
};

static struct virtiofs *virtiofs_find(const char *tag)
{
	for (unsigned int i = 0; i < virtiofs_count; i++) {
		if (strcmp(virtiofs_devices[i].tag, tag) == 0)
			return &virtiofs_devices[i];
	}
	return NULL;
}

static void virtiofs_mount_one(const char *tag, const char *path, bool ro)
{
	struct virtiofs *fs = virtiofs_find(tag);
	char source[MOUNT_SOURCE_MAX];
	int err;

	if (!fs) {
		kernel_printf("minnow: fs: no virtio-fs device with tag \"%s\" for %s\n",
			      tag, path);
		return;
	}
	err = fs->mounted ? -EBUSY : virtiofs_session(fs);
	snprintf(source, sizeof(source), "virtiofs tag %s", tag);
	if (!err)
		err = vfs_mount(path, &virtiofs_ops, fs, source, ro);
	if (err)
		kernel_printf("minnow: fs: mounting virtio-fs tag \"%s\" on %s failed: error %d\n",
			      tag, path, err);
	else
		fs->mounted = true;
}

static int virtiofs_setup(struct virtio_dev *dev)
{
	struct virtiofs *fs = &virtiofs_devices[virtiofs_count];
	int err = virtio_negotiate(dev, 0);

	if (err)
		return err;
	fs->dev = dev;
	spin_init(&fs->forget_lock, "virtiofs forget");
	/* queue 0 (high priority) carries the FORGETs, which the daemon
	 * takes however busy the request queue is */
	err = virtq_create(dev, VIRTIOFS_HIPRIO_QUEUE, VIRTIOFS_HIPRIO_SIZE,
			   &fs->hiprio);
	if (!err)
		err = virtq_create(dev, VIRTIOFS_REQUEST_QUEUE,
				   VIRTIOFS_QUEUE_SIZE, &fs->vq);
	if (!err)
		err = virtio_irq_attach(dev, "virtio-fs reply");
	if (err) {
		virtio_log("%s: virtio-fs setup failed: error %d\n", dev->name,
			   err);
		virtio_fail(dev);
		memset(fs, 0, sizeof(*fs));
		return err;
	}
	for (unsigned int i = 0; i < VIRTIOFS_TAG_MAX; i++)
		fs->tag[i] = (char)virtio_config_read8(dev,
						       VIRTIOFS_CFG_TAG + i);
	virtio_driver_ok(dev);
	virtiofs_count++;
	virtio_log_info("%s: virtio-fs, tag \"%s\"\n", dev->name, fs->tag);
	return 0;
}

static int virtiofs_init(void)
{
	struct virtio_dev *dev;

	while (virtiofs_count < VIRTIOFS_DEVICES_MAX &&
	       (dev = virtio_find(VIRTIO_ID_FS, 0))) {
		dev->claimed = true;
		virtiofs_setup(dev);
	}
	vfs_boot_mounts("virtiofs", virtiofs_mount_one);
	return 0;
}
DRIVER_INIT(virtiofs_init);
