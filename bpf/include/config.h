/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Load-time configuration, written by Java into .rodata before the object is loaded.
 * Being read-only, the verifier sees these values as constants and prunes the branches
 * of disabled filters, so an unused filter costs nothing per packet.
 * Layout contract with dev.packettrace.tracer.ConfigEncoder: little endian, fixed offsets. */
#ifndef PACKETTRACE_CONFIG_H
#define PACKETTRACE_CONFIG_H

#define PT_MAX_PROBES 32
#define PT_NO_ARG     0xff

struct pt_addr_filter {
	__u8 addr[16]; /* network address, host bits cleared */
	__u8 family;   /* 0 = no filter, 4 or 6 */
	__u8 prefixlen;
	__u8 _pad[2];
};

struct pt_config {
	__u8 filter_netns; /* 0: any namespace; 1: only inodes in pt_netns_filter */
	__u8 filter_mark;
	__u8 filter_ifname;
	__u8 track_skb;
	__u8 l4proto; /* 0: any */
	__u8 capture_stack;
	__u16 sport;	    /* 0: any; host byte order */
	__u16 dport;	    /* 0: any */
	__u8 output_caller; /* function probes: report the calling function (--output-caller) */
	__u8 _pad0;
	__u32 mark;
	char ifname[16];
	struct pt_addr_filter src; /* 32 */
	struct pt_addr_filter dst; /* 52 */
	/* 72: per tracepoint program (indexed by its probe id), the position of each argument of
	 * interest in the tracepoint's prototype, discovered from the running kernel's BTF because
	 * prototypes differ across kernel versions. PT_NO_ARG where absent. */
	__u8 skb_arg[PT_MAX_PROBES];
	__u8 sk_arg[PT_MAX_PROBES];
	__u8 location_arg[PT_MAX_PROBES];
	__u8 reason_arg[PT_MAX_PROBES];
	/* 200: pcap-filter expressions (pcap.h): how many slots of pt_pcap_progs are filled, and which of
	 * them must match for an event to be reported (0: none, the verdicts are only reported) */
	__u8 pcap_slots;
	__u8 pcap_require;
	/* 202: counts.h: which matched hits are streamed (PT_EVENTS_*), whether the kernel counts them,
	 * and at most how many events a second are streamed (0: no budget) */
	__u8 events;
	__u8 kernel_counts;
	__u32 event_budget;
}; /* 208 bytes */

#endif
