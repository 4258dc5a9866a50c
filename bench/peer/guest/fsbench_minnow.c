/*
 * fsbench.c's clock and cache hint on Minnow: the kernel's time_ns(); Minnow's
 * filesystems keep no page cache to drop.
 */
#include <minnow.h>
#include "fsbench.h"

unsigned long long fsb_now_ns(void)
{
	return time_ns();
}

void fsb_drop_cache(int fd)
{
	(void)fd;
}
