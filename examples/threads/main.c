/*
 * threads: Minnow's cooperative scheduler at work, after Toro's Scheduler
 * example. A producer hands jobs to three workers through a wait queue,
 * the workers yield while they compute, a ticker sleeps in between, and
 * main joins them all and prints a summary that is the same on every run
 * (which worker took which job may differ; the results may not).
 */
#include <minnow.h>
#include <stdio.h>

#define WORKERS 3
#define JOBS 12
#define BATCH 4

static struct waitq work_ready = WAITQ_INITIALIZER("work ready");
static int queue[JOBS];
static int queue_head, queue_tail;
static bool closing;
static int steps[JOBS + 1];	/* steps[job]: Collatz steps of job * 27 */
static int taken[WORKERS];

/* Counts Collatz steps, yielding every 16 so the others get the CPU. */
static int collatz(long n)
{
	int count = 0;

	while (n != 1) {
		n = (n % 2) ? 3 * n + 1 : n / 2;
		if (++count % 16 == 0)
			thread_yield();
	}
	return count;
}

static int producer(void *arg)
{
	for (int job = 1; job <= JOBS; job++) {
		queue[queue_tail++] = job;
		waitq_wake_one(&work_ready);
		if (job % BATCH == 0) {
			printf("[%s] queued %d jobs, resting 2 ms\n",
			       thread_name(thread_current()), job);
			sleep_ms(2);
		}
	}
	closing = true;
	waitq_wake_all(&work_ready);
	return 0;
}

static int worker(void *arg)
{
	int me = (int)(long)arg;

	for (;;) {
		while (queue_head == queue_tail && !closing)
			waitq_wait(&work_ready, 0);
		if (queue_head == queue_tail)
			return taken[me];
		int job = queue[queue_head++];

		steps[job] = collatz(job * 27L);
		taken[me]++;
	}
}

static int ticker(void *arg)
{
	for (int i = 1; i <= 3; i++) {
		sleep_ms(3);
		printf("[%s] tick %d at %llu ms\n", thread_name(thread_current()),
		       i, (unsigned long long)time_ms());
	}
	return 3;
}

int main(int argc, char **argv)
{
	struct thread *workers[WORKERS], *prod, *tick;
	char name[16];
	int done = 0, total = 0;

	printf("threads: %d workers, %d jobs\n", WORKERS, JOBS);
	for (long i = 0; i < WORKERS; i++) {
		snprintf(name, sizeof(name), "worker-%ld", i + 1);
		workers[i] = thread_create(name, worker, (void *)i);
	}
	prod = thread_create("producer", producer, NULL);
	tick = thread_create("ticker", ticker, NULL);

	for (int i = 0; i < WORKERS; i++)
		done += thread_join(workers[i]);
	thread_join(prod);
	thread_join(tick);

	printf("summary:\n");
	for (int job = 1; job <= JOBS; job++) {
		printf("  job %2d: %3ld takes %3d steps\n", job, job * 27L,
		       steps[job]);
		total += steps[job];
	}
	printf("  %d jobs done by %d workers, %d steps in all\n", done,
	       WORKERS, total);
	return done == JOBS ? 0 : 1;
}
