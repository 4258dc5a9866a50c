/*
 * Transport: the 16550 UART at COM2, which QEMU exposes as a TCP server.
 * Polled in both directions while the kernel is stopped; while it runs, only
 * the RX interrupt is on, so that a Ctrl-C (or a new gdb's first packet)
 * stops the kernel. This is deliberately not drivers/uart.c: the user may
 * put a breakpoint in the console driver, the stub must never run into one.
 */
#include <kernel/cpu.h>

#include "gdb.h"

#define GDB_SERIAL_BASE 0x2f8	/* COM2 */

/* 16550 registers (offsets from the base port) */
#define UART_RBR 0	/* receive buffer (read) */
#define UART_THR 0	/* transmit holding (write) */
#define UART_DLL 0	/* divisor low, when LCR.DLAB */
#define UART_IER 1	/* interrupt enable */
#define UART_DLM 1	/* divisor high, when LCR.DLAB */
#define UART_FCR 2	/* FIFO control (write) */
#define UART_LCR 3	/* line control */
#define UART_MCR 4	/* modem control */
#define UART_LSR 5	/* line status */
#define UART_SCR 7	/* scratch */

#define UART_IER_RDI 0x01	/* interrupt when data is ready */
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
/*
 * Enable and clear both FIFOs, RX trigger level 14. The level matters under
 * QEMU: its UART accepts from the socket only up to the trigger level at a
 * time, so level 1 means one main-loop round per received byte (5 KiB/s
 * measured); a lone Ctrl-C still interrupts through the FIFO timeout.
 */
#define UART_FCR_INIT 0xc7
#define UART_MCR_INIT 0x0b	/* DTR, RTS, OUT2 (gates the IRQ on PCs) */
#define UART_LSR_DR 0x01	/* data ready */
#define UART_LSR_THRE 0x20	/* transmit holding register empty */
#define UART_DIVISOR_115200 1

#define GDB_SERIAL_FIFO 16	/* 16550A transmit FIFO depth */

static unsigned int gdb_serial_tx_room;	/* bytes we may write unasked */

static uint8_t gdb_serial_in(int reg)
{
	return inb(GDB_SERIAL_BASE + reg);
}

static void gdb_serial_out(int reg, uint8_t v)
{
	outb(GDB_SERIAL_BASE + reg, v);
}

/*
 * An absent UART reads 0xff everywhere, which would look like "data ready"
 * forever; the scratch register tells a real one apart. Returns false when
 * there is no COM2, and the stub stays off.
 */
bool gdb_serial_init(void)
{
	if (gdb_serial_in(UART_LSR) == 0xff)
		return false;
	gdb_serial_out(UART_SCR, 0x5a);
	if (gdb_serial_in(UART_SCR) != 0x5a)
		return false;
	gdb_serial_out(UART_SCR, 0xa5);
	if (gdb_serial_in(UART_SCR) != 0xa5)
		return false;

	gdb_serial_out(UART_IER, 0);
	gdb_serial_out(UART_LCR, UART_LCR_DLAB);
	gdb_serial_out(UART_DLL, UART_DIVISOR_115200);
	gdb_serial_out(UART_DLM, 0);
	gdb_serial_out(UART_LCR, UART_LCR_8N1);
	gdb_serial_out(UART_FCR, UART_FCR_INIT);
	gdb_serial_out(UART_MCR, UART_MCR_INIT);
	/*
	 * A client that connected before this point can leave QEMU's receive
	 * path stalled until the guest reads RBR once (notes/machine.md).
	 */
	(void)gdb_serial_in(UART_RBR);
	return true;
}

/* Next received byte, or -1 when none is waiting. */
int gdb_serial_poll(void)
{
	if (!(gdb_serial_in(UART_LSR) & UART_LSR_DR))
		return -1;
	return gdb_serial_in(UART_RBR);
}

int gdb_serial_getc(void)
{
	int c;

	/* measured: pausing between polls only slows QEMU's feeding down */
	while ((c = gdb_serial_poll()) < 0)
		cpu_relax();
	return c;
}

/*
 * THRE means the whole transmit FIFO is empty, so after seeing it once we
 * may write GDB_SERIAL_FIFO bytes without asking again: half the port
 * accesses per byte, which matters where each one is a VM exit.
 */
void gdb_serial_putc(char c)
{
	if (gdb_serial_tx_room == 0) {
		while (!(gdb_serial_in(UART_LSR) & UART_LSR_THRE))
			cpu_relax();
		gdb_serial_tx_room = GDB_SERIAL_FIFO;
	}
	gdb_serial_tx_room--;
	gdb_serial_out(UART_THR, (uint8_t)c);
}

/* RX interrupt on while the kernel runs, off while the stub polls. */
void gdb_serial_rx_irq(bool on)
{
	gdb_serial_out(UART_IER, on ? UART_IER_RDI : 0);
}
