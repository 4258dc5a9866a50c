/*
 * Console stdio for applications, on top of the shared printf engine
 * (lib/format.c). Unbuffered: every byte goes to the UART at once, so output
 * printed just before a crash or a breakpoint is already visible. Input
 * blocks the calling thread (others run) until the console has a byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <kernel/console.h>
#include <kernel/format.h>

struct minnow_file {
	int fd;
};

static struct minnow_file stdio_stdin = { 0 };
static struct minnow_file stdio_stdout = { 1 };
static struct minnow_file stdio_stderr = { 2 };
FILE *stdin = &stdio_stdin;
FILE *stdout = &stdio_stdout;
FILE *stderr = &stdio_stderr;

struct stdio_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void stdio_put_console(char c, void *ctx)
{
	(void)ctx;
	console_putc(c);
}

static void stdio_put_buf(char c, void *ctx)
{
	struct stdio_buf *b = ctx;

	if (b->size && b->len < b->size - 1)
		b->buf[b->len] = c;
	b->len++;
}

int vprintf(const char *fmt, va_list ap)
{
	return format_v(stdio_put_console, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	(void)f;
	return vprintf(fmt, ap);
}

int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct stdio_buf b = { .buf = buf, .size = size, .len = 0 };
	int n = format_v(stdio_put_buf, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, SIZE_MAX, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

int fputs(const char *s, FILE *f)
{
	(void)f;
	while (*s)
		console_putc(*s++);
	return 0;
}

int puts(const char *s)
{
	fputs(s, stdout);
	console_putc('\n');
	return 0;
}

int fputc(int c, FILE *f)
{
	(void)f;
	console_putc((char)c);
	return (unsigned char)c;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fflush(FILE *f)
{
	(void)f;
	return 0;
}

int fgetc(FILE *f)
{
	int c;

	if (f != stdin)
		return EOF;
	c = console_getc(0);
	return c < 0 ? EOF : c;
}

int getc(FILE *f)
{
	return fgetc(f);
}

int getchar(void)
{
	return fgetc(stdin);
}

/* Reads up to n - 1 bytes, stopping after a newline. */
char *fgets(char *buf, int n, FILE *f)
{
	int len = 0;

	if (n <= 0)
		return NULL;
	while (len < n - 1) {
		int c = fgetc(f);

		if (c == EOF)
			break;
		buf[len++] = (char)c;
		if (c == '\n')
			break;
	}
	if (len == 0)
		return NULL;
	buf[len] = '\0';
	return buf;
}
