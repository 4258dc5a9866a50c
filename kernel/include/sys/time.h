/*
 * sys/time.h for Minnow: struct timeval, which SO_RCVTIMEO and SO_SNDTIMEO
 * take (sys/socket.h). Layout as on Linux x86-64.
 */
#ifndef _MINNOW_SYS_TIME_H
#define _MINNOW_SYS_TIME_H

#include <sys/types.h>

struct timeval {
	time_t tv_sec;
	suseconds_t tv_usec;
};

#endif
