/*
 * smp: the SMP benchmark of bench/measures/smp.ts (issue 11). One mode a
 * boot, from argv; every figure is timed in the guest with time_ns() (the
 * TSC, which TCG passes through from the host, so it is wall time).
 *
 *   rtt <samples> <cpu> <rounds>
 *                         <rounds> round trips of a 16-byte message
 *                         between main on CPU 0 and an echo thread on CPU
 *                         <cpu>, over a channel each way; <cpu> 0 puts
 *                         both threads on CPU 0 (the same-CPU baseline).
 *                         Both sides block in channel_recv, so a CPU with
 *                         nothing to do halts and is woken by an IPI, as
 *                         in real use.
 *   rttpoll <samples> <cpu> <rounds>
 *                         the same, but both sides poll (CHANNEL_NOWAIT,
 *                         yielding between tries): no CPU halts.
 *   tput <samples> <cpu>  a producer on CPU <cpu> sends 16-byte messages
 *                         into one channel of CHANNEL_SLOTS, main on CPU 0
 *                         receives them; messages per second.
 *   job <samples>         a CPU-bound job (count the primes below
 *                         JOB_LIMIT by trial division) cut into JOB_CHUNKS
 *                         pieces handed out through one channel to a
 *                         worker on every CPU; the time from the first
 *                         piece sent to the last count received.
 *
 * Output, one line per sample after one warm-up sample, then "SMP done":
 *   SMP rtt ns=<ns per round trip>
 *   SMP tput mps=<messages per second>
 *   SMP job us=<microseconds> primes=<count> cpus=<CPUs used>
 */
#include <errno.h>
#include <minnow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RTT_ROUNDS 2000		/* round trips a sample (argv[4]) */
#define TPUT_MESSAGES 100000	/* messages per sample */
#define CHANNEL_SLOTS 256
#define JOB_LIMIT 1000000	/* primes below it: 78498 */
#define JOB_CHUNKS 64
#define JOB_STOP 0xffffffffu	/* the chunk number that ends a worker */

struct msg {
	uint64_t seq;
	uint64_t payload;
};

struct pair {
	struct channel *to, *from;
	bool poll;
	int rounds;
};

/*
 * Blocking receive, or (poll) a receive that never blocks: it yields
 * between tries, which on a CPU of its own returns at once (a spin) and
 * on a shared CPU runs the other side.
 */
static int pair_recv(struct pair *p, struct channel *c, struct msg *m)
{
	int err;

	if (!p->poll)
		return channel_recv(c, m, 0);
	while ((err = channel_recv(c, m, CHANNEL_NOWAIT)) == -EAGAIN)
		thread_yield();
	return err;
}

static int echo(void *arg)
{
	struct pair *p = arg;
	struct msg m;

	for (int i = 0; i < p->rounds; i++) {
		if (pair_recv(p, p->to, &m) != 0 ||
		    channel_send(p->from, &m, 0) != 0)
			return 1;
	}
	return 0;
}

static uint64_t rtt_sample(int cpu, bool poll, int rounds)
{
	struct pair p = {
		.to = channel_create("rtt to", 1, sizeof(struct msg)),
		.from = channel_create("rtt from", 1, sizeof(struct msg)),
		.poll = poll,
		.rounds = rounds,
	};
	struct thread *t;
	struct msg m = { 0 };
	uint64_t t0, ns;

	t = p.to && p.from ? thread_create_on(cpu, "echo", echo, &p) : NULL;
	if (!t)
		panic("smp: cannot start the echo thread on CPU %d", cpu);
	/* timed from the second round trip: the echo thread is waiting then */
	t0 = time_ns();
	for (int i = 0; i < rounds; i++) {
		m.seq = i;
		if (i == 1)
			t0 = time_ns();
		if (channel_send(p.to, &m, 0) != 0 ||
		    pair_recv(&p, p.from, &m) != 0 || m.seq != (uint64_t)i)
			panic("smp: round trip %d failed", i);
	}
	ns = (time_ns() - t0) / (rounds - 1);
	if (thread_join(t) != 0)
		panic("smp: echo thread failed");
	channel_destroy(p.to);
	channel_destroy(p.from);
	return ns;
}

static int producer(void *arg)
{
	struct channel *c = arg;
	struct msg m = { 0 };

	for (uint64_t i = 0; i < TPUT_MESSAGES; i++) {
		m.seq = i;
		m.payload = i * 2654435761u;
		if (channel_send(c, &m, 0) != 0)
			return 1;
	}
	return 0;
}

