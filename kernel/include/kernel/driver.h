/*
 * Driver registration without #ifdefs: a driver file says
 * DRIVER_INIT(virtio_blk_init); and kernel init calls every registered
 * function once (after heap, IRQs and scheduler, before main), in link
 * order. Only the drivers named in minnow.json are linked, so only they run.
 * kernel.ld collects the pointers between __driver_init_start and _end.
 */
#ifndef KERNEL_DRIVER_H
#define KERNEL_DRIVER_H

/* Returns 0 or -errno; a failing driver is logged, boot continues. */
typedef int (*driver_init_fn)(void);

#define DRIVER_INIT(fn)                                                   \
	static const driver_init_fn driver_init_##fn                      \
		__attribute__((used, section(".driver_init"), aligned(8))) = fn

extern const driver_init_fn __driver_init_start[];
extern const driver_init_fn __driver_init_end[];

/* Calls every registered driver init function, in link order. */
static inline void driver_init_all(void)
{
	const driver_init_fn *fn;

	for (fn = __driver_init_start; fn < __driver_init_end; fn++)
		(*fn)();
}

#endif
