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
 *   gdb_protocol.c packet loop and dispatch, stop replies, vCont
 *   gdb_data.c     g G p P m M X Z z;  gdb_query.c  q/Q packets, qXfer
 *   gdbstub.c      entry points: traps, IRQ, panic, stop/resume
 * Nothing here may call code a user can put a breakpoint in.
 * Reference: GDB manual, appendix E "Remote Serial Protocol".
 */
#ifndef DEBUG_GDB_H
#define DEBUG_GDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

/*
 * The stub's big buffers, taken from the page allocator when the stub
 * starts (gdbstub_init) rather than living in the kernel image's .bss:
 * a kernel whose stub is off or absent does not carry them.
 */
struct gdb_space {
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

/* gdb_serial.c */
bool gdb_serial_init(const char *transport);
bool gdb_serial_is_virtio(void);
int gdb_serial_getc(void);
int gdb_serial_poll(void);
void gdb_serial_putc(char c);
void gdb_serial_flush(void);
void gdb_serial_rx_irq(bool on);
bool gdb_serial_unannounced(void);
void gdb_serial_irq_ack(void);

/* gdb_uart.c */
bool gdb_uart_init(void);
int gdb_uart_poll(void);
void gdb_uart_putc(char c);
void gdb_uart_rx_irq(bool on);

/* gdb_virtio.c */
bool gdb_virtio_init(void);
unsigned long gdb_virtio_base(void);
unsigned int gdb_virtio_gsi(void);
int gdb_virtio_poll(void);
void gdb_virtio_putc(char c);
void gdb_virtio_flush(void);
void gdb_virtio_rx_irq(bool on);
bool gdb_virtio_pending(void);
void gdb_virtio_irq_ack(void);

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
void gdb_break_arm_hw(void);
void gdb_break_disarm_hw(void);
bool gdb_break_hw_hit(uint64_t dr6, struct gdb_stop *stop);
void gdb_break_clear_all(void);
void gdb_break_hidden_set(uint64_t addr);
void gdb_break_hidden_clear(void);
bool gdb_break_hidden_at(uint64_t addr);

/* gdb_data.c */
void gdb_data_g(const struct gdb_regs *r, struct gdb_buf *out);
void gdb_data_G(const struct gdb_regs *r, const char *p, struct gdb_buf *out);
void gdb_data_p(const struct gdb_regs *r, const char *p, struct gdb_buf *out);
void gdb_data_P(const struct gdb_regs *r, const char *p, struct gdb_buf *out);
void gdb_data_m(const char *p, struct gdb_buf *out);
void gdb_data_M(const char *p, struct gdb_buf *out);
void gdb_data_X(const char *p, size_t plen, struct gdb_buf *out);
void gdb_data_Z(const char *p, bool insert, struct gdb_buf *out);

/* gdb_protocol.c */
struct thread *gdb_protocol_thread(int id);
bool gdb_protocol_regs(struct thread *t, struct gdb_regs *r);
void gdb_protocol_stop_reply(const struct gdb_stop *stop);
void gdb_protocol_loop(struct gdb_stop *stop, struct gdb_resume *resume);

/* gdb_query.c */
bool gdb_query_handle(const char *pkt, size_t len, struct gdb_buf *out,
		      const struct gdb_stop *stop);
int gdb_query_thread_id(const struct thread *t);

/* gdb_target_xml.c */
extern const char gdb_target_xml[];
extern const size_t gdb_target_xml_len;

#endif
