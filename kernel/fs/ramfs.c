/*
 * A filesystem in memory: the root and /tmp (fs/vfs.c). Each node is a
 * folder with a list of children or a file with one growing buffer. A
 * node unlinked while open lives on until its last file is closed, as on
 * Linux. Nothing survives the VM: this is scratch space, not storage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/file.h>
#include <kernel/time.h>
#include <kernel/vfs.h>

/* st_dev of every ramfs node, for programs that compare devices */
#define RAMFS_DEV 1
#define RAMFS_BLKSIZE 4096
/* "." and ".." come first in a listing, as on Linux */
#define RAMFS_DOT_ENTRIES 2
/* a folder's name table starts with this many buckets and doubles when
 * it holds twice as many names, so a lookup compares about two names */
#define RAMFS_HASH_MIN 16
/* 32-bit FNV-1a (Fowler, Noll, Vo; IETF draft-eastlake-fnv) */
#define FNV32_BASIS 2166136261u
#define FNV32_PRIME 16777619u

struct ramfs_node {
	char *name;
	mode_t mode;		/* S_IFDIR or S_IFREG | permissions */
	ino_t ino;
	struct ramfs_node *parent;	/* NULL once unlinked (and the root) */
	struct ramfs_node *children;	/* folders: newest first */
	struct ramfs_node *next;	/* sibling */
	unsigned int nchildren;
	/* folders: the children again, by name hash (NULL until the first
	 * child, or if memory ran out: then lookups walk the list) */
	struct ramfs_node **buckets;
	unsigned int nbuckets;
	uint32_t hash;		/* of name, set when linked */
	struct ramfs_node *hnext;	/* in the parent's bucket */
	char *data;		/* files */
	size_t size, cap;
	int opens;		/* files open on it */
	uint64_t mtime_ns;
};

struct ramfs {
	struct ramfs_node *root;
	ino_t next_ino;
};

static struct ramfs_node *ramfs_node_new(struct ramfs *fs, const char *name,
					 mode_t mode)
{
	struct ramfs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strdup(name);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->mode = mode;
	n->ino = fs->next_ino++;
	n->mtime_ns = time_now_ns();
	return n;
}

static void ramfs_node_free(struct ramfs_node *n)
{
	free(n->buckets);
	free(n->data);
	free(n->name);
	free(n);
}

void *ramfs_create(void)
{
	struct ramfs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->next_ino = 1;
	fs->root = ramfs_node_new(fs, "", S_IFDIR | 0755);
	if (!fs->root) {
		free(fs);
		return NULL;
	}
	return fs;
}

static uint32_t ramfs_hash(const char *name, size_t len)
{
	uint32_t h = FNV32_BASIS;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= FNV32_PRIME;
	}
	return h;
}

static bool ramfs_is(const struct ramfs_node *c, const char *name, size_t len)
{
	return strncmp(c->name, name, len) == 0 && c->name[len] == '\0';
}

static struct ramfs_node *ramfs_child(struct ramfs_node *dir, const char *name,
				      size_t len)
{
	uint32_t h;

	if (!dir->buckets) {
		for (struct ramfs_node *c = dir->children; c; c = c->next) {
			if (ramfs_is(c, name, len))
				return c;
		}
		return NULL;
	}
	h = ramfs_hash(name, len);
	for (struct ramfs_node *c = dir->buckets[h % dir->nbuckets]; c;
	     c = c->hnext) {
		if (c->hash == h && ramfs_is(c, name, len))
			return c;
	}
	return NULL;
}

/* Rebuilds dir's name table with n buckets; keeps the old one if out of
 * memory (lookups stay right, only slower). */
static void ramfs_rehash(struct ramfs_node *dir, unsigned int n)
{
	struct ramfs_node **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	for (struct ramfs_node *c = dir->children; c; c = c->next) {
		c->hnext = b[c->hash % n];
		b[c->hash % n] = c;
	}
	free(dir->buckets);
	dir->buckets = b;
	dir->nbuckets = n;
}

/* The node at `path`: 0, -ENOENT, or -ENOTDIR when a file is on the way. */
static int ramfs_walk(struct mount *m, const char *path, struct ramfs_node **out)
{
	struct ramfs *fs = m->priv;
	struct ramfs_node *n = fs->root;
	const char *p = path;

	while (*p) {
		size_t len = strcspn(p, "/");

		if (!S_ISDIR(n->mode))
			return -ENOTDIR;
		n = ramfs_child(n, p, len);
		if (!n)
			return -ENOENT;
		p += len;
		if (*p == '/')
			p++;
	}
	*out = n;
	return 0;
}

/* The folder that holds `path`, and the last component's name. */
static int ramfs_walk_parent(struct mount *m, const char *path,
			     struct ramfs_node **dir, const char **name)
{
	char *parent = malloc(strlen(path) + 1);
	int err;

	if (!parent)
		return -ENOMEM;
	vfs_parent(path, parent);
	err = ramfs_walk(m, parent, dir);
	free(parent);
	if (!err && !S_ISDIR((*dir)->mode))
		err = -ENOTDIR;
	*name = vfs_basename(path);
	if (!err && vfs_name_bad(*name))
		err = -EEXIST;	/* the root itself */
	return err;
}

