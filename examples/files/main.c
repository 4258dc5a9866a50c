/*
 * Files in Minnow: minnow.json shares www/ read-only at /www and data/ at
 * /data (virtio-9p; `minnow run -v ./other:/other` adds more). This lists
 * /www, copies /www/index.html to /data/index.html, and appends one line to
 * /data/log.txt, so each run leaves a trace on the host.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int list(const char *dir)
{
	char path[512];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d) {
		printf("opendir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	printf("%s:\n", dir);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0)
			printf("  %-20s %8ld%s\n", e->d_name, (long)st.st_size,
			       S_ISDIR(st.st_mode) ? "  (folder)" : "");
	}
	closedir(d);
	return 0;
}

static long copy(const char *from, const char *to)
{
	char buf[4096];
	FILE *in = fopen(from, "r"), *out;
	long total = 0;
	size_t n;

	if (!in) {
		printf("fopen %s: %s\n", from, strerror(errno));
		return -1;
	}
	out = fopen(to, "w");
	if (!out) {
		printf("fopen %s: %s\n", to, strerror(errno));
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		fwrite(buf, 1, n, out);
		total += (long)n;
	}
	fclose(in);
	if (fclose(out))
		return -1;
	return total;
}

int main(void)
{
	long copied;
	FILE *log;
	int runs = 0;
	char line[128];

	if (list("/www"))
		return 1;
	copied = copy("/www/index.html", "/data/index.html");
	if (copied < 0)
		return 1;
	printf("copied /www/index.html to /data/index.html (%ld bytes)\n",
	       copied);
	log = fopen("/data/log.txt", "a+");
	if (!log) {
		printf("fopen /data/log.txt: %s\n", strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), log))
		runs++;
	fprintf(log, "run %d: copied %ld bytes\n", runs + 1, copied);
	fclose(log);
	printf("appended run %d to /data/log.txt\n", runs + 1);
	if (fopen("/www/new.txt", "w") == NULL)
		printf("writing to /www fails as it should: %s\n",
		       strerror(errno));
	return 0;
}
