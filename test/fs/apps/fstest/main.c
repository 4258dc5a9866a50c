/*
 * The fs suite's guest (test/fs): every file call and its error cases on a
 * mounted filesystem, printed as PASS/FAIL lines; what it writes under
 * <root>/out is checked by the host after the VM exits.
 *
 *   fstest api <root> [ro-root]  the whole battery on <root> (9p, fat, /tmp)
 *   fstest big <root> <MiB>      writes <root>/big.bin, reads it back, prints
 *                                its FNV-1a hash
 *   fstest crash <root>          writes, fsyncs, then faults
 *   fstest vanish <root>         waits for "go" on the console, then looks at
 *                                a folder the host has removed meanwhile
 *   fstest lookups <root> <n>    stats <root>/in/n0..n<n-1> twice with in/n0
 *                                open, waits for a line, reads in/n0 again
 *   fstest fuzz <n> <seed> ro|rw copies the FAT disk into memory and mounts n
 *                                corrupted variants of it, reading (and with
 *                                rw, changing) everything each one shows
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/blkdev.h>
#include <kernel/heap.h>
#include <kernel/vfs.h>

static int failures;
/* at() takes turns between two buffers: rename needs two paths at once */
static char paths[2][4096];
static int path_turn;

#define CHECK(name, cond, ...)                                          \
	do {                                                            \
		if (cond) {                                             \
			printf("PASS %s\n", name);                      \
		} else {                                                \
			failures++;                                     \
			printf("FAIL %s: ", name);                      \
			printf(__VA_ARGS__);                            \
			printf(" (errno %d)\n", errno);                 \
		}                                                       \
	} while (0)

static const char *at(const char *root, const char *rel)
{
	char *p = paths[path_turn ^= 1];

	snprintf(p, sizeof(paths[0]), "%s/%s", root, rel);
	return p;
}

/* xorshift32 and 32-bit FNV-1a: the host test computes the same quickly */
static uint32_t rng_state;

static uint8_t rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (uint8_t)rng_state;
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

#define FNV_START 2166136261u

/* errno of a call that must fail, or 0 when it did not */
#define FAILS(call) ((call) < 0 ? errno : 0)

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_file(const char *p, char *buf, size_t cap)
{
	int fd = open(p, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static int count_entries(const char *dir, const char *want, int *found)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	*found = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (want && !strcmp(e->d_name, want))
			*found = 1;
		n++;
	}
	closedir(d);
	return n;
}

static void test_errors(const char *root)
{
	char name[300];
	int fd;

	CHECK("open missing says ENOENT",
	      FAILS(open(at(root, "in/nope.txt"), O_RDONLY)) == ENOENT, "-");
	CHECK("open under a file says ENOTDIR",
	      FAILS(open(at(root, "in/hello.txt/x"), O_RDONLY)) == ENOTDIR,
	      "-");
	CHECK("O_DIRECTORY on a file says ENOTDIR",
	      FAILS(open(at(root, "in/hello.txt"), O_RDONLY | O_DIRECTORY)) ==
		      ENOTDIR, "-");
	CHECK("opening a folder for writing says EISDIR",
	      FAILS(open(at(root, "in"), O_WRONLY)) == EISDIR, "-");
	CHECK("O_CREAT|O_EXCL on an existing file says EEXIST",
	      FAILS(open(at(root, "in/hello.txt"),
			 O_WRONLY | O_CREAT | O_EXCL, 0644)) == EEXIST, "-");
	CHECK("mkdir of an existing folder says EEXIST",
	      FAILS(mkdir(at(root, "in"), 0755)) == EEXIST, "-");
	CHECK("mkdir with a missing parent says ENOENT",
	      FAILS(mkdir(at(root, "no/such/dir"), 0755)) == ENOENT, "-");
	CHECK("rmdir of a non-empty folder says ENOTEMPTY",
	      FAILS(rmdir(at(root, "in"))) == ENOTEMPTY, "-");
	CHECK("rmdir of a file says ENOTDIR",
	      FAILS(rmdir(at(root, "in/hello.txt"))) == ENOTDIR, "-");
	CHECK("unlink of a folder says EISDIR",
	      FAILS(unlink(at(root, "in"))) == EISDIR, "-");
	CHECK("unlink of a missing file says ENOENT",
	      FAILS(unlink(at(root, "in/nope"))) == ENOENT, "-");
	CHECK("stat of a missing file says ENOENT", ({
		      struct stat st;
		      FAILS(stat(at(root, "nope"), &st)) == ENOENT;
	      }), "-");
	CHECK("a trailing slash on a file says ENOTDIR", ({
		      struct stat st;
		      FAILS(stat(at(root, "in/hello.txt/"), &st)) == ENOTDIR;
	      }), "-");
	memset(name, 'n', 256);
	name[256] = '\0';
	CHECK("a 256-byte name says ENAMETOOLONG",
	      FAILS(open(at(root, name), O_RDONLY)) == ENAMETOOLONG, "-");
	CHECK("an empty path says ENOENT", FAILS(open("", O_RDONLY)) == ENOENT,
	      "-");
	fd = open(at(root, "in/hello.txt"), O_RDONLY);
	CHECK("write on an O_RDONLY descriptor says EBADF",
	      FAILS(write(fd, "x", 1)) == EBADF, "-");
	close(fd);
	fd = open(at(root, "in"), O_RDONLY | O_DIRECTORY);
	CHECK("read on a folder says EISDIR", ({
		      char c;
		      FAILS(read(fd, &c, 1)) == EISDIR;
	      }), "-");
	close(fd);
	CHECK("close of a closed descriptor says EBADF",
	      FAILS(close(fd)) == EBADF, "-");
	CHECK("rename between mounts says EXDEV",
	      FAILS(rename(at(root, "in/hello.txt"), "/tmp/x")) == EXDEV ||
		      strncmp(root, "/tmp", 4) == 0, "-");
	CHECK("O_WRONLY|O_RDWR together says EINVAL",
	      FAILS(open(at(root, "in/hello.txt"), O_WRONLY | O_RDWR)) ==
		      EINVAL, "-");
}

