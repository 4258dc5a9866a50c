/*
 * The 16550 UART's registers and bits: shared by the console's driver
 * (drivers/uart.c) and the gdbstub's own COM2 transport (debug/gdb_uart.c),
 * which must not call the driver. Definitions only.
 * Reference: PC16550D datasheet, table 2 (offsets from the base port) and
 * section 8 (register bits).
 */
#ifndef KERNEL_UART_16550_H
#define KERNEL_UART_16550_H

#define UART_RBR 0	/* receive buffer (read) */
#define UART_THR 0	/* transmit holding (write) */
#define UART_DLL 0	/* divisor latch low, when LCR.DLAB */
#define UART_IER 1	/* interrupt enable */
#define UART_DLM 1	/* divisor latch high, when LCR.DLAB */
#define UART_FCR 2	/* FIFO control (write) */
#define UART_LCR 3	/* line control */
#define UART_MCR 4	/* modem control */
#define UART_LSR 5	/* line status */
#define UART_SCR 7	/* scratch */

#define UART_IER_RX 0x01	/* interrupt when received data is available */
#define UART_LCR_8N1 0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_DMA 0x08	/* DMA mode select (TXRDY/RXRDY pins) */
#define UART_FCR_TRIGGER_14 0xc0	/* RX interrupt at 14 bytes */
#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT2 0x08	/* gates the IRQ line on PCs */
#define UART_MCR_LOOP 0x10	/* loopback: the line is disconnected */
#define UART_LSR_DR 0x01	/* data ready */
#define UART_LSR_THRE 0x20	/* transmit holding register empty */
#define UART_DIVISOR_115200 1	/* from the 1.8432 MHz clock / 16 */
#define UART_FIFO_DEPTH 16	/* 16550A transmit FIFO */

#endif
