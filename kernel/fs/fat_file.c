/*
 * Open FAT files and folders (fs/fat.h): the file_ops behind a descriptor
 * (read, write, lseek, fstat, fsync, getdents), on fat.c's data transfer.
 * A write extends the file's chain and commits table and entry before it
 * returns, as every call that changes the volume does.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/file.h>
#include <kernel/vfs.h>
#include "fat.h"

/* the largest file FAT can describe */
#define FAT_FILE_MAX 0xffffffffull

struct fat_open {
	struct fat_vol *v;
	struct fat_node *n;
	uint32_t dir_index;	/* folders: where the listing is */
};

static ssize_t fat_file_read(struct file *f, void *buf, size_t len)
{
	struct fat_open *o = f->priv;
	struct fat_node *n = o->n;
	int err;

	if (n->is_dir)
		return -EISDIR;
	if ((uint64_t)f->offset >= n->size)
		return 0;
	if (len > n->size - (uint64_t)f->offset)
		len = n->size - (size_t)f->offset;
	err = fat_xfer(o->v, n, (uint64_t)f->offset, buf, len, false);
	if (err)
		return err;
	f->offset += (off_t)len;
	return (ssize_t)len;
}

static ssize_t fat_file_write(struct file *f, const void *buf, size_t len)
{
	struct fat_open *o = f->priv;
	struct fat_node *n = o->n;
	uint64_t end;
	int err = 0;

	if (f->flags & O_APPEND)
		f->offset = n->size;
	end = (uint64_t)f->offset + len;
	if (end > FAT_FILE_MAX)
		return -EFBIG;
	/* a hole before the offset reads as zeros */
	if (n->size < (uint64_t)f->offset)
		err = fat_resize(o->v, n, (uint32_t)f->offset);
	if (!err)
		err = fat_xfer(o->v, n, (uint64_t)f->offset, (uint8_t *)buf,
			       len, true);
	if (!err && end > n->size)
		n->size = (uint32_t)end;
	if (!err)
		f->offset = (off_t)end;
	/* the clusters allocated are recorded even when the write failed */
	if (fat_commit(o->v, n) && !err)
		err = -EIO;
	return err ? err : (ssize_t)len;
}

static off_t fat_file_lseek(struct file *f, off_t off, int whence)
{
	struct fat_open *o = f->priv;
	off_t r = vfs_seek(f, off, whence, (off_t)o->n->size);

	if (o->n->is_dir && r == 0)
		o->dir_index = 0;	/* rewinddir */
	return r;
}

static int fat_file_fstat(struct file *f, struct stat *st)
{
	struct fat_open *o = f->priv;
	struct fat_loc l = { .dir = o->n->dir, .index = o->n->index,
			     .is_root = o->n->is_root };

	l.de.attr = o->n->is_dir ? FAT_ATTR_DIRECTORY : 0;
	l.de.size = o->n->size;
	fat_stat_entry(o->v, &l, st);
	return 0;
}

static int fat_file_fsync(struct file *f)
{
	struct fat_open *o = f->priv;
	int err = fat_commit(o->v, o->n);

	return err ? err : o->v->dev->flush(o->v->dev);
}

static int fat_file_getdents(struct file *f, struct dirent *d)
{
	struct fat_open *o = f->priv;
	bool is_dir;
	int r;

	memset(d, 0, sizeof(*d));
	/* the root has no "." and ".." on disk; Linux shows them anyway */
	if (o->n->is_root && f->offset < 2) {
		strcpy(d->d_name, f->offset ? ".." : ".");
		d->d_type = DT_DIR;
		f->offset++;
		return 1;
	}
	r = fat_readdir(o->v, o->n->is_root ? 0 : o->n->first, &o->dir_index,
			d->d_name, &is_dir);
	if (r <= 0)
		return r;
	d->d_type = is_dir ? DT_DIR : DT_REG;
	d->d_ino = o->dir_index;
	f->offset++;
	return 1;
}

static void fat_file_release(struct file *f)
{
	struct fat_open *o = f->priv;

	fat_node_put(o->v, o->n);
	free(o);
}

static const struct file_ops fat_file_ops = {
	.kind = "fat",
	.read = fat_file_read,
	.write = fat_file_write,
	.lseek = fat_file_lseek,
	.fstat = fat_file_fstat,
	.fsync = fat_file_fsync,
	.getdents = NULL,
	.release = fat_file_release,
};

static const struct file_ops fat_dir_ops = {
	.kind = "fat",
	.read = fat_file_read,
	.lseek = fat_file_lseek,
	.fstat = fat_file_fstat,
	.fsync = fat_file_fsync,
	.getdents = fat_file_getdents,
	.release = fat_file_release,
};

/* Opens the node at l (fs/fat_path.c found or made it). */
int fat_open_node(struct fat_vol *v, const struct fat_loc *l, int flags,
		  struct file **out)
{
	struct fat_open *o = calloc(1, sizeof(*o));
	struct fat_node *n = o ? fat_node_get(v, l) : NULL;
	int err;

	if (!n) {
		free(o);
		return -ENOMEM;
	}
	o->v = v;
	o->n = n;
	if (!n->is_dir && (flags & O_TRUNC) &&
	    (flags & O_ACCMODE) != O_RDONLY && n->first) {
		err = fat_free_chain(v, n->first);
		n->first = 0;
		n->size = 0;
		n->hint_cluster = 0;
		if (!err)
			err = fat_commit(v, n);
		if (err) {
			fat_node_put(v, n);
			free(o);
			return err;
		}
	}
	*out = file_alloc(n->is_dir ? &fat_dir_ops : &fat_file_ops, o, flags,
			  NULL);
	if (!*out) {
		fat_node_put(v, n);
		free(o);
		return -ENOMEM;
	}
	return 0;
}