static void test_read(const char *root)
{
	char buf[256];
	struct stat st;
	int n;

	n = read_file(at(root, "in/hello.txt"), buf, sizeof(buf));
	CHECK("read a file the host wrote",
	      n == 20 && !strcmp(buf, "hello from the host\n"), "got %d", n);
	n = read_file(at(root, "//in/./sub/../hello.txt"), buf, sizeof(buf));
	CHECK("dot, dot-dot and repeated slashes", n == 20, "got %d", n);
	CHECK("stat a file", !stat(at(root, "in/hello.txt"), &st) &&
				     S_ISREG(st.st_mode) && st.st_size == 20,
	      "size %ld", (long)st.st_size);
	CHECK("stat a folder", !stat(at(root, "in"), &st) && S_ISDIR(st.st_mode),
	      "mode %o", st.st_mode);
	n = read_file(at(root, "in/with space \xc3\xa9\xe2\x82\xac.txt"), buf,
		      sizeof(buf));
	CHECK("read a name with spaces and UTF-8", n == 5 && !strcmp(buf, "utf8\n"),
	      "got %d", n);
}

static void test_write(const char *root)
{
	char buf[64];
	struct stat st;
	int fd, found;
	off_t pos;
	uint8_t *data;

	CHECK("mkdir", !mkdir(at(root, "out"), 0755), "-");
	fd = open(at(root, "out/pattern.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	data = malloc(300000);
	rng_state = 42;
	for (int i = 0; i < 300000; i++)
		data[i] = rng_byte();
	/* odd sizes: the pieces do not line up with any block or message */
	for (int off = 0, step = 1; off < 300000; off += step, step = step * 3 + 7)
		write_all(fd, data + off,
			  (size_t)(off + step > 300000 ? 300000 - off : step));
	CHECK("fstat after writes", !fstat(fd, &st) && st.st_size == 300000,
	      "size %ld", (long)st.st_size);
	pos = lseek(fd, 1000, SEEK_SET);
	CHECK("lseek SEEK_SET", pos == 1000 && read(fd, buf, 10) == 10 &&
					!memcmp(buf, data + 1000, 10), "-");
	CHECK("lseek SEEK_CUR", lseek(fd, -5, SEEK_CUR) == 1005, "-");
	CHECK("lseek SEEK_END", lseek(fd, -10, SEEK_END) == 299990 &&
					read(fd, buf, 64) == 10 &&
					!memcmp(buf, data + 299990, 10), "-");
	CHECK("read at the end gives 0", read(fd, buf, 64) == 0, "-");
	CHECK("lseek before 0 says EINVAL",
	      FAILS(lseek(fd, -1, SEEK_SET)) == EINVAL, "-");
	CHECK("lseek past the largest offset says EINVAL",
	      FAILS(lseek(fd, INT64_MAX, SEEK_END)) == EINVAL &&
		      lseek(fd, 0, SEEK_CUR) == 299990 + 10, "-");
	CHECK("lseek with a bad whence says EINVAL",
	      FAILS(lseek(fd, 0, 7)) == EINVAL, "-");
	CHECK("fsync", !fsync(fd), "-");
	CHECK("close", !close(fd), "-");
	free(data);

	fd = open(at(root, "out/append.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write_all(fd, "abc", 3);
	close(fd);
	fd = open(at(root, "out/append.txt"), O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write_all(fd, "def", 3);
	close(fd);
	CHECK("O_APPEND writes at the end",
	      read_file(at(root, "out/append.txt"), buf, sizeof(buf)) == 6 &&
		      !strcmp(buf, "abcdef"), "got %s", buf);
	fd = open(at(root, "out/append.txt"), O_RDWR | O_TRUNC);
	CHECK("O_TRUNC empties", !fstat(fd, &st) && st.st_size == 0, "-");
	write_all(fd, "truncated\n", 10);
	close(fd);

	fd = open(at(root, "out/excl.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	CHECK("O_CREAT|O_EXCL creates", fd >= 0, "-");
	close(fd);
	CHECK("rename a file", !rename(at(root, "out/excl.txt"),
				       at(root, "out/renamed.txt")), "-");
	CHECK("the old name is gone", count_entries(at(root, "out"), "excl.txt",
						    &found) >= 0 && !found, "-");
	CHECK("rename over an existing file",
	      !rename(at(root, "out/renamed.txt"), at(root, "out/append.txt")) &&
		      read_file(at(root, "out/append.txt"), buf, sizeof(buf)) == 0,
	      "-");
	fd = open(at(root, "out/append.txt"), O_WRONLY | O_TRUNC);
	write_all(fd, "truncated\n", 10);
	close(fd);
	CHECK("mkdir and rmdir", !mkdir(at(root, "out/gone"), 0755) &&
					 !rmdir(at(root, "out/gone")), "-");
	fd = open(at(root, "out/unlinked.txt"), O_WRONLY | O_CREAT, 0644);
	close(fd);
	CHECK("unlink", !unlink(at(root, "out/unlinked.txt")) &&
				FAILS(open(at(root, "out/unlinked.txt"),
					   O_RDONLY)) == ENOENT, "-");
	CHECK("truncate", !truncate(at(root, "out/pattern.bin"), 300000) &&
				  !stat(at(root, "out/pattern.bin"), &st) &&
				  st.st_size == 300000, "-");
	CHECK("access", !access(at(root, "out/pattern.bin"), R_OK | W_OK) &&
				FAILS(access(at(root, "out/nope"), F_OK)) ==
					ENOENT, "-");
}

static void test_names(const char *root)
{
	char rel[4096], buf[64];
	int fd, n = 0, found;

	/* 40 levels: deeper than one 9P walk (16 names) */
	strcpy(rel, "out");
	for (int i = 0; i < 40; i++) {
		snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "/d%d", i);
		if (mkdir(at(root, rel), 0755))
			n++;
	}
	strcat(rel, "/deep.txt");
	fd = open(at(root, rel), O_WRONLY | O_CREAT, 0644);
	CHECK("a file 40 folders deep", !n && fd >= 0 &&
						!write_all(fd, "deep\n", 5),
	      "%d mkdirs failed", n);
	close(fd);
	fd = open(at(root, "out/with space \xc3\xa9\xe2\x82\xac.txt"),
		  O_WRONLY | O_CREAT, 0644);
	CHECK("create a name with spaces and UTF-8",
	      fd >= 0 && !write_all(fd, "written\n", 8), "-");
	close(fd);
	fd = open(at(root, "out/Mixed Case Long Name.text"), O_WRONLY | O_CREAT,
		  0644);
	close(fd);
	CHECK("readdir finds a new name",
	      count_entries(at(root, "out"), "Mixed Case Long Name.text",
			    &found) > 0 && found, "-");
	CHECK("chdir and a relative path", !chdir(at(root, "out")) &&
					   read_file("append.txt", buf,
						     sizeof(buf)) == 10, "-");
	CHECK("getcwd", getcwd(buf, sizeof(buf)) &&
				!strcmp(buf, at(root, "out")), "got %s", buf);
	chdir("/");
}

static void test_many(const char *root)
{
	char name[64];
	int bad = 0, found;

	mkdir(at(root, "out/many"), 0755);
	for (int i = 0; i < 1000; i++) {
		int fd;

		snprintf(name, sizeof(name), "out/many/file%04d.txt", i);
		fd = open(at(root, name), O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write_all(fd, name, strlen(name)))
			bad++;
		close(fd);
	}
	CHECK("1000 files in one folder", !bad, "%d failed", bad);
	CHECK("readdir lists all 1000",
	      count_entries(at(root, "out/many"), "file0999.txt", &found) ==
			      1000 && found, "-");
}

/* "out/churn/entry number 007.txt": long names, so FAT gives each long
 * entries too */
static const char *churn_name(char *buf, size_t cap, const char *fmt, int i)
{
	snprintf(buf, cap, fmt, i);
	return buf;
}

/* Lookups in one folder while its names change: every answer must be
 * what is there now (FAT answers them from a per-folder name index). */
static void test_churn(const char *root)
{
	const char *entry = "out/churn/entry number %03d.txt";
	const char *moved = "out/churn/moved %03d.txt";
	char name[64], to[64];
	struct stat st;
	int bad = 0, fd;

	mkdir(at(root, "out/churn"), 0755);
	for (int i = 0; i < 300; i++) {
		churn_name(name, sizeof(name), entry, i);
		fd = open(at(root, name), O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write_all(fd, name, strlen(name)))
			bad++;
		close(fd);
	}
	for (int i = 0; i < 300; i++) {
		churn_name(name, sizeof(name), entry, i);
		if (stat(at(root, name), &st) || st.st_size != (off_t)strlen(name))
			bad++;
	}
	CHECK("stat finds each of 300 new names", !bad, "%d wrong", bad);
	for (int i = 0; i < 300; i += 3)
		bad += unlink(at(root, churn_name(name, sizeof(name), entry, i))) != 0;
	for (int i = 0; i < 300; i++) {
		int r = stat(at(root, churn_name(name, sizeof(name), entry, i)), &st);

		if (i % 3 == 0 ? r == 0 || errno != ENOENT : r != 0)
			bad++;
	}
	CHECK("after unlinking a third: those ENOENT, the rest found", !bad,
	      "%d wrong", bad);
	for (int i = 0; i < 300; i += 6) {
		churn_name(name, sizeof(name), entry, i);
		fd = open(at(root, name), O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write_all(fd, name, strlen(name)))
			bad++;
		close(fd);
	}
	for (int i = 1; i < 300; i += 3) {
		fd = open(at(root, churn_name(name, sizeof(name), entry, i)),
			  O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0 || errno != EEXIST)
			bad++;
		if (fd >= 0)
			close(fd);
	}
	for (int i = 0; i < 300; i += 6) {
		churn_name(name, sizeof(name), entry, i);
		if (stat(at(root, name), &st) || st.st_size != (off_t)strlen(name))
			bad++;
	}
	CHECK("O_EXCL makes an unlinked name again and refuses a present one",
	      !bad, "%d wrong", bad);
	for (int i = 1; i < 30; i += 3) {
		churn_name(name, sizeof(name), entry, i);
		churn_name(to, sizeof(to), moved, i);
		if (rename(at(root, name), at(root, to)))
			bad++;
		if (!stat(at(root, name), &st) || errno != ENOENT ||
		    stat(at(root, to), &st) || st.st_size != (off_t)strlen(name))
			bad++;
	}
	CHECK("rename: the old name is gone, the new one found", !bad,
	      "%d wrong", bad);
	/* a folder removed and made again (on FAT, likely on the same
	 * cluster) holds nothing of the old one */
	mkdir(at(root, "out/churn/sub"), 0755);
	fd = open(at(root, "out/churn/sub/inner file.txt"), O_WRONLY | O_CREAT,
		  0644);
	close(fd);
	bad += stat(at(root, "out/churn/sub/inner file.txt"), &st) != 0;
	bad += unlink(at(root, "out/churn/sub/inner file.txt")) != 0;
	bad += rmdir(at(root, "out/churn/sub")) != 0;
	bad += stat(at(root, "out/churn/sub/inner file.txt"), &st) == 0;
	bad += mkdir(at(root, "out/churn/sub"), 0755) != 0;
	bad += stat(at(root, "out/churn/sub/inner file.txt"), &st) == 0 ||
	       errno != ENOENT;
	CHECK("a folder made again where one was removed is empty", !bad,
	      "%d wrong", bad);
}

static void test_stdio(const char *root)
{
	char line[128];
	FILE *f = fopen(at(root, "out/stdio.txt"), "w");
	int lines = 0;
	long pos;

	CHECK("fopen w", f != NULL, "-");
	if (!f)
		return;
	for (int i = 0; i < 500; i++)
		fprintf(f, "line %d of stdio\n", i);
	fputs("last\n", f);
	CHECK("fclose", fclose(f) == 0, "-");
	f = fopen(at(root, "out/stdio.txt"), "r");
	while (fgets(line, sizeof(line), f))
		lines++;
	CHECK("fgets reads every line and feof", lines == 501 && feof(f) &&
						      !ferror(f), "%d lines", lines);
	fseek(f, 5, SEEK_SET);
	pos = ftell(f);
	CHECK("fseek and ftell", pos == 5 && fgets(line, sizeof(line), f) &&
					 !strcmp(line, "0 of stdio\n"), "-");
	fclose(f);
	f = fopen(at(root, "out/stdio.txt"), "a+");
	fwrite("appended\n", 1, 9, f);
	fseek(f, 0, SEEK_SET);
	CHECK("fread after a+ write", fread(line, 1, 7, f) == 7 &&
					      !memcmp(line, "line 0 ", 7), "-");
	fclose(f);
	CHECK("fopen of a missing file says ENOENT",
	      !fopen(at(root, "nope"), "r") && errno == ENOENT, "-");
	CHECK("fopen with a bad mode says EINVAL",
	      !fopen(at(root, "x"), "q") && errno == EINVAL, "-");
	CHECK("fopen x on an existing file says EEXIST",
	      !fopen(at(root, "out/stdio.txt"), "wx") && errno == EEXIST, "-");
	CHECK("remove", !remove(at(root, "out/renamed.txt")) || errno == ENOENT,
	      "-");
}

static void test_readonly(const char *ro)
{
	CHECK("a read-only mount says EROFS on open for writing",
	      FAILS(open(at(ro, "x"), O_WRONLY | O_CREAT, 0644)) == EROFS, "-");
	CHECK("a read-only mount says EROFS on mkdir",
	      FAILS(mkdir(at(ro, "d"), 0755)) == EROFS, "-");
	CHECK("a read-only mount still reads", ({
		      char b[64];
		      read_file(at(ro, "hello.txt"), b, sizeof(b)) == 20;
	      }), "-");
}

/* A filesystem the host cannot fill (ramfs) gets the input files here. */
static void seed(const char *root)
{
	struct stat st;
	int fd;

	if (!stat(at(root, "in"), &st))
		return;
	mkdir(at(root, "in"), 0755);
	mkdir(at(root, "in/sub"), 0755);
	fd = open(at(root, "in/hello.txt"), O_WRONLY | O_CREAT, 0644);
	write_all(fd, "hello from the host\n", 20);
	close(fd);
	fd = open(at(root, "in/with space \xc3\xa9\xe2\x82\xac.txt"),
		  O_WRONLY | O_CREAT, 0644);
	write_all(fd, "utf8\n", 5);
	close(fd);
}

static int big(const char *root, int mib)
{
	size_t chunk = 1 << 20;
	uint8_t *buf = malloc(chunk);
	uint32_t h = FNV_START;
	int fd = open(at(root, "big.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (!buf || fd < 0)
		return 1;
	rng_state = 7;
	for (int i = 0; i < mib; i++) {
		for (size_t j = 0; j < chunk; j++)
			buf[j] = rng_byte();
		h = fnv1a(h, buf, chunk);
		if (write_all(fd, buf, chunk))
			return 2;
	}
	printf("written hash %08x\n", h);
	fsync(fd);
	lseek(fd, 0, SEEK_SET);
	h = FNV_START;
	for (;;) {
		ssize_t n = read(fd, buf, chunk);

		if (n <= 0)
			break;
		h = fnv1a(h, buf, (size_t)n);
	}
	printf("read hash %08x\n", h);
	return close(fd) ? 3 : 0;
}

static int crash(const char *root)
{
	int fd = open(at(root, "synced.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	volatile int *nowhere = NULL;

	write_all(fd, "survives the crash\n", 19);
	if (fsync(fd))
		return 1;
	printf("synced\n");
	return *nowhere;	/* a page fault: the kernel's crash report */
}

static int vanish(const char *root)
{
	struct stat st;
	char line[16];
	int fd = open(at(root, "keep.txt"), O_WRONLY | O_CREAT, 0644);

	printf("ready\n");
	fgets(line, sizeof(line), stdin);
	CHECK("stat in a removed folder fails",
	      FAILS(stat(at(root, "sub/file.txt"), &st)) != 0, "-");
	CHECK("open in a removed folder fails",
	      FAILS(open(at(root, "sub/new.txt"), O_WRONLY | O_CREAT, 0644)) != 0,
	      "-");
	CHECK("opendir of a removed folder fails", !opendir(at(root, "sub")), "-");
	close(fd);
	printf("done\n");
	return failures;
}

/* The disk image in memory: the fuzzer's block device. */
static uint8_t *ram_img, *ram_orig;
static uint64_t ram_bytes;

/* The first two bytes of an open file, read again from the start. */
static bool read_head(int fd, char *buf)
{
	return fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 2) == 2;
}

/* Looks up `count` files the host made (in/n0..), twice, with one file
 * kept open meanwhile; says "ready" and waits for a line (the host counts
 * what its daemon holds), then reads the open file again. */
static int lookups(const char *root, int count)
{
	char name[64], buf[64], line[16];
	struct stat st;
	int bad = 0, fd = open(at(root, "in/n0"), O_RDONLY);

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < count; i++) {
			snprintf(name, sizeof(name), "in/n%d", i);
			bad += stat(at(root, name), &st) != 0;
		}
	}
	CHECK("stat each looked-up file twice", !bad, "%d failed", bad);
	CHECK("a file kept open reads after the others are forgotten",
	      read_head(fd, buf) && !memcmp(buf, "n0", 2),
	      "-");
	printf("ready\n");
	fgets(line, sizeof(line), stdin);
	CHECK("and reads again after the wait",
	      read_head(fd, buf) && !memcmp(buf, "n0", 2), "-");
	close(fd);
	CHECK("open, read and close one again",
	      read_file(at(root, "in/n1"), buf, sizeof(buf)) == 2, "-");
	printf("done\n");
	return failures;
}

static int ram_read(struct blkdev *b, uint64_t sector, void *buf, uint32_t n)
{
	if (sector >= b->sectors || n > b->sectors - sector)
		return -ERANGE;
	memcpy(buf, ram_img + sector * 512, (size_t)n * 512);
	return 0;
}

static int ram_write(struct blkdev *b, uint64_t sector, const void *buf,
		     uint32_t n)
{
	if (sector >= b->sectors || n > b->sectors - sector)
		return -ERANGE;
	memcpy(ram_img + sector * 512, buf, (size_t)n * 512);
	return 0;
}

static int ram_flush(struct blkdev *b)
{
	return 0;
}

static struct blkdev ram_dev = { .name = "ram", .read = ram_read,
				 .write = ram_write, .flush = ram_flush };

/* Reads and stats everything under dir; counts the calls that failed. */
static void fuzz_walk(const char *dir, int depth, int *errors, int *files)
{
	char *p = malloc(4096);
	char *buf = malloc(4096);
	struct dirent *e;
	int listed = 0;
	DIR *d = opendir(dir);

	if (!d) {
		(*errors)++;
		goto out;
	}
	while ((e = readdir(d)) && listed++ < 300) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, 4096, "%s/%s", dir, e->d_name);
		if (stat(p, &st)) {
			(*errors)++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth < 6)
				fuzz_walk(p, depth + 1, errors, files);
			continue;
		}
		int fd = open(p, O_RDONLY);
		long total = 0;
		ssize_t n = 0;

		(*files)++;
		if (fd < 0) {
			(*errors)++;
			continue;
		}
		while (total < (4 << 20) && (n = read(fd, buf, 4096)) > 0)
			total += n;
		if (n < 0)
			(*errors)++;
		close(fd);
	}
	if (d)
		closedir(d);
out:
	free(p);
	free(buf);
}

/* Changes that may fail on a broken volume but must never crash it. */
static void fuzz_change(int *errors)
{
	int fd = open("/fz/new file.txt", O_RDWR | O_CREAT, 0644);
	char data[3000];

	memset(data, 'z', sizeof(data));
	if (fd < 0 || write(fd, data, sizeof(data)) < 0)
		(*errors)++;
	if (fd >= 0)
		close(fd);
	if (mkdir("/fz/made dir", 0755))
		(*errors)++;
	if (rename("/fz/new file.txt", "/fz/made dir/moved.txt"))
		(*errors)++;
	if (unlink("/fz/made dir/moved.txt"))
		(*errors)++;
	if (rmdir("/fz/made dir"))
		(*errors)++;
	truncate("/fz/a.txt", 10);
}

static uint32_t le(const uint8_t *p, int n)
{
	uint32_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int fuzz(int count, uint32_t seed, bool rw)
{
	struct blkdev *disk = blkdev_table[0];
	uint64_t fat_start, fat_end, dir_start;
	int mounted = 0, refused = 0, errors = 0, files = 0, bad = 0;

	if (!disk)
		return 2;
	ram_bytes = disk->sectors * 512;
	ram_img = malloc(ram_bytes);
	ram_orig = malloc(ram_bytes);
	if (!ram_img || !ram_orig || disk->read(disk, 0, ram_orig, (uint32_t)disk->sectors))
		return 3;
	ram_dev.sectors = disk->sectors;
	fat_start = le(ram_orig + 14, 2) * 512ull;
	fat_end = fat_start + (le(ram_orig + 22, 2) ? le(ram_orig + 22, 2) :
					le(ram_orig + 36, 4)) * 512ull;
	dir_start = fat_start + (fat_end - fat_start) * ram_orig[16];
	rng_state = seed;
	for (int v = 0; v < count; v++) {
		uint64_t base, span;
		int region = rng_byte() % 3, n = 1 + rng_byte() % 8;
		int err;

		memcpy(ram_img, ram_orig, ram_bytes);
		base = region == 0 ? 0 : region == 1 ? fat_start : dir_start;
		span = region == 0 ? 512 : region == 1 ? fat_end - fat_start : 65536;
		if (rng_byte() % 4 == 0)
			n = 16 + rng_byte() % 48;	/* a run of garbage */
		uint64_t at = base + (((uint64_t)rng_byte() << 16 |
				       (uint64_t)rng_byte() << 8 | rng_byte()) %
				      span);
		for (int i = 0; i < n && at + i < ram_bytes; i++)
			ram_img[at + i] = rng_byte();
		err = fat_mount(&ram_dev, "/fz", !rw);
		if (err) {
			refused++;
			continue;
		}
		mounted++;
		fuzz_walk("/fz", 0, &errors, &files);
		if (rw)
			fuzz_change(&errors);
		if (vfs_umount("/fz")) {
			bad++;
			printf("variant %d: unmount failed: files left open\n", v);
			break;
		}
	}
	printf("fuzz: %d variants, %d mounted, %d refused, %d files read, %d calls failed\n",
	       count, mounted, refused, files, errors);
	CHECK("every corrupted variant mounted or was refused, and unmounted", !bad,
	      "%d bad", bad);
	CHECK("the heap is whole after the fuzzing", heap_check() == 0, "-");
	CHECK("some variants mounted and some were refused", mounted && refused,
	      "%d mounted, %d refused", mounted, refused);
	return failures;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "-";
	const char *root = argc > 2 ? argv[2] : "/tmp";

	if (!strcmp(mode, "big"))
		return big(root, argc > 3 ? atoi(argv[3]) : 1);
	if (!strcmp(mode, "crash"))
		return crash(root);
	if (!strcmp(mode, "vanish"))
		return vanish(root);
	if (!strcmp(mode, "lookups"))
		return lookups(root, argc > 3 ? atoi(argv[3]) : 100);
	if (!strcmp(mode, "fuzz"))
		return fuzz(atoi(root), argc > 3 ? (uint32_t)atoi(argv[3]) : 1,
			    argc > 4 && !strcmp(argv[4], "rw"));
	if (strcmp(mode, "api")) {
		printf("usage: fstest api|big|crash|vanish <root>\n");
		return 2;
	}
	seed(root);
	test_read(root);
	test_errors(root);
	test_write(root);
	test_names(root);
	test_many(root);
	test_churn(root);
	test_stdio(root);
	if (argc > 3)
		test_readonly(argv[3]);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
