/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Reading the n-th 64-bit argument slot of a context that is an array of u64 (tp_btf tracepoints,
 * and the fentry trampolines' saved arguments). */
#ifndef PACKETTRACE_CTX_ARG_H
#define PACKETTRACE_CTX_ARG_H

/* The verifier accepts context reads only at a constant offset encoded in the load instruction.
 * Written as ctx[index], clang merges the cases into one load from ctx + computed offset, which
 * the verifier rejects ("dereference of modified ctx ptr"); one asm load per case keeps them
 * apart. Callers pass a .rodata constant as the index, so only the taken case is verified, which
 * also keeps the program's context reads within the target's arguments (a tracepoint's
 * argument count, an fentry target's parameter count) at load and attach time. */
#define PT_CTX_ARG(ctx, n)                                                                     \
	({                                                                                     \
		__u64 __value;                                                                 \
		asm volatile("%0 = *(u64 *)(%1 + %2)" : "=r"(__value) : "r"(ctx), "i"((n)*8)); \
		__value;                                                                       \
	})

static __always_inline __u64 pt_ctx_arg(void *ctx, __u8 index)
{
	switch (index) {
	case 0:
		return PT_CTX_ARG(ctx, 0);
	case 1:
		return PT_CTX_ARG(ctx, 1);
	case 2:
		return PT_CTX_ARG(ctx, 2);
	case 3:
		return PT_CTX_ARG(ctx, 3);
	case 4:
		return PT_CTX_ARG(ctx, 4);
	case 5:
		return PT_CTX_ARG(ctx, 5);
	default:
		return 0;
	}
}

#endif
