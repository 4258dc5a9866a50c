/*
 * Kernel self-test: the descriptor table (core/fd.c) and the POSIX calls on
 * it (lib/unistd.c), with the console as fds 0-2 and a small file kind of
 * the test's own (a one-slot mailbox) for what the console cannot show:
 * reference counts, release on the last close, poll woken by file_notify
 * from another thread. Also errno kept per thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <minnow.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <kernel/file.h>

#include "../common/check.h"

/* A mailbox: holds one byte; readable when full, writable when empty. */
struct mailbox {
	int byte;	/* -1: empty */
	int releases;
};

static struct mailbox box = { -1, 0 };

static ssize_t box_read(struct file *f, void *buf, size_t n)
{
	struct mailbox *m = f->priv;

	if (m->byte < 0)
		return -EAGAIN;
	*(char *)buf = (char)m->byte;
	m->byte = -1;
	file_notify(f);
	return 1;
}

static ssize_t box_write(struct file *f, const void *buf, size_t n)
{
	struct mailbox *m = f->priv;

	if (m->byte >= 0)
		return -EAGAIN;
	m->byte = *(const unsigned char *)buf;
	file_notify(f);
	return 1;
}

static short box_poll(struct file *f)
{
	struct mailbox *m = f->priv;

	return m->byte >= 0 ? POLLIN : POLLOUT;
}

static void box_release(struct file *f)
{
	((struct mailbox *)f->priv)->releases++;
}

static const struct file_ops box_ops = {
	.kind = "mailbox",
	.read = box_read,
	.write = box_write,
	.poll = box_poll,
	.release = box_release,
};

static int box_open(void)
{
	struct file *f = file_alloc(&box_ops, &box, O_RDWR, "mailbox");
	int fd;

	if (!f)
		return -1;
	fd = fd_install(f);
	if (fd < 0)
		file_put(f);
	return fd;
}

