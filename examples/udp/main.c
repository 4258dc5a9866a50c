/*
 * udp: a UDP echo server (RFC 862) on port 7. Every datagram goes back to
 * its sender unchanged, whatever its size (up to 65507 bytes: lwIP
 * reassembles and fragments what does not fit in one Ethernet frame).
 *
 *   --port=N   listen on N instead of 7
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define ECHO_PORT 7
#define DGRAM_MAX 65507

int main(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	int port = ECHO_PORT;
	char *buf = malloc(DGRAM_MAX);
	int fd;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--port=", 7) == 0) {
			port = atoi(argv[i] + 7);
		} else {
			printf("udp: unknown argument %s (try --port=N)\n",
			       argv[i]);
			return 2;
		}
	}
	addr.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (!buf || fd < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		printf("udp: port %d: %s\n", port, strerror(errno));
		return 1;
	}
	printf("udp: echoing on port %d\n", port);
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, DGRAM_MAX, 0,
				     (struct sockaddr *)&from, &len);

		if (n < 0) {
			printf("udp: recvfrom: %s\n", strerror(errno));
			continue;
		}
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			   len) < 0)
			printf("udp: sendto: %s\n", strerror(errno));
	}
}
