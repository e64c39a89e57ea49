/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The maps shared by every program of one tracer object. Each is bounded; each is named for what
 * it holds (kernel map names are cut at 15 characters, so the names stay that short). */
#ifndef PACKETTRACE_MAPS_H
#define PACKETTRACE_MAPS_H

#define PT_STAT_LOST	    0 /* events dropped because the ring buffer was full */
#define PT_STAT_EMITTED	    1 /* events written to the ring buffer */
#define PT_STAT_MATCHED	    2 /* hits that matched every filter, streamed or not (counts.h) */
#define PT_STAT_OVER_BUDGET 3 /* matched hits not streamed: the per-second event budget was spent */
#define PT_STAT_UNCOUNTED   4 /* kernel counts that found their map full */
#define PT_STAT_COUNT	    5

/* Events to user space. The size is set by Java before load (--ring-buffer-size); what does not
 * fit is counted in pt_stats[PT_STAT_LOST], never dropped silently. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} pt_events SEC(".maps");

/* Per-CPU counters (PT_STAT_*), summed by Java: per-CPU so the hot path takes no atomic. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PT_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} pt_stats SEC(".maps");

static __always_inline void pt_count(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&pt_stats, &stat);

	if (value)
		*value += 1;
}

/* The network namespace inodes to trace (--filter-netns, or the pods of a node agent). Updated at
 * run time by the agent as pods come and go, so it is a map rather than .rodata. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} pt_netns_filter SEC(".maps");

/* One word summing up pt_netns_filter: bit pt_netns_bit(inode) is set for every inode in it (Java
 * keeps it a superset of the set while the set changes). A hit from a namespace nobody traces, the
 * common case on a busy node, usually finds its bit clear and is rejected with one load instead of
 * a hash lookup. An array, so the lookup is inlined by the verifier. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pt_netns_bits SEC(".maps");

/* sk_buff addresses that matched once and are followed until freed (--filter-track-skb). LRU,
 * because some free paths have no tracepoint: stale entries age out instead of filling the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u8);
} pt_tracked_skbs SEC(".maps");

#endif
