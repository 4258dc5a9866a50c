/*
 * assert.h: a failed assertion is reported like a crash (message,
 * registers, backtrace; a debugger stops with SIGABRT) and exits with 127.
 */
#ifndef _MINNOW_ASSERT_H
#define _MINNOW_ASSERT_H

__attribute__((noreturn)) void __assert_fail(const char *expr,
					     const char *file, int line,
					     const char *func);

#endif

#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) \
	((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
