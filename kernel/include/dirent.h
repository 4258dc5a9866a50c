/*
 * dirent.h for Minnow: directory entries as Linux's struct dirent names
 * them. The DIR calls (opendir, readdir, closedir) are the VFS's
 * (kernel/fs, the "fs" component); each reads entries through the
 * descriptor's getdents operation (kernel/file.h).
 */
#ifndef _MINNOW_DIRENT_H
#define _MINNOW_DIRENT_H

#include <sys/types.h>

#define NAME_MAX 255

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

struct dirent {
	ino_t d_ino;
	off_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[NAME_MAX + 1];
};

typedef struct minnow_dir DIR;

DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);
void rewinddir(DIR *d);
int dirfd(DIR *d);

#endif
