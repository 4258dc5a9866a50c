/*
 * The fs suite's debugger test (test/fs/debug.test.ts): with a file open on
 * the 9p share and one on the FAT disk, it stops at #OPEN for the Kernel
 * view's Open files and Mounts, then reads through the 9p driver and
 * writes through the FAT driver, where the test's breakpoints are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char buf[8] = { 0 };
	int www = open("/www/index.html", O_RDONLY);
	int log = open("/data/log.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (www < 0 || log < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	/* an offset the Kernel view must show, without a read yet */
	lseek(www, 5, SEEK_SET);
	printf("files open\n");	// #OPEN
	if (read(www, buf, 5) != 5)	/* through kernel/fs/9p.c */
		return 2;
	if (write(log, buf, 5) != 5)	/* through kernel/fs/fat.c */
		return 3;
	close(www);
	close(log);
	printf("read \"%s\"\n", buf);
	return 0;
}