static void ramfs_link(struct ramfs_node *dir, struct ramfs_node *n)
{
	n->parent = dir;
	n->hash = ramfs_hash(n->name, strlen(n->name));
	n->next = dir->children;
	dir->children = n;
	dir->nchildren++;
	dir->mtime_ns = time_now_ns();
	if (dir->nchildren > 2 * dir->nbuckets) {
		/* puts n in too */
		ramfs_rehash(dir, dir->nbuckets ? 2 * dir->nbuckets :
				  RAMFS_HASH_MIN);
	} else if (dir->buckets) {
		n->hnext = dir->buckets[n->hash % dir->nbuckets];
		dir->buckets[n->hash % dir->nbuckets] = n;
	}
}

static void ramfs_unlink_node(struct ramfs_node *n)
{
	struct ramfs_node *dir = n->parent;
	struct ramfs_node **pp = &dir->children;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	if (dir->buckets) {
		pp = &dir->buckets[n->hash % dir->nbuckets];
		while (*pp != n)
			pp = &(*pp)->hnext;
		*pp = n->hnext;
		n->hnext = NULL;
	}
	n->parent->nchildren--;
	n->parent->mtime_ns = time_now_ns();
	n->parent = NULL;
	n->next = NULL;
	if (!n->opens)
		ramfs_node_free(n);
}

static void ramfs_fill_stat(const struct ramfs_node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = RAMFS_DEV;
	st->st_ino = n->ino;
	st->st_mode = n->mode;
	st->st_nlink = S_ISDIR(n->mode) ? 2 : 1;
	st->st_size = S_ISDIR(n->mode) ? 0 : (off_t)n->size;
	st->st_blksize = RAMFS_BLKSIZE;
	st->st_blocks = (blkcnt_t)((n->cap + 511) / 512);
	st->st_mtim.tv_sec = (time_t)(n->mtime_ns / NSEC_PER_SEC);
	st->st_mtim.tv_nsec = (long)(n->mtime_ns % NSEC_PER_SEC);
	st->st_atim = st->st_mtim;
	st->st_ctim = st->st_mtim;
}

