/*
 * stdio.h for Minnow applications (lib/stdio.c): formatted output to the
 * console. stdout and stderr are both the console, stdin reads from it
 * (no echo; Enter's "\r" reads as "\n"); there are no files.
 * Supported conversions: d i u o x X p s c %, flags - 0 + space #, width,
 * precision, length hh h l ll z j t. No floating point.
 */
#ifndef _MINNOW_STDIO_H
#define _MINNOW_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

typedef struct minnow_file FILE;
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int fprintf(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vfprintf(FILE *f, const char *fmt, va_list ap);
int sprintf(char *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vsprintf(char *buf, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);
int fputs(const char *s, FILE *f);
int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int fflush(FILE *f);
/* Console input (stdin only); blocks the thread until a byte arrives. */
int fgetc(FILE *f);
int getc(FILE *f);
int getchar(void);
char *fgets(char *buf, int n, FILE *f);

#endif
