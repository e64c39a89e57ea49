// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The function-level backends: programs for kernel functions that take an sk_buff, one per
 * position of the sk_buff among the first five parameters (as pwru does), in three flavours.
 *
 *   ptk_skb<N>   kprobe: attached to each function separately
 *   ptm_skb<N>   kprobe-multi: one link per program attaches it to all its functions at once
 *   ptf_slot<S>  fentry: a trampoline program is bound to one function when it is loaded, so this
 *                object carries PT_FENTRY_SLOTS generic slots; Java opens the object once per
 *                PT_FENTRY_SLOTS functions, binds each slot to one, and writes the slot's cookie
 *                (the sk_buff's position among them) into pt_fentry_cookie.
 *
 * Java enables only the programs of the chosen backend. The maps are the tracepoint object's,
 * shared by file descriptor before loading, so every backend feeds the same ring buffer, counters,
 * namespace filter and track-skb set. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "config.h"

const volatile struct pt_config pt_cfg = {};

#include "ctx_arg.h"
#include "function.h"

/* Mirrors AttachPlan.FENTRY_SLOTS_PER_OBJECT. Each slot is a separately verified program, so the count
 * trades how many objects are opened against how much unused code each object carries. */
#define PT_FENTRY_SLOTS 64

/* Per fentry slot, the cookie of the function it is bound to (PT_FN_* in function.h). .rodata, so
 * the verifier sees the sk_buff's position as a constant and checks only that argument's read
 * against the function's prototype. */
const volatile __u64 pt_fentry_cookie[PT_FENTRY_SLOTS] = {};

#define PT_KPROBE(pos)                                                              \
	SEC("kprobe")                                                               \
	int ptk_skb##pos(struct pt_regs *ctx)                                       \
	{                                                                           \
		return pt_on_kprobe(ctx, (struct sk_buff *)PT_REGS_PARM##pos(ctx)); \
	}

#define PT_KPROBE_MULTI(pos)                                                        \
	SEC("kprobe.multi")                                                         \
	int ptm_skb##pos(struct pt_regs *ctx)                                       \
	{                                                                           \
		return pt_on_kprobe(ctx, (struct sk_buff *)PT_REGS_PARM##pos(ctx)); \
	}

PT_KPROBE(1)
PT_KPROBE(2)
PT_KPROBE(3)
PT_KPROBE(4)
PT_KPROBE(5)

PT_KPROBE_MULTI(1)
PT_KPROBE_MULTI(2)
PT_KPROBE_MULTI(3)
PT_KPROBE_MULTI(4)
PT_KPROBE_MULTI(5)

static __always_inline int pt_on_fentry(void *ctx, __u32 slot)
{
	__u64 cookie = pt_fentry_cookie[slot];
	struct sk_buff *skb = (struct sk_buff *)pt_ctx_arg(ctx, cookie & PT_FN_SKB_ARG_MASK);
	struct pt_hit hit = { .skb = skb };

	if (!pt_admit(&hit))
		return 0;

	struct pt_event ev = {};

	if (!pt_function_selected(&ev, &hit, cookie))
		return 0;
	/* for trampolines since 5.15; older kernels leave the address 0 and Java names the
	 * function from the cookie's index */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ip))
		ev.probe_addr = bpf_get_func_ip(ctx);
	if (pt_cfg.output_caller)
		pt_set_caller(&ev, pt_fentry_caller(ctx, ev.probe_addr));
	pt_function_emit(ctx, &ev);
	return 0;
}

#define PT_FENTRY_SLOT(slot)                    \
	SEC("fentry")                           \
	int ptf_slot##slot(void *ctx)           \
	{                                       \
		return pt_on_fentry(ctx, slot); \
	}

/* PT_FENTRY_SLOTS of them, ptf_slot0 .. ptf_slot63, a table eight to a line; left
 * unformatted to the end of the file, since clang-format reads the invocations as one statement */
/* clang-format off */
PT_FENTRY_SLOT(0) PT_FENTRY_SLOT(1) PT_FENTRY_SLOT(2) PT_FENTRY_SLOT(3) PT_FENTRY_SLOT(4) PT_FENTRY_SLOT(5) PT_FENTRY_SLOT(6) PT_FENTRY_SLOT(7)
PT_FENTRY_SLOT(8) PT_FENTRY_SLOT(9) PT_FENTRY_SLOT(10) PT_FENTRY_SLOT(11) PT_FENTRY_SLOT(12) PT_FENTRY_SLOT(13) PT_FENTRY_SLOT(14) PT_FENTRY_SLOT(15)
PT_FENTRY_SLOT(16) PT_FENTRY_SLOT(17) PT_FENTRY_SLOT(18) PT_FENTRY_SLOT(19) PT_FENTRY_SLOT(20) PT_FENTRY_SLOT(21) PT_FENTRY_SLOT(22) PT_FENTRY_SLOT(23)
PT_FENTRY_SLOT(24) PT_FENTRY_SLOT(25) PT_FENTRY_SLOT(26) PT_FENTRY_SLOT(27) PT_FENTRY_SLOT(28) PT_FENTRY_SLOT(29) PT_FENTRY_SLOT(30) PT_FENTRY_SLOT(31)
PT_FENTRY_SLOT(32) PT_FENTRY_SLOT(33) PT_FENTRY_SLOT(34) PT_FENTRY_SLOT(35) PT_FENTRY_SLOT(36) PT_FENTRY_SLOT(37) PT_FENTRY_SLOT(38) PT_FENTRY_SLOT(39)
PT_FENTRY_SLOT(40) PT_FENTRY_SLOT(41) PT_FENTRY_SLOT(42) PT_FENTRY_SLOT(43) PT_FENTRY_SLOT(44) PT_FENTRY_SLOT(45) PT_FENTRY_SLOT(46) PT_FENTRY_SLOT(47)
PT_FENTRY_SLOT(48) PT_FENTRY_SLOT(49) PT_FENTRY_SLOT(50) PT_FENTRY_SLOT(51) PT_FENTRY_SLOT(52) PT_FENTRY_SLOT(53) PT_FENTRY_SLOT(54) PT_FENTRY_SLOT(55)
PT_FENTRY_SLOT(56) PT_FENTRY_SLOT(57) PT_FENTRY_SLOT(58) PT_FENTRY_SLOT(59) PT_FENTRY_SLOT(60) PT_FENTRY_SLOT(61) PT_FENTRY_SLOT(62) PT_FENTRY_SLOT(63)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
/* clang-format on */
