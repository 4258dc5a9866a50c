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
 * right after it is dropped. There is no echo.
 */
#include <errno.h>
#include <stdbool.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/time.h>
#include <kernel/trap.h>
#include <kernel/uart.h>
#include <kernel/waitq.h>

#define CONSOLE_RX_SIZE 256	/* a power of two: indexes wrap by masking */
#define CONSOLE_POLL_NS 1000000	/* without an IRQ, poll every 1 ms */

static bool console_probed;
static bool console_ready;
static bool console_rx_irq;	/* the receive interrupt is routed */
static bool console_rx_tried;
static bool console_after_cr;
static char console_rx[CONSOLE_RX_SIZE];
static unsigned int console_rx_head, console_rx_tail;	/* free-running */
static struct waitq console_rxq = WAITQ_INITIALIZER("console input");

void console_init(void)
{
	console_ready = uart_init(UART_COM1) == 0;
	console_probed = true;
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

/* Moves what the UART holds into the ring (drops what does not fit). */
static void console_drain(void)
{
	int c;

	while ((c = uart_getc(UART_COM1)) >= 0) {
		if (c == '\n' && console_after_cr) {
			console_after_cr = false;
			continue;
		}
		console_after_cr = c == '\r';
		if (c == '\r')
			c = '\n';
		if (console_rx_head - console_rx_tail < CONSOLE_RX_SIZE)
			console_rx[console_rx_head++ % CONSOLE_RX_SIZE] = (char)c;
	}
}

static void console_irq(struct trap_frame *f, void *arg)
{
	console_drain();
	if (console_rx_head != console_rx_tail)
		waitq_wake_all(&console_rxq);
}

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
	flags = irq_save();
	if (!console_rx_tried)
		console_start_rx();
	console_drain();
	while (console_rx_head == console_rx_tail && err == 0) {
		uint64_t wait = deadline_ns;

		if (!console_rx_irq) {
			/* no IOAPIC route: poll, but never past the deadline */
			uint64_t poll = time_now_ns() + CONSOLE_POLL_NS;

			if (!wait || poll < wait)
				wait = poll;
		}
		err = waitq_wait(&console_rxq, wait);
		console_drain();
		if (err == -ETIMEDOUT && wait != deadline_ns)
			err = 0;	/* only a poll tick */
	}
	if (console_rx_head != console_rx_tail)
		c = (unsigned char)console_rx[console_rx_tail++ % CONSOLE_RX_SIZE];
	irq_restore(flags);
	return c >= 0 ? c : err;
}
