/*
 * The console: COM1 when a UART answers there, otherwise nowhere. Kernel log
 * lines and the application's stdout/stderr all end up here.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>

/* core/console.c */
void console_init(void);
void console_write(const char *s, size_t n);
void console_putc(char c);

#endif
