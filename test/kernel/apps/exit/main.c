/*
 * Kernel self-test: exit codes reach the host. argv: "return N" returns N
 * from main; "exit N" calls exit(N) from another thread while main waits;
 * "args a b" echoes its arguments.
 */
#include <minnow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int exiter(void *arg)
{
	sleep_ms(1);
	exit((int)(long)arg);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "return") == 0)
		return atoi(argv[2]);
	if (argc == 3 && strcmp(argv[1], "exit") == 0) {
		thread_join(thread_create("exiter", exiter,
					  (void *)(long)atoi(argv[2])));
		return 99;	/* not reached */
	}
	printf("argc=%d", argc);
	for (int i = 0; i < argc; i++)
		printf(" [%s]", argv[i]);
	printf("\n");
	return 0;
}
