// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The tracepoint backend: one BTF-typed raw tracepoint program (tp_btf) per skb-carrying tracepoint.
 *
 * tp_btf rather than plain raw_tracepoint: the verifier knows the arguments' types, so the reads on
 * the path every unmatched packet takes are plain loads instead of bpf_probe_read_kernel calls (see
 * PT_TYPED_POINTERS in skb_read.h). It attaches like a raw tracepoint: no BPF trampoline.
 *
 * Program names are pt<ID>_<group>__<event>: the Java side reads the probe id and the tracepoint
 * from the name, so this file is the single list of tracepoints. Programs for tracepoints the
 * running kernel lacks are not loaded. Where each argument sits in a tracepoint's prototype is
 * discovered from BTF by Java and passed in pt_cfg (prototypes changed across kernel versions). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "config.h"

/* tp_btf arguments are typed pointers: skb_read.h may dereference them directly. */
#define PT_TYPED_POINTERS

const volatile struct pt_config pt_cfg = {};

#include "ctx_arg.h"
#include "emit.h"

/* Never read: it puts struct pt_event into the object's BTF (clang emits BTF only for the types
 * of globals and functions), where the Java decoder's layout test reads the real offsets. */
const volatile struct pt_event pt_event_layout = {};

static __always_inline int pt_on_tracepoint(__u64 *ctx, __u32 id)
{
	__u8 skb_i = pt_cfg.skb_arg[id], sk_i = pt_cfg.sk_arg[id];
	__u8 loc_i = pt_cfg.location_arg[id], reason_i = pt_cfg.reason_arg[id];
	struct pt_hit hit = {
		.skb = skb_i == PT_NO_ARG ? NULL : (struct sk_buff *)pt_ctx_arg(ctx, skb_i),
		.sk = sk_i == PT_NO_ARG ? NULL : (struct sock *)pt_ctx_arg(ctx, sk_i),
	};

	if (!pt_admit(&hit))
		return 0;

	/* only now: most hits never get here, and zeroing the 144-byte event takes 18 stores */
	struct pt_event ev = {};

	ev.probe_kind = PT_PROBE_TRACEPOINT;
	ev.probe_id = id;
	if (loc_i != PT_NO_ARG) {
		ev.location = pt_ctx_arg(ctx, loc_i);
		ev.flags |= PT_EV_HAS_LOCATION;
	}
	if (reason_i != PT_NO_ARG) {
		ev.drop_reason = (__u32)pt_ctx_arg(ctx, reason_i);
		ev.flags |= PT_EV_HAS_REASON;
	}
	if (pt_select(&ev, &hit, id == PT_TP_KFREE_SKB || id == PT_TP_CONSUME_SKB))
		pt_emit(ctx, &ev);
	return 0;
}

#define PT_TRACEPOINT(id, group, event)             \
	SEC("tp_btf/" #event)                       \
	int pt##id##_##group##__##event(__u64 *ctx) \
	{                                           \
		return pt_on_tracepoint(ctx, id);   \
	}

/* Ids index pt_cfg's argument tables: keep them below PT_MAX_PROBES and never reuse one.
 * 16 was net:netif_rx_entry: it fires for the same skb right before net:netif_rx, so it added a
 * probe hit per received packet (the cost every untraced pod pays) and no information. */
PT_TRACEPOINT(0, skb, kfree_skb)
PT_TRACEPOINT(1, skb, consume_skb)
PT_TRACEPOINT(2, net, netif_receive_skb)
PT_TRACEPOINT(3, net, netif_rx)
PT_TRACEPOINT(4, net, napi_gro_receive_entry)
PT_TRACEPOINT(5, net, net_dev_queue)
PT_TRACEPOINT(6, net, net_dev_start_xmit)
PT_TRACEPOINT(7, net, net_dev_xmit)
PT_TRACEPOINT(8, tcp, tcp_retransmit_skb)
PT_TRACEPOINT(9, tcp, tcp_send_reset)
PT_TRACEPOINT(10, tcp, tcp_receive_reset)
PT_TRACEPOINT(11, udp, udp_fail_queue_rcv_skb)
PT_TRACEPOINT(12, sock, sock_rcvqueue_full)
PT_TRACEPOINT(13, skb, skb_copy_datagram_iovec)
PT_TRACEPOINT(14, tcp, tcp_bad_csum)
PT_TRACEPOINT(15, net, netif_receive_skb_entry)
PT_TRACEPOINT(17, net, napi_gro_frags_entry)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
