/*
 * Kernel logging to the console. kernel_printf() always prints;
 * kernel_info() prints a "minnow: " line only when the command line says
 * minnow.verbose, so an application's output stays its own by default.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdarg.h>
#include <stdbool.h>

/* core/log.c */
extern bool kernel_verbose;
int kernel_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kernel_vprintf(const char *fmt, va_list ap);
void kernel_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
