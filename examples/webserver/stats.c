/*
 * The counters behind /stats: requests served, connections, and two
 * figures from the kernel, its uptime (time_ms()) and its heap
 * (heap_stats, plain data kept current by every malloc and free). A test
 * reads the heap twice, far apart, to see that serving leaks nothing.
 */
#include <minnow.h>
#include <stdio.h>
#include <kernel/heap.h>
#include "server.h"

struct server_stats server_stats;

void stats_count_response(int status, uint64_t bytes)
{
	server_stats.requests++;
	if (status >= 200 && status < 600)
		server_stats.by_class[status / 100]++;
	server_stats.bytes_sent += bytes;
}

size_t stats_page(char *buf, size_t size)
{
	const struct server_stats *s = &server_stats;
	int n = snprintf(buf, size,
			 "requests: %llu\n"
			 "responses_2xx: %llu\n"
			 "responses_3xx: %llu\n"
			 "responses_4xx: %llu\n"
			 "responses_5xx: %llu\n"
			 "connections_accepted: %llu\n"
			 "connections_open: %llu\n"
			 "bytes_sent: %llu\n"
			 "uptime_ms: %llu\n"
			 "heap_used_bytes: %zu\n"
			 "heap_used_blocks: %zu\n",
			 (unsigned long long)s->requests,
			 (unsigned long long)s->by_class[2],
			 (unsigned long long)s->by_class[3],
			 (unsigned long long)s->by_class[4],
			 (unsigned long long)s->by_class[5],
			 (unsigned long long)s->connections_accepted,
			 (unsigned long long)s->connections_open,
			 (unsigned long long)s->bytes_sent,
			 (unsigned long long)time_ms(),
			 heap_stats.used_bytes, heap_stats.used_blocks);

	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}
