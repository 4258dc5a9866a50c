/*
 * stdio.h for Minnow applications (lib/stdio.c): the console and files.
 * stdout and stderr are both the console, unbuffered; stdin reads from it
 * (no echo; Enter's "\r" reads as "\n"). fopen, remove and rename need
 * the "fs" component (kernel/fs); file streams are buffered (fflush,
 * fclose and fseek write the buffer out).
 * Supported conversions: d i u o x X p s c %, flags - 0 + space #, width,
 * precision, length hh h l ll z j t. No floating point.
 */
#ifndef _MINNOW_STDIO_H
#define _MINNOW_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)
#define BUFSIZ 4096
#define FILENAME_MAX 4096

#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

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
int ungetc(int c, FILE *f);

/* Files. mode: "r" "r+" "w" "w+" "a" "a+", with "b" ignored and "x"
 * (with w: fail with EEXIST when the file exists). */
FILE *fopen(const char *path, const char *mode);
FILE *fdopen(int fd, const char *mode);
int fclose(FILE *f);
size_t fread(void *ptr, size_t size, size_t count, FILE *f);
size_t fwrite(const void *ptr, size_t size, size_t count, FILE *f);
int fseek(FILE *f, long off, int whence);
long ftell(FILE *f);
void rewind(FILE *f);
int feof(FILE *f);
int ferror(FILE *f);
void clearerr(FILE *f);
int fileno(FILE *f);
int remove(const char *path);
int rename(const char *from, const char *to);

#endif
