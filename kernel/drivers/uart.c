/*
 * 16550 UART driver, polled, 115200 8N1. A port with no UART behind it reads
 * 0xff, which looks like "data ready" forever, so uart_init() probes with the
 * scratch register before anything trusts the port.
 */
#include <errno.h>
#include <kernel/cpu.h>
#include <kernel/uart_16550.h>
#include <kernel/uart.h>

#define UART_MCR_INIT (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2)

bool uart_present(uint16_t base)
{
	outb(base + UART_SCR, 0x5a);
	if (inb(base + UART_SCR) != 0x5a)
		return false;
	outb(base + UART_SCR, 0xa5);
	return inb(base + UART_SCR) == 0xa5;
}

int uart_init(uint16_t base, int *early)
{
	*early = -1;
	if (!uart_present(base))
		return -ENODEV;
	/*
	 * The FIFO is left as it is: turning it on or off empties it in
	 * QEMU, and a host may have written before the kernel ran (piped
	 * stdin). With the FIFO off QEMU hands over one byte at a time, as
	 * RBR is read, so nothing is lost.
	 */
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, UART_DIVISOR_115200);
	outb(base + UART_DLM, 0);
	outb(base + UART_LCR, UART_LCR_8N1);
	outb(base + UART_MCR, UART_MCR_INIT);
	/* a host client that connected early may stall until RBR is read
	 * once; a byte already there is the caller's */
	if (inb(base + UART_LSR) & UART_LSR_DR)
		*early = inb(base + UART_RBR);
	else
		(void)inb(base + UART_RBR);
	return 0;
}

void uart_putc(uint16_t base, char c)
{
	while (!(inb(base + UART_LSR) & UART_LSR_THRE))
		;
	outb(base + UART_THR, (uint8_t)c);
}

/* Returns the next byte, or -1 when none is waiting. */
int uart_getc(uint16_t base)
{
	if (!(inb(base + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}

/* Raises the UART's IRQ whenever received data is waiting. */
void uart_enable_rx_irq(uint16_t base)
{
	outb(base + UART_IER, UART_IER_RX);
}
