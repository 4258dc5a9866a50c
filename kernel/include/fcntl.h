/*
 * fcntl.h for Minnow: open flags and fcntl() commands with Linux's values.
 * fcntl() works on every descriptor (core/fd.c); open() is the VFS's
 * (kernel/fs, the "fs" component).
 */
#ifndef _MINNOW_FCNTL_H
#define _MINNOW_FCNTL_H

#include <sys/types.h>

#define O_ACCMODE 03
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_NDELAY O_NONBLOCK
#define O_SYNC 04010000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030

#define FD_CLOEXEC 1

#define AT_FDCWD (-100)

int fcntl(int fd, int cmd, ...);
/* kernel/fs */
int open(const char *path, int flags, ...);
int creat(const char *path, mode_t mode);

#endif
