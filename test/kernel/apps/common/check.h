/*
 * The kernel self-tests' reporting: each case is a function returning
 * true, or false after check_fail() said why. check_case() prints exactly
 * one line per case, "PASS name" or "FAIL name: why", which
 * test/kernel/kernel.test.ts asserts; check_done() makes the exit code
 * say whether anything failed.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static char check_why[256];
static int check_failures;

__attribute__((format(printf, 1, 2))) static bool check_fail(const char *fmt,
							     ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(check_why, sizeof(check_why), fmt, ap);
	va_end(ap);
	return false;
}

static void check_case(const char *name, bool (*fn)(void))
{
	check_why[0] = '\0';
	if (fn()) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: %s\n", name, check_why[0] ? check_why : "?");
		check_failures++;
	}
}

static int check_done(void)
{
	printf("%s: %d failed\n", check_failures ? "FAILED" : "DONE",
	       check_failures);
	return check_failures ? 1 : 0;
}

#endif
