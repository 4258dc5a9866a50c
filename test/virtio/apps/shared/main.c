/*
 * Two virtio devices busy at the same time, one thread each: a disk
 * writer/reader and a console echo. On q35 the test puts both functions on
 * the same INTx line, so one interrupt handler must serve both devices.
 */
#include <stdio.h>
#include <string.h>
#include <minnow.h>
#include <minnow/virtio_blk.h>
#include <minnow/virtio_console.h>

static unsigned char wbuf[64 * BLK_SECTOR_SIZE], rbuf[sizeof(wbuf)];
static char cbuf[256];

static int disk_main(void *arg)
{
	unsigned int round, i;

	for (round = 0; round < 64; round++) {
		for (i = 0; i < sizeof(wbuf); i++)
			wbuf[i] = (unsigned char)(i + round);
		if (blk_write(round * 64, wbuf, 64) ||
		    blk_read(round * 64, rbuf, 64) ||
		    memcmp(wbuf, rbuf, sizeof(wbuf)))
			return 1;
	}
	return blk_flush() ? 1 : 0;
}

/* Echoes until EOT (0x04); returns the number of bytes echoed. */
static int console_main(void *arg)
{
	int n, total = 0;

	for (;;) {
		n = vconsole_read(cbuf, sizeof(cbuf), 0);
		if (n <= 0)
			return -1;
		if (cbuf[n - 1] == 0x04) {
			vconsole_write(cbuf, (size_t)n - 1);
			return total + n - 1;
		}
		vconsole_write(cbuf, (size_t)n);
		total += n;
	}
}

int main(void)
{
	struct thread *disk, *con;
	int disk_ret, con_ret;

	if (blk_capacity() < 64 * 64) {
		printf("shared: disk too small\n");
		return 2;
	}
	con = thread_create("console", console_main, NULL);
	disk = thread_create("disk", disk_main, NULL);
	printf("shared: ready\n");
	disk_ret = thread_join(disk);
	printf("shared: disk %s\n", disk_ret ? "FAILED" : "ok");
	con_ret = thread_join(con);
	printf("shared: console echoed %d bytes\n", con_ret);
	return disk_ret ? 1 : 0;
}
