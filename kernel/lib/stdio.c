/*
 * stdio for applications, on top of the shared printf engine (lib/format.c).
 * The console streams are unbuffered: every byte goes to the UART at once,
 * so output printed just before a crash or a breakpoint is already
 * visible, and input blocks the calling thread (others run) until the
 * console has a byte. File streams (fdopen here, fopen with the VFS in
 * fs/vfs_api.c) are buffered over read/write/lseek (lib/unistd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kernel/console.h>
#include <kernel/format.h>

/* a file stream's buffer: what a 4 KiB page holds */
#define STDIO_BUFSIZ 4096

/*
 * A stream: the console's three are unbuffered and go straight to COM1 (as
 * before there were files); a file's stream (lib/stdio_file.c) has a
 * buffer used for reading or for writing at any one time, flushed when the
 * direction changes, on fflush, fseek and fclose.
 */
struct minnow_file {
	int fd;
	bool console;
	bool can_read, can_write;
	bool eof, error;
	char *buf;
	size_t cap;
	size_t rpos, rlen;	/* unread bytes are buf[rpos..rlen) */
	size_t wlen;		/* bytes written into buf, not yet to fd */
	int unget;		/* a byte pushed back by ungetc, or EOF */
};

static struct minnow_file stdio_stdin = { .fd = 0, .console = true,
					  .can_read = true, .unget = EOF };
static struct minnow_file stdio_stdout = { .fd = 1, .console = true,
					   .can_write = true, .unget = EOF };
static struct minnow_file stdio_stderr = { .fd = 2, .console = true,
					   .can_write = true, .unget = EOF };
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

