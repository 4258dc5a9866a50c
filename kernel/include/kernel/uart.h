/*
 * 16550 UART, polled. The console (COM1) uses it; the gdbstub has its own
 * transport and must not call this driver (a user may break in here).
 */
#ifndef KERNEL_UART_H
#define KERNEL_UART_H

#include <stdbool.h>
#include <stdint.h>

#define UART_COM1 0x3f8
#define UART_COM2 0x2f8
#define UART_COM1_GSI 4	/* ISA IRQ 4, on microvm and q35 alike */

/* drivers/uart.c */
/* *early: a byte received before the FIFO was reset, or -1 */
int uart_init(uint16_t base, int *early);
bool uart_present(uint16_t base);
void uart_putc(uint16_t base, char c);
int uart_getc(uint16_t base);
void uart_enable_rx_irq(uint16_t base);

#endif
