/*
 * Kernel self-test: faults are reported, named and end the VM with 127.
 * argv[1] picks the fault; test/kernel/kernel.test.ts checks the report:
 *   overflow  endless recursion in thread "overflow" -> stack overflow, named
 *   divzero   divide by zero in divide_numbers()    -> #DE naming it, main in
 *                                                      the backtrace
 *   null      NULL dereference                       -> page fault, cr2 0
 *   assert    assert(answer == 41)                   -> the expression
 *   panic     panic("custom %d", 7)                  -> the message
 *   ud        ud2                                    -> invalid opcode
 *   textwrite a write into divide_numbers()'s code     -> page fault: the
 *                                                      text is read-only
 *   deadlock  main waits on a queue nobody wakes     -> "deadlock", with the
 *                                                      thread table
 */
#include <assert.h>
#include <minnow.h>
#include <stdio.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Winfinite-recursion"

__attribute__((noinline)) static int recurse(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	return recurse(depth + 1) + frame[0];
}

static int overflow(void *arg)
{
	return recurse(0);
}

static struct waitq never = WAITQ_INITIALIZER("never woken");

__attribute__((noinline)) int divide_numbers(int a, int b)
{
	return a / b;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	volatile int zero = 0, answer = 42;

	printf("crash test: %s\n", what);
	if (strcmp(what, "overflow") == 0)
		thread_join(thread_create("overflow", overflow, NULL));
	else if (strcmp(what, "divzero") == 0)
		printf("%d\n", divide_numbers(10, zero));
	else if (strcmp(what, "null") == 0)
		printf("%d\n", *(volatile int *)(uintptr_t)zero);
	else if (strcmp(what, "assert") == 0)
		assert(answer == 41);
	else if (strcmp(what, "panic") == 0)
		panic("custom %d", 7);
	else if (strcmp(what, "ud") == 0)
		__asm__ volatile("ud2");
	else if (strcmp(what, "textwrite") == 0)
		*(volatile unsigned char *)(uintptr_t)divide_numbers = 0xcc;
	else if (strcmp(what, "deadlock") == 0)
		waitq_wait(&never, 0);
	printf("no crash\n");
	return 0;
}
