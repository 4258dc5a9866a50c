/*
 * peer-smp: the Linux side of the cross-CPU round trip (bench/measures/peer-smp.ts, issue 11),
 * the counterpart of bench/apps/smp's rtt and rttpoll modes. main, pinned to CPU 0, hands a
 * 16-byte message to an echo thread pinned to CPU <cpu> through a one-slot mailbox and waits for
 * it to come back through another, <rounds> times a sample. Blocking (rtt): each mailbox is a
 * POSIX semaphore pair around the slot (futexes: a waiting CPU with nothing else to run idles
 * and is woken by an IPI, as Minnow's channels). Polling (rttpoll): each side spins on the
 * slot's sequence number with sched_yield() between looks. The same static binary runs in the
 * Linux microVM and on the host (the limit).
 *
 * usage: peer-smp rtt|rttpoll SAMPLES CPU ROUNDS
 * output: "SMP <mode> ns=<ns per round trip>" per sample (after one warm-up), then "SMP done"
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct msg {
	uint64_t seq;
	uint64_t payload;
};

/* One message in flight: `full` counts it for the blocking mode, `seq` for the polling one. */
struct mailbox {
	sem_t full;
	volatile uint64_t seq;
	struct msg slot;
};

struct pair {
	struct mailbox to, from;
	int poll, rounds, cpu;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("peer-smp: sched_setaffinity");
		exit(2);
	}
}

static void mailbox_put(struct pair *p, struct mailbox *b, const struct msg *m)
{
	memcpy(&b->slot, m, sizeof(*m));
	if (p->poll)
		__atomic_store_n(&b->seq, m->seq + 1, __ATOMIC_RELEASE);
	else
		sem_post(&b->full);
}

static void mailbox_get(struct pair *p, struct mailbox *b, uint64_t seq, struct msg *m)
{
	if (p->poll) {
		while (__atomic_load_n(&b->seq, __ATOMIC_ACQUIRE) != seq + 1)
			sched_yield();
	} else {
		while (sem_wait(&b->full) != 0)
			;
	}
	memcpy(m, &b->slot, sizeof(*m));
}

static void *echo(void *arg)
{
	struct pair *p = arg;
	struct msg m;

	pin(p->cpu);
	for (int i = 0; i < p->rounds; i++) {
		mailbox_get(p, &p->to, (uint64_t)i, &m);
		mailbox_put(p, &p->from, &m);
	}
	return NULL;
}

static uint64_t sample(int poll, int cpu, int rounds)
{
	struct pair p = { .poll = poll, .rounds = rounds, .cpu = cpu };
	struct msg m = { 0 };
	pthread_t t;
	uint64_t t0 = 0;

	sem_init(&p.to.full, 0, 0);
	sem_init(&p.from.full, 0, 0);
	if (pthread_create(&t, NULL, echo, &p) != 0) {
		perror("peer-smp: pthread_create");
		exit(2);
	}
	for (int i = 0; i < rounds; i++) {
		if (i == 1)
			t0 = now_ns(); /* from the second: the echo thread is waiting then */
		m.seq = (uint64_t)i;
		m.payload = (uint64_t)i * 2654435761u;
		mailbox_put(&p, &p.to, &m);
		mailbox_get(&p, &p.from, (uint64_t)i, &m);
		if (m.seq != (uint64_t)i) {
			fprintf(stderr, "peer-smp: round trip %d came back as %llu\n", i, (unsigned long long)m.seq);
			exit(1);
		}
	}
	uint64_t ns = (now_ns() - t0) / (uint64_t)(rounds - 1);
	pthread_join(t, NULL);
	sem_destroy(&p.to.full);
	sem_destroy(&p.from.full);
	return ns;
}

int main(int argc, char **argv)
{
	if (argc != 5 || (strcmp(argv[1], "rtt") != 0 && strcmp(argv[1], "rttpoll") != 0)) {
		fprintf(stderr, "usage: peer-smp rtt|rttpoll SAMPLES CPU ROUNDS\n");
		return 2;
	}
	int poll = strcmp(argv[1], "rttpoll") == 0;
	int samples = atoi(argv[2]), cpu = atoi(argv[3]), rounds = atoi(argv[4]);

	if (rounds < 2 || samples < 1) {
		fprintf(stderr, "peer-smp: at least 1 sample of 2 round trips\n");
		return 2;
	}
	pin(0);
	for (int i = -1; i < samples; i++) {
		uint64_t ns = sample(poll, cpu, rounds);

		if (i >= 0)
			printf("SMP %s ns=%llu\n", argv[1], (unsigned long long)ns);
		fflush(stdout);
	}
	printf("SMP done\n");
	return 0;
}
