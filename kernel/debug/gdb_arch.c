/*
 * The x86-64 side of the stub: registers in the layout of our target
 * description, the debug registers, and single-stepping with TF.
 *
 * Stepping keeps IF clear so that the step never lands in an interrupt
 * handler, and gives the stepped code back the IF it had. Instructions that
 * look at or change IF are handled on their own: cli/sti are emulated (the
 * next step must see the new IF), pushf gets the real IF into the pushed
 * image, popf/iretq make the popped IF the real one, and hlt is skipped
 * (with IF clear it would never wake up).
 * References: Intel SDM vol. 3, 17.2 "Debug registers", 17.3.1.4
 * "Single-step exception condition".
 */
#include <kernel/cpu.h>

#include "gdb.h"

#define DR6_INIT 0xffff0ff0ull	/* DR6 with nothing flagged */
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define DEBUG_EXIT_PORT 0xf4	/* isa-debug-exit: exit (v << 1) | 1 */

#define INSN_CLI 0xfa
#define INSN_STI 0xfb
#define INSN_HLT 0xf4
#define INSN_PUSHF 0x9c
#define INSN_POPF 0x9d
#define INSN_IRET 0xcf
#define INSN_OPSIZE 0x66

enum gdb_arch_step_kind { STEP_PLAIN, STEP_PUSHF, STEP_POPF };

static enum gdb_arch_step_kind gdb_arch_step_kind;
static uint64_t gdb_arch_step_if;	/* IF of the stepped code */

/* Where the general registers live in a trap frame, by gdb number. */
static const uint16_t gdb_arch_frame_off[] = {
	[GDB_REG_RAX] = __builtin_offsetof(struct trap_frame, rax),
	[GDB_REG_RBX] = __builtin_offsetof(struct trap_frame, rbx),
	[GDB_REG_RCX] = __builtin_offsetof(struct trap_frame, rcx),
	[GDB_REG_RDX] = __builtin_offsetof(struct trap_frame, rdx),
	[GDB_REG_RSI] = __builtin_offsetof(struct trap_frame, rsi),
	[GDB_REG_RDI] = __builtin_offsetof(struct trap_frame, rdi),
	[GDB_REG_RBP] = __builtin_offsetof(struct trap_frame, rbp),
	[GDB_REG_RSP] = __builtin_offsetof(struct trap_frame, rsp),
	[GDB_REG_R8] = __builtin_offsetof(struct trap_frame, r8),
	[GDB_REG_R9] = __builtin_offsetof(struct trap_frame, r9),
	[GDB_REG_R10] = __builtin_offsetof(struct trap_frame, r10),
	[GDB_REG_R11] = __builtin_offsetof(struct trap_frame, r11),
	[GDB_REG_R12] = __builtin_offsetof(struct trap_frame, r12),
	[GDB_REG_R13] = __builtin_offsetof(struct trap_frame, r13),
	[GDB_REG_R14] = __builtin_offsetof(struct trap_frame, r14),
	[GDB_REG_R15] = __builtin_offsetof(struct trap_frame, r15),
	[GDB_REG_RIP] = __builtin_offsetof(struct trap_frame, rip),
	[GDB_REG_EFLAGS] = __builtin_offsetof(struct trap_frame, rflags),
	[GDB_REG_CS] = __builtin_offsetof(struct trap_frame, cs),
	[GDB_REG_SS] = __builtin_offsetof(struct trap_frame, ss),
};

size_t gdb_arch_reg_size(int regno)
{
	if (regno < 0 || regno >= GDB_REG_COUNT)
		return 0;
	if (regno <= GDB_REG_RIP)
		return 8;
	if (regno < GDB_REG_ST0)
		return 4;	/* eflags and the selectors */
	if (regno < GDB_REG_FCTRL)
		return 10;	/* x87 80-bit */
	if (regno < GDB_REG_XMM0)
		return 4;
	if (regno < GDB_REG_MXCSR)
		return 16;
	if (regno == GDB_REG_MXCSR)
		return 4;
	return 8;		/* fs_base, gs_base */
}

static uint16_t gdb_arch_selector(int regno)
{
	uint16_t v = 0;

	switch (regno) {
	case GDB_REG_DS:
		__asm__ volatile("mov %%ds, %0" : "=r"(v));
		break;
	case GDB_REG_ES:
		__asm__ volatile("mov %%es, %0" : "=r"(v));
		break;
	case GDB_REG_FS:
		__asm__ volatile("mov %%fs, %0" : "=r"(v));
		break;
	case GDB_REG_GS:
		__asm__ volatile("mov %%gs, %0" : "=r"(v));
		break;
	}
	return v;
}

/* Pointer to a parked thread's saved register, NULL if it was not saved. */
static uint64_t *gdb_arch_ctx_reg(struct cpu_context *c, int regno)
{
	switch (regno) {
	case GDB_REG_RSP:
		return &c->rsp;
	case GDB_REG_RBP:
		return &c->rbp;
	case GDB_REG_RBX:
		return &c->rbx;
	case GDB_REG_R12:
		return &c->r12;
	case GDB_REG_R13:
		return &c->r13;
	case GDB_REG_R14:
		return &c->r14;
	case GDB_REG_R15:
		return &c->r15;
	case GDB_REG_RIP:
		return &c->rip;
	case GDB_REG_EFLAGS:
		return &c->rflags;
	}
	return NULL;
}

static uint64_t *gdb_arch_frame_reg(struct trap_frame *f, int regno)
{
	if (regno > GDB_REG_SS)
		return NULL;
	return (uint64_t *)((char *)f + gdb_arch_frame_off[regno]);
}

