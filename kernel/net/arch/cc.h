/*
 * lwIP's port header (lwIP's doc/sys_arch.txt, "cc.h"): how the stack
 * prints, asserts, draws random numbers and finds the C types on Minnow.
 * lwIP includes it first from lwip/arch.h, before any of its own types.
 */
#ifndef MINNOW_LWIP_ARCH_CC_H
#define MINNOW_LWIP_ARCH_CC_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <kernel/crash.h>

/* x86-64 */
#define BYTE_ORDER LITTLE_ENDIAN

/* POSIX puts it in <limits.h>; lwIP looks for it to know that
 * <sys/types.h> already gives ssize_t */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#define LWIP_PLATFORM_DIAG(x)                                                \
	do {                                                                  \
		printf x;                                                     \
	} while (0)

/* a broken invariant inside the stack: stop in the debugger, say where */
#define LWIP_PLATFORM_ASSERT(x)                                              \
	panic("lwIP: assertion \"%s\" failed at %s:%d", (x), __FILE__,        \
	      __LINE__)

/* net/net.c: TCP initial sequence numbers, DNS ids, DHCP transaction ids */
uint32_t net_rand(void);
#define LWIP_RAND() (net_rand())

#endif
