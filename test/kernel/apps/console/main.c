/*
 * Kernel self-test: console input. Prints READY, then reads what the test
 * writes to QEMU's stdin (COM1): a line with fgets while another thread
 * keeps running (input must not stop the scheduler), then one byte with a
 * deadline that passes, then the rest with getchar, then the end of input
 * (a Ctrl-D, 0x04): getchar and read() see EOF, and keep seeing it.
 */
#include <errno.h>
#include <minnow.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/check.h"

static volatile int ticks;

static int ticker(void *arg)
{
	while (ticks < 1000000) {
		ticks++;
		thread_yield();
	}
	return 0;
}

static bool console_line(void)
{
	char line[64];
	int before = ticks;

	printf("READY\n");
	if (!fgets(line, sizeof(line), stdin))
		return check_fail("fgets returned NULL");
	if (strcmp(line, "hello kernel\n") != 0)
		return check_fail("read \"%s\"", line);
	if (ticks == before)
		return check_fail("no other thread ran while waiting for input");
	return true;
}

static bool console_timeout(void)
{
	uint64_t t0 = time_ns();
	int c = console_getc(t0 + 20 * 1000000ull);

	if (c != -ETIMEDOUT)
		return check_fail("console_getc returned %d, expected -ETIMEDOUT", c);
	if (time_ns() - t0 < 20 * 1000000ull)
		return check_fail("the deadline did not pass");
	return true;
}

static bool console_getchar(void)
{
	char s[8];
	int i;

	printf("MORE\n");
	for (i = 0; i < 4; i++)
		s[i] = (char)getchar();
	s[i] = '\0';
	/* "ab\r\n" arrives as "ab\n" plus the next byte */
	if (strcmp(s, "ab\nc") != 0)
		return check_fail("read \"%s\"", s);
	return true;
}

static bool console_eof(void)
{
	char s[16];
	int c, i = 0;
	ssize_t n;

	printf("END\n");
	while ((c = getchar()) != EOF && i < (int)sizeof(s) - 1)
		s[i++] = (char)c;
	s[i] = '\0';
	if (strcmp(s, "last\n") != 0)
		return check_fail("read \"%s\" before EOF", s);
	if ((c = getchar()) != EOF)
		return check_fail("getchar after EOF returned %d", c);
	n = read(0, s, sizeof(s));
	if (n != 0)
		return check_fail("read after EOF returned %ld", (long)n);
	return true;
}

int main(int argc, char **argv)
{
	thread_create("ticker", ticker, NULL);
	check_case("console_line", console_line);
	check_case("console_timeout", console_timeout);
	check_case("console_getchar", console_getchar);
	check_case("console_eof", console_eof);
	return check_done();
}
