/*
 * The console: COM1 when a UART answers there, otherwise nowhere. Kernel log
 * lines and the application's stdout/stderr all end up here, and stdin
 * (getchar, fgets) reads from it.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

struct file;

/* core/console.c */
/* Probes COM1 now; without it the first output or input does. */
void console_init(void);
void console_write(const char *s, size_t n);
void console_putc(char c);
/* The next input byte, waiting until deadline_ns of time_now_ns() (0: no
 * deadline). Returns the byte, -ETIMEDOUT, or -ENODEV without a COM1. */
int console_getc(uint64_t deadline_ns);
/* Takes the console's receive interrupt on CPU cpu from now on (switching
 * it on if no read has yet): 0, -EINVAL (no such CPU online), -ENODEV. */
int console_irq_cpu(int cpu);
/* Descriptors 0, 1 and 2 (kernel/file.h). */
extern struct file console_file;

#endif
