/*
 * Console output on COM1. Output is plain "\n" line ends: QEMU's stdio
 * chardev keeps OPOST on, and runners that read the console through a pipe
 * would otherwise see stray "\r". Probing first means a machine without COM1
 * loses its output rather than hanging on a line-status register of 0xff.
 */
#include <stdbool.h>
#include <kernel/console.h>
#include <kernel/uart.h>

static bool console_ready;

void console_init(void)
{
	console_ready = uart_init(UART_COM1) == 0;
}

void console_putc(char c)
{
	if (console_ready)
		uart_putc(UART_COM1, c);
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}