static void stdio_put_stream(char c, void *ctx)
{
	fputc((unsigned char)c, ctx);
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
	if (f->console)
		return vprintf(fmt, ap);
	return format_v(stdio_put_stream, f, fmt, ap);
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

/* Sends the write buffer to the file: 0, or EOF with the error flag set. */
static int stdio_flush_write(FILE *f)
{
	size_t done = 0;

	while (done < f->wlen) {
		ssize_t n = write(f->fd, f->buf + done, f->wlen - done);

		if (n <= 0) {
			f->error = true;
			f->wlen = 0;
			return EOF;
		}
		done += (size_t)n;
	}
	f->wlen = 0;
	return 0;
}

/* Read-ahead the program has not taken: the file's offset goes back over
 * it, so that the descriptor and the stream agree again. */
static void stdio_drop_read(FILE *f)
{
	size_t ahead = f->rlen - f->rpos + (f->unget != EOF);

	if (ahead)
		lseek(f->fd, -(off_t)ahead, SEEK_CUR);
	f->rpos = f->rlen = 0;
	f->unget = EOF;
}

int fflush(FILE *f)
{
	if (!f) {
		errno = EINVAL;	/* every stream: not kept in a list here */
		return EOF;
	}
	if (f->console)
		return 0;
	if (f->wlen)
		return stdio_flush_write(f);
	if (f->rlen)
		stdio_drop_read(f);
	return 0;
}

size_t fwrite(const void *ptr, size_t size, size_t count, FILE *f)
{
	const char *p = ptr;
	size_t total = size * count, done = 0;

	if (!total)
		return 0;
	if (!f->can_write) {
		f->error = true;
		errno = EBADF;
		return 0;
	}
	if (f->console) {
		for (size_t i = 0; i < total; i++)
			console_putc(p[i]);
		return count;
	}
	if (f->rlen || f->unget != EOF)
		stdio_drop_read(f);
	if (f->wlen + total > f->cap && stdio_flush_write(f))
		return 0;
	if (total >= f->cap) {
		/* a large write goes straight to the file */
		while (done < total) {
			ssize_t n = write(f->fd, p + done, total - done);

			if (n <= 0) {
				f->error = true;
				return done / size;
			}
			done += (size_t)n;
		}
		return count;
	}
	memcpy(f->buf + f->wlen, p, total);
	f->wlen += total;
	return count;
}

int fputc(int c, FILE *f)
{
	unsigned char b = (unsigned char)c;

	if (f->console && f->can_write) {
		console_putc((char)b);
		return b;
	}
	return fwrite(&b, 1, 1, f) == 1 ? b : EOF;
}

int fputs(const char *s, FILE *f)
{
	size_t n = strlen(s);

	return fwrite(s, 1, n, f) == n || n == 0 ? 0 : EOF;
}

int puts(const char *s)
{
	fputs(s, stdout);
	console_putc('\n');
	return 0;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

/* Refills the read buffer: bytes now in it, 0 at the end, -1 on error. */
static ssize_t stdio_fill(FILE *f)
{
	ssize_t n;

	if (f->wlen && stdio_flush_write(f))
		return -1;
	n = read(f->fd, f->buf, f->cap);
	if (n < 0) {
		f->error = true;
		return -1;
	}
	if (n == 0)
		f->eof = true;
	f->rpos = 0;
	f->rlen = (size_t)n;
	return n;
}

size_t fread(void *ptr, size_t size, size_t count, FILE *f)
{
	char *p = ptr;
	size_t total = size * count, done = 0;

	if (!total)
		return 0;
	if (!f->can_read) {
		f->error = true;
		errno = EBADF;
		return 0;
	}
	if (f->console) {
		while (done < total) {
			int c = fgetc(f);

			if (c == EOF)
				break;
			p[done++] = (char)c;
		}
		return done / size;
	}
	if (f->unget != EOF && done < total) {
		p[done++] = (char)f->unget;
		f->unget = EOF;
	}
	while (done < total) {
		size_t avail = f->rlen - f->rpos;
		ssize_t n;

		if (avail) {
			size_t take = avail < total - done ? avail :
							     total - done;

			memcpy(p + done, f->buf + f->rpos, take);
			f->rpos += take;
			done += take;
			continue;
		}
		if (total - done >= f->cap) {
			/* a large read goes straight into the caller's buffer */
			if (f->wlen && stdio_flush_write(f))
				break;
			n = read(f->fd, p + done, total - done);
			if (n < 0)
				f->error = true;
			else if (n == 0)
				f->eof = true;
			if (n <= 0)
				break;
			done += (size_t)n;
			continue;
		}
		if (stdio_fill(f) <= 0)
			break;
	}
	return done / size;
}

int fgetc(FILE *f)
{
	unsigned char b;
	int c;

	if (f->unget != EOF) {
		c = f->unget;
		f->unget = EOF;
		return c;
	}
	if (f->console) {
		if (!f->can_read)
			return EOF;
		c = console_getc(0);
		return c < 0 ? EOF : c;
	}
	if (f->rpos < f->rlen)
		return (unsigned char)f->buf[f->rpos++];
	return fread(&b, 1, 1, f) == 1 ? b : EOF;
}

int ungetc(int c, FILE *f)
{
	if (c == EOF || f->unget != EOF)
		return EOF;
	if (f->rpos > 0 && f->rpos <= f->rlen) {
		f->buf[--f->rpos] = (char)c;	/* room just read */
	} else {
		f->unget = (unsigned char)c;
	}
	f->eof = false;
	return (unsigned char)c;
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

FILE *fdopen(int fd, const char *mode)
{
	FILE *f;

	if (!mode || !strchr("rwa", mode[0])) {
		errno = EINVAL;
		return NULL;
	}
	if (fcntl(fd, F_GETFL) < 0)
		return NULL;	/* errno EBADF */
	f = calloc(1, sizeof(*f));
	if (!f || !(f->buf = malloc(STDIO_BUFSIZ))) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->fd = fd;
	f->cap = STDIO_BUFSIZ;
	f->unget = EOF;
	f->can_read = mode[0] == 'r' || strchr(mode, '+');
	f->can_write = mode[0] != 'r' || strchr(mode, '+');
	f->console = isatty(fd) == 1;
	return f;
}

int fclose(FILE *f)
{
	int err = 0;

	if (f == stdin || f == stdout || f == stderr)
		return 0;	/* the console stays */
	if (f->wlen)
		err = stdio_flush_write(f);
	if (close(f->fd) < 0)
		err = EOF;
	free(f->buf);
	free(f);
	return err;
}

int fseek(FILE *f, long off, int whence)
{
	if (f->console) {
		errno = ESPIPE;
		return -1;
	}
	if (f->wlen && stdio_flush_write(f))
		return -1;
	if (whence == SEEK_CUR)
		off -= (long)(f->rlen - f->rpos + (f->unget != EOF));
	f->rpos = f->rlen = 0;
	f->unget = EOF;
	if (lseek(f->fd, off, whence) < 0)
		return -1;
	f->eof = false;
	return 0;
}

long ftell(FILE *f)
{
	off_t pos = lseek(f->fd, 0, SEEK_CUR);

	if (pos < 0)
		return -1;
	return (long)(pos - (off_t)(f->rlen - f->rpos) -
		      (f->unget != EOF) + (off_t)f->wlen);
}

void rewind(FILE *f)
{
	fseek(f, 0, SEEK_SET);
	f->error = false;
}

int feof(FILE *f)
{
	return f->eof;
}

int ferror(FILE *f)
{
	return f->error;
}

void clearerr(FILE *f)
{
	f->eof = false;
	f->error = false;
}

int fileno(FILE *f)
{
	return f->fd;
}
