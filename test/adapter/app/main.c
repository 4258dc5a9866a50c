/*
 * The debug adapter tests' application. Tests find their places by the
 * markers in comments (// #NAME), never by line numbers, and pick what main
 * does by setting `mode` from the debugger at #BP1.
 */
#include <assert.h>
#include <minnow.h>
#include <stdio.h>

struct point {
	int x;
	int y;
	const char *label;
};

struct point origin = { 3, 4, "origin" };
volatile int mode;	/* 1: busy loop, 2: divide by zero, 3: failed assert,
			   4: write through a NULL pointer */
volatile int divisor;
int *volatile nowhere;
int watched;
int greeting_value = 42;
char buffer[16] = "minnow-buffer!";
volatile unsigned long spins;

static int add(int a, int b)
{
	int sum = a + b;	// #ADD

	return sum;
}

/*
 * Built as the kernel's own code is (-Og; the rest of this file is -O0):
 * at #OG `base` is only a known constant, `n` only the value rdi had on
 * entry and `first` nowhere, while `r` lives in a register.
 */
__attribute__((optimize("Og"), noinline)) static int scaled(int n)
{
	int base = 10;
	int r = n * base;
	int first = spins + 1;

	spins = first;
	thread_yield();
	spins = r;	// #OG
	return r + base;
}

static int worker(void *arg)
{
	int n = (int)(long)arg;

	for (int i = 0; i < 3; i++) {
		watched = n * 10 + i;	// #WATCH
		thread_yield();
	}
	return n;
}

int main(int argc, char **argv)
{
	struct point p = { 1, 2, "p" };
	int total = 0;	// #BP1

	printf("value=%d\n", greeting_value);	// #PRINT
	for (int i = 0; i < 5; i++)
		total = add(total, i);	// #LOOP
	struct thread *a = thread_create("alpha", worker, (void *)1);	// #CREATE
	struct thread *b = thread_create("beta", worker, (void *)2);

	total += thread_join(a) + thread_join(b);	// #JOIN
	while (mode == 1)
		spins++;	// #BUSY
	if (mode == 2)
		total = total / divisor;	// #DIV
	assert(mode != 3);	// #ASSERT
	if (mode == 4)
		*nowhere = 7;	// #NULL
	spins = scaled(1);
	printf("total=%d p=%d,%d %s %s\n", total, p.x, p.y, origin.label, buffer);	// #END
	return 0;
}
