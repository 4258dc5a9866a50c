/*
 * fsbench.c's clock and cache hint on Linux and the host: CLOCK_MONOTONIC, and
 * POSIX_FADV_DONTNEED (per file, no root needed; clean pages are dropped).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <time.h>
#include "fsbench.h"

unsigned long long fsb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void fsb_drop_cache(int fd)
{
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}
