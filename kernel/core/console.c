/*
 * The console on COM1. Output is plain "\n" line ends: QEMU's stdio
 * chardev keeps OPOST on, and runners that read the console through a pipe
 * would otherwise see stray "\r". Probing first means a machine without COM1
 * loses its output rather than hanging on a line-status register of 0xff.
 *
 * Input (what the user types into the console terminal, or a runner writes
 * to QEMU's stdin) arrives through the UART's receive interrupt into a ring
 * buffer; readers sleep on a wait queue. The interrupt is only switched on
 * by the first read, so programs that never read keep the scheduler's
 * deadlock check. A "\r" (a terminal's Enter) is read as "\n", and a "\n"
 * right after it is dropped. There is no echo. A Ctrl-D (0x04, what a
 * runner sends when its own input ends, e.g. a pipe into `minnow run`) is
 * the end of input: what came before it is read first, then every read
 * returns end of file (console_getc() EOF, read() 0) and later bytes are
 * dropped.
 *
 * With several CPUs the receive side is shared: the interrupt may be taken
 * on one CPU (console_irq_cpu() chooses which) while a reader drains the
 * UART on another, so the ring and its state are guarded by console_lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/file.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/trap.h>
#include <kernel/uart.h>
#include <kernel/waitq.h>

#define CONSOLE_RX_SIZE 256	/* a power of two: indexes wrap by masking */
#define CONSOLE_POLL_NS 1000000	/* without an IRQ, poll every 1 ms */
#define CONSOLE_EOT 0x04	/* Ctrl-D: end of input, as on a terminal */
#define CONSOLE_EOF (-1)	/* stdio.h's EOF */

static bool console_probed;
static bool console_ready;
static bool console_rx_irq;	/* the receive interrupt is routed */
static bool console_rx_tried;
static bool console_after_cr;
static bool console_eof;	/* a Ctrl-D arrived: input has ended */
static char console_rx[CONSOLE_RX_SIZE];
static unsigned int console_rx_head, console_rx_tail;	/* free-running */
static struct waitq console_rxq = WAITQ_INITIALIZER("console input");
static struct spinlock console_lock = SPINLOCK_INITIALIZER("console input");

static void console_take(int c);

void console_init(void)
{
	int early;

	console_ready = uart_init(UART_COM1, &early) == 0;
	console_probed = true;
	if (early >= 0)
		console_take(early);
}

static bool console_up(void)
{
	if (!console_probed)
		console_init();
	return console_ready;
}

void console_putc(char c)
{
	if (console_up())
		uart_putc(UART_COM1, c);
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}

/* One received byte into the ring (dropped when it does not fit). */
static void console_take(int c)
{
	if (console_eof)
		return;
	if (c == CONSOLE_EOT) {
		console_eof = true;
		return;
	}
	if (c == '\n' && console_after_cr) {
		console_after_cr = false;
		return;
	}
	console_after_cr = c == '\r';
	if (c == '\r')
		c = '\n';
	if (console_rx_head - console_rx_tail < CONSOLE_RX_SIZE)
		console_rx[console_rx_head++ % CONSOLE_RX_SIZE] = (char)c;
}

/* Moves what the UART holds into the ring. */
static void console_drain(void)
{
	int c;

	while ((c = uart_getc(UART_COM1)) >= 0)
		console_take(c);
}

static void console_irq(struct trap_frame *f, void *arg)
{
	bool ready;

	spin_lock(&console_lock);
	console_drain();
	ready = console_rx_head != console_rx_tail || console_eof;
	spin_unlock(&console_lock);
	if (ready) {
		waitq_wake_all(&console_rxq);
		file_notify(&console_file);
	}
}

/* console_lock is held. */
static void console_start_rx(void)
{
	console_rx_tried = true;
	if (irq_register(UART_COM1_GSI, false, console_irq, NULL) == 0) {
		uart_enable_rx_irq(UART_COM1);
		console_rx_irq = true;
	}
}

int console_getc(uint64_t deadline_ns)
{
	uint64_t flags;
	int c = -1, err = 0;

	if (!console_up())
		return -ENODEV;
	flags = spin_lock_irqsave(&console_lock);
	if (!console_rx_tried)
		console_start_rx();
	console_drain();
	while (console_rx_head == console_rx_tail && !console_eof && err == 0) {
		uint64_t wait = deadline_ns;

		if (!console_rx_irq) {
			/* no IOAPIC route: poll, but never past the deadline */
			uint64_t poll = time_now_ns() + CONSOLE_POLL_NS;

			if (!wait || poll < wait)
				wait = poll;
		}
		err = waitq_wait_locked(&console_rxq, &console_lock, wait);
		console_drain();
		if (err == -ETIMEDOUT && wait != deadline_ns)
			err = 0;	/* only a poll tick */
	}
	if (console_rx_head != console_rx_tail)
		c = (unsigned char)console_rx[console_rx_tail++ % CONSOLE_RX_SIZE];
	else if (console_eof)
		err = CONSOLE_EOF;
	spin_unlock_irqrestore(&console_lock, flags);
	return c >= 0 ? c : err;
}

int console_irq_cpu(int cpu)
{
	uint64_t flags;
	int err;

	if (!console_up())
		return -ENODEV;
	flags = spin_lock_irqsave(&console_lock);
	if (!console_rx_tried)
		console_start_rx();
	err = console_rx_irq ? irq_set_cpu(UART_COM1_GSI, cpu) : -ENODEV;
	spin_unlock_irqrestore(&console_lock, flags);
	return err;
}

/*
 * The console as descriptors 0, 1 and 2 (kernel/file.h). A read returns
 * what has arrived, up to the end of a line, as a terminal in canonical
 * mode does; it waits only for the first byte (not at all with
 * O_NONBLOCK). The file is never freed: the table's initial slots hold
 * three references and the console keeps one of its own.
 */
static bool console_rx_pending(void)
{
	uint64_t flags = spin_lock_irqsave(&console_lock);
	bool pending;

	if (!console_rx_tried)
		console_start_rx();
	console_drain();
	pending = console_rx_head != console_rx_tail || console_eof;
	spin_unlock_irqrestore(&console_lock, flags);
	return pending;
}

static ssize_t console_file_read(struct file *f, void *buf, size_t n)
{
	char *out = buf;
	size_t got = 0;
	int c;

	if (n == 0)
		return 0;
	if ((f->flags & O_NONBLOCK) && !console_rx_pending())
		return -EAGAIN;
	c = console_getc(0);
	if (c == CONSOLE_EOF)
		return 0;
	if (c < 0)
		return c;
	out[got++] = (char)c;
	while (got < n && c != '\n' && console_rx_pending()) {
		c = console_getc(0);
		if (c < 0)
			break;
		out[got++] = (char)c;
	}
	return (ssize_t)got;
}

static ssize_t console_file_write(struct file *f, const void *buf, size_t n)
{
	console_write(buf, n);
	return (ssize_t)n;
}

static int console_file_fstat(struct file *f, struct stat *st)
{
	st->st_mode = S_IFCHR | 0620;
	st->st_nlink = 1;
	st->st_blksize = 1;
	return 0;
}

static short console_file_poll(struct file *f)
{
	return POLLOUT | (console_rx_pending() ? POLLIN : 0);
}

static const struct file_ops console_file_ops = {
	.kind = "console",
	.read = console_file_read,
	.write = console_file_write,
	.fstat = console_file_fstat,
	.poll = console_file_poll,
};

struct file console_file = {
	.ops = &console_file_ops,
	.refs = 4,
	.flags = O_RDWR,
	.label = "console (COM1)",
};
