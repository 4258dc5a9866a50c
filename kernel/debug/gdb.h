/*
 * Internal interface of the gdbstub (kernel/debug). Layers, bottom up:
 *   gdb_serial.c   transport: the byte stream, over gdb_uart.c (COM2
 *                  16550) or gdb_virtio.c (virtio console, microvm);
 *                  polled getc/putc/flush, RX interrupt
 *   gdb_packet.c   framing: $data#cs, +/- acks, no-ack mode
 *   gdb_util.c     hex and string helpers (the stub calls no libc)
 *   gdb_mem.c      memory access that never faults (own page walk)
 *   gdb_arch.c     registers, debug registers, single step
 *   gdb_break.c    int3 and DR0-DR3 breakpoint/watchpoint tables
 *   gdb_thread.c   kernel threads as gdb threads: ids, lookup, registers
 *   gdb_protocol.c packet loop and dispatch, stop replies, vCont
 *   gdb_data.c     g G p P m M X Z z;  gdb_query.c  q/Q packets, qXfer
 *   gdb_smp.c      all-stop: the other CPUs parked while gdb is served
 *   gdbstub.c      entry points: traps, IRQ, panic, stop/resume
 * Their state is one struct gdb_session, passed down from gdbstub.c.
 * Nothing here may call code a user can put a breakpoint in.
 * Reference: GDB manual, appendix E "Remote Serial Protocol".
 */
#ifndef DEBUG_GDB_H
#define DEBUG_GDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <kernel/trap.h>

/* Largest packet payload we accept and send (advertised as PacketSize). */
#define GDB_PACKET_SIZE 0x4000

/* RSP error replies: errno values, as gdbserver uses them. */
#define GDB_ERR_MEMORY "E14"	/* EFAULT: unmapped or non-canonical */
#define GDB_ERR_TOOBIG "E07"	/* E2BIG: longer than GDB_PACKET_SIZE */
#define GDB_ERR_INVALID "E22"	/* EINVAL: malformed arguments */
#define GDB_ERR_NOSPACE "E28"	/* ENOSPC: no free (watch)point slot */
#define GDB_ERR_FORBIDDEN "E01"	/* EPERM: breakpoint in the trap path */
#define GDB_ERR_THREAD "E02"	/* ENOENT: no such thread */

/* gdb's own signal numbers (gdb/signals.def), used in stop replies. */
#define GDB_SIGINT 2
#define GDB_SIGILL 4
#define GDB_SIGTRAP 5
#define GDB_SIGABRT 6
#define GDB_SIGFPE 8
#define GDB_SIGBUS 10
#define GDB_SIGSEGV 11

#define GDB_CTRL_C 0x03

/*
 * Register numbers in the order of our target description (gdb numbers
 * registers in XML order): core, then sse, then segments.
 */
enum gdb_reg {
	GDB_REG_RAX, GDB_REG_RBX, GDB_REG_RCX, GDB_REG_RDX,
	GDB_REG_RSI, GDB_REG_RDI, GDB_REG_RBP, GDB_REG_RSP,
	GDB_REG_R8, GDB_REG_R9, GDB_REG_R10, GDB_REG_R11,
	GDB_REG_R12, GDB_REG_R13, GDB_REG_R14, GDB_REG_R15,
	GDB_REG_RIP, GDB_REG_EFLAGS,
	GDB_REG_CS, GDB_REG_SS, GDB_REG_DS, GDB_REG_ES, GDB_REG_FS, GDB_REG_GS,
	GDB_REG_ST0,
	GDB_REG_FCTRL = GDB_REG_ST0 + 8,
	GDB_REG_XMM0 = GDB_REG_FCTRL + 8,
	GDB_REG_MXCSR = GDB_REG_XMM0 + 16,
	GDB_REG_FS_BASE,
	GDB_REG_GS_BASE,
	GDB_REG_COUNT
};

