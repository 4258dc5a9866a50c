/*
 * The web server example's file half (files.c, http_date.c, copied in by
 * test/web/files.test.ts) on the real kernel: for each argument, a
 * request-target, what files_open() makes of it under /www (the 9p mount),
 * printed as one line the test checks against the host's folder:
 *
 *   <target> <status> <size> <Last-Modified> <content type> <fnv1a of the bytes read>
 */
#include <minnow.h>
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>
#include "files.h"
#include "http.h"
#include "http_date.h"

#define FNV_OFFSET 2166136261u	/* FNV-1a, 32 bits */
#define FNV_PRIME 16777619u

static char chunk[4096];

static void probe(const char *target)
{
	struct static_file file;
	char date[HTTP_DATE_LEN + 1] = "-";
	uint32_t hash = FNV_OFFSET;
	long long total = 0;
	int status = files_open("/www", target, &file);

	if (status) {
		printf("T %s %d %s\n", target, status,
		       status == HTTP_MOVED_PERMANENTLY ? file.path : "-");
		return;
	}
	http_date_format(file.st.st_mtime, date);
	for (;;) {
		ssize_t n = read(file.fd, chunk, sizeof(chunk));

		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			hash = (hash ^ (unsigned char)chunk[i]) * FNV_PRIME;
		total += n;
	}
	close(file.fd);
	printf("T %s 200 %lld %lld %s|%s|%08x\n", target,
	       (long long)file.st.st_size, total, date, file.content_type,
	       hash);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		probe(argv[i]);
	printf("done\n");
	return 0;
}
