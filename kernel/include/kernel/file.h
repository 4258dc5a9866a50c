/*
 * Open files and the descriptor table: one descriptor space shared by the
 * console, files (kernel/fs) and sockets (kernel/net), so that read, write,
 * close and poll work on every kind. A subsystem makes a struct file with
 * its own operations and installs it; the table is plain data a debugger
 * reads (fd_table: each slot's kind, label, offset and flags).
 * Implemented in core/fd.c; the POSIX calls on top are in lib/unistd.c.
 */
#ifndef KERNEL_FILE_H
#define KERNEL_FILE_H

#include <stdbool.h>
#include <sys/types.h>

struct file;
struct stat;
struct dirent;

/*
 * Operations of one kind of file. Each returns a count or 0, or -errno.
 * read and write may block the calling thread on the file's own wait
 * queue; with O_NONBLOCK in f->flags they return -EAGAIN instead. A NULL
 * operation answers as POSIX says for a file that cannot do it.
 */
struct file_ops {
	const char *kind;	/* "console", "socket", "9p", "fat", "ramfs" */
	ssize_t (*read)(struct file *f, void *buf, size_t n);
	ssize_t (*write)(struct file *f, const void *buf, size_t n);
	off_t (*lseek)(struct file *f, off_t off, int whence);	/* NULL: -ESPIPE */
	int (*fstat)(struct file *f, struct stat *st);
	int (*fsync)(struct file *f);		/* NULL: nothing to flush, 0 */
	/* The next directory entry into *d: 1, 0 at the end, or -errno. */
	int (*getdents)(struct file *f, struct dirent *d);	/* NULL: -ENOTDIR */
	/* What the file is ready for now: POLLIN POLLOUT POLLERR POLLHUP. */
	short (*poll)(struct file *f);		/* NULL: always POLLIN|POLLOUT */
	int (*ioctl)(struct file *f, unsigned long req, void *arg);	/* NULL: -ENOTTY */
	/* The last reference went: free priv. The file itself is freed after. */
	void (*release)(struct file *f);
};

#define FILE_LABEL_MAX 64

struct file {
	const struct file_ops *ops;
	int refs;		/* descriptors and calls in progress holding it */
	int flags;		/* O_ACCMODE | O_APPEND | O_NONBLOCK (fcntl.h) */
	off_t offset;		/* for files with a position; the ops move it */
	void *priv;		/* the subsystem's own object */
	char label[FILE_LABEL_MAX];	/* a path, or "tcp 10.0.2.15:80": for people */
};

/* Sized for a service with a few hundred connections; the table is static. */
#define FD_MAX 1024

/* The open descriptors; NULL slots are free. fd_table[fd]->label names each. */
extern struct file *fd_table[FD_MAX];
/* Descriptors with FD_CLOEXEC set (kept for fcntl's sake: there is no exec). */
extern bool fd_cloexec[FD_MAX];

/* core/fd.c */
/* A new file with one reference, or NULL when out of memory. The label is
 * copied (truncated). */
struct file *file_alloc(const struct file_ops *ops, void *priv, int flags,
			const char *label);
/* The lowest free descriptor now refers to f, taking over the caller's
 * reference; or -EMFILE, and the caller keeps its reference. */
int fd_install(struct file *f);
/* The same at or above `min` (dup, F_DUPFD). */
int fd_install_from(struct file *f, int min);
/* The file behind fd with a new reference (drop it with file_put), or NULL. */
struct file *fd_get(int fd);
void file_get(struct file *f);
void file_put(struct file *f);
/* Frees the descriptor: 0 or -EBADF. The file lives on while a call holds it. */
int fd_close(int fd);
/* Makes `to` refer to the file of `fd`, closing what `to` held: to or -errno. */
int fd_dup2(int fd, int to);
/* Readiness of f may have changed: wakes every poll() that might care. Safe
 * from interrupt handlers. */
void file_notify(struct file *f);
/* Waits until a file's readiness may have changed or deadline_ns (0: never)
 * passes: 0 or -ETIMEDOUT. Interrupts off, as for waitq_wait. */
int file_wait_any(uint64_t deadline_ns);
/* How many descriptors are open (for the Kernel view and leak tests). */
int fd_count(void);

#endif
