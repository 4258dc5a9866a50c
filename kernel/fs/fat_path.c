/*
 * The FAT filesystem's path operations for the VFS (fs/fat.h): open with
 * O_CREAT/O_TRUNC/O_EXCL, stat, mkdir, unlink, rmdir, rename, truncate and
 * sync, on top of fat_dir.c's entries and names and fat.c's clusters. Each
 * change reaches the disk (entry, table, FSInfo) before the call returns.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <kernel/file.h>
#include <kernel/vfs.h>
#include "fat.h"

static uint32_t fat_dir_cluster(struct fat_vol *v, const struct fat_loc *l)
{
	return l->is_root ? v->root_cluster : fat_entry_cluster(&l->de);
}

/* The folder that will hold `path`: its cluster and the new name. */
static int fat_parent(struct fat_vol *v, const char *path, uint32_t *dir,
		      const char **name)
{
	char *parent = malloc(strlen(path) + 1);
	struct fat_loc l;
	int err;

	if (!parent)
		return -ENOMEM;
	vfs_parent(path, parent);
	*name = vfs_basename(path);
	err = vfs_name_bad(*name) ? -EEXIST : fat_lookup(v, parent, &l);
	free(parent);
	if (!err && !l.is_root && !(l.de.attr & FAT_ATTR_DIRECTORY))
		err = -ENOTDIR;
	if (!err) {
		*dir = fat_dir_cluster(v, &l);
		if (!l.is_root && !*dir)
			err = -EIO;
	}
	return err;
}

static int fat_open(struct mount *m, const char *path, int flags, mode_t mode,
		    struct file **out)
{
	struct fat_vol *v = m->priv;
	struct fat_loc l;
	const char *name;
	uint32_t dir;
	int err = fat_lookup(v, path, &l);
	bool is_dir;

