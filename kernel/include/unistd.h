/*
 * unistd.h for Minnow. One descriptor space serves the console (0, 1, 2),
 * files and sockets (core/fd.c), so read/write/close work on all of them.
 * Calls return -1 and set errno (Linux's values) on failure. The path calls
 * (unlink, rmdir, chdir...) are the VFS's (kernel/fs, the "fs" component).
 */
#ifndef _MINNOW_UNISTD_H
#define _MINNOW_UNISTD_H

#include <sys/types.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2

#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

ssize_t read(int fd, void *buf, size_t n);
ssize_t write(int fd, const void *buf, size_t n);
int close(int fd);
off_t lseek(int fd, off_t off, int whence);
int fsync(int fd);
int dup(int fd);
int dup2(int fd, int to);
int isatty(int fd);
unsigned int sleep(unsigned int seconds);
int usleep(unsigned long us);

/* kernel/fs */
int unlink(const char *path);
int rmdir(const char *path);
int access(const char *path, int mode);
int chdir(const char *path);
char *getcwd(char *buf, size_t size);
int ftruncate(int fd, off_t length);
int truncate(const char *path, off_t length);
void sync(void);

#endif
