/*
 * virtio-console test guest: echoes what the host sends on the virtio
 * console port, with lowercase letters turned to uppercase (so the test
 * sees the guest did the work), until it receives EOT (0x04).
 */
#include <errno.h>
#include <stdio.h>
#include <minnow.h>
#include <minnow/virtio_console.h>

static char buf[4096];

int main(void)
{
	long total = 0;
	int n, i, quit = 0;

	uint64_t t0 = time_ms();

	/* the host sends nothing before "ready": this read must time out */
	n = vconsole_read(buf, sizeof(buf), 100);
	printf("vconsole: read timeout %s after %llu ms\n",
	       n == -ETIMEDOUT ? "ok" : "FAILED",
	       (unsigned long long)(time_ms() - t0));
	printf("vconsole: ready\n");
	while (!quit) {
		n = vconsole_read(buf, sizeof(buf), 0);
		if (n < 0) {
			printf("vconsole: read error %d\n", n);
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] == 0x04) {
				quit = 1;
				n = i;
				break;
			}
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char)(buf[i] - 'a' + 'A');
		}
		total += n;
		if (n > 0 && vconsole_write(buf, (size_t)n) != n) {
			printf("vconsole: write error\n");
			return 1;
		}
	}
	vconsole_write("bye\n", 4);
	printf("vconsole: echoed %ld bytes\n", total);
	return 0;
}
