/* The common path of every probe: filter, track, and hand the event to user space. */
#ifndef PACKETTRACE_EMIT_H
#define PACKETTRACE_EMIT_H

#include "event.h"
#include "filter.h"
#include "maps.h"
#include "skb_read.h"

#define PT_STACK_BYTES (PT_MAX_STACK_DEPTH * sizeof(__u64))

static __always_inline void pt_count(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&pt_stats, &stat);

	if (value)
		*value += 1;
}

static __always_inline void pt_fill_task(struct pt_event *ev)
{
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = bpf_get_current_pid_tgid() >> 32;
	ev->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(&ev->comm, sizeof(ev->comm));
}

static __always_inline void pt_emit(void *ctx, struct pt_event *ev)
{
	pt_fill_task(ev);
	if (!pt_cfg.capture_stack) {
		if (bpf_ringbuf_output(&pt_events, ev, sizeof(*ev), 0))
			pt_count(PT_STAT_LOST);
		else
			pt_count(PT_STAT_EMITTED);
		return;
	}

	struct pt_event *out = bpf_ringbuf_reserve(&pt_events, PT_EVENT_BASE_SIZE + PT_STACK_BYTES, 0);
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

/* Decides whether this hit is reported, and keeps --filter-track-skb's set up to date: a tracked
 * skb always is reported; otherwise the namespace check comes first because it is the cheapest way to
 * reject the traffic of every other pod. Fills ev with what was read from the skb. */
static __always_inline bool pt_select(struct pt_event *ev, struct sk_buff *skb, struct sock *sk, bool frees)
{
	__u64 key = (__u64)skb;
	bool tracked = false;

	if (!skb && !sk)
		return false;
	if (pt_cfg.track_skb && skb && bpf_map_lookup_elem(&pt_tracked_skbs, &key))
		tracked = true;

	/* sk tested again although !skb && !sk returned above: with typed pointers the verifier of older
	 * kernels (6.1) cannot tell that a tp_btf argument is non-NULL, walks the !skb branch with the
	 * tracepoint's sk being the constant NULL, and rejects the dereference. */
	ev->netns = skb ? pt_skb_netns(skb) : sk ? pt_sk_netns(sk) : 0;
	if (!tracked && !pt_netns_allowed(ev->netns))
		return false;
	pt_read_skb(ev, skb, sk);
	if (!tracked && !pt_event_matches(ev))
		return false;

	if (tracked) {
		ev->flags |= PT_EV_TRACKED;
		if (frees)
			bpf_map_delete_elem(&pt_tracked_skbs, &key);
	} else if (pt_cfg.track_skb && skb && !frees) {
		__u8 one = 1;

		bpf_map_update_elem(&pt_tracked_skbs, &key, &one, BPF_ANY);
	}
	return true;
}

/* The whole path for probes whose events need nothing added after filtering. */
static __always_inline int pt_trace(void *ctx, struct pt_event *ev, struct sk_buff *skb, struct sock *sk, bool frees)
{
	if (pt_select(ev, skb, sk, frees))
		pt_emit(ctx, ev);
	return 0;
}

#endif
