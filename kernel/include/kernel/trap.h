/*
 * The trap frame: what the interrupt/exception entry stubs push, in memory order.
 * Shared by the trap dispatcher (arch/x86_64), IRQ handlers and the gdbstub, which
 * reads and writes a stopped CPU's registers through it.
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/percpu.h>

struct trap_frame {
	/* pushed by the common entry stub (isr.S), last pushed first */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	/* pushed by the per-vector stub: vector number, and 0 where the CPU pushes no code */
	uint64_t vector, error;
	/* pushed by the CPU; in long mode ss:rsp are always pushed */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Exception vectors (Intel SDM vol. 3, table 6-1) */
#define TRAP_DE 0	/* divide error */
#define TRAP_DB 1	/* debug: single step, debug registers */
#define TRAP_NMI 2
#define TRAP_BP 3	/* int3 */
#define TRAP_OF 4
#define TRAP_BR 5
#define TRAP_UD 6	/* invalid opcode */
#define TRAP_NM 7
#define TRAP_DF 8	/* double fault (IST) */
#define TRAP_TS 10
#define TRAP_NP 11
#define TRAP_SS 12
#define TRAP_GP 13
#define TRAP_PF 14
#define TRAP_MF 16
#define TRAP_AC 17
#define TRAP_MC 18
#define TRAP_XM 19
#define TRAP_VE 20
#define TRAP_CP 21
#define IRQ_BASE 32	/* first vector used for device IRQs (IOAPIC GSI n -> IRQ_BASE + n) */
#define IRQ_GSI_MAX 24	/* IOAPIC pins: GSIs 0..23 -> vectors 32..55 */
#define TRAP_LAPIC_TIMER 0xf0	/* LAPIC timer (arch/x86_64/lapic.c) */
#define TRAP_PANIC 0xf1	/* int $TRAP_PANIC: panic()/assert(); gdb: SIGABRT */
#define TRAP_WAKE_IPI 0xf2	/* another CPU queued work here (core/sched.c) */
#define TRAP_LAPIC_SPURIOUS 0xff	/* LAPIC spurious vector: no EOI */
#define TRAP_EXCEPTIONS 32	/* vectors below this are CPU exceptions */

#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_RF (1ull << 16)

/*
 * Called by the dispatcher for vectors 1 and 3 always, and for every CPU exception
 * before the crash report. Returns true when the debugger handled the trap (the frame
 * may have been modified and is resumed); false lets the dispatcher carry on (crash
 * report, or "unexpected int3" when no debugger is attached). Defined in debug/; a
 * weak default that returns false lives in arch/x86_64 so kernels without a stub link.
 */
bool gdbstub_trap(struct trap_frame *f);

/* Device IRQs: handlers run with interrupts off, on the interrupted thread's stack. */
typedef void (*irq_handler_t)(struct trap_frame *f, void *arg);
/* Routes global system interrupt `gsi` through the IOAPIC to `handler`: edge-triggered
 * active high (ISA) or, with level set, level-triggered active low (PCI INTx). Returns 0 or -errno. Defined in arch/x86_64/ioapic.c. */
int irq_register(unsigned int gsi, bool level, irq_handler_t handler, void *arg);
/* Delivers a registered GSI to CPU cpu from now on: 0, -EINVAL when that
 * CPU is not online, -ENOENT when the GSI has no handler. */
int irq_set_cpu(unsigned int gsi, int cpu);
/* Plain data: the CPU each GSI goes to, -1 while it has no handler. */
extern int irq_cpu[IRQ_GSI_MAX];
/* The gdbstub's: sends a registered GSI to the CPU with LAPIC id apic_id
 * from now on, taking no lock (every other CPU is parked). */
void irq_route(unsigned int gsi, uint32_t apic_id);
/* Masks/unmasks a registered GSI at the IOAPIC (arch/x86_64/ioapic.c). */
void irq_mask(unsigned int gsi);
void irq_unmask(unsigned int gsi);

/* arch/x86_64/trap.c */
/* Called by isr.S for every vector, interrupts off. */
void trap_dispatch(struct trap_frame *f);
/* Installs a handler for a raw vector (IRQ_BASE..255); irq_register() uses it. */
void trap_set_handler(unsigned int vector, irq_handler_t handler, void *arg);
/* "divide error (#DE)" etc.; "interrupt" for vectors >= 32. */
const char *trap_name(unsigned int vector);
/* True while a trap handler (IRQ or exception) runs on this CPU: the
 * scheduler must not switch (the depth is struct percpu's trap_depth). */
static inline bool trap_nested(void)
{
	return this_cpu()->trap_depth > 0;
}

#endif
