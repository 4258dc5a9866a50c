/*
 * step: the target of the debugger benchmarks (bench/measures/stubs.ts and
 * dap.ts). The debugger stops in work(), whose loop body is four plain
 * source lines, so each `next` moves exactly one line and each `stepi` one
 * instruction, forever enough; `blob` is the 64 KiB that the memory-read
 * figure reads. Without a debugger it runs a short while and returns 0.
 * Booted with several CPUs (the stubs-smp figure), every other CPU runs a
 * spinner thread, so that a stop has busy CPUs to park.
 */
#include <minnow.h>
#include <string.h>

volatile unsigned int acc;
unsigned char blob[65536];
volatile unsigned long spins[16];

static int spinner(void *arg)
{
	int me = cpu_current();

	(void)arg;
	for (;;)
		spins[me]++;
	return 0;
}

__attribute__((noinline)) static void work(unsigned int rounds)
{
	for (unsigned int i = 0; i < rounds; i++) {
		acc += i;		/* #MARK loop-first */
		acc ^= acc << 1;
		acc -= 3;
		acc |= 1;
	}
}

int main(int argc, char **argv)
{
	memset(blob, 0x5a, sizeof(blob));
	for (int c = 1; c < cpu_count() && c < 16; c++)
		thread_create_on(c, "spinner", spinner, NULL);
	work(1000000);
	return 0;
}
