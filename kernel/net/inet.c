/*
 * IPv4 addresses between text and binary (arpa/inet.h). inet_aton takes
 * the classic forms (a.b.c.d, a.b.c, a.b, a; decimal, 0x hex, 0 octal);
 * inet_pton only four decimal parts, as POSIX requires of it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

/* One number of inet_aton's forms at *s: false when there is none. */
static bool inet_number(const char **s, uint32_t *out)
{
	const char *p = *s;
	unsigned int base = 10;
	uint64_t v = 0;
	bool any = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && isdigit((unsigned char)p[1])) {
		base = 8;
		p++;
	}
	for (;; p++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = (unsigned int)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned int)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (d >= base)
			return false;
		v = v * base + d;
		if (v > 0xffffffffu)
			return false;
		any = true;
	}
	if (!any && base != 8)
		return false;
	*s = p;
	*out = (uint32_t)v;
	return true;
}

int inet_aton(const char *s, struct in_addr *out)
{
	uint32_t part[4], v;
	int n = 0;

	if (!s)
		return 0;
	for (;;) {
		if (n == 4 || !inet_number(&s, &part[n]))
			return 0;
		n++;
		if (*s != '.')
			break;
		s++;
	}
	if (*s && !isspace((unsigned char)*s))
		return 0;
	/* the last part fills the bytes the earlier ones left */
	switch (n) {
	case 1:
		v = part[0];
		break;
	case 2:
		if (part[0] > 0xff || part[1] > 0xffffff)
			return 0;
		v = part[0] << 24 | part[1];
		break;
	case 3:
		if (part[0] > 0xff || part[1] > 0xff || part[2] > 0xffff)
			return 0;
		v = part[0] << 24 | part[1] << 16 | part[2];
		break;
	default:
		for (int i = 0; i < 4; i++)
			if (part[i] > 0xff)
				return 0;
		v = part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3];
		break;
	}
	if (out)
		out->s_addr = htonl(v);
	return 1;
}

in_addr_t inet_addr(const char *s)
{
	struct in_addr a;

	return inet_aton(s, &a) ? a.s_addr : INADDR_NONE;
}

int inet_pton(int af, const char *s, void *dst)
{
	uint8_t b[4];

	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		unsigned int v = 0;
		int digits = 0;

		while (isdigit((unsigned char)*s)) {
			/* no leading zeros: "01" is not dotted decimal */
			if (digits == 1 && v == 0)
				return 0;
			v = v * 10 + (unsigned int)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return 0;
		}
		if (!digits)
			return 0;
		b[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	if (*s)
		return 0;
	memcpy(dst, b, sizeof(b));
	return 1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	char buf[INET_ADDRSTRLEN];
	const uint8_t *b = src;
	int n;

	if (af != AF_INET) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	n = snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	if ((socklen_t)n >= size) {
		errno = ENOSPC;
		return NULL;
	}
	memcpy(dst, buf, (size_t)n + 1);
	return dst;
}

char *inet_ntoa(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];

	return (char *)inet_ntop(AF_INET, &a, buf, sizeof(buf));
}
