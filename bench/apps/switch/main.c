/*
 * switch: the thread-switch benchmark of bench/measures/threads.ts. Two
 * threads, "ping" and "pong", hand the CPU to each other with
 * thread_yield() ROUNDS times each; main only starts them and joins, so
 * (main being blocked in join) every yield is one switch to the other
 * thread. Each sample is the time of a batch divided by the number of
 * switches in it, from the kernel's monotonic clock (the TSC).
 *
 * Output, one line per sample, then "SWITCH done":
 *   SWITCH ns=<nanoseconds per switch, 3 decimals as thousandths>
 * argv[1]: the number of samples (default 5).
 */
#include <minnow.h>
#include <stdio.h>
#include <stdlib.h>

#define ROUNDS 20000	/* yields per thread per sample */

static int ping_pong(void *arg)
{
	for (int i = 0; i < ROUNDS; i++)
		thread_yield();
	return 0;
}

/* One sample: picoseconds per switch (printed as ns with 3 decimals). */
static uint64_t sample(void)
{
	struct thread *ping = thread_create("ping", ping_pong, NULL);
	struct thread *pong = thread_create("pong", ping_pong, NULL);
	uint64_t t0, t1;

	if (!ping || !pong)
		panic("switch: cannot create the threads");
	t0 = time_ns();
	/* join blocks main: only ping and pong remain runnable */
	thread_join(ping);
	t1 = time_ns();
	thread_join(pong);
	return (t1 - t0) * 1000 / (2 * ROUNDS);
}

int main(int argc, char **argv)
{
	int samples = argc > 1 ? atoi(argv[1]) : 5;

	sample();	/* warm-up: first touch of the stacks */
	for (int i = 0; i < samples; i++) {
		uint64_t ps = sample();

		printf("SWITCH ns=%llu.%03llu\n", (unsigned long long)(ps / 1000),
		       (unsigned long long)(ps % 1000));
	}
	printf("SWITCH done\n");
	return 0;
}