	if (err == -ENOENT && (flags & O_CREAT)) {
		err = fat_parent(v, path, &dir, &name);
		if (!err)
			err = fat_add(v, dir, name, FAT_ATTR_ARCHIVE, 0, 0, &l);
	} else if (!err && (flags & O_CREAT) && (flags & O_EXCL)) {
		err = -EEXIST;
	}
	if (err)
		return err;
	is_dir = l.is_root || (l.de.attr & FAT_ATTR_DIRECTORY);
	if (is_dir && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (!is_dir && (flags & O_DIRECTORY))
		return -ENOTDIR;
	return fat_open_node(v, &l, flags, out);
}

static int fat_stat(struct mount *m, const char *path, struct stat *st)
{
	struct fat_loc l;
	int err = fat_lookup(m->priv, path, &l);

	if (!err)
		fat_stat_entry(m->priv, &l, st);
	return err;
}

static int fat_mkdir(struct mount *m, const char *path, mode_t mode)
{
	struct fat_vol *v = m->priv;
	struct fat_dirent dot;
	struct fat_loc l;
	const char *name;
	uint32_t dir, c;
	int err = fat_lookup(v, path, &l);

	if (err != -ENOENT)
		return err ? err : -EEXIST;
	err = fat_parent(v, path, &dir, &name);
	if (!err)
		err = fat_alloc(v, 0, &c);
	if (!err)
		err = fat_zero_cluster(v, c);
	if (!err)
		err = fat_flush_table(v);
	if (err)
		return err;
	memset(&dot, 0, sizeof(dot));
	memset(dot.name, ' ', 11);
	dot.name[0] = '.';
	dot.attr = FAT_ATTR_DIRECTORY;
	dot.wrt_date = FAT_DATE_2000;
	dot.clus_hi = (uint16_t)(c >> 16);
	dot.clus_lo = (uint16_t)c;
	err = fat_put_entry(v, c, 0, &dot);
	dot.name[1] = '.';
	/* ".." of a folder in the root says 0, even on FAT32 */
	dot.clus_hi = (uint16_t)((dir == v->root_cluster ? 0 : dir) >> 16);
	dot.clus_lo = (uint16_t)(dir == v->root_cluster ? 0 : dir);
	if (!err)
		err = fat_put_entry(v, c, 1, &dot);
	if (!err)
		err = fat_add(v, dir, name, FAT_ATTR_DIRECTORY, c, 0, &l);
	return err;
}

/* True when a folder holds nothing but "." and "..". */
static int fat_empty(struct fat_vol *v, uint32_t dir)
{
	char name[VFS_NAME_MAX + 1];
	uint32_t index = 0;
	bool is_dir;
	int r;

	while ((r = fat_readdir(v, dir, &index, name, &is_dir)) > 0) {
		if (strcmp(name, ".") && strcmp(name, ".."))
			return 0;
	}
	return r < 0 ? r : 1;
}

/* unlink (dir false) or rmdir (dir true) of what l found. */
static int fat_remove_loc(struct fat_vol *v, const struct fat_loc *l, bool dir)
{
	bool is_dir = l->de.attr & FAT_ATTR_DIRECTORY;
	int err;

	if (l->is_root)
		return -EBUSY;
	if (is_dir != dir)
		return dir ? -ENOTDIR : -EISDIR;
	if (fat_node_find(v, l->dir, l->index))
		return -EBUSY;	/* open: its entry must stay where it is */
	if (dir) {
		err = fat_empty(v, fat_entry_cluster(&l->de));
		if (err <= 0)
			return err ? err : -ENOTEMPTY;
	}
	err = fat_drop(v, l);
	if (!err && fat_entry_cluster(&l->de))
		err = fat_free_chain(v, fat_entry_cluster(&l->de));
	return err ? err : fat_flush_table(v);
}

static int fat_unlink(struct mount *m, const char *path)
{
	struct fat_loc l;
	int err = fat_lookup(m->priv, path, &l);

	return err ? err : fat_remove_loc(m->priv, &l, false);
}

static int fat_rmdir(struct mount *m, const char *path)
{
	struct fat_loc l;
	int err = fat_lookup(m->priv, path, &l);

	return err ? err : fat_remove_loc(m->priv, &l, true);
}

static int fat_rename(struct mount *m, const char *from, const char *to)
{
	struct fat_vol *v = m->priv;
	struct fat_loc src, dst, made;
	const char *name;
	uint32_t dir;
	int err = fat_lookup(v, from, &src);

	if (err)
		return err;
	if (fat_node_find(v, src.dir, src.index))
		return -EBUSY;
	err = fat_lookup(v, to, &dst);
	if (!err) {
		if (dst.dir == src.dir && dst.index == src.index)
			return 0;	/* another spelling of the same name */
		err = fat_remove_loc(v, &dst, dst.de.attr & FAT_ATTR_DIRECTORY);
		if (!err && !(src.de.attr & FAT_ATTR_DIRECTORY) !=
				    !(dst.de.attr & FAT_ATTR_DIRECTORY))
			err = -EIO;	/* unreachable: remove_loc checked */
		if (err)
			return err;
		err = fat_lookup(v, from, &src);	/* its place is the same */
	} else if (err == -ENOENT) {
		err = 0;
	}
	if (!err)
		err = fat_parent(v, to, &dir, &name);
	if (!err)
		err = fat_add(v, dir, name, src.de.attr, fat_entry_cluster(&src.de),
			      src.de.size, &made);
	if (!err)
		err = fat_drop(v, &src);
	if (!err && (src.de.attr & FAT_ATTR_DIRECTORY) && dir != src.dir) {
		int e2;
		struct fat_dirent *dd = fat_entry(v, fat_entry_cluster(&src.de),
						  1, &e2);
		uint32_t up = dir == v->root_cluster ? 0 : dir;

		if (!dd)
			return e2 ? e2 : -EIO;
		dd->clus_hi = (uint16_t)(up >> 16);
		dd->clus_lo = (uint16_t)up;
		err = fat_write_sector(v);
	}
	return err;
}

static int fat_truncate(struct mount *m, const char *path, off_t length)
{
	struct fat_vol *v = m->priv;
	struct fat_node *n;
	struct fat_loc l;
	int err = fat_lookup(v, path, &l);

	if (err)
		return err;
	if (l.is_root || (l.de.attr & FAT_ATTR_DIRECTORY))
		return -EISDIR;
	if ((uint64_t)length > 0xffffffffull)
		return -EFBIG;
	n = fat_node_get(v, &l);
	if (!n)
		return -ENOMEM;
	err = fat_resize(v, n, (uint32_t)length);
	fat_node_put(v, n);
	return err;
}

static int fat_sync(struct mount *m)
{
	struct fat_vol *v = m->priv;
	int err = fat_flush_table(v);

	return err ? err : v->dev->flush(v->dev);
}

const struct fs_ops fat_ops = {
	.name = "fat",
	.open = fat_open,
	.stat = fat_stat,
	.mkdir = fat_mkdir,
	.unlink = fat_unlink,
	.rmdir = fat_rmdir,
	.rename = fat_rename,
	.truncate = fat_truncate,
	.sync = fat_sync,
	.umount = fat_umount,
};
