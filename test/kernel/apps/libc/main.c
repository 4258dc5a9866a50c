/*
 * Kernel self-test: the application C library. printf formats against
 * expected strings, snprintf truncation, string.h, the strto* family,
 * qsort/bsearch, ctype.h and errno.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"

static int fmt_bad;

/* Formats and compares; remembers the first mismatch in check_why. */
__attribute__((format(printf, 2, 3))) static void fmt(const char *expected,
						      const char *f, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	if (strcmp(buf, expected) != 0 || n != (int)strlen(expected)) {
		if (!fmt_bad++)
			check_fail("\"%s\" gave \"%s\" (%d), expected \"%s\"", f,
				   buf, n, expected);
	}
}

static bool printf_integers(void)
{
	fmt_bad = 0;
	fmt("42", "%d", 42);
	fmt("-5", "%i", -5);
	fmt("0", "%d", 0);
	fmt("-2147483648", "%d", INT_MIN);
	fmt("4294967295", "%u", UINT_MAX);
	fmt("ff", "%x", 255);
	fmt("FF", "%X", 255);
	fmt("0xff", "%#x", 255);
	fmt("0", "%#x", 0);
	fmt("10", "%o", 8);
	fmt("9223372036854775807", "%ld", LONG_MAX);
	fmt("-9223372036854775808", "%lld", LLONG_MIN);
	fmt("18446744073709551615", "%lu", ULONG_MAX);
	fmt("deadbeefcafebabe", "%llx", 0xdeadbeefcafebabeull);
	fmt("123", "%zu", (size_t)123);
	fmt("-7", "%zd", (long)-7);
	fmt("44", "%hhd", 300);
	fmt("4464", "%hd", 70000);
	return fmt_bad == 0;
}

static bool printf_width_precision(void)
{
	fmt_bad = 0;
	fmt("   42", "%5d", 42);
	fmt("42   |", "%-5d|", 42);
	fmt("00042", "%05d", 42);
	fmt("-0042", "%05d", -42);
	fmt("+42", "%+d", 42);
	fmt(" 42", "% d", 42);
	fmt("042", "%.3d", 42);
	fmt("     042", "%8.3d", 42);
	fmt("", "%.0d", 0);
	fmt("   42", "%*d", 5, 42);
	fmt("42   |", "%*d|", -5, 42);
	fmt("0x0000ff", "%#08x", 255);
	fmt("  ab", "%4lx", 0xabul);
	return fmt_bad == 0;
}

static bool printf_strings(void)
{
	const char *volatile null_string = NULL;	/* hidden from -Wformat */
	char buf[8];
	int n;

	fmt_bad = 0;
	fmt("hi", "%s", "hi");
	fmt("he", "%.2s", "hello");
	fmt("abc", "%.*s", 3, "abcdef");
	fmt("        hi", "%10s", "hi");
	fmt("hi        |", "%-10s|", "hi");
	fmt("(null)", "%s", null_string);
	fmt("x", "%c", 'x');
	fmt("  x", "%3c", 'x');
	fmt("%", "%%");
	fmt("100%", "%d%%", 100);
	fmt("0x1234", "%p", (void *)0x1234);
	fmt("0x0", "%p", (void *)0);
	fmt("a1b2c", "a%db%dc", 1, 2);
	if (fmt_bad)
		return false;
	n = snprintf(buf, sizeof(buf), "%s", "hello world");
	if (n != 11 || strcmp(buf, "hello w") != 0)
		return check_fail("snprintf truncation gave \"%s\" (%d)", buf, n);
	n = snprintf(NULL, 0, "%d", 12345);
	if (n != 5)
		return check_fail("snprintf(NULL, 0) returned %d", n);
	n = sprintf(buf, "%03d", 7);
	if (n != 3 || strcmp(buf, "007") != 0)
		return check_fail("sprintf gave \"%s\"", buf);
	return true;
}

