/*
 * The mount table and path resolution (kernel/vfs.h). Paths are resolved
 * lexically, as Plan 9 does: "a/../b" is "b" whatever "a" is, which is
 * also what a host folder shared over 9p needs, since the guest cannot see
 * where the host's symbolic links lead. The root is a RAM filesystem made
 * on first use, with /tmp in it, so every program has somewhere to write
 * and listing "/" shows the mount points.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/cmdline.h>
#include <kernel/driver.h>
#include <kernel/file.h>
#include <kernel/log.h>
#include <kernel/vfs.h>

/* the kernel option that lists the host's mounts (see vfs_boot_mounts) */
#define VFS_FS_OPTION "fs"
#define VFS_ENTRY_MAX 192

struct mount vfs_mounts[MOUNT_MAX];

/* the working directory: absolute and normalised */
char vfs_cwd[VFS_PATH_MAX] = "/";

static int vfs_root_init(void)
{
	void *root;

	if (vfs_mounts[0].path[0])
		return 0;
	root = ramfs_create();
	if (!root)
		return -ENOMEM;
	strcpy(vfs_mounts[0].path, "/");
	vfs_mounts[0].ops = &ramfs_ops;
	vfs_mounts[0].priv = root;
	strcpy(vfs_mounts[0].source, "ramfs");
	ramfs_ops.mkdir(&vfs_mounts[0], "tmp", 01777);
	return 0;
}

/* Makes every folder on the way to a mount point in the root filesystem. */
static void vfs_make_mount_point(const char *path)
{
	char *dir = strdup(path + 1);

	if (!dir)
		return;
	for (char *p = dir;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			ramfs_ops.mkdir(&vfs_mounts[0], dir, 0755);
			*p = c;
			if (!c)
				break;
		}
	}
	free(dir);
}

int vfs_mount(const char *path, const struct fs_ops *ops, void *priv,
	      const char *source, bool read_only)
{
	struct mount *free_slot = NULL;
	char *norm;
	int err;

	err = vfs_root_init();
	if (err)
		return err;
	norm = malloc(VFS_PATH_MAX);
	if (!norm)
		return -ENOMEM;
	err = vfs_normalize(path, norm, NULL);
	if (!err && strlen(norm) >= MOUNT_PATH_MAX)
		err = -ENAMETOOLONG;
	for (int i = 0; !err && i < MOUNT_MAX; i++) {
		if (!vfs_mounts[i].path[0] && !free_slot)
			free_slot = &vfs_mounts[i];
		else if (strcmp(vfs_mounts[i].path, norm) == 0)
			err = -EBUSY;
	}
	if (!err && !free_slot)
		err = -ENOSPC;
	if (!err) {
		vfs_make_mount_point(norm);
		free_slot->ops = ops;
		free_slot->priv = priv;
		free_slot->read_only = read_only;
		strncpy(free_slot->source, source, MOUNT_SOURCE_MAX - 1);
		strcpy(free_slot->path, norm);	/* last: marks the slot used */
		kernel_info("fs: %s on %s (%s%s)", source, norm, ops->name,
			    read_only ? ", read-only" : "");
	}
	free(norm);
	return err;
}

int vfs_umount(const char *path)
{
	int err;

	for (int i = 1; i < MOUNT_MAX; i++) {
		struct mount *m = &vfs_mounts[i];

		if (strcmp(m->path, path))
			continue;
		err = m->ops->umount ? m->ops->umount(m) : -EBUSY;
		if (!err)
			memset(m, 0, sizeof(*m));
		return err;
	}
	return -EINVAL;
}

/* True when `prefix` is `path` or a folder above it. */
static bool vfs_under(const char *path, const char *prefix, size_t len)
{
	if (len == 1)	/* "/" holds everything */
		return true;
	return strncmp(path, prefix, len) == 0 &&
	       (path[len] == '\0' || path[len] == '/');
}

struct mount *vfs_lookup(const char *path, const char **rest)
{
	struct mount *best = NULL;
	size_t best_len = 0;

	if (vfs_root_init())
		return NULL;
	for (int i = 0; i < MOUNT_MAX; i++) {
		size_t len = strlen(vfs_mounts[i].path);

		if (len > best_len && vfs_under(path, vfs_mounts[i].path, len)) {
			best = &vfs_mounts[i];
			best_len = len;
		}
	}
	if (best) {
		const char *r = path + (best_len == 1 ? 0 : best_len);

		while (*r == '/')
			r++;
		*rest = r;
	}
	return best;
}

