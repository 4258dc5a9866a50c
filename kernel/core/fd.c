/*
 * The descriptor table (kernel/file.h). A unikernel runs one program, so
 * there is one table for every thread, as threads of a Linux process share
 * theirs. Each slot holds a reference to a struct file; a call in progress
 * takes its own reference (fd_get), so a thread closing a descriptor while
 * another is blocked reading it frees nothing under the reader's feet.
 *
 * poll() needs one wait that any file can end. Rather than queueing the
 * poller on every file's queue, readiness changes wake one queue,
 * file_pollq, and each poller looks at its descriptors again: a spurious
 * wake-up costs a loop over a few descriptors, and nothing in a file needs
 * to know who polls it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/file.h>
#include <kernel/waitq.h>

/* stdin, stdout and stderr are the console from the start: no set-up call */
struct file *fd_table[FD_MAX] = { &console_file, &console_file, &console_file };
bool fd_cloexec[FD_MAX];

static struct waitq file_pollq = WAITQ_INITIALIZER("poll");

struct file *file_alloc(const struct file_ops *ops, void *priv, int flags,
			const char *label)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->priv = priv;
	f->flags = flags;
	f->refs = 1;
	if (label) {
		strncpy(f->label, label, sizeof(f->label) - 1);
		f->label[sizeof(f->label) - 1] = '\0';
	}
	return f;
}

void file_get(struct file *f)
{
	uint64_t flags = irq_save();

	f->refs++;
	irq_restore(flags);
}

void file_put(struct file *f)
{
	uint64_t flags = irq_save();
	bool last = --f->refs == 0;

	irq_restore(flags);
	if (!last)
		return;
	if (f->ops->release)
		f->ops->release(f);
	free(f);
}

int fd_install_from(struct file *f, int min)
{
	uint64_t flags = irq_save();

	for (int fd = min < 0 ? 0 : min; fd < FD_MAX; fd++) {
		if (!fd_table[fd]) {
			fd_table[fd] = f;
			fd_cloexec[fd] = false;
			irq_restore(flags);
			return fd;
		}
	}
	irq_restore(flags);
	return -EMFILE;
}

int fd_install(struct file *f)
{
	return fd_install_from(f, 0);
}

struct file *fd_get(int fd)
{
	struct file *f = NULL;
	uint64_t flags;

	if (fd < 0 || fd >= FD_MAX)
		return NULL;
	flags = irq_save();
	f = fd_table[fd];
	if (f)
		f->refs++;
	irq_restore(flags);
	return f;
}

int fd_close(int fd)
{
	struct file *f;
	uint64_t flags;

	if (fd < 0 || fd >= FD_MAX)
		return -EBADF;
	flags = irq_save();
	f = fd_table[fd];
	fd_table[fd] = NULL;
	irq_restore(flags);
	if (!f)
		return -EBADF;
	/* a poller of this descriptor must see POLLNVAL, not sleep on */
	file_notify(f);
	file_put(f);
	return 0;
}

int fd_dup2(int fd, int to)
{
	struct file *f, *old;
	uint64_t flags;

	if (to < 0 || to >= FD_MAX)
		return -EBADF;
	f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (fd == to) {
		file_put(f);
		return to;
	}
	flags = irq_save();
	old = fd_table[to];
	fd_table[to] = f;	/* takes fd_get's reference */
	fd_cloexec[to] = false;
	irq_restore(flags);
	if (old)
		file_put(old);
	return to;
}

void file_notify(struct file *f)
{
	(void)f;
	waitq_wake_all(&file_pollq);
}

int file_wait_any(uint64_t deadline_ns)
{
	return waitq_wait(&file_pollq, deadline_ns);
}

int fd_count(void)
{
	int n = 0;

	for (int fd = 0; fd < FD_MAX; fd++)
		n += fd_table[fd] != NULL;
	return n;
}
