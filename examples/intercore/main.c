/*
 * intercore: CPUs that pass work and results to each other through
 * channels, after Toro's InterCoreComm example.
 *
 * main runs on CPU 0 and is the dispatcher. It puts one worker thread on
 * every other CPU, each with an inbox of its own (a channel), and one
 * channel for the results that every worker sends into. Then:
 *
 *   1. a ping to each worker and its pong back: the shortest message round
 *      trip from one CPU to another and back;
 *   2. JOBS jobs, dealt to the workers in turn: each counts the primes in
 *      a block of numbers and sends back its count, the CPU it ran on and
 *      the job's number;
 *   3. a stop message to each worker, and a join.
 *
 * Only CPU 0 prints, and it prints the results in job order, so the
 * output is the same on every run: which job finishes first varies from
 * run to run, what is printed does not. The workers' answers are checked
 * (every job answered once, by the CPU it was sent to, the primes adding
 * up to the known count) and main returns 0 only if all of it holds.
 *
 * "cpus": 4 in minnow.json gives three workers, on CPUs 1, 2 and 3.
 * `minnow run --cpus 2` gives one worker, on CPU 1. With one CPU
 * (`--cpus 1`) there is no other CPU, so the single worker runs on CPU 0
 * beside main: channels work between threads of one CPU too, a blocked
 * receiver simply lets the other thread run.
 */
#include <minnow.h>
#include <stdio.h>

#define JOBS 20		/* jobs handed out */
#define BLOCK 5000	/* job j: the numbers in [j*BLOCK, (j+1)*BLOCK) */
/* pi(100000): the number of primes below JOBS * BLOCK (OEIS A006880) */
#define PRIMES_BELOW_100000 9592
#define INBOX_SLOTS 4	/* few on purpose: a full inbox makes CPU 0 wait */
#define MAX_WORKERS 15	/* the kernel runs at most 16 CPUs */

enum work_kind { WORK_PING, WORK_PRIMES, WORK_STOP };

/* CPU 0 -> a worker. Channels copy messages, so plain structs do. */
struct work {
	enum work_kind kind;
	int job;
	unsigned int first, last;	/* count primes in [first, last) */
};

/* A worker -> CPU 0. */
struct result {
	enum work_kind kind;	/* WORK_PING: a pong */
	int job;
	int worker;
	int cpu;		/* where the worker ran when it answered */
	int primes;
};

struct worker {
	int index;
	int cpu;
	struct channel *inbox;
	struct channel *results;	/* shared by every worker */
	struct thread *thread;
};

