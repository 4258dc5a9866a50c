/*
 * step: the target of the debugger benchmarks (bench/measures/stubs.ts and
 * dap.ts). The debugger stops in work(), whose loop body is four plain
 * source lines, so each `next` moves exactly one line and each `stepi` one
 * instruction, forever enough; `blob` is the 64 KiB that the memory-read
 * figure reads. Without a debugger it runs a short while and returns 0.
 */
#include <string.h>

volatile unsigned int acc;
unsigned char blob[65536];

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
	work(1000000);
	return 0;
}
