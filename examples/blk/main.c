/*
 * virtio-blk example: writes a pattern to the disk, flushes, reads it back
 * and verifies it. The pattern names its sector in every byte, so a block
 * that lands in the wrong place is caught, not just a wrong byte.
 *
 *   blk                 the demo: 256 sectors at sector 0
 *   blk test            the checks test/virtio runs: single, multi-sector,
 *                       split and batched requests, four threads doing I/O
 *                       at once, out-of-range errors;
 *                       prints PASS/FAIL per case and REGION lines that the
 *                       host verifies in the image after the VM exits
 *   blk readonly        checks that a read-only disk refuses writes
 *   blk bench <MiB>     sequential write then read, for throughput figures
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <minnow.h>
#include <minnow/blk.h>

#define BUF_SECTORS 2048	/* 1 MiB */

static uint8_t wbuf[BUF_SECTORS * BLK_SECTOR_SIZE];
static uint8_t rbuf[BUF_SECTORS * BLK_SECTOR_SIZE];
static int failures;
static int report_regions;	/* "test" mode: REGION lines for the host */

static uint8_t pattern(uint64_t sector, unsigned int i, unsigned int seed)
{
	return (uint8_t)(sector * 131 + i * 7 + seed * 29 + (sector >> 8));
}

static void fill(uint8_t *p, uint64_t sector, uint32_t count,
		 unsigned int seed)
{
	uint32_t s;
	unsigned int i;

	for (s = 0; s < count; s++)
		for (i = 0; i < BLK_SECTOR_SIZE; i++)
			p[s * BLK_SECTOR_SIZE + i] = pattern(sector + s, i, seed);
}

static void check(const char *name, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	if (!ok)
		failures++;
}

/* Writes, flushes, reads back and compares one region. */
static int roundtrip(uint64_t sector, uint32_t count, unsigned int seed)
{
	int err;

	fill(wbuf, sector, count, seed);
	memset(rbuf, 0, (size_t)count * BLK_SECTOR_SIZE);
	err = blk_write(sector, wbuf, count);
	if (!err)
		err = blk_flush();
	if (!err)
		err = blk_read(sector, rbuf, count);
	if (err) {
		printf("blk: sectors %llu+%u: error %d\n",
		       (unsigned long long)sector, count, err);
		return 0;
	}
	if (memcmp(wbuf, rbuf, (size_t)count * BLK_SECTOR_SIZE)) {
		printf("blk: sectors %llu+%u: data differs\n",
		       (unsigned long long)sector, count);
		return 0;
	}
	if (report_regions)
		printf("REGION %llu %u %u\n", (unsigned long long)sector, count,
		       seed);
	return 1;
}

/* 16 writes in flight at once, then 16 reads in flight, 8 sectors each. */
static int batch(uint64_t base, unsigned int seed)
{
	struct blk_request reqs[16];
	unsigned int i;
	int err = 0;

	fill(wbuf, base, 16 * 8, seed);
	memset(rbuf, 0, 16 * 8 * BLK_SECTOR_SIZE);
	/* a request blk_submit() refuses is done at once: waiting is safe */
	for (i = 0; i < 16; i++) {
		reqs[i] = (struct blk_request){ .op = BLK_WRITE,
			.sector = base + i * 8, .count = 8,
			.buf = wbuf + i * 8 * BLK_SECTOR_SIZE };
		blk_submit(&reqs[i]);
	}
	for (i = 0; i < 16; i++)
		err = blk_wait(&reqs[i]) ? -EIO : err;
	for (i = 0; i < 16; i++) {
		reqs[i] = (struct blk_request){ .op = BLK_READ,
			.sector = base + i * 8, .count = 8,
			.buf = rbuf + i * 8 * BLK_SECTOR_SIZE };
		blk_submit(&reqs[i]);
	}
	for (i = 0; i < 16; i++)
		err = blk_wait(&reqs[i]) ? -EIO : err;
	if (err || memcmp(wbuf, rbuf, 16 * 8 * BLK_SECTOR_SIZE))
		return 0;
	printf("REGION %llu %u %u\n", (unsigned long long)base, 16 * 8, seed);
	return 1;
}

/* More requests than the queue holds: the surplus is refused with -EAGAIN
 * (and is done at once), the rest completes. */
static int queue_full(void)
{
	static struct blk_request reqs[100];
	unsigned int i, refused = 0, ok = 0;

	for (i = 0; i < 100; i++) {
		reqs[i] = (struct blk_request){ .op = BLK_READ, .sector = i,
			.count = 1, .buf = rbuf + i * BLK_SECTOR_SIZE };
		if (blk_submit(&reqs[i]) == -EAGAIN)
			refused++;
	}
	for (i = 0; i < 100; i++) {
		int r = blk_wait(&reqs[i]);

		ok += r == 0;
		refused -= r == -EAGAIN;
	}
	printf("queue full: %u completed\n", ok);
	return ok > 0 && ok < 100 && refused == 0;
}

#define WORKERS 4
#define WORKER_SECTORS 64
#define WORKER_ROUNDS 8

