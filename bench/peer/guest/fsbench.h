/*
 * What peer-fsbench (fsbench.c) needs from the system it runs on, one file per system:
 * fsbench_posix.c for Linux and the host, fsbench_minnow.c for Minnow.
 */
#ifndef FSBENCH_H
#define FSBENCH_H

/* a monotonic clock, in nanoseconds */
unsigned long long fsb_now_ns(void);
/* ask that fd's cached pages be dropped, so that a read reaches the device */
void fsb_drop_cache(int fd);

#endif
