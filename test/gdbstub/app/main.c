/*
 * Test application for test/gdbstub. The tests find lines by their
 * "// #name" comments, never by number. argv[1] picks a scenario:
 *   (none)  compute, print "result N", return 0
 *   spin    busy loop until gdb changes `spin_stop`
 *   idle    sleep (the CPU idles) until gdb changes `spin_stop`
 *   div0    divide by zero          null   NULL dereference
 *   panic   abort through panic()
 * Threads park before main's work starts, for `info threads` and
 * `thread N` + `bt`: netrx blocks on the wait queue "rxq", sleeper sleeps,
 * ticker wakes every millisecond (a parked thread gdb can step).
 */
#include <minnow.h>
#include <stdio.h>
#include <string.h>

struct point {
	int x;
	int y;
	const char *label;
};

volatile int counter;			/* watched by watch/rwatch/awatch */
volatile int spin_stop;
int numbers[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
struct point origin = { 3, 4, "origin" };
struct point *cursor = &origin;
volatile int zero;
unsigned char blob[65536];		/* 64 KiB for the throughput figure */

static struct waitq rxq = WAITQ_INITIALIZER("rxq");

static int netrx(void *arg)
{
	waitq_wait(&rxq, 0);			// #netrx-wait
	return 0;
}

volatile int ticks;

static int ticker(void *arg)
{
	for (;;) {
		sleep_ms(1);
		ticks++;			// #ticker-tick
	}
	return 0;
}

static int sleeper(void *arg)
{
	sleep_ms(3600 * 1000);			// #sleeper-sleep
	return 0;
}

__attribute__((noinline)) int square(int v)
{
	int r = v * v;				// #square-body

	return r;				// #square-return
}

__attribute__((noinline)) int sum_squares(int n)
{
	int total = 0;				// #sum-start

	for (int i = 0; i < n; i++) {
		total += square(numbers[i]);	// #sum-call
		counter = counter + 1;		// #counter-write
	}
	return total;				// #sum-return
}

__attribute__((noinline)) int peek_counter(void)
{
	return counter;				// #counter-read
}

__attribute__((noinline)) void spin(void)
{
	while (!spin_stop)			// #spin-loop
		counter++;
}

/*
 * Instructions that read or write IF, for the single-step tests: the
 * stepped code must see its own IF (1 in a thread), never the stub's.
 */
__attribute__((noinline)) unsigned long flags_dance(void)
{
	unsigned long f;

	__asm__ volatile("pushfq\n\t"		// #flags-pushf
			 "cli\n\t"
			 "sti\n\t"
			 "pushfq\n\t"
			 "popfq\n\t"
			 "popq %0"
			 : "=r"(f) : : "memory");
	return f;
}

/* One source line that runs a loop: `next` over it is one vCont;r round
 * trip through the kernel's stub, hundreds of single steps without it. */
__attribute__((noinline)) int busy_line(int n)
{
	int acc = 0;

	for (int k = 0; k < n; k++) acc += k * 3;	// #busy-line
	return acc;				// #busy-return
}

volatile int busy_result;

/* main sleeps here, so that the ticker runs: stepping a parked thread */
__attribute__((noinline)) void nap(void)
{
	sleep_ms(20);				// #nap
}

__attribute__((noinline)) int divide(int a, int b)
{
	return a / b;				// #div0
}

__attribute__((noinline)) int deref(int *p)
{
	return *p;				// #null
}

int main(int argc, char **argv)
{
	int result;

	thread_create("netrx", netrx, NULL);
	thread_create("sleeper", sleeper, NULL);
	thread_create("ticker", ticker, NULL);
	thread_yield();				/* both park before we go on */
	for (unsigned int i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i * 7);
	if (argc > 1 && strcmp(argv[1], "spin") == 0)
		spin();
	if (argc > 1 && strcmp(argv[1], "idle") == 0)
		while (!spin_stop)
			sleep_ms(5);		// #idle-sleep
	if (argc > 1 && strcmp(argv[1], "div0") == 0)
		printf("div %d\n", divide(1, zero));
	if (argc > 1 && strcmp(argv[1], "null") == 0)
		printf("null %d\n", deref((int *)(long)zero));
	if (argc > 1 && strcmp(argv[1], "panic") == 0)
		panic("test panic %d", zero);		// #panic
	nap();
	if (!(flags_dance() & (1ul << 9)))
		printf("flags_dance lost IF\n");
	result = sum_squares(8);		// #main-call
	busy_result = busy_line(200);
	printf("result %d peek %d label %s\n", result, peek_counter(),
	       cursor->label);			// #main-print
	return 0;
}
