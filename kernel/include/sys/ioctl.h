/* sys/ioctl.h for Minnow (core/fd.c): ioctl() passes the request to the descriptor's own ioctl. */
#ifndef _MINNOW_SYS_IOCTL_H
#define _MINNOW_SYS_IOCTL_H

#define FIONREAD 0x541B	/* bytes ready to read, as an int */
#define FIONBIO 0x5421	/* non-blocking on (int 1) or off (int 0) */

int ioctl(int fd, unsigned long request, ...);

#endif