/*
 * Appends register regno in target byte order; "xx" per byte when the
 * value is not known (FPU/SSE: the kernel never touches them; a parked
 * thread's caller-saved registers: the switch did not keep them).
 */
void gdb_arch_reg_get(const struct gdb_regs *r, int regno,
		      struct gdb_buf *out)
{
	size_t size = gdb_arch_reg_size(regno), i;
	uint64_t *p = NULL;
	uint64_t v;

	if (r->frame) {
		p = gdb_arch_frame_reg(r->frame, regno);
		if (!p && regno >= GDB_REG_DS && regno <= GDB_REG_GS) {
			gdb_buf_hexle(out, gdb_arch_selector(regno), size);
			return;
		}
		if (regno == GDB_REG_FS_BASE || regno == GDB_REG_GS_BASE) {
			v = rdmsr(regno == GDB_REG_FS_BASE ? MSR_FS_BASE :
							     MSR_GS_BASE);
			gdb_buf_hexle(out, v, size);
			return;
		}
	} else if (r->ctx) {
		p = gdb_arch_ctx_reg(r->ctx, regno);
	}
	if (p) {
		gdb_buf_hexle(out, *p, size);
		return;
	}
	for (i = 0; i < size; i++)
		gdb_buf_puts(out, "xx");
}

/* Sets regno from its hex image; registers we cannot change ignore it. */
int gdb_arch_reg_set(const struct gdb_regs *r, int regno, const char *hex)
{
	size_t size = gdb_arch_reg_size(regno), i;
	uint64_t v = 0, *p = NULL;
	int hi, lo;

	if (size == 0)
		return -1;
	for (i = 0; i < size; i++) {
		hi = gdb_util_hexval(hex[2 * i]);
		lo = gdb_util_hexval(hex[2 * i + 1]);
		if (hex[2 * i] == 'x')
			return 0;	/* "unavailable": leave it alone */
		if (hi < 0 || lo < 0)
			return -1;
		if (i < 8)
			v |= (uint64_t)((hi << 4) | lo) << (8 * i);
	}
	if (r->frame && regno <= GDB_REG_EFLAGS)
		p = gdb_arch_frame_reg(r->frame, regno);
	else if (r->ctx)
		p = gdb_arch_ctx_reg(r->ctx, regno);
	if (!p)
		return 0;
	if (regno == GDB_REG_EFLAGS)
		v = (*p & ~0xffffffffull) | (v & 0xffffffffull);
	*p = v;
	return 0;
}

uint64_t gdb_arch_dr6_take(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	__asm__ volatile("mov %0, %%dr6" : : "r"(DR6_INIT));
	return v;
}

void gdb_arch_dr_load(const uint64_t addr[4], uint64_t dr7)
{
	__asm__ volatile("mov %0, %%dr7" : : "r"(0ull));
	__asm__ volatile("mov %0, %%dr0" : : "r"(addr[0]));
	__asm__ volatile("mov %0, %%dr1" : : "r"(addr[1]));
	__asm__ volatile("mov %0, %%dr2" : : "r"(addr[2]));
	__asm__ volatile("mov %0, %%dr3" : : "r"(addr[3]));
	__asm__ volatile("mov %0, %%dr7" : : "r"(dr7));
}

/*
 * Prepares the frame to execute one instruction. Returns true when the CPU
 * must run it with TF (a #DB follows), false when it was emulated here.
 */
bool gdb_arch_step_begin(struct trap_frame *f)
{
	uint8_t insn[8];
	size_t n = gdb_mem_read(f->rip, insn, sizeof(insn)), i = 0;

	/* operand-size and REX prefixes do not change what these do */
	while (i < n && (insn[i] == INSN_OPSIZE || (insn[i] & 0xf0) == 0x40))
		i++;
	gdb_arch_step_kind = STEP_PLAIN;
	if (i < n) {
		switch (insn[i]) {
		case INSN_CLI:
			f->rflags &= ~RFLAGS_IF;
			f->rip += i + 1;
			return false;
		case INSN_STI:
			f->rflags |= RFLAGS_IF;
			f->rip += i + 1;
			return false;
		case INSN_HLT:
			f->rip += i + 1;
			return false;
		case INSN_PUSHF:
			gdb_arch_step_kind = STEP_PUSHF;
			break;
		case INSN_POPF:
		case INSN_IRET:
			gdb_arch_step_kind = STEP_POPF;
			break;
		}
	}
	gdb_arch_step_if = f->rflags & RFLAGS_IF;
	f->rflags = (f->rflags & ~RFLAGS_IF) | RFLAGS_TF;
	return true;
}

/*
 * Undoes what step_begin did to the flags. `done`: the instruction
 * completed (the single-step #DB); false when it faulted or trapped some
 * other way, and then neither the stack nor IF was changed by it.
 */
void gdb_arch_step_end(struct trap_frame *f, bool done)
{
	uint64_t pushed;

	if (done && gdb_arch_step_kind == STEP_PUSHF &&
	    gdb_mem_read(f->rsp, &pushed, sizeof(pushed)) == sizeof(pushed)) {
		pushed = (pushed & ~(RFLAGS_TF | RFLAGS_IF)) | gdb_arch_step_if;
		gdb_mem_write(f->rsp, &pushed, sizeof(pushed));
	}
	if (done && gdb_arch_step_kind == STEP_POPF)
		gdb_arch_step_if = f->rflags & RFLAGS_IF;
	f->rflags = (f->rflags & ~(RFLAGS_TF | RFLAGS_IF)) | gdb_arch_step_if;
	gdb_arch_step_kind = STEP_PLAIN;
}

void gdb_arch_exit_vm(int code)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)code);
	/* no exit device (another hypervisor): park the CPU for good */
	for (;;)
		__asm__ volatile("cli; hlt");
}