/* Why the target stopped, as the stop reply tells gdb. */
enum gdb_stop_kind {
	GDB_STOP_SIGNAL,	/* plain signal */
	GDB_STOP_SWBREAK,	/* int3 we planted */
	GDB_STOP_HWBREAK,	/* DR0-DR3 execution breakpoint */
	GDB_STOP_WATCH,		/* write watchpoint */
	GDB_STOP_RWATCH,	/* read watchpoint */
	GDB_STOP_AWATCH,	/* access watchpoint */
};

struct gdb_stop {
	struct trap_frame *frame;	/* registers of the CPU that trapped */
	struct thread *thread;		/* running thread (NULL: none yet) */
	int signal;
	enum gdb_stop_kind kind;
	uint64_t watch_addr;
};

/* What gdb asked for when it let the target go. */
enum gdb_action {
	GDB_ACT_CONTINUE,
	GDB_ACT_STEP,
	GDB_ACT_RANGE,		/* vCont;r: step while start <= rip < end */
	GDB_ACT_DETACH,
};

struct gdb_resume {
	enum gdb_action action;
	uint64_t start, end;
	struct thread *thread;	/* parked thread to step (NULL: stopped one) */
	bool alone;		/* the other CPUs stay parked meanwhile */
};

/* What the CPU does when the stub lets it go (gdbstub.c). */
enum gdb_run {
	GDB_RUN_FREE,		/* breakpoints armed, no TF */
	GDB_RUN_STEP,		/* one instruction, then report */
	GDB_RUN_RANGE,		/* step while range_start <= rip < range_end */
	GDB_RUN_STEP_OVER,	/* one instruction off a breakpoint, then run */
};

#define GDB_HW_SLOTS 4	/* DR0-DR3 */

/*
 * All of the stub's state but its breakpoint tables (gdb_break.c) and
 * buffers: the run state (gdbstub.c), the stop being served and the thread
 * gdb selected (gdb_protocol.c, gdb_query.c, gdb_thread.c), and what the
 * debug registers hold on each CPU (gdb_break.c).
 */
struct gdb_session {
	bool up;		/* a transport answered and the stub is on */
	bool wait;		/* minnow.gdb=wait */
	bool attached;		/* a gdb talked to us, did not detach */
	bool seen;		/* a gdb talked to us since boot */
	bool in_stub;		/* a trap now is the stub's own bug */
	bool reply_due;		/* gdb resumed us, awaits a stop reply */
	bool stepping;		/* TF is ours, on CPU step_cpu */
	int step_cpu;
	bool alone;		/* the other CPUs stay parked while it runs */
	/* the transport's interrupt: registered, the LAPIC it was
	 * registered on, and the one it goes to now */
	bool irq_on;
	uint32_t irq_home, irq_apic;
	int own_signal;		/* our own int3 (wait) reports this */
	uint64_t own_if;	/* IF to give back to our own int3's frame */
	enum gdb_run run;
	uint64_t range_start, range_end;
	struct gdb_resume park;	/* a step asked for a parked thread */
	struct gdb_resume handed;	/* what a CPU handed the stub does */
	struct gdb_stop *stop;	/* the stop being served */
	struct thread *sel;	/* chosen by Hg; NULL: the stopped one */
	/* DR0-DR3 and DR7 as loaded on each CPU: a range step re-arms at
	 * every instruction, and a debug register write is not free (a VM
	 * exit, or a TB flush in TCG) */
	uint64_t dr_addr[CPU_MAX][GDB_HW_SLOTS];
	uint64_t dr7[CPU_MAX];
};

/* Bounded walk over thread_all (gdb_thread.c). */
struct gdb_thread_iter {
	struct thread *t;
	int n;
};

/*
 * The stub's big buffers, taken from the page allocator when the stub
 * starts (gdbstub_init) rather than living in the kernel image's .bss:
 * a kernel whose stub is off or absent does not carry them.
 */
/*
 * Where a CPU stopped by NMI waits (gdb_smp.c): its stack, and its trap
 * frame copied at the top, as isr_common leaves one.
 */
#define GDB_PARK_STACK 2048
struct gdb_park {
	uint8_t stack[GDB_PARK_STACK];
	struct trap_frame frame;
} __attribute__((aligned(16)));

