/*
 * The adapter's SMP test application (4 CPUs): a worker pinned to every
 * other CPU with thread_create_on, main busy on CPU 0. Nobody yields or
 * sleeps, so a stop finds each CPU running its own thread, inside that
 * thread's function. Once every thread has started, the worker on CPU 2
 * calls on_cpu2() now and then, where the tests put their breakpoint.
 */
#include <minnow.h>
#include <stdio.h>

#define WORKERS_MAX 16

static const char *const names[WORKERS_MAX] = {
	"main", "worker-1", "worker-2", "worker-3", "worker-4", "worker-5",
	"worker-6", "worker-7", "worker-8", "worker-9", "worker-10",
	"worker-11", "worker-12", "worker-13", "worker-14", "worker-15",
};

volatile unsigned long spins[WORKERS_MAX];
volatile int started;
volatile int hits;

__attribute__((noinline)) void on_cpu2(void)
{
	hits++;					// #on-cpu2
}

static int worker(void *arg)
{
	int me = cpu_current();

	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		spins[me]++;			// #worker-spin
		/* only once all (main too) are in their loops: a stop finds them there */
		if (me == 2 && started == cpu_count() &&
		    (spins[me] & 0xfff) == 0)
			on_cpu2();
	}
	return 0;
}

int main(void)
{
	int cpus = cpu_count();

	/* before the workers: the stop must find main in its loop, not the UART */
	printf("smp: %d cpus\n", cpus);
	for (int c = 1; c < cpus && c < WORKERS_MAX; c++)
		thread_create_on(c, names[c], worker, NULL);
	/* past thread_create_on's wake-up of the last CPU: main is in its loop */
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		spins[0]++;			// #main-spin
	return 0;
}