static uint64_t tput_sample(int cpu)
{
	struct channel *c = channel_create("tput", CHANNEL_SLOTS,
					   sizeof(struct msg));
	struct thread *t;
	struct msg m;
	uint64_t t0, ns;

	t0 = time_ns();
	t = c ? thread_create_on(cpu, "producer", producer, c) : NULL;
	if (!t)
		panic("smp: cannot start the producer on CPU %d", cpu);
	for (uint64_t i = 0; i < TPUT_MESSAGES; i++) {
		if (channel_recv(c, &m, 0) != 0 || m.seq != i ||
		    m.payload != i * 2654435761u)
			panic("smp: message %llu lost or changed",
			      (unsigned long long)i);
	}
	ns = time_ns() - t0;
	if (thread_join(t) != 0)
		panic("smp: producer failed");
	channel_destroy(c);
	return (uint64_t)TPUT_MESSAGES * 1000000000ull / (ns ? ns : 1);
}

struct job {
	struct channel *work;	/* chunk numbers, JOB_STOP at the end */
	struct channel *counts;		/* primes per chunk */
};

static bool is_prime(uint32_t n)
{
	if (n < 2)
		return false;
	for (uint32_t d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

static int job_worker(void *arg)
{
	struct job *j = arg;
	uint32_t chunk, per = JOB_LIMIT / JOB_CHUNKS;

	for (;;) {
		uint32_t count = 0;

		if (channel_recv(j->work, &chunk, 0) != 0)
			return 1;
		if (chunk == JOB_STOP)
			return 0;
		for (uint32_t n = chunk * per; n < (chunk + 1) * per; n++)
			count += is_prime(n);
		if (channel_send(j->counts, &count, 0) != 0)
			return 1;
	}
}

static uint64_t job_sample(uint32_t *primes)
{
	int n = cpu_count();
	struct job j = {
		/* room for every chunk and stop: main never waits to send */
		.work = channel_create("job work", JOB_CHUNKS + n, 4),
		.counts = channel_create("job counts", JOB_CHUNKS, 4),
	};
	struct thread *t[64];
	uint32_t stop = JOB_STOP, count;
	uint64_t t0, ns;

	if (!j.work || !j.counts || n > 64)
		panic("smp: cannot set up the job");
	for (int c = 0; c < n; c++) {
		t[c] = thread_create_on(c, "job", job_worker, &j);
		if (!t[c])
			panic("smp: cannot start a worker on CPU %d", c);
	}
	t0 = time_ns();
	for (uint32_t k = 0; k < JOB_CHUNKS; k++)
		channel_send(j.work, &k, 0);
	for (int c = 0; c < n; c++)
		channel_send(j.work, &stop, 0);
	/* main blocks here: CPU 0's worker runs meanwhile */
	*primes = 0;
	for (int k = 0; k < JOB_CHUNKS; k++) {
		if (channel_recv(j.counts, &count, 0) != 0)
			panic("smp: lost a count");
		*primes += count;
	}
	ns = time_ns() - t0;
	for (int c = 0; c < n; c++)
		if (thread_join(t[c]) != 0)
			panic("smp: a worker failed");
	channel_destroy(j.work);
	channel_destroy(j.counts);
	return ns;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int samples = argc > 2 ? atoi(argv[2]) : 3;
	int cpu = argc > 3 ? atoi(argv[3]) : 0;
	int rounds = argc > 4 ? atoi(argv[4]) : RTT_ROUNDS;
	uint32_t primes;

	if (cpu < 0 || cpu >= cpu_count() || rounds < 2) {
		printf("smp: no CPU %d (%d online), or fewer than 2 rounds\n",
		       cpu, cpu_count());
		return 2;
	}
	for (int i = -1; i < samples; i++) {
		if (strcmp(mode, "rtt") == 0 || strcmp(mode, "rttpoll") == 0) {
			uint64_t ns = rtt_sample(cpu, mode[3] == 'p', rounds);

			if (i >= 0)
				printf("SMP %s ns=%llu\n", mode,
				       (unsigned long long)ns);
		} else if (strcmp(mode, "tput") == 0) {
			uint64_t mps = tput_sample(cpu);

			if (i >= 0)
				printf("SMP tput mps=%llu\n",
				       (unsigned long long)mps);
		} else if (strcmp(mode, "job") == 0) {
			uint64_t ns = job_sample(&primes);

			if (i >= 0)
				printf("SMP job us=%llu primes=%u cpus=%d\n",
				       (unsigned long long)(ns / 1000), primes,
				       cpu_count());
		} else {
			printf("smp: usage: rtt|tput|job <samples> [cpu]\n");
			return 2;
		}
	}
	printf("SMP done\n");
	return 0;
}
