/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The record the tracer writes into the ring buffer, one per probe hit.
 * Layout contract with the Java decoder (dev.packettrace.tracer.EventDecoder): little endian,
 * fixed offsets, explicit padding. Change both together; EventLayoutTest checks the size. */
#ifndef PACKETTRACE_EVENT_H
#define PACKETTRACE_EVENT_H

#define PT_IFNAMSIZ	   16
#define PT_COMM_LEN	   16
#define PT_MAX_STACK_DEPTH 32

/* event.flags */
#define PT_EV_HAS_REASON    (1 << 0) /* drop_reason is valid (kfree_skb on kernels with reasons) */
#define PT_EV_HAS_TUPLE	    (1 << 1) /* saddr/daddr/sport/dport/l4proto are valid */
#define PT_EV_IPV6	    (1 << 2) /* addresses are IPv6 (else IPv4 in the first 4 bytes) */
#define PT_EV_TRACKED	    (1 << 3) /* emitted because the skb was tracked, not because it matched */
#define PT_EV_TUPLE_FROM_SK (1 << 4) /* tuple from the socket: the skb had no network header yet */
#define PT_EV_HAS_LOCATION  (1 << 5) /* location is a kernel text address */
#define PT_EV_HAS_CALLER    (1 << 6) /* function probes: location is the caller's return address */

/* event.probe_kind */
#define PT_PROBE_TRACEPOINT 1 /* probe_id indexes the tracepoint programs (ptNN_ name prefix) */
/* probe_addr is the traced kernel function's address; probe_id is the function's index + 1 in the
 * tracer's function table (0: unknown) */
#define PT_PROBE_FUNCTION 2

/* probe_id of the tracepoints whose hits free the skb: kfree_skb's are the drops */
#define PT_TP_KFREE_SKB	  0
#define PT_TP_CONSUME_SKB 1

struct pt_event {
	__u64 ts_ns; /* 0   bpf_ktime_get_ns() */
	__u64 skb;   /* 8   sk_buff address */
	/* 16: caller address: of kfree_skb/consume_skb (PT_EV_HAS_LOCATION), or of a traced function
	 * (PT_EV_HAS_CALLER) */
	__u64 location;
	__u64 probe_addr;	  /* 24  function address for function probes, 0 for tracepoints */
	__u32 probe_id;		  /* 32 */
	__u32 drop_reason;	  /* 36  enum skb_drop_reason value */
	__u32 netns;		  /* 40  network namespace inode */
	__u32 mark;		  /* 44 */
	__u32 ifindex;		  /* 48 */
	__u32 len;		  /* 52  skb->len */
	__u32 pid;		  /* 56  tgid of the current task */
	__u32 cpu;		  /* 60 */
	__u16 protocol;		  /* 64  skb->protocol, host byte order (ETH_P_*) */
	__u8 l4proto;		  /* 66  IPPROTO_* */
	__u8 flags;		  /* 67  PT_EV_* */
	__u16 sport;		  /* 68  host byte order */
	__u16 dport;		  /* 70 */
	__u8 saddr[16];		  /* 72 */
	__u8 daddr[16];		  /* 88 */
	char comm[PT_COMM_LEN];	  /* 104 */
	char ifname[PT_IFNAMSIZ]; /* 120 */
	__u8 probe_kind;	  /* 136 PT_PROBE_* */
	__u8 pcap_match;	  /* 137 bit s: the expression in pcap slot s matched (pcap.h) */
	__u8 _pad[2];		  /* 138 */
	__u32 stack_bytes; /* 140 bytes of stack[] that are valid; 0 without --output-stack */
	/* 144: followed by __u64 stack[PT_MAX_STACK_DEPTH] only when stacks are enabled */
};

#define PT_EVENT_BASE_SIZE 144

#endif