struct gdb_space {
	struct gdb_park park[CPU_MAX];	/* first: page-aligned, so 16 */
	char in[GDB_PACKET_SIZE + 1];		/* the packet being served */
	char out[GDB_PACKET_SIZE];		/* its reply */
	uint8_t mem[GDB_PACKET_SIZE / 2];	/* m M X data */
	char xml[GDB_PACKET_SIZE];		/* qXfer:threads snapshot */
};
extern struct gdb_space *gdb_space;

/* Output buffer for replies; writes past cap are dropped and flagged. */
struct gdb_buf {
	char *data;
	size_t len;
	size_t cap;
	bool overflow;
};

/*
 * A thread's registers: the trap frame of the running one, or the saved
 * callee-saved context of a parked one (the rest read as unavailable).
 */
struct gdb_regs {
	struct trap_frame *frame;
	struct cpu_context *ctx;
};

/*
 * A transport: the byte stream to gdb (gdb_serial.c picks one at boot).
 * Polled while the kernel is stopped; while it runs, only the RX
 * interrupt is on, so that a Ctrl-C (or a new gdb's first packet) stops it.
 */
struct gdb_transport {
	const char *name;	/* as in minnow.gdb.transport= */
	bool (*init)(void);	/* false: no such device, try another */
	int (*poll)(void);	/* next byte, or -1 */
	void (*putc)(char c);
	void (*flush)(void);	/* NULL: bytes leave at putc */
	void (*rx_irq)(bool on);
	/* after rx_irq(true): input waiting that raised no interrupt of its
	 * own (NULL: the device raises one as soon as it is allowed) */
	bool (*pending)(void);
	void (*irq_ack)(void);	/* in the handler, before reading; or NULL */
	unsigned int (*gsi)(void);	/* its IOAPIC input */
	bool level;	/* level-triggered line */
};

/* gdb_serial.c */
bool gdb_serial_init(const char *transport);
const struct gdb_transport *gdb_serial_transport(void);
int gdb_serial_getc(void);
int gdb_serial_poll(void);
void gdb_serial_putc(char c);
void gdb_serial_flush(void);
void gdb_serial_rx_irq(bool on);
bool gdb_serial_unannounced(void);
void gdb_serial_irq_ack(void);

/* gdb_uart.c (COM2) and gdb_virtio.c (virtio console on virtio-mmio) */
extern const struct gdb_transport gdb_uart_transport;
extern const struct gdb_transport gdb_virtio_transport;
unsigned long gdb_virtio_base(void);

/* gdb_packet.c */
int gdb_packet_recv(char *buf, size_t cap);
void gdb_packet_send(const char *data, size_t len);
void gdb_packet_set_noack(bool on);
void gdb_packet_unget_start(void);
void gdb_packet_new_connection(void);

/* gdb_util.c */
int gdb_util_hexval(char c);
size_t gdb_util_parse_hex(const char **p, uint64_t *v);
bool gdb_util_prefix(const char *s, const char *prefix);
bool gdb_util_streq(const char *a, const char *b);
size_t gdb_util_strlen(const char *s);
void gdb_util_memcpy(void *dst, const void *src, size_t n);
void gdb_buf_init(struct gdb_buf *b, char *data, size_t cap);
void gdb_buf_putc(struct gdb_buf *b, char c);
void gdb_buf_puts(struct gdb_buf *b, const char *s);
void gdb_buf_hex8(struct gdb_buf *b, uint8_t v);
void gdb_buf_hexnum(struct gdb_buf *b, uint64_t v);
void gdb_buf_hexle(struct gdb_buf *b, uint64_t v, size_t bytes);
void gdb_buf_hexstr(struct gdb_buf *b, const char *s);
void gdb_buf_xml(struct gdb_buf *b, const char *s);
void gdb_buf_dec(struct gdb_buf *b, uint64_t v);

