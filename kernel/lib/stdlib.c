/*
 * stdlib.h for applications: number parsing, sorting, pseudo-random
 * numbers and leaving the program. malloc and friends are in core/heap.c.
 * qsort is a heapsort: O(n log n) in the worst case, no recursion and no
 * allocation, which suits small fixed stacks.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <kernel/crash.h>
#include <kernel/power.h>

void exit(int code)
{
	power_exit(code);
}

void abort(void)
{
	panic("abort() called");
}

int abs(int v)
{
	return v < 0 ? -v : v;
}

long labs(long v)
{
	return v < 0 ? -v : v;
}

long long llabs(long long v)
{
	return v < 0 ? -v : v;
}

static int stdlib_digit(int c)
{
	if (isdigit(c))
		return c - '0';
	if (islower(c))
		return c - 'a' + 10;
	if (isupper(c))
		return c - 'A' + 10;
	return INT_MAX;
}

/*
 * The common core of the strto* family: skips space, reads the sign and
 * the base prefix, accumulates up to `limit` (saturating, errno = ERANGE).
 */
static unsigned long long stdlib_parse(const char *s, char **end, int base,
				       unsigned long long limit, bool *neg)
{
	const char *p = s, *digits;
	unsigned long long v = 0;
	bool overflow = false;

	*neg = false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	digits = p;
	if (base < 2 || base > 36) {
		errno = EINVAL;
		p = digits = s;
	}
	for (; stdlib_digit((unsigned char)*p) < base; p++) {
		unsigned int d = stdlib_digit((unsigned char)*p);

		if (v > (limit - d) / base)
			overflow = true;
		else
			v = v * base + d;
	}
	if (end)
		*end = (char *)(p == digits ? s : p);
	if (overflow) {
		errno = ERANGE;
		return limit;
	}
	return v;
}

long long strtoll(const char *s, char **end, int base)
{
	bool neg;
	/* the magnitude of LLONG_MIN is one more than LLONG_MAX */
	unsigned long long v = stdlib_parse(s, end, base,
					    (unsigned long long)LLONG_MAX + 1,
					    &neg);

	if (!neg && v > LLONG_MAX) {
		errno = ERANGE;
		return LLONG_MAX;
	}
	return neg ? (long long)(0 - v) : (long long)v;
}

long strtol(const char *s, char **end, int base)
{
	return strtoll(s, end, base);
}

unsigned long long strtoull(const char *s, char **end, int base)
{
	bool neg;
	unsigned long long v = stdlib_parse(s, end, base, ULLONG_MAX, &neg);

	return neg ? 0 - v : v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	return strtoull(s, end, base);
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

long long atoll(const char *s)
{
	return strtoll(s, NULL, 10);
}

static void stdlib_swap(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

static void stdlib_sift(char *base, size_t root, size_t n, size_t size,
			int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		stdlib_swap(base + root * size, base + child * size, size);
		root = child;
	}
}

void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	char *b = base;

	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		stdlib_sift(b, i, n, size, cmp);
	for (size_t end = n - 1; end > 0; end--) {
		stdlib_swap(b, b + end * size, size);
		stdlib_sift(b, 0, end, size, cmp);
	}
}

void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *))
{
	const char *b = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(key, b + mid * size);

		if (c == 0)
			return (void *)(b + mid * size);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static uint64_t stdlib_seed = 1;

/* A 64-bit LCG (Knuth's MMIX constants), top bits returned. */
int rand(void)
{
	stdlib_seed = stdlib_seed * 6364136223846793005ull + 1442695040888963407ull;
	return (int)(stdlib_seed >> 33);
}

void srand(unsigned int seed)
{
	stdlib_seed = seed;
}
