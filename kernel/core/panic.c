/*
 * panic(): a broken invariant. The message is formatted into panic_message
 * and the CPU traps to vector TRAP_PANIC, so that the crash report shows the
 * registers and backtrace of the panicking code exactly as for a fault, and
 * an attached debugger stops right there (gdbstub_trap reports SIGABRT);
 * continuing from that stop runs the same crash report.
 */
#include <stdarg.h>
#include <assert.h>
#include <stdio.h>
#include <kernel/crash.h>
#include <kernel/power.h>
#include <kernel/trap.h>

char panic_message[PANIC_MESSAGE_MAX];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_message, sizeof(panic_message), fmt, ap);
	va_end(ap);
	__asm__ volatile("int %0" : : "i"(TRAP_PANIC) : "memory");
	/*
	 * a debugger moved rip to just past the int: there is nothing sane
	 * to return to
	 */
	power_off(MINNOW_EXIT_CRASH);
}

void __assert_fail(const char *expr, const char *file, int line,
		   const char *func)
{
	panic("assertion \"%s\" failed in %s() at %s:%d", expr, func, file,
	      line);
}
