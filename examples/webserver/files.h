/*
 * The files the server hands out: from a request-target to an open file
 * under the document root, refusing every path that would leave it, and
 * the Content-Type that goes with a file name.
 */
#ifndef FILES_H
#define FILES_H

#include <stddef.h>
#include <sys/stat.h>

/* Longest path under the root we build (root included) */
#define FILES_PATH_MAX 1024
/* What a directory serves */
#define FILES_INDEX "index.html"

struct static_file {
	int fd;			/* open for reading; the caller closes it */
	struct stat st;
	const char *content_type;
	char path[FILES_PATH_MAX];	/* what was opened */
};

/*
 * Opens what target names under root. Returns 0 with file->fd open, or the
 * status to answer: 400 (a path that would leave the root: "..", an
 * encoded slash or NUL, a target that is not a path), 404, 403, 414 (the
 * path is too long), 500, or 301 for a directory asked for without its
 * trailing slash (file->path then holds the Location to send).
 */
int files_open(const char *root, const char *target, struct static_file *file);

/* "text/html; charset=utf-8" for "index.html"; application/octet-stream
 * for names it does not know. */
const char *files_content_type(const char *path);

#endif
