/*
 * hello: the smallest Minnow application. Prints a greeting and the
 * arguments given after "--" on the command line, then returns 0, which
 * becomes the exit status of `minnow run`.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from Minnow! I am %s.\n", argv[0]);
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);
	return 0;
}