static bool string_functions(void)
{
	char buf[32], *p, *save;
	char over[] = "abcdefgh";

	if (strlen("") != 0 || strlen("minnow") != 6 || strnlen("minnow", 3) != 3)
		return check_fail("strlen/strnlen");
	if (strcmp("a", "b") >= 0 || strcmp("b", "a") <= 0 ||
	    strcmp("ab", "ab") != 0 || strcmp("a", "ab") >= 0)
		return check_fail("strcmp signs");
	if (strncmp("abcx", "abcy", 3) != 0 || strncmp("abcx", "abcy", 4) >= 0)
		return check_fail("strncmp");
	if (strcasecmp("MiNnOw", "minnow") != 0 || strncasecmp("ABx", "aby", 2))
		return check_fail("strcasecmp");
	strcpy(buf, "fish");
	strcat(buf, "-");
	strncat(buf, "bonefish", 4);
	if (strcmp(buf, "fish-bone") != 0)
		return check_fail("strcpy/strcat/strncat gave \"%s\"", buf);
	memset(buf, 'z', sizeof(buf));
	strncpy(buf, "ab", 5);
	if (memcmp(buf, "ab\0\0\0z", 6) != 0)
		return check_fail("strncpy does not pad with NULs");
	if (strchr("minnow", 'n') - "minnow" != 2 ||
	    strrchr("minnow", 'n') - "minnow" != 3 || strchr("minnow", 'q') ||
	    strchr("abc", '\0') == NULL)
		return check_fail("strchr/strrchr");
	if (strcmp(strstr("unikernel", "kern"), "kernel") != 0 ||
	    strstr("abc", "abd") || strstr("abc", "") == NULL)
		return check_fail("strstr");
	if (strspn("aabbc", "ab") != 4 || strcspn("hello, world", ",") != 5 ||
	    strcmp(strpbrk("hello", "lo"), "llo") != 0)
		return check_fail("strspn/strcspn/strpbrk");
	memmove(over + 2, over, 5);	/* overlapping, forwards */
	if (strcmp(over, "ababcdeh") != 0)
		return check_fail("memmove forward gave \"%s\"", over);
	memmove(over, over + 3, 5);	/* overlapping, backwards */
	if (strcmp(over, "bcdehdeh") != 0)
		return check_fail("memmove backward gave \"%s\"", over);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "0123456789abcdefXYZ", 19);
	if (memcmp(buf, "0123456789abcdefXYZ", 20) != 0 ||
	    memcmp("abc", "abd", 3) >= 0 || memchr(buf, 'X', 19) != buf + 16)
		return check_fail("memcpy/memcmp/memchr");
	strcpy(buf, " a,b,,c ");
	p = strtok_r(buf, " ,", &save);
	if (!p || strcmp(p, "a") != 0 || strcmp(strtok_r(NULL, " ,", &save), "b") ||
	    strcmp(strtok_r(NULL, " ,", &save), "c") || strtok_r(NULL, " ,", &save))
		return check_fail("strtok_r");
	p = strdup("copy");
	if (!p || strcmp(p, "copy") != 0)
		return check_fail("strdup");
	free(p);
	if (strcmp(strerror(ENOMEM), "Out of memory") != 0)
		return check_fail("strerror(ENOMEM) is \"%s\"", strerror(ENOMEM));
	return true;
}

static bool stdlib_strtol(void)
{
	char *end;
	long v;

	v = strtol("  -123abc", &end, 10);
	if (v != -123 || strcmp(end, "abc") != 0)
		return check_fail("strtol(\"  -123abc\") = %ld, rest \"%s\"", v, end);
	if (strtol("0x1F", NULL, 0) != 31 || strtol("0777", NULL, 0) != 511 ||
	    strtol("zz", NULL, 36) != 1295 || strtol("1010", NULL, 2) != 10 ||
	    strtol("ff", NULL, 16) != 255)
		return check_fail("strtol bases");
	v = strtol("xyz", &end, 10);
	if (v != 0 || strcmp(end, "xyz") != 0)
		return check_fail("strtol with no digits moved end");
	errno = 0;
	v = strtol("99999999999999999999", NULL, 10);
	if (v != LONG_MAX || errno != ERANGE)
		return check_fail("strtol overflow gave %ld, errno %d", v, errno);
	errno = 0;
	v = strtol("-9223372036854775808", NULL, 10);
	if (v != LONG_MIN || errno != 0)
		return check_fail("strtol(LONG_MIN) gave %ld, errno %d", v, errno);
	if (strtoul("-1", NULL, 10) != ULONG_MAX ||
	    strtoull("18446744073709551615", NULL, 10) != ULLONG_MAX)
		return check_fail("strtoul");
	if (atoi("42") != 42 || atol("-7") != -7 || abs(-3) != 3 ||
	    labs(-4L) != 4)
		return check_fail("atoi/atol/abs");
	return true;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool stdlib_qsort(void)
{
	int v[200], key = 77, *hit;

	srand(1);
	for (int i = 0; i < 200; i++)
		v[i] = rand() % 1000;
	v[123] = 77;
	qsort(v, 200, sizeof(v[0]), int_cmp);
	for (int i = 1; i < 200; i++)
		if (v[i - 1] > v[i])
			return check_fail("not sorted at %d: %d > %d", i, v[i - 1], v[i]);
	hit = bsearch(&key, v, 200, sizeof(v[0]), int_cmp);
	if (!hit || *hit != 77)
		return check_fail("bsearch did not find 77");
	key = 1001;
	if (bsearch(&key, v, 200, sizeof(v[0]), int_cmp))
		return check_fail("bsearch found a missing key");
	qsort(v, 0, sizeof(v[0]), int_cmp);
	return true;
}

static bool ctype_classes(void)
{
	if (!isdigit('7') || isdigit('a') || !isalpha('Q') || isalpha('1') ||
	    !isspace('\t') || isspace('x') || !isxdigit('F') || isxdigit('g') ||
	    !isupper('A') || !islower('a') || !ispunct('!') || ispunct('a') ||
	    !isalnum('z') || isprint('\n') || !iscntrl('\n') || isdigit(EOF))
		return check_fail("a character class is wrong");
	if (toupper('a') != 'A' || tolower('A') != 'a' || toupper('1') != '1')
		return check_fail("toupper/tolower");
	return true;
}

int main(int argc, char **argv)
{
	check_case("printf_integers", printf_integers);
	check_case("printf_width_precision", printf_width_precision);
	check_case("printf_strings", printf_strings);
	check_case("string_functions", string_functions);
	check_case("stdlib_strtol", stdlib_strtol);
	check_case("stdlib_qsort", stdlib_qsort);
	check_case("ctype_classes", ctype_classes);
	return check_done();
}
