/*
 * The one printf engine, shared by the kernel log and the application's
 * stdio: it writes through a callback so each caller picks the sink.
 */
#ifndef KERNEL_FORMAT_H
#define KERNEL_FORMAT_H

#include <stdarg.h>

/* lib/format.c */
typedef void (*format_put_t)(char c, void *ctx);
int format_v(format_put_t put, void *ctx, const char *fmt, va_list ap);

#endif