struct worker {
	uint64_t base;
	unsigned int seed;
	uint8_t w[WORKER_SECTORS * BLK_SECTOR_SIZE];
	uint8_t r[WORKER_SECTORS * BLK_SECTOR_SIZE];
};

static struct worker workers[WORKERS];

/* One of several threads writing and reading back its own region: their
 * requests interleave in the queue and they sleep on the same device. */
static int worker_main(void *arg)
{
	struct worker *wk = arg;
	unsigned int round, seed = 0;

	for (round = 0; round < WORKER_ROUNDS; round++) {
		seed = wk->seed + round;
		fill(wk->w, wk->base, WORKER_SECTORS, seed);
		if (blk_write(wk->base, wk->w, WORKER_SECTORS) ||
		    blk_read(wk->base, wk->r, WORKER_SECTORS) ||
		    memcmp(wk->w, wk->r, sizeof(wk->w)))
			return 1;
	}
	if (blk_flush())
		return 1;
	printf("REGION %llu %u %u\n", (unsigned long long)wk->base,
	       WORKER_SECTORS, seed);
	return 0;
}

static int threads(uint64_t base)
{
	struct thread *t[WORKERS];
	unsigned int i;
	int bad = 0;

	for (i = 0; i < WORKERS; i++) {
		workers[i].base = base + i * WORKER_SECTORS;
		workers[i].seed = 10 + i * WORKER_ROUNDS;
		t[i] = thread_create("blkworker", worker_main, &workers[i]);
		if (!t[i])
			return 0;
	}
	for (i = 0; i < WORKERS; i++)
		bad |= thread_join(t[i]);
	return !bad;
}

static int run_tests(void)
{
	uint64_t cap = blk_capacity();
	uint8_t one[BLK_SECTOR_SIZE];
	struct blk_request r = { .op = BLK_READ, .count = 0, .buf = one };

	printf("capacity %llu\n", (unsigned long long)cap);
	check("capacity", cap >= 8192);
	if (cap < 8192)
		return 1;
	check("single sector", roundtrip(0, 1, 1));
	check("multi sector", roundtrip(8, 100, 2));
	check("split request", roundtrip(200, BUF_SECTORS, 3));
	check("batch of 16 in flight", batch(2300, 4));
	check("overwrite", roundtrip(8, 100, 5));
	check("four threads at once", threads(2600));
	check("queue full says -EAGAIN", queue_full());
	check("last sector", roundtrip(cap - 1, 1, 6));
	check("read past the end", blk_read(cap, one, 1) == -ERANGE);
	check("write across the end", blk_write(cap - 1, wbuf, 2) == -ERANGE);
	check("zero-length request", blk_submit(&r) == -EINVAL);
	check("flush", blk_flush() == 0);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "DONE", failures);
	return failures ? 1 : 0;
}

static int run_readonly(void)
{
	check("read-only disk", blk_read_only());
	check("write is -EPERM", blk_write(0, wbuf, 1) == -EPERM);
	check("read works", blk_read(0, rbuf, 1) == 0);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "DONE", failures);
	return failures ? 1 : 0;
}

static int run_bench(unsigned int mib)
{
	uint32_t chunks = mib, i;
	uint64_t t0;
	int err = 0;

	if ((uint64_t)mib * BUF_SECTORS > blk_capacity()) {
		printf("bench: disk too small for %u MiB\n", mib);
		return 1;
	}
	fill(wbuf, 0, BUF_SECTORS, 7);
	/* the guest's clock: console lines arrive at the host in batches */
	printf("BENCH write start\n");
	t0 = time_ns();
	for (i = 0; i < chunks && !err; i++)
		err = blk_write((uint64_t)i * BUF_SECTORS, wbuf, BUF_SECTORS);
	if (!err)
		err = blk_flush();
	printf("BENCH write ns %llu\n", (unsigned long long)(time_ns() - t0));
	printf("BENCH write end %d\n", err);
	printf("BENCH read start\n");
	t0 = time_ns();
	for (i = 0; i < chunks && !err; i++)
		err = blk_read((uint64_t)i * BUF_SECTORS, rbuf, BUF_SECTORS);
	printf("BENCH read ns %llu\n", (unsigned long long)(time_ns() - t0));
	printf("BENCH read end %d\n", err);
	return err ? 1 : 0;
}

static unsigned int parse_uint(const char *s)
{
	unsigned int v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned int)(*s++ - '0');
	return v;
}

int main(int argc, char **argv)
{
	if (blk_capacity() == 0) {
		printf("blk: no disk (add \"disk\" to minnow.json)\n");
		return 2;
	}
	if (argc > 1 && strcmp(argv[1], "test") == 0) {
		report_regions = 1;
		return run_tests();
	}
	if (argc > 1 && strcmp(argv[1], "readonly") == 0)
		return run_readonly();
	if (argc > 2 && strcmp(argv[1], "bench") == 0)
		return run_bench(parse_uint(argv[2]));
	if (!roundtrip(0, 256, 1)) {
		printf("blk: verification failed\n");
		return 1;
	}
	printf("blk: wrote, flushed and verified 256 sectors (%llu on the disk)\n",
	       (unsigned long long)blk_capacity());
	return 0;
}
