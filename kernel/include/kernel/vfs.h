/*
 * The VFS as filesystems see it (kernel/fs): a mount table of plain data
 * and the operations one filesystem implements. The VFS turns every path an
 * application gives into an absolute one without ".", ".." or repeated
 * slashes, finds the mount with the longest matching prefix and hands the
 * filesystem the rest of the path: "" for its root, else components joined
 * by single slashes ("docs/a.txt"). Filesystems never see ".." or a
 * leading slash. Open files are struct file (kernel/file.h) on the shared
 * descriptor table; a filesystem's open makes one with its own file_ops.
 * Implemented in fs/vfs.c; the application calls are in fs/vfs_api.c.
 */
#ifndef KERNEL_VFS_H
#define KERNEL_VFS_H

#include <stdbool.h>
#include <sys/types.h>

struct file;
struct stat;
struct mount;

/* Linux's limits, which applications test against */
#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255

#define MOUNT_MAX 16
#define MOUNT_PATH_MAX 128
#define MOUNT_SOURCE_MAX 64

/*
 * One filesystem's operations. Each returns 0 or -errno; `path` is relative
 * to the mount (see above). A NULL operation answers -EROFS for changes
 * and -ENOSYS otherwise. The VFS has already refused writes on read-only
 * mounts, so a filesystem checks only its own reasons.
 */
struct fs_ops {
	const char *name;	/* "ramfs", "9p", "fat": the Kernel view's fs */
	/* flags as open(2) gives them (O_CREAT, O_EXCL, O_TRUNC,
	 * O_DIRECTORY...); *out gets a new file with one reference */
	int (*open)(struct mount *m, const char *path, int flags, mode_t mode,
		    struct file **out);
	int (*stat)(struct mount *m, const char *path, struct stat *st);
	int (*mkdir)(struct mount *m, const char *path, mode_t mode);
	int (*unlink)(struct mount *m, const char *path);
	int (*rmdir)(struct mount *m, const char *path);
	/* both paths on this mount; replaces an existing target as
	 * rename(2) does */
	int (*rename)(struct mount *m, const char *from, const char *to);
	int (*truncate)(struct mount *m, const char *path, off_t length);
	/* writes everything cached to the device (sync(2)) */
	int (*sync)(struct mount *m);
	/* frees the filesystem's state: 0, or -EBUSY while files are open */
	int (*umount)(struct mount *m);
};

/* A slot of the mount table; path[0] == '\0' marks a free one. */
struct mount {
	char path[MOUNT_PATH_MAX];	/* absolute, no trailing slash; "/" */
	const struct fs_ops *ops;
	char source[MOUNT_SOURCE_MAX];	/* "9p tag m0", "fat virtio-blk d1" */
	bool read_only;
	void *priv;			/* the filesystem's own state */
	unsigned long opens;		/* files opened through it so far */
};

/* The mounts, for the debugger (Kernel view "Mounts"). */
extern struct mount vfs_mounts[MOUNT_MAX];

/* fs/vfs.c */
/* Mounts ops at `path` (absolute); the root filesystem's folder of that
 * name is made so that listing "/" shows it. 0, -EBUSY when something is
 * mounted there already, -ENOSPC when the table is full. */
int vfs_mount(const char *path, const struct fs_ops *ops, void *priv,
	      const char *source, bool read_only);
/* Takes the mount at `path` out of the table: 0, -EINVAL when nothing is
 * mounted there (or it is the root), -EBUSY while its files are open. */
int vfs_umount(const char *path);
/* The mount holding `path` (absolute, normalised) and the path inside it. */
struct mount *vfs_lookup(const char *path, const char **rest);
/* An application's path (relative to the working directory or absolute)
 * made absolute and normalised into out (VFS_PATH_MAX bytes): 0,
 * -ENOENT for "", -ENAMETOOLONG. *dir_only tells a trailing slash. */
int vfs_normalize(const char *path, char *out, bool *dir_only);
/* The mount and inner path of an application's path; buf is the caller's
 * VFS_PATH_MAX buffer that *rest points into. */
int vfs_resolve(const char *path, char *buf, struct mount **m,
		const char **rest, bool *dir_only);
/* The part of `path` after its last slash ("" for the root) */
const char *vfs_basename(const char *path);
/* Copies the parent of a mount-relative path into out ("" for top level). */
void vfs_parent(const char *path, char *out);
/* True for names no filesystem may create: "", ".", "..", with a slash. */
bool vfs_name_bad(const char *name);
/*
 * A regular file's lseek, shared by every filesystem: f->offset becomes
 * off from the start, the current offset or `end` (the file's size, only
 * read for SEEK_END); the new offset, or -EINVAL before the start or past
 * the largest off_t. whence is already one of the three (lseek() checks).
 */
off_t vfs_seek(struct file *f, off_t off, int whence, off_t end);

/* fs/fat.c: the FAT16/FAT32 volume on `dev` at `path`: 0, -EINVAL when it
 * is not one (or not one this driver reads), -errno. */
struct blkdev;
int fat_mount(struct blkdev *dev, const char *path, bool read_only);

/* fs/ramfs.c: a filesystem in memory (the root and /tmp) */
extern const struct fs_ops ramfs_ops;
void *ramfs_create(void);

/*
 * The mounts the host asked for, on the kernel command line as
 * minnow.fs=<type>:<source>:<path>[:ro],... (9p:m0:/www:ro,fat:d1:/data):
 * calls fn for each entry of `type`, from the filesystem's DRIVER_INIT.
 * Returns how many entries there were.
 */
int vfs_boot_mounts(const char *type,
		    void (*fn)(const char *source, const char *path, bool ro));

#endif
