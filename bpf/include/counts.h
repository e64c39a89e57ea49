/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Counts kept in the kernel, and the choice of which matched hits become ring-buffer events.
 *
 * A summary needs drops by reason and location per namespace and hits per probe, not every event:
 * counting them here costs a per-CPU hash update where an event costs a ring-buffer record, the
 * task's comm and a decode in Java. Java enables the counts (pt_cfg.kernel_counts) when the trace
 * streams fewer events than it matches, and sums the per-CPU values when it reads them. */
#ifndef PACKETTRACE_COUNTS_H
#define PACKETTRACE_COUNTS_H

#include "event.h"
#include "maps.h"

/* pt_cfg.events: which matched hits are streamed as events */
#define PT_EVENTS_ALL	0
#define PT_EVENTS_DROPS 1
#define PT_EVENTS_NONE	2

/* drop_reason of a pt_drop_key when the kernel gave none (kfree_skb before 5.17) */
#define PT_NO_REASON  0xffffffffU
#define PT_NS_PER_SEC 1000000000ULL

struct pt_drop_key {
	__u32 netns;
	__u32 reason;	/* enum skb_drop_reason, or PT_NO_REASON */
	__u64 location; /* kfree_skb's caller, 0 when unknown */
};

/* Drops per (namespace, reason, location). Per-CPU, so the hot path takes no lock or atomic. 4096
 * groups hold every reason at a few dozen locations in a few dozen namespaces; a group that finds
 * the map full is counted in pt_stats[PT_STAT_UNCOUNTED], never lost silently. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct pt_drop_key);
	__type(value, __u64);
} pt_drop_counts SEC(".maps");

struct pt_probe_key {
	__u32 netns;
	__u32 probe; /* probe_kind << 24 | probe_id */
};

/* Matched hits per (namespace, probe). 8192: a function backend probes a few thousand functions,
 * of which a trace's packets cross a few dozen; overflow is counted as for pt_drop_counts. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct pt_probe_key);
	__type(value, __u64);
} pt_probe_counts SEC(".maps");

struct pt_budget {
	__u64 window_ns; /* start of the current one-second window */
	__u64 used;	 /* events streamed in it */
};

/* The per-second event budget's state (pt_cfg.event_budget). One shared element rather than per-CPU
 * halves: a budget split by CPU would refuse events on a busy CPU while another's half sits unused. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pt_budget);
} pt_event_budget SEC(".maps");

static __always_inline bool pt_is_drop(const struct pt_event *ev)
{
	return ev->probe_kind == PT_PROBE_TRACEPOINT && ev->probe_id == PT_TP_KFREE_SKB;
}

/* Adds one to key's per-CPU counter, creating it; false when the map is full. */
static __always_inline bool pt_count_in(void *map, const void *key)
{
	__u64 one = 1, *value = bpf_map_lookup_elem(map, key);

	if (value) {
		*value += 1;
		return true;
	}
	if (!bpf_map_update_elem(map, key, &one, BPF_NOEXIST))
		return true;
	/* another CPU created the key between the lookup and the update: its insert left ours at 0 */
	value = bpf_map_lookup_elem(map, key);
	if (!value)
		return false;
	*value += 1;
	return true;
}

static __always_inline void pt_account(const struct pt_event *ev, bool drop)
{
	struct pt_probe_key probe = {
		.netns = ev->netns,
		.probe = (__u32)ev->probe_kind << 24 | (ev->probe_id & 0xffffff),
	};

	if (!pt_count_in(&pt_probe_counts, &probe))
		pt_count(PT_STAT_UNCOUNTED);
	if (!drop)
		return;

	struct pt_drop_key key = {
		.netns = ev->netns,
		.reason = ev->flags & PT_EV_HAS_REASON ? ev->drop_reason : PT_NO_REASON,
		.location = ev->flags & PT_EV_HAS_LOCATION ? ev->location : 0,
	};

	if (!pt_count_in(&pt_drop_counts, &key))
		pt_count(PT_STAT_UNCOUNTED);
}

/* Takes one event from this second's budget. Exact within a window: an event passes only if its own
 * increment left the count at most the budget. At a window's start two CPUs may both reset it, which
 * can let a few more events than the budget through in that second. The increment is an atomic add
 * whose result is not used (the only atomic the default BPF target, v1, has); the count is read back
 * after it. */
static __always_inline bool pt_within_budget(void)
{
	__u32 zero = 0;
	struct pt_budget *budget = bpf_map_lookup_elem(&pt_event_budget, &zero);
	__u64 now = bpf_ktime_get_ns();

	if (!budget)
		return false;
	if (now - budget->window_ns >= PT_NS_PER_SEC) {
		budget->window_ns = now;
		budget->used = 0;
	}
	__sync_fetch_and_add(&budget->used, 1);
	return *(volatile __u64 *)&budget->used <= pt_cfg.event_budget;
}

/* For a hit that matched every filter: counts it, and says whether it becomes an event. */
static __always_inline bool pt_stream(const struct pt_event *ev)
{
	bool drop = pt_is_drop(ev);

	pt_count(PT_STAT_MATCHED);
	if (pt_cfg.kernel_counts)
		pt_account(ev, drop);
	if (pt_cfg.events == PT_EVENTS_NONE || (pt_cfg.events == PT_EVENTS_DROPS && !drop))
		return false;
	if (pt_cfg.event_budget && !pt_within_budget()) {
		pt_count(PT_STAT_OVER_BUDGET);
		return false;
	}
	return true;
}

#endif
