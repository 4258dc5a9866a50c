/*
 * Transport over the 16550 UART at COM2, which QEMU exposes as a TCP server:
 * works under any hypervisor (and on hardware), one port access per byte.
 * Polled in both directions while the kernel is stopped; while it runs, only
 * the RX interrupt is on, so that a Ctrl-C (or a new gdb's first packet)
 * stops the kernel. This is deliberately not drivers/uart.c: the user may
 * put a breakpoint in the console driver, the stub must never run into one.
 */
#include <kernel/cpu.h>
#include <kernel/uart_16550.h>

#include "gdb.h"

#define GDB_UART_BASE 0x2f8	/* COM2 */
#define GDB_UART_GSI 3	/* ISA IRQ 3, edge */

/*
 * Enable the FIFOs with RX trigger level 14 and clear only the transmit
 * side: what gdb sent before we got here must survive. The level matters
 * under QEMU: its UART accepts from the socket only up to the trigger level
 * at a time, so level 1 means one main-loop round per received byte
 * (5 KiB/s measured); a lone Ctrl-C still interrupts through the FIFO
 * timeout.
 */
#define GDB_UART_FCR \
	(UART_FCR_TRIGGER_14 | UART_FCR_CLEAR_TX | UART_FCR_ENABLE)
#define GDB_UART_MCR (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2)

static unsigned int gdb_uart_tx_room;	/* bytes we may write unasked */

/*
 * Bytes taken out of the UART during init, handed out before anything the
 * UART holds: at most one from before the FIFO was on, one from after.
 */
static uint8_t gdb_uart_held[2];
static unsigned int gdb_uart_held_len, gdb_uart_held_pos;

static uint8_t gdb_uart_in(int reg)
{
	return inb(GDB_UART_BASE + reg);
}

static void gdb_uart_out(int reg, uint8_t v)
{
	outb(GDB_UART_BASE + reg, v);
}

static void gdb_uart_keep(uint8_t c)
{
	if (c && gdb_uart_held_len < sizeof(gdb_uart_held))
		gdb_uart_held[gdb_uart_held_len++] = c;
}

/*
 * An absent UART reads 0xff everywhere, which would look like "data ready"
 * forever; the scratch register tells a real one apart. Returns false when
 * there is no COM2, and the stub stays off.
 */
static bool gdb_uart_init(void)
{
	if (gdb_uart_in(UART_LSR) == 0xff)
		return false;
	gdb_uart_out(UART_SCR, 0x5a);
	if (gdb_uart_in(UART_SCR) != 0x5a)
		return false;
	gdb_uart_out(UART_SCR, 0xa5);
	if (gdb_uart_in(UART_SCR) != 0xa5)
		return false;

	gdb_uart_out(UART_IER, 0);
	gdb_uart_out(UART_LCR, UART_LCR_DLAB);
	gdb_uart_out(UART_DLL, UART_DIVISOR_115200);
	gdb_uart_out(UART_DLM, 0);
	gdb_uart_out(UART_LCR, UART_LCR_8N1);
	/*
	 * Before the FIFO is on (QEMU resets FCR to 0) the UART holds one
	 * received byte in RBR, and turning the FIFO on flushes it whatever
	 * FCR says (QEMU's serial.c, as a real 16550). A gdb that connected
	 * early has its first byte there: take it out first and keep it. In
	 * loopback mode QEMU does not take the next byte from the socket when
	 * RBR is read, so none can slip in before the flush.
	 */
	gdb_uart_out(UART_MCR, UART_MCR_LOOP);
	if (gdb_uart_in(UART_LSR) & UART_LSR_DR)
		gdb_uart_keep(gdb_uart_in(UART_RBR));
	gdb_uart_out(UART_FCR, GDB_UART_FCR);
	gdb_uart_out(UART_MCR, GDB_UART_MCR);
	/*
	 * QEMU stopped reading the socket while RBR was full and starts again
	 * only when the guest reads RBR (notes/machine.md): read it once. The
	 * empty FIFO reads 0; a byte that came in meanwhile is not 0 (no RSP
	 * session starts with a NUL) and is kept.
	 */
	gdb_uart_keep(gdb_uart_in(UART_RBR));
	return true;
}

/* Next received byte, or -1 when none is waiting. */
static int gdb_uart_poll(void)
{
	if (gdb_uart_held_pos < gdb_uart_held_len)
		return gdb_uart_held[gdb_uart_held_pos++];
	if (!(gdb_uart_in(UART_LSR) & UART_LSR_DR))
		return -1;
	return gdb_uart_in(UART_RBR);
}

/*
 * THRE means the whole transmit FIFO is empty, so after seeing it once we
 * may write UART_FIFO_DEPTH bytes without asking again: half the port
 * accesses per byte, which matters where each one is a VM exit.
 */
static void gdb_uart_putc(char c)
{
	if (gdb_uart_tx_room == 0) {
		while (!(gdb_uart_in(UART_LSR) & UART_LSR_THRE))
			cpu_relax();
		gdb_uart_tx_room = UART_FIFO_DEPTH;
	}
	gdb_uart_tx_room--;
	gdb_uart_out(UART_THR, (uint8_t)c);
}

/* RX interrupt on while the kernel runs, off while the stub polls. */
static void gdb_uart_rx_irq(bool on)
{
	gdb_uart_out(UART_IER, on ? UART_IER_RX : 0);
}

static unsigned int gdb_uart_gsi(void)
{
	return GDB_UART_GSI;
}

const struct gdb_transport gdb_uart_transport = {
	.name = "com2",
	.init = gdb_uart_init,
	.poll = gdb_uart_poll,
	.putc = gdb_uart_putc,
	.rx_irq = gdb_uart_rx_irq,
	.gsi = gdb_uart_gsi,
	.level = false,
};
