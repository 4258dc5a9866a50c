/*
 * The POSIX descriptor calls for applications, over the descriptor table
 * (core/fd.c): each takes a reference to the file for the length of the
 * call, asks the file's operations, and turns a -errno into -1 with errno
 * set. Path calls (open, stat, unlink...) live with the filesystems.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <kernel/cpu.h>
#include <kernel/file.h>
#include <kernel/thread.h>
#include <kernel/time.h>

/* fcntl(F_SETFL) may change only these; the access mode stays. */
#define UNISTD_SETFL_MASK (O_APPEND | O_NONBLOCK)

static long unistd_ret(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

ssize_t read(int fd, void *buf, size_t n)
{
	struct file *f = fd_get(fd);
	ssize_t r;

	if (!f)
		return unistd_ret(-EBADF);
	if ((f->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	else if (!f->ops->read)
		r = -EINVAL;
	else
		r = f->ops->read(f, buf, n);
	file_put(f);
	return unistd_ret(r);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	struct file *f = fd_get(fd);
	ssize_t r;

	if (!f)
		return unistd_ret(-EBADF);
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		r = -EBADF;
	else if (!f->ops->write)
		r = -EINVAL;
	else
		r = f->ops->write(f, buf, n);
	file_put(f);
	return unistd_ret(r);
}

int close(int fd)
{
	return (int)unistd_ret(fd_close(fd));
}

off_t lseek(int fd, off_t off, int whence)
{
	struct file *f = fd_get(fd);
	off_t r;

	if (!f)
		return unistd_ret(-EBADF);
	if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		r = -EINVAL;
	else
		r = f->ops->lseek ? f->ops->lseek(f, off, whence) : -ESPIPE;
	file_put(f);
	return unistd_ret(r);
}

int fstat(int fd, struct stat *st)
{
	struct file *f = fd_get(fd);
	int r;

	if (!f)
		return (int)unistd_ret(-EBADF);
	memset(st, 0, sizeof(*st));
	r = f->ops->fstat ? f->ops->fstat(f, st) : 0;
	file_put(f);
	return (int)unistd_ret(r);
}

int fsync(int fd)
{
	struct file *f = fd_get(fd);
	int r;

	if (!f)
		return (int)unistd_ret(-EBADF);
	r = f->ops->fsync ? f->ops->fsync(f) : 0;
	file_put(f);
	return (int)unistd_ret(r);
}

int dup(int fd)
{
	struct file *f = fd_get(fd);
	int r;

	if (!f)
		return (int)unistd_ret(-EBADF);
	r = fd_install(f);
	if (r < 0)
		file_put(f);
	return (int)unistd_ret(r);
}

int dup2(int fd, int to)
{
	return (int)unistd_ret(fd_dup2(fd, to));
}

static int fcntl_file(int fd, struct file *f, int cmd, long arg)
{
	int r;

	switch (cmd) {
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~UNISTD_SETFL_MASK) |
			   ((int)arg & UNISTD_SETFL_MASK);
		file_notify(f);
		return 0;
	case F_GETFD:
		return fd_cloexec[fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		fd_cloexec[fd] = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg < 0 || arg >= FD_MAX)
			return -EINVAL;
		file_get(f);
		r = fd_install_from(f, (int)arg);
		if (r < 0)
			file_put(f);
		else
			fd_cloexec[r] = cmd == F_DUPFD_CLOEXEC;
		return r;
	default:
		return -EINVAL;
	}
}

int fcntl(int fd, int cmd, ...)
{
	struct file *f = fd_get(fd);
	va_list ap;
	long arg;
	int r;

	va_start(ap, cmd);
	arg = va_arg(ap, long);	/* every command here takes an int or none */
	va_end(ap);
	if (!f)
		return (int)unistd_ret(-EBADF);
	r = fcntl_file(fd, f, cmd, arg);
	file_put(f);
	return (int)unistd_ret(r);
}

int ioctl(int fd, unsigned long request, ...)
{
	struct file *f = fd_get(fd);
	va_list ap;
	void *arg;
	int r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!f)
		return (int)unistd_ret(-EBADF);
	if (request == FIONBIO && arg) {
		f->flags = *(int *)arg ? f->flags | O_NONBLOCK :
					 f->flags & ~O_NONBLOCK;
		r = 0;
	} else {
		r = f->ops->ioctl ? f->ops->ioctl(f, request, arg) : -ENOTTY;
	}
	file_put(f);
	return (int)unistd_ret(r);
}

int isatty(int fd)
{
	struct file *f = fd_get(fd);
	bool tty;

	if (!f)
		return (int)unistd_ret(-EBADF);
	tty = strcmp(f->ops->kind, "console") == 0;
	file_put(f);
	if (!tty)
		errno = ENOTTY;
	return tty;
}

/* What one descriptor is ready for, masked by what was asked (+ errors). */
static short poll_one(struct pollfd *p)
{
	struct file *f;
	short ready;

	if (p->fd < 0)
		return 0;	/* POSIX: negative fds are ignored */
	f = fd_get(p->fd);
	if (!f)
		return POLLNVAL;
	ready = f->ops->poll ? f->ops->poll(f) : (POLLIN | POLLOUT);
	file_put(f);
	return ready & (p->events | POLLERR | POLLHUP);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	uint64_t deadline = 0;
	int ready;

	if (nfds > FD_MAX)
		return (int)unistd_ret(-EINVAL);
	if (timeout > 0)
		deadline = time_now_ns() + (uint64_t)timeout * NSEC_PER_MSEC;
	for (;;) {
		uint64_t flags;
		int err = 0;

		ready = 0;
		for (nfds_t i = 0; i < nfds; i++) {
			fds[i].revents = poll_one(&fds[i]);
			ready += fds[i].revents != 0;
		}
		if (ready || timeout == 0)
			return ready;
		/*
		 * Look again with interrupts off before sleeping: a readiness
		 * change between the loop above and the wait would otherwise
		 * be a lost wake-up.
		 */
		flags = irq_save();
		for (nfds_t i = 0; i < nfds && !ready; i++)
			ready = poll_one(&fds[i]) != 0;
		if (!ready)
			err = file_wait_any(deadline);
		irq_restore(flags);
		if (err == -ETIMEDOUT) {
			for (nfds_t i = 0; i < nfds; i++)
				fds[i].revents = 0;
			return 0;
		}
	}
}

unsigned int sleep(unsigned int seconds)
{
	thread_sleep_ns((uint64_t)seconds * NSEC_PER_SEC);
	return 0;
}

int usleep(unsigned long us)
{
	thread_sleep_ns((uint64_t)us * NSEC_PER_USEC);
	return 0;
}
