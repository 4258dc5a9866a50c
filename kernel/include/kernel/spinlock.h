/*
 * Spinlocks with interrupts off: the one way kernel code says "this data is
 * shared". spin_lock_irqsave() turns interrupts off on this CPU (an
 * interrupt handler on this CPU could otherwise spin on a lock its own CPU
 * holds) and then takes the lock against the other CPUs; on one CPU the
 * lock is always free and the pair costs an xchg more than irq_save().
 *
 *	uint64_t flags = spin_lock_irqsave(&thread_lock);
 *	... walk or change thread_all ...
 *	spin_unlock_irqrestore(&thread_lock, flags);
 *
 * spin_lock()/spin_unlock() are for code that runs with interrupts off
 * already (handlers, the scheduler). The lock is plain data: `owner` is
 * the CPU holding it (-1: free), which a debugger shows as it is.
 * Definitions only (static inline): no call lands in code a user may
 * break in, as the gdbstub's trap path needs.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdint.h>
#include <kernel/cpu.h>

struct spinlock {
	volatile uint32_t locked;	/* 1 while held */
	int owner;	/* CPU number of the holder, -1 when free */
	const char *name;	/* what it protects, for people */
};

#define SPINLOCK_INITIALIZER(n) { .locked = 0, .owner = -1, .name = (n) }

static inline void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner = -1;
	l->name = name;
}

/* CPU number for the owner field (kernel/percpu.h has the full story) */
static inline int spin_cpu(void)
{
	int id;

	/* struct percpu's id sits at offset 8, right after its self pointer */
	__asm__ volatile("movl %%gs:8, %0" : "=r"(id));
	return id;
}

static inline void spin_lock(struct spinlock *l)
{
	/* xchg with memory is locked and a full barrier (SDM vol. 3, 9.1.2) */
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (l->locked)
			cpu_relax();
	}
	l->owner = spin_cpu();
}

static inline void spin_unlock(struct spinlock *l)
{
	l->owner = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

#endif
