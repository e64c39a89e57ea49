/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The common path of kernel function probes (kprobe, kprobe-multi, fentry): the same filters,
 * track-skb handling and event record as the tracepoints, plus the function's address and, on
 * request, its caller. */
#ifndef PACKETTRACE_FUNCTION_H
#define PACKETTRACE_FUNCTION_H

#include "emit.h"

/* A probe's cookie: what a program shared by many functions cannot know by itself. kprobes and
 * kprobe-multi links carry one per function (bpf_get_attach_cookie); fentry slots read theirs
 * from .rodata. Layout contract with dev.packettrace.tracer.FunctionCookie. */
#define PT_FN_SKB_ARG_MASK 0x7ULL /* bits 0-2: index of the sk_buff among the parameters, 0..4 */
#define PT_FN_FREES	   (1ULL << 3) /* the function frees the sk_buff: forget it for track-skb */
#define PT_FN_INDEX_SHIFT  32	       /* bits 32-63: index + 1 in the tracer's function table */

/* Enough frames to get past the BPF program and the trampoline to the traced function's caller. */
#define PT_CALLER_FRAMES 8

/* Reads what every function probe reports and applies the filters past the first decision
 * (pt_admit); false: not reported.
 *
 * Not inlined, unlike the tracepoints' path: this object has 74 programs, and one copy of the filter
 * and skb-reading code (which libbpf appends to each program at load) keeps the object at a seventh
 * of the size (340 KB instead of 2.4 MB in the jar). The verifier still walks it once per program,
 * with that program's constants. */
static __noinline bool pt_function_selected(struct pt_event *ev, const struct pt_hit *hit,
					    __u64 cookie)
{
	ev->probe_kind = PT_PROBE_FUNCTION;
	ev->probe_id = cookie >> PT_FN_INDEX_SHIFT;
	return pt_select(ev, hit, cookie & PT_FN_FREES);
}

/* Not inlined for the same reason; ctx keeps its type through a static function call. */
static __noinline void pt_function_emit(void *ctx, struct pt_event *ev)
{
	pt_emit(ctx, ev);
}

static __always_inline void pt_set_caller(struct pt_event *ev, __u64 return_address)
{
	if (return_address) {
		ev->location = return_address;
		ev->flags |= PT_EV_HAS_CALLER;
	}
}

/* bpf_get_func_ip and bpf_get_attach_cookie came with 5.15 for kprobes (kprobe-multi, 5.18, always
 * has both). The checks are CO-RE relocations against the running kernel's helper enum, so on an
 * older kernel the helper call is dead code the verifier never sees. */
static __always_inline __u64 pt_kprobe_func_ip(struct pt_regs *ctx)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_func_ip))
		return bpf_get_func_ip(ctx);
	/* the kprobe's breakpoint (or ftrace's emulation of it) leaves ip one byte past the entry */
	return PT_REGS_IP(ctx) - 1;
}

static __always_inline __u64 pt_kprobe_cookie(struct pt_regs *ctx)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_attach_cookie))
		return bpf_get_attach_cookie(ctx);
	return 0; /* function named from its address by Java; track-skb frees come from the tracepoints */
}

static __always_inline int pt_on_kprobe(struct pt_regs *ctx, struct sk_buff *skb)
{
	struct pt_hit hit = { .skb = skb };

	if (!pt_admit(&hit))
		return 0;

	struct pt_event ev = {};

	if (!pt_function_selected(&ev, &hit, pt_kprobe_cookie(ctx)))
		return 0;
	ev.probe_addr = pt_kprobe_func_ip(ctx);
	if (pt_cfg.output_caller) {
		__u64 ret = 0;

		/* at the entry the return address is where the stack pointer points (x86) or in the link register */
		BPF_KPROBE_READ_RET_IP(ret, ctx);
		pt_set_caller(&ev, ret);
	}
	pt_function_emit(ctx, &ev);
	return 0;
}

/* From inside a trampoline the stack reads: this program, the trampoline, the return address into
 * the traced function (whose first instruction called the trampoline), then the traced function's
 * caller. The frame after the one just past the function's entry is the caller. */
static __always_inline __u64 pt_fentry_caller(void *ctx, __u64 func_ip)
{
	__u64 frames[PT_CALLER_FRAMES] = {};
	long bytes = bpf_get_stack(ctx, frames, sizeof(frames), 0);

	if (!func_ip || bytes <= 0)
		return 0;
	for (int i = 0; i < PT_CALLER_FRAMES - 1; i++) {
		if ((i + 1) * 8 >= bytes)
			break;
		if (frames[i] - func_ip < 32)
			return frames[i + 1];
	}
	return 0;
}

#endif
