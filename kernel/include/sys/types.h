/* sys/types.h for Minnow (x86-64, LP64): the POSIX integer types, as on Linux. */
#ifndef _MINNOW_SYS_TYPES_H
#define _MINNOW_SYS_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef long off_t;
typedef unsigned int mode_t;
typedef unsigned long nlink_t;
typedef unsigned long ino_t;
typedef unsigned long dev_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef int pid_t;
typedef long blksize_t;
typedef long blkcnt_t;
typedef long time_t;
typedef long suseconds_t;

#endif