static bool is_prime(unsigned int n)
{
	if (n < 2)
		return false;
	for (unsigned int d = 2; d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

static int count_primes(unsigned int first, unsigned int last)
{
	int count = 0;

	for (unsigned int n = first; n < last; n++)
		count += is_prime(n);
	return count;
}

/*
 * A worker waits on its inbox (the CPU halts while it is empty), does
 * what each message asks and answers on the shared results channel. Its
 * exit code is the number of jobs it did.
 */
static int worker_main(void *arg)
{
	struct worker *w = arg;
	struct work in;
	struct result out;
	int done = 0;

	for (;;) {
		if (channel_recv(w->inbox, &in, 0) != 0)
			return -1;
		if (in.kind == WORK_STOP)
			return done;
		out.kind = in.kind;
		out.job = in.job;
		out.worker = w->index;
		out.cpu = cpu_current();
		out.primes = 0;
		if (in.kind == WORK_PRIMES) {
			out.primes = count_primes(in.first, in.last);
			done++;
		}
		if (channel_send(w->results, &out, 0) != 0)
			return -1;
	}
}

/* Worker i lives on CPU i + 1, or on CPU 0 when that is the only one. */
static int worker_cpu(int i)
{
	return cpu_count() > 1 ? i + 1 : 0;
}

int main(int argc, char **argv)
{
	static struct worker workers[MAX_WORKERS];
	static struct result by_job[JOBS];	/* .worker 0: no answer yet */
	struct channel *results;
	struct work job;
	struct result r;
	char name[16];
	int nworkers = cpu_count() > 1 ? cpu_count() - 1 : 1;
	int bad = 0, total = 0, done = 0;

	if (nworkers > MAX_WORKERS)
		nworkers = MAX_WORKERS;
	printf("intercore: %d CPU%s, %d worker%s, %d jobs\n", cpu_count(),
	       cpu_count() == 1 ? "" : "s", nworkers, nworkers == 1 ? "" : "s",
	       JOBS);

	/*
	 * Room for every result at once: a worker then never waits on CPU 0
	 * while CPU 0 waits on that worker's full inbox (a deadlock).
	 */
	results = channel_create("results", JOBS + nworkers,
				 sizeof(struct result));
	if (!results)
		panic("intercore: no memory for the results channel");
	for (int i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		snprintf(name, sizeof(name), "inbox-%d", i + 1);
		w->index = i + 1;
		w->cpu = worker_cpu(i);
		w->results = results;
		w->inbox = channel_create(name, INBOX_SLOTS,
					  sizeof(struct work));
		snprintf(name, sizeof(name), "worker-%d", i + 1);
		w->thread = w->inbox ? thread_create_on(w->cpu, name,
							worker_main, w) : NULL;
		if (!w->thread)
			panic("intercore: cannot start %s on CPU %d", name,
			      w->cpu);
	}

	/* 1. Ping each worker in turn and wait for its pong. */
	for (int i = 0; i < nworkers; i++) {
		job = (struct work){ .kind = WORK_PING, .job = -1 };
		channel_send(workers[i].inbox, &job, 0);
		channel_recv(results, &r, 0);
		printf("CPU %d -> CPU %d: ping\n", cpu_current(),
		       workers[i].cpu);
		printf("CPU %d -> CPU %d: pong from worker-%d\n", r.cpu,
		       cpu_current(), r.worker);
		if (r.kind != WORK_PING || r.worker != workers[i].index ||
		    r.cpu != workers[i].cpu)
			bad++;
	}

	/*
	 * 2. Deal the jobs round robin. send blocks while a worker's inbox
	 * is full; on one CPU that is what lets the worker run.
	 */
	for (int j = 0; j < JOBS; j++) {
		job = (struct work){ .kind = WORK_PRIMES, .job = j,
				     .first = j * BLOCK,
				     .last = (j + 1) * BLOCK };
		channel_send(workers[j % nworkers].inbox, &job, 0);
	}
	/* The results come back in whatever order the CPUs finish. */
	for (int n = 0; n < JOBS; n++) {
		channel_recv(results, &r, 0);
		if (r.kind != WORK_PRIMES || r.job < 0 || r.job >= JOBS ||
		    by_job[r.job].worker != 0) {
			bad++;
			continue;
		}
		by_job[r.job] = r;
	}

	/* 3. Stop the workers; each returns how many jobs it did. */
	job = (struct work){ .kind = WORK_STOP };
	for (int i = 0; i < nworkers; i++)
		channel_send(workers[i].inbox, &job, 0);
	for (int i = 0; i < nworkers; i++) {
		int jobs = thread_join(workers[i].thread);

		printf("worker-%d on CPU %d did %d jobs\n", workers[i].index,
		       workers[i].cpu, jobs);
		done += jobs;
		channel_destroy(workers[i].inbox);
	}
	channel_destroy(results);

	/* The summary, in job order: the same text on every run. */
	for (int j = 0; j < JOBS; j++) {
		struct result *x = &by_job[j];
		struct worker *w = &workers[j % nworkers];

		printf("job %2d: primes in [%6d, %6d): %3d, on CPU %d\n", j,
		       j * BLOCK, (j + 1) * BLOCK, x->primes, x->cpu);
		if (x->worker != w->index || x->cpu != w->cpu)
			bad++;
		total += x->primes;
	}
	printf("primes below %d: %d (expected %d)\n", JOBS * BLOCK, total,
	       PRIMES_BELOW_100000);
	if (total != PRIMES_BELOW_100000 || done != JOBS)
		bad++;
	printf("%s\n", bad ? "intercore: FAILED" : "intercore: ok");
	return bad ? 1 : 0;
}