static int ramfs_resize(struct ramfs_node *n, size_t size)
{
	if (size > n->cap) {
		size_t cap = n->cap ? n->cap : 64;
		char *data;

		while (cap < size)
			cap *= 2;
		data = realloc(n->data, cap);
		if (!data)
			return -ENOSPC;
		n->data = data;
		n->cap = cap;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	n->mtime_ns = time_now_ns();
	return 0;
}

static ssize_t ramfs_read(struct file *f, void *buf, size_t len)
{
	struct ramfs_node *n = f->priv;
	size_t left;

	if (S_ISDIR(n->mode))
		return -EISDIR;
	if ((size_t)f->offset >= n->size)
		return 0;
	left = n->size - (size_t)f->offset;
	if (len > left)
		len = left;
	memcpy(buf, n->data + f->offset, len);
	f->offset += (off_t)len;
	return (ssize_t)len;
}

static ssize_t ramfs_write(struct file *f, const void *buf, size_t len)
{
	struct ramfs_node *n = f->priv;
	size_t end;
	int err;

	if (f->flags & O_APPEND)
		f->offset = (off_t)n->size;
	end = (size_t)f->offset + len;
	if (end > n->size) {
		err = ramfs_resize(n, end);
		if (err)
			return err;
	}
	memcpy(n->data + f->offset, buf, len);
	f->offset = (off_t)end;
	n->mtime_ns = time_now_ns();
	return (ssize_t)len;
}

static off_t ramfs_lseek(struct file *f, off_t off, int whence)
{
	struct ramfs_node *n = f->priv;

	return vfs_seek(f, off, whence, (off_t)n->size);
}

static int ramfs_fstat(struct file *f, struct stat *st)
{
	ramfs_fill_stat(f->priv, st);
	return 0;
}

static int ramfs_getdents(struct file *f, struct dirent *d)
{
	struct ramfs_node *dir = f->priv, *c;
	off_t i;

	memset(d, 0, sizeof(*d));
	if (f->offset < RAMFS_DOT_ENTRIES) {
		strcpy(d->d_name, f->offset ? ".." : ".");
		d->d_type = DT_DIR;
		d->d_ino = dir->ino;
		d->d_off = ++f->offset;
		return 1;
	}
	c = dir->children;
	for (i = RAMFS_DOT_ENTRIES; c && i < f->offset; i++)
		c = c->next;
	if (!c)
		return 0;
	strcpy(d->d_name, c->name);
	d->d_type = S_ISDIR(c->mode) ? DT_DIR : DT_REG;
	d->d_ino = c->ino;
	d->d_off = ++f->offset;
	return 1;
}

static void ramfs_release(struct file *f)
{
	struct ramfs_node *n = f->priv;

	if (--n->opens == 0 && !n->parent && n->name[0])
		ramfs_node_free(n);	/* unlinked while open */
}

static const struct file_ops ramfs_file_ops = {
	.kind = "ramfs",
	.read = ramfs_read,
	.write = ramfs_write,
	.lseek = ramfs_lseek,
	.fstat = ramfs_fstat,
	.release = ramfs_release,
};

static const struct file_ops ramfs_dir_ops = {
	.kind = "ramfs",
	.read = ramfs_read,
	.lseek = ramfs_lseek,
	.fstat = ramfs_fstat,
	.getdents = ramfs_getdents,
	.release = ramfs_release,
};

static int ramfs_open(struct mount *m, const char *path, int flags,
		      mode_t mode, struct file **out)
{
	struct ramfs_node *n, *dir;
	const char *name;
	struct file *f;
	int err = ramfs_walk(m, path, &n);

	if (err == -ENOENT && (flags & O_CREAT)) {
		err = ramfs_walk_parent(m, path, &dir, &name);
		if (err)
			return err;
		n = ramfs_node_new(m->priv, name, S_IFREG | (mode & 07777));
		if (!n)
			return -ENOSPC;
		ramfs_link(dir, n);
	} else if (err) {
		return err;
	} else if ((flags & O_CREAT) && (flags & O_EXCL)) {
		return -EEXIST;
	}
	if (S_ISDIR(n->mode) && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (!S_ISDIR(n->mode) && (flags & O_DIRECTORY))
		return -ENOTDIR;
	if (!S_ISDIR(n->mode) && (flags & O_TRUNC) &&
	    (flags & O_ACCMODE) != O_RDONLY)
		ramfs_resize(n, 0);
	f = file_alloc(S_ISDIR(n->mode) ? &ramfs_dir_ops : &ramfs_file_ops, n,
		       flags, NULL);
	if (!f)
		return -ENOMEM;
	n->opens++;
	*out = f;
	return 0;
}

static int ramfs_stat(struct mount *m, const char *path, struct stat *st)
{
	struct ramfs_node *n;
	int err = ramfs_walk(m, path, &n);

	if (!err)
		ramfs_fill_stat(n, st);
	return err;
}

static int ramfs_mkdir(struct mount *m, const char *path, mode_t mode)
{
	struct ramfs_node *dir, *n;
	const char *name;
	int err = ramfs_walk_parent(m, path, &dir, &name);

	if (err)
		return err;
	if (ramfs_child(dir, name, strlen(name)))
		return -EEXIST;
	n = ramfs_node_new(m->priv, name, S_IFDIR | (mode & 07777));
	if (!n)
		return -ENOSPC;
	ramfs_link(dir, n);
	return 0;
}

/* unlink (dir false) or rmdir (dir true) */
static int ramfs_remove(struct mount *m, const char *path, bool dir)
{
	struct ramfs_node *n;
	int err = ramfs_walk(m, path, &n);

	if (err)
		return err;
	if (S_ISDIR(n->mode) != dir)
		return dir ? -ENOTDIR : -EISDIR;
	if (dir && n->nchildren)
		return -ENOTEMPTY;
	ramfs_unlink_node(n);
	return 0;
}

static int ramfs_unlink(struct mount *m, const char *path)
{
	return ramfs_remove(m, path, false);
}

static int ramfs_rmdir(struct mount *m, const char *path)
{
	return ramfs_remove(m, path, true);
}

static int ramfs_rename(struct mount *m, const char *from, const char *to)
{
	struct ramfs_node *n, *dir, *old;
	const char *name;
	char *copy;
	int err = ramfs_walk(m, from, &n);

	if (err)
		return err;
	err = ramfs_walk_parent(m, to, &dir, &name);
	if (err)
		return err;
	old = ramfs_child(dir, name, strlen(name));
	if (old == n)
		return 0;
	if (old && S_ISDIR(old->mode) && !S_ISDIR(n->mode))
		return -EISDIR;
	if (old && !S_ISDIR(old->mode) && S_ISDIR(n->mode))
		return -ENOTDIR;
	if (old && S_ISDIR(old->mode) && old->nchildren)
		return -ENOTEMPTY;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	if (old)
		ramfs_unlink_node(old);
	/* unlink frees only nodes nobody holds; n stays held by us here */
	n->opens++;
	ramfs_unlink_node(n);
	n->opens--;
	free(n->name);
	n->name = copy;
	ramfs_link(dir, n);
	return 0;
}

static int ramfs_truncate(struct mount *m, const char *path, off_t length)
{
	struct ramfs_node *n;
	int err = ramfs_walk(m, path, &n);

	if (err)
		return err;
	if (S_ISDIR(n->mode))
		return -EISDIR;
	return ramfs_resize(n, (size_t)length);
}

const struct fs_ops ramfs_ops = {
	.name = "ramfs",
	.open = ramfs_open,
	.stat = ramfs_stat,
	.mkdir = ramfs_mkdir,
	.unlink = ramfs_unlink,
	.rmdir = ramfs_rmdir,
	.rename = ramfs_rename,
	.truncate = ramfs_truncate,
};
