/*
 * Hex, string and reply-buffer helpers for the gdbstub. The stub may not
 * call the kernel's libc (a user can set a breakpoint in memcpy or the
 * printf engine), so it carries these few of its own.
 */
#include "gdb.h"

static const char gdb_util_digits[] = "0123456789abcdef";

int gdb_util_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parses a big-endian hex number (addresses, lengths, thread ids) and
 * advances *p past it; returns the number of digits (0: none there).
 */
size_t gdb_util_parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;
	size_t digits = 0;
	int d;

	while ((d = gdb_util_hexval(*s)) >= 0) {
		/* more than 16 digits cannot be an address: refuse, not wrap */
		if (++digits > 16)
			return 0;
		n = (n << 4) | (uint64_t)d;
		s++;
	}
	*p = s;
	*v = n;
	return digits;
}

bool gdb_util_prefix(const char *s, const char *prefix)
{
	while (*prefix) {
		if (*s++ != *prefix++)
			return false;
	}
	return true;
}

bool gdb_util_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

size_t gdb_util_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

void gdb_util_memcpy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	/* volatile: keep gcc from turning this loop back into memcpy() */
	while (n--)
		*d++ = *s++;
}

void gdb_buf_init(struct gdb_buf *b, char *data, size_t cap)
{
	b->data = data;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void gdb_buf_putc(struct gdb_buf *b, char c)
{
	if (b->len < b->cap)
		b->data[b->len++] = c;
	else
		b->overflow = true;
}

void gdb_buf_puts(struct gdb_buf *b, const char *s)
{
	while (*s)
		gdb_buf_putc(b, *s++);
}

void gdb_buf_hex8(struct gdb_buf *b, uint8_t v)
{
	gdb_buf_putc(b, gdb_util_digits[v >> 4]);
	gdb_buf_putc(b, gdb_util_digits[v & 0xf]);
}

/* Minimal big-endian hex, as thread ids and addresses are written. */
void gdb_buf_hexnum(struct gdb_buf *b, uint64_t v)
{
	int shift = 60;

	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		gdb_buf_putc(b, gdb_util_digits[(v >> shift) & 0xf]);
}

/* Register values travel in target byte order: little endian. */
void gdb_buf_hexle(struct gdb_buf *b, uint64_t v, size_t bytes)
{
	while (bytes--) {
		gdb_buf_hex8(b, v & 0xff);
		v >>= 8;
	}
}

void gdb_buf_hexstr(struct gdb_buf *b, const char *s)
{
	while (*s)
		gdb_buf_hex8(b, (uint8_t)*s++);
}

/* Text for an XML attribute or element: escape what XML reserves. */
void gdb_buf_xml(struct gdb_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			gdb_buf_puts(b, "&lt;");
			break;
		case '>':
			gdb_buf_puts(b, "&gt;");
			break;
		case '&':
			gdb_buf_puts(b, "&amp;");
			break;
		case '"':
			gdb_buf_puts(b, "&quot;");
			break;
		default:
			/* keep RSP framing characters out of the payload */
			if (*s == '$' || *s == '#' || *s == '*' || *s == '}' ||
			    (uint8_t)*s < 0x20)
				gdb_buf_putc(b, '?');
			else
				gdb_buf_putc(b, *s);
		}
	}
}

void gdb_buf_dec(struct gdb_buf *b, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		gdb_buf_putc(b, tmp[--n]);
}
