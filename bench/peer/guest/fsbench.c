/*
 * peer-fsbench: the file benchmark of the benchmark peer (bench/peer), run in the Linux microVM
 * on each of its filesystems and on the host (the limit). It times, with CLOCK_MONOTONIC:
 *   - a sequential write of MIB MiB in 1 MiB writes, fsync included;
 *   - a sequential read of the same file in 1 MiB reads, after asking the kernel to drop the
 *     file's cached pages (POSIX_FADV_DONTNEED: per file, no root needed), so that the read
 *     reaches the device where the filesystem has one;
 *   - FILES small files (1 KiB each) created in a fresh directory, then stat() of each.
 * and prints one line that bench/lib/netbench.ts (parseFsbench) reads:
 *   FSBENCH dir=D mib=M files=N write_mib_s=W read_mib_s=R create_per_s=C stat_per_s=S
 * Everything it made is removed before it exits. usage: peer-fsbench DIR MIB FILES
 * Integer arithmetic only, and the clock and the cache hint in fsbench_posix.c or
 * fsbench_minnow.c: the same file is built for Linux, the host and Minnow (whose applications
 * have no floating point: -mgeneral-regs-only).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fsbench.h"

#define FSB_CHUNK (1024 * 1024)
#define FSB_SMALL 1024
#define FSB_PATH 1024
/* room for "/f" and a long's digits after a directory name of up to FSB_PATH bytes */
#define FSB_NAME (FSB_PATH + 32)

static char fsb_buf[FSB_CHUNK];

#define NS_PER_S 1000000000ULL

/* n things in ns nanoseconds, per second, in tenths (printed as N.N) */
static unsigned long long fsb_rate10(unsigned long long n, unsigned long long ns)
{
	return ns ? n * 10 * NS_PER_S / ns : 0;
}

static int fsb_fail(const char *what, const char *path)
{
	fprintf(stderr, "peer-fsbench: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static int fsb_sequential(const char *file, long mib, unsigned long long *wrate, unsigned long long *rrate)
{
	unsigned long long t0;
	long i;
	int fd;

	for (i = 0; i < FSB_CHUNK; i++)
		fsb_buf[i] = (char)(i * 7 + 1);
	fd = open(file, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return fsb_fail("open", file);
	t0 = fsb_now_ns();
	for (i = 0; i < mib; i++)
		if (write(fd, fsb_buf, FSB_CHUNK) != FSB_CHUNK)
			return fsb_fail("write", file);
	if (fsync(fd) < 0)
		return fsb_fail("fsync", file);
	*wrate = fsb_rate10(mib, fsb_now_ns() - t0);
	/* the pages are clean after fsync: dropping them makes the read go to the device */
	fsb_drop_cache(fd);
	close(fd);

	fd = open(file, O_RDONLY);
	if (fd < 0)
		return fsb_fail("open", file);
	t0 = fsb_now_ns();
	for (i = 0;; i++) {
		ssize_t n = read(fd, fsb_buf, FSB_CHUNK);

		if (n < 0)
			return fsb_fail("read", file);
		if (n == 0)
			break;
		if (n != FSB_CHUNK) {
			errno = EIO;
			return fsb_fail("short read of", file);
		}
	}
	*rrate = fsb_rate10(mib, fsb_now_ns() - t0);
	close(fd);
	if (i != mib) {
		errno = EIO;
		return fsb_fail("read back a different size from", file);
	}
	return unlink(file) < 0 ? fsb_fail("unlink", file) : 0;
}

static int fsb_small(const char *dir, long files, unsigned long long *crate, unsigned long long *srate)
{
	char path[FSB_NAME];
	struct stat st;
	unsigned long long t0;
	long i;

	if (mkdir(dir, 0755) < 0)
		return fsb_fail("mkdir", dir);
	t0 = fsb_now_ns();
	for (i = 0; i < files; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			return fsb_fail("create", path);
		if (write(fd, fsb_buf, FSB_SMALL) != FSB_SMALL)
			return fsb_fail("write", path);
		close(fd);
	}
	*crate = fsb_rate10(files, fsb_now_ns() - t0);
	t0 = fsb_now_ns();
	for (i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		if (stat(path, &st) < 0 || st.st_size != FSB_SMALL)
			return fsb_fail("stat", path);
	}
	*srate = fsb_rate10(files, fsb_now_ns() - t0);
	for (i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", dir, i);
		if (unlink(path) < 0)
			return fsb_fail("unlink", path);
	}
	return rmdir(dir) < 0 ? fsb_fail("rmdir", dir) : 0;
}

int main(int argc, char **argv)
{
	char file[FSB_PATH], dir[FSB_PATH];
	unsigned long long w = 0, r = 0, c = 0, s = 0;
	long mib, files;

	if (argc != 4 || (mib = atol(argv[2])) <= 0 || (files = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: %s DIR MIB FILES   (MIB and FILES > 0)\n", argv[0]);
		return 2;
	}
	if (strlen(argv[1]) > FSB_PATH - 32) {
		fprintf(stderr, "peer-fsbench: the directory name is longer than %d bytes\n", FSB_PATH - 32);
		return 2;
	}
	snprintf(file, sizeof(file), "%s/fsbench.dat", argv[1]);
	snprintf(dir, sizeof(dir), "%s/fsbench.d", argv[1]);
	if (fsb_sequential(file, mib, &w, &r) || fsb_small(dir, files, &c, &s))
		return 1;
	printf("FSBENCH dir=%s mib=%ld files=%ld write_mib_s=%llu.%llu read_mib_s=%llu.%llu create_per_s=%llu stat_per_s=%llu\n",
	       argv[1], mib, files, w / 10, w % 10, r / 10, r % 10, c / 10, s / 10);
	return 0;
}
