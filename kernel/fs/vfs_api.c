/*
 * The POSIX path calls for applications (fcntl.h, unistd.h, sys/stat.h,
 * dirent.h) over the mount table (fs/vfs.c): each resolves its path, asks
 * the filesystem that holds it, and turns a -errno into -1 with errno set.
 * The VFS itself refuses what no filesystem should see: changes on a
 * read-only mount (EROFS), a mount point removed or renamed (EBUSY), a
 * rename between mounts (EXDEV), a trailing slash on a file (ENOTDIR).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/file.h>
#include <kernel/spinlock.h>
#include <kernel/vfs.h>

extern char vfs_cwd[VFS_PATH_MAX];

struct minnow_dir {
	int fd;
	struct dirent ent;
};

static long vfs_ret(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

static bool vfs_wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
}

/*
 * Path buffers: VFS_PATH_MAX bytes each, too big for 16 KiB thread stacks.
 * They come from a small pool of buffers handed back, not from malloc at
 * each call: the heap searches its free list first fit, and after a
 * program has made and grown a thousand small files that list is long, so
 * a 4 KiB malloc per stat() cost more than the lookup itself (ramfs stat
 * went from ~5,000/s to over 60,000/s under TCG without it).
 */
#define VFS_BUF_POOL 8

static char *vfs_buf_pool[VFS_BUF_POOL];
static int vfs_buf_free_count;
static struct spinlock vfs_buf_lock = SPINLOCK_INITIALIZER("vfs_buf");

static char *vfs_buf(void)
{
	uint64_t flags = spin_lock_irqsave(&vfs_buf_lock);
	char *b = vfs_buf_free_count ? vfs_buf_pool[--vfs_buf_free_count] :
				       NULL;

	spin_unlock_irqrestore(&vfs_buf_lock, flags);
	return b ? b : malloc(VFS_PATH_MAX);
}

static void vfs_buf_put(char *b)
{
	uint64_t flags;

	if (!b)
		return;
	flags = spin_lock_irqsave(&vfs_buf_lock);
	if (vfs_buf_free_count < VFS_BUF_POOL) {
		vfs_buf_pool[vfs_buf_free_count++] = b;
		b = NULL;
	}
	spin_unlock_irqrestore(&vfs_buf_lock, flags);
	free(b);
}