#define EXPECT_ERR(call, e)                                                   \
	((call) == -1 && errno == (e) ? true :                                \
	 check_fail("%s: want errno %d, got %d", #call, (e), errno))

static bool fd_console(void)
{
	struct stat st;

	for (int fd = 0; fd < 3; fd++) {
		if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
			return check_fail("fd %d is not a character device", fd);
		if (isatty(fd) != 1)
			return check_fail("isatty(%d) is not 1", fd);
		if (strcmp(fd_table[fd]->ops->kind, "console") != 0)
			return check_fail("fd_table[%d] is %s", fd,
					  fd_table[fd]->ops->kind);
	}
	if (write(STDOUT_FILENO, "fd: write to stdout\n", 20) != 20)
		return check_fail("write(1) did not take 20 bytes");
	if ((fcntl(0, F_GETFL) & O_ACCMODE) != O_RDWR)
		return check_fail("console is not O_RDWR");
	return true;
}

static bool fd_errors(void)
{
	char c;

	if (!EXPECT_ERR(read(-1, &c, 1), EBADF) ||
	    !EXPECT_ERR(write(FD_MAX, &c, 1), EBADF) ||
	    !EXPECT_ERR(close(77), EBADF) ||
	    !EXPECT_ERR(lseek(1, 0, SEEK_SET), ESPIPE) ||
	    !EXPECT_ERR(lseek(1, 0, 42), EINVAL) ||
	    !EXPECT_ERR(fcntl(1, 999), EINVAL) ||
	    !EXPECT_ERR(ioctl(1, 0x1234, NULL), ENOTTY) ||
	    !EXPECT_ERR(dup(55), EBADF) || !EXPECT_ERR(dup2(1, -3), EBADF) ||
	    !EXPECT_ERR(fsync(66), EBADF))
		return false;
	return true;
}

static bool fd_dup_close(void)
{
	int a = box_open(), b, c;
	char ch = 'q';

	if (a != 3)
		return check_fail("first free fd is %d, not 3", a);
	b = dup(a);
	c = fcntl(a, F_DUPFD, 20);
	if (b != 4 || c != 20)
		return check_fail("dup gave %d, F_DUPFD 20 gave %d", b, c);
	if (dup2(a, 9) != 9 || fd_table[9] != fd_table[a])
		return check_fail("dup2 to 9");
	if (fd_table[a]->refs != 4)
		return check_fail("4 descriptors, %d references",
				  fd_table[a]->refs);
	if (write(b, &ch, 1) != 1 || read(c, &ch, 1) != 1 || ch != 'q')
		return check_fail("a byte written through one dup is not read "
				  "through another");
	close(a);
	close(b);
	close(9);
	if (box.releases != 0)
		return check_fail("released while fd 20 still holds it");
	close(c);
	if (box.releases != 1)
		return check_fail("not released after the last close (%d)",
				  box.releases);
	if (fd_count() != 3)
		return check_fail("%d descriptors open, want 3", fd_count());
	return true;
}

static bool fd_nonblock(void)
{
	char c;
	int fl = fcntl(0, F_GETFL);

	if (fcntl(0, F_SETFL, fl | O_NONBLOCK | O_WRONLY) != 0)
		return check_fail("F_SETFL failed");
	if ((fcntl(0, F_GETFL) & O_ACCMODE) != O_RDWR)
		return check_fail("F_SETFL changed the access mode");
	if (!EXPECT_ERR(read(0, &c, 1), EAGAIN))
		return false;
	fcntl(0, F_SETFL, fl);
	if (fcntl(0, F_GETFL) & O_NONBLOCK)
		return check_fail("O_NONBLOCK did not clear");
	if (fcntl(1, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(1, F_GETFD) != FD_CLOEXEC)
		return check_fail("FD_CLOEXEC");
	fcntl(1, F_SETFD, 0);
	return true;
}

static bool fd_poll_timeout(void)
{
	struct pollfd p[3] = {
		{ .fd = 0, .events = POLLIN },
		{ .fd = -1, .events = POLLIN },
		{ .fd = 123, .events = POLLIN },
	};
	uint64_t t0 = time_ms();
	int n;

	/* fd 123 is not open: POLLNVAL at once */
	n = poll(p, 3, 5000);
	if (n != 1 || p[2].revents != POLLNVAL || p[0].revents || p[1].revents)
		return check_fail("poll gave %d (%x %x %x)", n, p[0].revents,
				  p[1].revents, p[2].revents);
	n = poll(p, 2, 60);
	if (n != 0 || time_ms() - t0 < 60)
		return check_fail("poll on idle stdin gave %d after %lu ms", n,
				  (unsigned long)(time_ms() - t0));
	p[0].fd = 1;
	p[0].events = POLLOUT;
	if (poll(p, 1, -1) != 1 || p[0].revents != POLLOUT)
		return check_fail("stdout is not writable");
	return true;
}

static int poll_fd;

static int box_filler(void *arg)
{
	char c = 'z';

	sleep_ms(20);
	return write(poll_fd, &c, 1) == 1 ? 0 : 1;
}

static bool fd_poll_wakes(void)
{
	struct pollfd p = { .events = POLLIN };
	struct thread *t;
	char c;
	int n, code;

	box.byte = -1;
	box.releases = 0;
	poll_fd = p.fd = box_open();
	t = thread_create("filler", box_filler, NULL);
	n = poll(&p, 1, -1);
	code = thread_join(t);
	if (n != 1 || p.revents != POLLIN || code != 0)
		return check_fail("poll gave %d revents %x, filler %d", n,
				  p.revents, code);
	if (read(p.fd, &c, 1) != 1 || c != 'z')
		return check_fail("read after poll");
	if (!EXPECT_ERR(read(p.fd, &c, 1), EAGAIN))
		return false;
	close(p.fd);
	return box.releases == 1 || check_fail("not released");
}

static int errno_of_other;

static int errno_setter(void *arg)
{
	errno = ENOENT;
	thread_yield();
	errno_of_other = errno;
	return 0;
}

static bool errno_per_thread(void)
{
	struct thread *t;

	errno = EINTR;
	t = thread_create("errno", errno_setter, NULL);
	thread_yield();
	if (errno != EINTR)
		return check_fail("main's errno became %d", errno);
	thread_join(t);
	if (errno_of_other != ENOENT)
		return check_fail("the other thread's errno became %d",
				  errno_of_other);
	return errno == EINTR || check_fail("errno changed by join");
}

int main(int argc, char **argv)
{
	check_case("fd_console", fd_console);
	check_case("fd_errors", fd_errors);
	check_case("fd_dup_close", fd_dup_close);
	check_case("fd_nonblock", fd_nonblock);
	check_case("fd_poll_timeout", fd_poll_timeout);
	check_case("fd_poll_wakes", fd_poll_wakes);
	check_case("errno_per_thread", errno_per_thread);
	return check_done();
}