/* Appends one component to out (length *len), resolving "." and "..". */
static int vfs_push(char *out, size_t *len, const char *name, size_t n)
{
	if (n == 1 && name[0] == '.')
		return 0;
	if (n == 2 && name[0] == '.' && name[1] == '.') {
		while (*len > 1 && out[*len - 1] != '/')
			(*len)--;
		if (*len > 1)
			(*len)--;	/* the slash before it */
		out[*len] = '\0';
		return 0;
	}
	if (n > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (*len + 1 + n >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	if (*len > 1)
		out[(*len)++] = '/';
	memcpy(out + *len, name, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

static int vfs_push_all(char *out, size_t *len, const char *path)
{
	const char *p = path;

	while (*p) {
		const char *start;
		int err;

		while (*p == '/')
			p++;
		start = p;
		while (*p && *p != '/')
			p++;
		if (p > start) {
			err = vfs_push(out, len, start, (size_t)(p - start));
			if (err)
				return err;
		}
	}
	return 0;
}

int vfs_normalize(const char *path, char *out, bool *dir_only)
{
	size_t len = 1;
	int err;

	if (!path)
		return -EFAULT;
	if (!path[0])
		return -ENOENT;
	if (strnlen(path, VFS_PATH_MAX) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	out[0] = '/';
	out[1] = '\0';
	if (path[0] != '/') {
		err = vfs_push_all(out, &len, vfs_cwd);
		if (err)
			return err;
	}
	err = vfs_push_all(out, &len, path);
	if (err)
		return err;
	if (dir_only)
		*dir_only = path[strlen(path) - 1] == '/';
	return 0;
}

int vfs_resolve(const char *path, char *buf, struct mount **m,
		const char **rest, bool *dir_only)
{
	int err = vfs_normalize(path, buf, dir_only);

	if (err)
		return err;
	*m = vfs_lookup(buf, rest);
	return *m ? 0 : -ENOENT;
}

const char *vfs_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void vfs_parent(const char *path, char *out)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	memcpy(out, path, n);
	out[n] = '\0';
}

bool vfs_name_bad(const char *name)
{
	return !name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	       strchr(name, '/');
}

off_t vfs_seek(struct file *f, off_t off, int whence, off_t end)
{
	off_t base = whence == SEEK_SET ? 0 :
		     whence == SEEK_CUR ? f->offset : end;

	if (off < 0 ? base + off < 0 : base > INT64_MAX - off)
		return -EINVAL;
	f->offset = base + off;
	return f->offset;
}

/* Splits "type:source:path[:ro]" and calls fn when the type matches. */
static void vfs_boot_entry(char *e, const char *type,
			   void (*fn)(const char *, const char *, bool))
{
	char *source = strchr(e, ':');
	char *path, *opt;

	if (!source)
		goto bad;
	*source++ = '\0';
	path = strchr(source, ':');
	if (!path)
		goto bad;
	*path++ = '\0';
	opt = strchr(path, ':');
	if (opt)
		*opt++ = '\0';
	if (path[0] != '/' || (opt && strcmp(opt, "ro") && strcmp(opt, "rw")))
		goto bad;
	if (strcmp(e, type) == 0)
		fn(source, path, opt && strcmp(opt, "ro") == 0);
	return;
bad:
	kernel_printf("minnow: fs: ignoring \"%s\" in minnow.fs: want <type>:<source>:/<path>[:ro]\n",
		      e);
}

int vfs_boot_mounts(const char *type,
		    void (*fn)(const char *source, const char *path, bool ro))
{
	const char *opt = cmdline_option(VFS_FS_OPTION);
	char entry[VFS_ENTRY_MAX];
	int n = 0;

	while (opt && *opt) {
		size_t len = strcspn(opt, ",");

		if (len && len < sizeof(entry)) {
			memcpy(entry, opt, len);
			entry[len] = '\0';
			if (strncmp(entry, type, strlen(type)) == 0 &&
			    entry[strlen(type)] == ':')
				n++;
			vfs_boot_entry(entry, type, fn);
		}
		opt += len;
		if (*opt == ',')
			opt++;
	}
	return n;
}

static int vfs_init(void)
{
	return vfs_root_init();
}
DRIVER_INIT(vfs_init);