static int vfs_open(const char *path, int flags, mode_t mode)
{
	char *buf = vfs_buf();
	struct mount *m;
	const char *rest;
	struct file *f = NULL;
	bool dir_only;
	int err, fd = -ENOMEM;

	if (!buf)
		return -ENOMEM;
	err = vfs_resolve(path, buf, &m, &rest, &dir_only);
	if (err) {
		fd = err;
		goto out;
	}
	if ((flags & O_ACCMODE) == O_ACCMODE) {
		fd = -EINVAL;
		goto out;
	}
	if (m->read_only && vfs_wants_write(flags)) {
		fd = -EROFS;
		goto out;
	}
	if (dir_only && (flags & O_CREAT)) {
		fd = -EISDIR;
		goto out;
	}
	if (!m->ops->open) {
		fd = -ENOSYS;
		goto out;
	}
	err = m->ops->open(m, rest, flags | (dir_only ? O_DIRECTORY : 0),
			   mode, &f);
	if (err) {
		fd = err;
		goto out;
	}
	/* the Kernel view names the file by the path the program used */
	strncpy(f->label, buf, FILE_LABEL_MAX - 1);
	f->label[FILE_LABEL_MAX - 1] = '\0';
	f->flags = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
	m->opens++;
	fd = fd_install(f);
	if (fd < 0)
		file_put(f);
out:
	vfs_buf_put(buf);
	return fd;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return (int)vfs_ret(vfs_open(path, flags, mode));
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/* The kinds of path call below: what each needs from the VFS. */
enum vfs_call { VFS_STAT, VFS_MKDIR, VFS_UNLINK, VFS_RMDIR, VFS_TRUNCATE };

static int vfs_path_call(enum vfs_call call, const char *path, void *arg,
			 long n)
{
	char *buf = vfs_buf();
	struct mount *m;
	const char *rest;
	struct stat st;
	bool dir_only;
	int err;

	if (!buf)
		return -ENOMEM;
	err = vfs_resolve(path, buf, &m, &rest, &dir_only);
	if (err)
		goto out;
	if (call != VFS_STAT && m->read_only) {
		err = -EROFS;
		goto out;
	}
	/* a mount point is not the mounted filesystem's to remove */
	if ((call == VFS_RMDIR || call == VFS_UNLINK) && !rest[0]) {
		err = -EBUSY;
		goto out;
	}
	switch (call) {
	case VFS_STAT:
		err = m->ops->stat ? m->ops->stat(m, rest, arg) : -ENOSYS;
		if (!err && dir_only && !S_ISDIR(((struct stat *)arg)->st_mode))
			err = -ENOTDIR;
		break;
	case VFS_MKDIR:
		err = m->ops->mkdir ? m->ops->mkdir(m, rest, (mode_t)n) :
				      -EROFS;
		break;
	case VFS_UNLINK:
		if (dir_only) {
			err = m->ops->stat ? m->ops->stat(m, rest, &st) : 0;
			err = err ? err : S_ISDIR(st.st_mode) ? -EISDIR :
								-ENOTDIR;
			break;
		}
		err = m->ops->unlink ? m->ops->unlink(m, rest) : -EROFS;
		break;
	case VFS_RMDIR:
		err = m->ops->rmdir ? m->ops->rmdir(m, rest) : -EROFS;
		break;
	case VFS_TRUNCATE:
		err = n < 0 ? -EINVAL :
		      m->ops->truncate ? m->ops->truncate(m, rest, n) : -EROFS;
		break;
	}
out:
	vfs_buf_put(buf);
	return err;
}

int stat(const char *path, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	return (int)vfs_ret(vfs_path_call(VFS_STAT, path, st, 0));
}

/* There are no symbolic links in the guest's view (fs/vfs.c). */
int lstat(const char *path, struct stat *st)
{
	return stat(path, st);
}

int mkdir(const char *path, mode_t mode)
{
	return (int)vfs_ret(vfs_path_call(VFS_MKDIR, path, NULL, mode));
}

int unlink(const char *path)
{
	return (int)vfs_ret(vfs_path_call(VFS_UNLINK, path, NULL, 0));
}

int rmdir(const char *path)
{
	return (int)vfs_ret(vfs_path_call(VFS_RMDIR, path, NULL, 0));
}

int truncate(const char *path, off_t length)
{
	return (int)vfs_ret(vfs_path_call(VFS_TRUNCATE, path, NULL, length));
}

static int vfs_rename(const char *from, const char *to)
{
	char *a = vfs_buf(), *b = vfs_buf();
	struct mount *ma, *mb;
	const char *ra, *rb;
	int err;

	err = !a || !b ? -ENOMEM : vfs_resolve(from, a, &ma, &ra, NULL);
	if (!err)
		err = vfs_resolve(to, b, &mb, &rb, NULL);
	if (err)
		goto out;
	if (ma != mb)
		err = -EXDEV;
	else if (!ra[0] || !rb[0])
		err = -EBUSY;
	else if (ma->read_only)
		err = -EROFS;
	else if (strncmp(b, a, strlen(a)) == 0 && b[strlen(a)] == '/')
		err = -EINVAL;	/* into itself */
	else if (strcmp(a, b) == 0)
		err = 0;
	else
		err = ma->ops->rename ? ma->ops->rename(ma, ra, rb) : -EROFS;
out:
	vfs_buf_put(a);
	vfs_buf_put(b);
	return err;
}

int rename(const char *from, const char *to)
{
	return (int)vfs_ret(vfs_rename(from, to));
}

int access(const char *path, int mode)
{
	struct stat st;
	char *buf;
	struct mount *m;
	const char *rest;
	int err;

	if (stat(path, &st))
		return -1;
	if (!(mode & W_OK))
		return 0;
	buf = vfs_buf();
	if (!buf)
		return (int)vfs_ret(-ENOMEM);
	err = vfs_resolve(path, buf, &m, &rest, NULL);
	if (!err && m->read_only)
		err = -EROFS;
	vfs_buf_put(buf);
	return (int)vfs_ret(err);
}

int chdir(const char *path)
{
	char *buf = vfs_buf();
	struct stat st;
	int err;

	if (!buf)
		return (int)vfs_ret(-ENOMEM);
	err = vfs_normalize(path, buf, NULL);
	if (!err && stat(buf, &st))
		err = -errno;
	if (!err && !S_ISDIR(st.st_mode))
		err = -ENOTDIR;
	if (!err)
		strcpy(vfs_cwd, buf);
	vfs_buf_put(buf);
	return (int)vfs_ret(err);
}

char *getcwd(char *buf, size_t size)
{
	size_t n = strlen(vfs_cwd) + 1;

	if (!buf || size == 0) {
		errno = buf ? EINVAL : EFAULT;
		return NULL;
	}
	if (n > size) {
		errno = ERANGE;
		return NULL;
	}
	memcpy(buf, vfs_cwd, n);
	return buf;
}

void sync(void)
{
	for (int i = 0; i < MOUNT_MAX; i++) {
		struct mount *m = &vfs_mounts[i];

		if (m->path[0] && m->ops->sync && !m->read_only)
			m->ops->sync(m);
	}
}

DIR *fdopendir(int fd)
{
	struct file *f = fd_get(fd);
	DIR *d;

	if (!f) {
		errno = EBADF;
		return NULL;
	}
	file_put(f);
	if (!f->ops->getdents) {
		errno = ENOTDIR;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

struct dirent *readdir(DIR *d)
{
	struct file *f = fd_get(d->fd);
	int r;

	if (!f) {
		errno = EBADF;
		return NULL;
	}
	r = f->ops->getdents(f, &d->ent);
	file_put(f);
	if (r <= 0) {
		if (r < 0)
			errno = -r;
		return NULL;
	}
	d->ent.d_reclen = sizeof(d->ent);
	return &d->ent;
}

void rewinddir(DIR *d)
{
	lseek(d->fd, 0, SEEK_SET);
}

int dirfd(DIR *d)
{
	return d->fd;
}

int closedir(DIR *d)
{
	int r;

	if (!d) {
		errno = EBADF;
		return -1;
	}
	r = close(d->fd);
	free(d);
	return r;
}

/* fopen's mode as open(2) flags, or -1 for a mode C does not define. */
static int vfs_fopen_flags(const char *mode)
{
	bool plus = strchr(mode, '+') != NULL;
	int flags;

	switch (mode[0]) {
	case 'r':
		flags = plus ? O_RDWR : O_RDONLY;
		break;
	case 'w':
		flags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
		break;
	default:
		return -1;
	}
	if (strchr(mode, 'x'))
		flags |= O_EXCL;
	return flags;
}

FILE *fopen(const char *path, const char *mode)
{
	int flags = mode ? vfs_fopen_flags(mode) : -1;
	FILE *f;
	int fd;

	if (flags < 0) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, flags, 0666);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, mode);
	if (!f)
		close(fd);
	return f;
}

int remove(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	return S_ISDIR(st.st_mode) ? rmdir(path) : unlink(path);
}
