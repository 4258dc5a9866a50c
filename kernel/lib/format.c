/*
 * printf-style formatting without floating point (the kernel is built with
 * -mgeneral-regs-only). Supports the flags - 0 + space #, width and precision
 * (also as *), the length modifiers hh h l ll z j t, and the conversions
 * d i u o x X p s c %. Returns the number of characters produced, as
 * snprintf must report the untruncated length.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/format.h>

#define FMT_LEFT 0x01
#define FMT_ZERO 0x02
#define FMT_PLUS 0x04
#define FMT_SPACE 0x08
#define FMT_ALT 0x10
#define FMT_UPPER 0x20
#define FMT_PTR 0x40	/* %p: always 0x, even for NULL */

struct format_out {
	format_put_t put;
	void *ctx;
	int count;
};

static void format_emit(struct format_out *o, char c)
{
	o->put(c, o->ctx);
	o->count++;
}

static void format_pad(struct format_out *o, char c, int n)
{
	while (n-- > 0)
		format_emit(o, c);
}

static void format_string(struct format_out *o, const char *s, int width,
			  int prec, unsigned int flags)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while (s[len] && (prec < 0 || len < prec))
		len++;
	if (!(flags & FMT_LEFT))
		format_pad(o, ' ', width - len);
	for (int i = 0; i < len; i++)
		format_emit(o, s[i]);
	if (flags & FMT_LEFT)
		format_pad(o, ' ', width - len);
}

static void format_number(struct format_out *o, uint64_t v, bool negative,
			  unsigned int base, int width, int prec,
			  unsigned int flags)
{
	const char *digits = (flags & FMT_UPPER) ? "0123456789ABCDEF" :
						   "0123456789abcdef";
	char buf[24];
	int n = 0;
	char sign = 0;
	const char *prefix = "";
	int zeros, len;

	while (v) {
		buf[n++] = digits[v % base];
		v /= base;
	}
	/* precision 0 with value 0 prints no digits at all (C11 7.21.6.1) */
	if (n == 0 && prec != 0)
		buf[n++] = '0';
	if (negative)
		sign = '-';
	else if (flags & FMT_PLUS)
		sign = '+';
	else if (flags & FMT_SPACE)
		sign = ' ';
	if (flags & FMT_ALT) {
		if (base == 16 &&
		    ((flags & FMT_PTR) || !(n == 1 && buf[0] == '0')))
			prefix = (flags & FMT_UPPER) ? "0X" : "0x";
		else if (base == 8 && buf[n - 1] != '0')
			prefix = "0";
	}
	zeros = prec > n ? prec - n : 0;
	len = n + zeros + (sign ? 1 : 0);
	for (const char *p = prefix; *p; p++)
		len++;
	if (prec < 0 && (flags & FMT_ZERO) && !(flags & FMT_LEFT) && width > len) {
		zeros += width - len;
		len = width;
	}
	if (!(flags & FMT_LEFT))
		format_pad(o, ' ', width - len);
	if (sign)
		format_emit(o, sign);
	for (const char *p = prefix; *p; p++)
		format_emit(o, *p);
	format_pad(o, '0', zeros);
	while (n > 0)
		format_emit(o, buf[--n]);
	if (flags & FMT_LEFT)
		format_pad(o, ' ', width - len);
}

static unsigned int format_flags(const char **pp)
{
	unsigned int flags = 0;

	for (;; (*pp)++) {
		switch (**pp) {
		case '-':
			flags |= FMT_LEFT;
			break;
		case '0':
			flags |= FMT_ZERO;
			break;
		case '+':
			flags |= FMT_PLUS;
			break;
		case ' ':
			flags |= FMT_SPACE;
			break;
		case '#':
			flags |= FMT_ALT;
			break;
		default:
			return flags;
		}
	}
}

/* Reads the length modifier; returns the size in bytes of the argument. */
static int format_length(const char **pp)
{
	const char *p = *pp;
	int size = sizeof(int);

	if (p[0] == 'h' && p[1] == 'h') {
		size = 1;
		p += 2;
	} else if (p[0] == 'h') {
		size = 2;
		p++;
	} else if (p[0] == 'l' && p[1] == 'l') {
		size = sizeof(long long);
		p += 2;
	} else if (p[0] == 'l' || p[0] == 'z' || p[0] == 'j' || p[0] == 't') {
		size = sizeof(long);
		p++;
	}
	*pp = p;
	return size;
}

static int64_t format_signed(va_list *ap, int size)
{
	if (size == 8)
		return va_arg(*ap, int64_t);
	int v = va_arg(*ap, int);
	if (size == 1)
		return (signed char)v;
	if (size == 2)
		return (short)v;
	return v;
}

static uint64_t format_unsigned(va_list *ap, int size)
{
	if (size == 8)
		return va_arg(*ap, uint64_t);
	unsigned int v = va_arg(*ap, unsigned int);
	if (size == 1)
		return (unsigned char)v;
	if (size == 2)
		return (unsigned short)v;
	return v;
}

int format_v(format_put_t put, void *ctx, const char *fmt, va_list ap_in)
{
	struct format_out o = { .put = put, .ctx = ctx, .count = 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		unsigned int flags;
		int width = 0, prec = -1, size;

		if (*p != '%') {
			format_emit(&o, *p);
			continue;
		}
		p++;
		flags = format_flags(&p);
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= FMT_LEFT;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		size = format_length(&p);
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = format_signed(&ap, size);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

			format_number(&o, mag, v < 0, 10, width, prec, flags);
			break;
		}
		case 'u':
			format_number(&o, format_unsigned(&ap, size), false, 10,
				      width, prec, flags);
			break;
		case 'o':
			format_number(&o, format_unsigned(&ap, size), false, 8,
				      width, prec, flags);
			break;
		case 'X':
			flags |= FMT_UPPER;
			/* fall through */
		case 'x':
			format_number(&o, format_unsigned(&ap, size), false, 16,
				      width, prec, flags);
			break;
		case 'p':
			format_number(&o, (uintptr_t)va_arg(ap, void *), false,
				      16, width, prec,
				      flags | FMT_ALT | FMT_PTR);
			break;
		case 's':
			format_string(&o, va_arg(ap, const char *), width, prec,
				      flags);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };

			if (!(flags & FMT_LEFT))
				format_pad(&o, ' ', width - 1);
			format_emit(&o, c[0]);
			if (flags & FMT_LEFT)
				format_pad(&o, ' ', width - 1);
			break;
		}
		case '%':
			format_emit(&o, '%');
			break;
		case '\0':
			/* a lone % at the end: print it, stop */
			format_emit(&o, '%');
			p--;
			break;
		default:
			/* unsupported (e.g. %f): show it verbatim */
			format_emit(&o, '%');
			format_emit(&o, *p);
			break;
		}
	}
	va_end(ap);
	return o.count;
}
