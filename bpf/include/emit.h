/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The common path of every probe: filter, track, and hand the event to user space. */
#ifndef PACKETTRACE_EMIT_H
#define PACKETTRACE_EMIT_H

#include "counts.h"
#include "event.h"
#include "filter.h"
#include "maps.h"
#include "pcap.h"
#include "skb_read.h"

#define PT_STACK_BYTES (PT_MAX_STACK_DEPTH * sizeof(__u64))

static __always_inline void pt_fill_task(struct pt_event *ev)
{
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = bpf_get_current_pid_tgid() >> 32;
	ev->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
}

static __always_inline void pt_emit(void *ctx, struct pt_event *ev)
{
	/* first: a hit that is only counted skips the task's fields and the ring buffer */
	if (!pt_stream(ev))
		return;
	pt_fill_task(ev);
	if (!pt_cfg.capture_stack) {
		if (bpf_ringbuf_output(&pt_events, ev, sizeof(*ev), 0))
			pt_count(PT_STAT_LOST);
		else
			pt_count(PT_STAT_EMITTED);
		return;
	}

	struct pt_event *out =
		bpf_ringbuf_reserve(&pt_events, PT_EVENT_BASE_SIZE + PT_STACK_BYTES, 0);
	long bytes;

	if (!out) {
		pt_count(PT_STAT_LOST);
		return;
	}
	__builtin_memcpy(out, ev, sizeof(*ev));
	bytes = bpf_get_stack(ctx, (void *)out + PT_EVENT_BASE_SIZE, PT_STACK_BYTES, 0);
	out->stack_bytes = bytes > 0 ? bytes : 0;
	bpf_ringbuf_submit(out, 0);
	pt_count(PT_STAT_EMITTED);
}

/* What a probe hit carries, and what the first decision about it found. */
struct pt_hit {
	struct sk_buff *skb;
	struct sock *sk;
	__u32 netns;
	bool tracked;
};

/* The decision every hit pays, matched or not, so it reads as little as possible and writes
 * nothing to the event: is the skb followed by --filter-track-skb, or in a traced namespace? Most
 * hits on a busy node come from namespaces nobody traces and end here. */
static __always_inline bool pt_admit(struct pt_hit *hit)
{
	if (!hit->skb && !hit->sk)
		return false;
	if (pt_cfg.track_skb && hit->skb) {
		__u64 key = (__u64)hit->skb;

		hit->tracked = bpf_map_lookup_elem(&pt_tracked_skbs, &key) != NULL;
	}
	/* sk tested again although !skb && !sk returned above: with typed pointers the verifier of older
	 * kernels (6.1) cannot tell that a tp_btf argument is non-NULL, walks the !skb branch with the
	 * tracepoint's sk being the constant NULL, and rejects the dereference. */
	hit->netns = hit->skb ? pt_skb_netns(hit->skb) : hit->sk ? pt_sk_netns(hit->sk) : 0;
	return hit->tracked || pt_netns_allowed(hit->netns);
}

/* The rest of the decision, for an admitted hit, on what is read from its skb into ev; keeps
 * --filter-track-skb's set up to date. */
static __always_inline bool pt_select(struct pt_event *ev, const struct pt_hit *hit, bool frees)
{
	__u64 key = (__u64)hit->skb;

	ev->netns = hit->netns;
	pt_read_skb(ev, hit->skb, hit->sk);
	if (!hit->tracked && !pt_event_matches(ev))
		return false;
	/* last: the expressions cost the most, a few ns per cBPF instruction */
	if (!hit->tracked && pt_cfg.pcap_slots) {
		/* the address as a number: a global function takes no typed kernel pointer (tp_btf's skb is one) */
		__u64 address = 0;

		bpf_probe_read_kernel(&address, sizeof(address), &ev->skb);
		ev->pcap_match = pt_pcap_match(address);
		if (pt_cfg.pcap_require && !(ev->pcap_match & pt_cfg.pcap_require))
			return false;
	}

	if (hit->tracked) {
		ev->flags |= PT_EV_TRACKED;
		if (frees)
			bpf_map_delete_elem(&pt_tracked_skbs, &key);
	} else if (pt_cfg.track_skb && hit->skb && !frees) {
		__u8 one = 1;

		bpf_map_update_elem(&pt_tracked_skbs, &key, &one, BPF_ANY);
	}
	return true;
}

#endif
