/* stdlib.h for Minnow applications (lib/stdlib.c, core/heap.c). */
#ifndef _MINNOW_STDLIB_H
#define _MINNOW_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t count, size_t n);
void *realloc(void *p, size_t n);

/*
 * Ends the VM: `minnow run` exits with code & 0x7f, where 126 and 127 (the
 * debugger's kill, a crash) read as 125.
 */
__attribute__((noreturn)) void exit(int code);
/* Reports like a crash (backtrace) and exits with 127. */
__attribute__((noreturn)) void abort(void);

int abs(int v);
long labs(long v);
long long llabs(long long v);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *));
int rand(void);
void srand(unsigned int seed);

#endif