/* gdb_mem.c */
bool gdb_mem_mapped(uint64_t addr, bool *writable);
size_t gdb_mem_read(uint64_t addr, void *dst, size_t len);
int gdb_mem_write(uint64_t addr, const void *src, size_t len);

/* gdb_arch.c */
size_t gdb_arch_reg_size(int regno);
void gdb_arch_reg_get(const struct gdb_regs *r, int regno,
		      struct gdb_buf *out);
int gdb_arch_reg_set(const struct gdb_regs *r, int regno, const char *hex);
uint64_t gdb_arch_dr6_take(void);
void gdb_arch_dr_load(const uint64_t addr[4], uint64_t dr7);
bool gdb_arch_step_begin(struct trap_frame *f);
void gdb_arch_step_end(struct trap_frame *f, bool done);
void gdb_arch_exit_vm(int code);

/* gdb_break.c */
int gdb_break_insert(int type, uint64_t addr, uint64_t len);
int gdb_break_remove(int type, uint64_t addr, uint64_t len);
bool gdb_break_sw_at(uint64_t addr);
bool gdb_break_hw_exec_at(uint64_t addr);
void gdb_break_arm_sw(void);
void gdb_break_disarm_sw(void);
void gdb_break_arm_hw(struct gdb_session *s);
void gdb_break_disarm_hw(struct gdb_session *s);
bool gdb_break_hw_hit(uint64_t dr6, struct gdb_stop *stop);
void gdb_break_clear_all(struct gdb_session *s);
void gdb_break_hidden_set(uint64_t addr);
void gdb_break_hidden_clear(void);
bool gdb_break_hidden_at(uint64_t addr);

/* gdb_thread.c */
int gdb_thread_id(const struct thread *t);
bool gdb_thread_is_pseudo(int id);
struct thread *gdb_thread_first(struct gdb_thread_iter *it);
struct thread *gdb_thread_next(struct gdb_thread_iter *it);
struct thread *gdb_thread_unlisted(const struct gdb_session *s);
struct thread *gdb_thread_find(const struct gdb_session *s, int id);
struct percpu *gdb_thread_cpu(const struct thread *t);
void gdb_thread_regs(const struct gdb_session *s, struct thread *t,
		     struct gdb_regs *r);

/* gdb_data.c */
void gdb_data_g(const struct gdb_regs *r, struct gdb_buf *out);
void gdb_data_G(const struct gdb_regs *r, const char *p, struct gdb_buf *out);
void gdb_data_p(const struct gdb_regs *r, const char *p, struct gdb_buf *out);
void gdb_data_P(const struct gdb_regs *r, const char *p, struct gdb_buf *out);
void gdb_data_m(const char *p, struct gdb_buf *out);
void gdb_data_M(const char *p, struct gdb_buf *out);
void gdb_data_X(const char *p, size_t plen, struct gdb_buf *out);
void gdb_data_Z(const char *p, bool insert, struct gdb_buf *out);

/* gdb_smp.c */
bool gdb_smp_foreign(struct gdb_session *s, struct trap_frame *f);
void gdb_smp_acquire(struct gdb_session *s, struct trap_frame *f);
void gdb_smp_stop_others(void);
void gdb_smp_wait_others(void);
void gdb_smp_release(void);
void gdb_smp_resume_others(void);
bool gdb_smp_defer_others(void);
bool gdb_smp_owed_due(void);
bool gdb_smp_can_take(const struct percpu *c);
void gdb_smp_hand_over(struct gdb_session *s, struct trap_frame *f,
		       struct percpu *to);
bool gdb_smp_taken(struct trap_frame *f);
int gdb_smp_owner_cpu(void);

/* gdb_protocol.c */
void gdb_protocol_stop_reply(const struct gdb_stop *stop);
void gdb_protocol_loop(struct gdb_session *s, struct gdb_resume *resume);

/* gdb_query.c */
bool gdb_query_handle(struct gdb_session *s, const char *pkt, size_t len,
		      struct gdb_buf *out);

/* gdb_target_xml.c */
extern const char gdb_target_xml[];
extern const size_t gdb_target_xml_len;

#endif
