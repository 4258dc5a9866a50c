/*
 * Kernel logging: printf-style output straight to the console, no buffer,
 * so that the last line before a crash is always out.
 */
#include <kernel/console.h>
#include <kernel/format.h>
#include <kernel/log.h>

bool kernel_verbose;

static void log_put(char c, void *ctx)
{
	(void)ctx;
	console_putc(c);
}

int kernel_vprintf(const char *fmt, va_list ap)
{
	return format_v(log_put, NULL, fmt, ap);
}

int kernel_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kernel_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void kernel_info(const char *fmt, ...)
{
	va_list ap;

	if (!kernel_verbose)
		return;
	kernel_printf("minnow: ");
	va_start(ap, fmt);
	kernel_vprintf(fmt, ap);
	va_end(ap);
	console_putc('\n');
}
