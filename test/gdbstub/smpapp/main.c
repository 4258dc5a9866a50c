/*
 * Target of the gdbstub's SMP tests (4 CPUs): a spinner thread on every
 * other CPU, each counting in its own slot; the one on CPU 2 calls
 * on_cpu2() now and then, the one on CPU 3 writes `shared` (for the
 * watchpoint), main keeps CPU 0 busy and naps. With wait_cpu3 set (by
 * gdb), on_cpu2() also waits, on one source line, until CPU 3 has counted:
 * a `next` over that line ends only if the other CPUs run meanwhile.
 */
#include <minnow.h>
#include <stdio.h>

volatile unsigned long spins[8];
volatile int hits;
volatile unsigned long shared;
volatile int wait_cpu3;

__attribute__((noinline)) void on_cpu2(void)
{
	unsigned long s3 = spins[3];

	hits++;					// #on-cpu2
	while (wait_cpu3 && spins[3] == s3) ;	// #wait-cpu3
}

static int spinner(void *arg)
{
	int me = cpu_current();

	for (;;) {
		spins[me]++;
		if (me == 2 && (spins[me] & 0x3ff) == 0)
			on_cpu2();
		if (me == 3 && (spins[me] & 0x3fff) == 0)
			shared = spins[me];	// #shared-write
		/* rarely: a yielding spinner is not the running thread */
		if ((spins[me] & 0xfffff) == 0)
			thread_yield();
	}
	return 0;
}

int main(void)
{
	for (int c = 1; c < cpu_count(); c++)
		thread_create_on(c, "spinner", spinner, NULL);
	printf("cpus %d\n", cpu_count());
	for (;;) {
		spins[0]++;
		if ((spins[0] & 0xffff) == 0)
			sleep_ms(1);
	}
	return 0;
}
