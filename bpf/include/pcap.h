/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* pcap-filter expressions (tcpdump's syntax) evaluated in the kernel on every admitted probe hit.
 *
 * Java compiles each expression with libpcap into classic BPF twice, for DLT_EN10MB (the packet starts
 * at its Ethernet header) and DLT_RAW (it starts at its IP header), and writes both programs into
 * pt_pcap_progs before the probes are attached. Here a small cBPF interpreter runs them on the skb's
 * bytes: the Ethernet program where the skb has a MAC header right before its network header (received
 * packets from eth_type_trans on, transmitted ones from dev_queue_xmit on), the raw one where it has only
 * a network header (the IP layer before the neighbour output, tunnels without L2). The packet view is
 * built from skb->head plus the header offsets, not from skb->data, so it is the same whether a probe
 * sees the skb with data at the MAC header (transmit, function probes on the L2 path) or at the network
 * header (receive past eth_type_trans): the same for the tracepoints and the function backends.
 *
 * Why an interpreter rather than translating cBPF into eBPF and splicing it into the program before load
 * (what pwru does with cloudflare/cbpfc through cilium/ebpf): libbpf has no supported way to replace one
 * subprogram's instructions inside an ELF object before its relocations are applied, and the translator
 * would have to get the verifier's view of every expression right (bounds of every packet read). The
 * interpreter is verified once, whatever the expression; its packet reads are bpf_probe_read_kernel calls
 * bounded by the linear length; the cBPF program is data in an array map, so the same loaded programs
 * serve every expression (the node agent's many traces, one slot each) and classic BPF's forward-only
 * jumps bound its run to the program's length, which bpf_loop (5.17) enforces. The price is a few
 * nanoseconds per cBPF instruction per hit, paid only by hits that passed the namespace filter.
 *
 * Reads beyond the skb's linear data (paged fragments of large GSO packets) are out of the packet for the
 * program, as a read beyond the capture length is for libpcap: the load fails and the program rejects. */
#ifndef PACKETTRACE_PCAP_H
#define PACKETTRACE_PCAP_H

#include "config.h"

extern const volatile struct pt_config pt_cfg;

#define PT_PCAP_SLOTS	  8   /* expressions one tracer evaluates: bits of pt_event.pcap_match */
#define PT_PCAP_MAX_INSNS 512 /* a power of two; mirrored by Java's PcapFilter.MAX_INSTRUCTIONS */
#define PT_PCAP_MEMWORDS  16  /* BPF_MEMWORDS: the scratch memory M[] */
#define PT_ETH_HLEN	  14
#define PT_NO_HEADER	  0xffff

/* struct sock_filter; Java writes them as libpcap compiled them */
struct pt_cbpf_insn {
	__u16 code;
	__u8 jt;
	__u8 jf;
	__u32 k;
};

struct pt_pcap_prog {
	__u32 len;
	__u32 _pad;
	struct pt_cbpf_insn insns[PT_PCAP_MAX_INSNS];
};

/* Key 2 * slot: the slot's DLT_EN10MB program; 2 * slot + 1: its DLT_RAW program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_PCAP_SLOTS * 2);
	__type(key, __u32);
	__type(value, struct pt_pcap_prog);
} pt_pcap_progs SEC(".maps");

/* The runs of every slot's program on one packet, one after the other: the bpf_loop callback's state. */
struct pt_pcap_run {
	__u64 base;    /* kernel address of the packet's first byte */
	__u32 caplen;  /* bytes readable from base: the skb's linear data */
	__u32 wirelen; /* the packet's length from base, for BPF_LEN */
	__u32 slot;    /* the slot whose program runs */
	__u32 slots;   /* pt_cfg.pcap_slots */
	__u32 raw;     /* 0: the DLT_EN10MB programs; 1: the DLT_RAW ones */
	__u32 pc;
	__u32 a;
	__u32 x;
	__u32 hits; /* bit s: slot s returned non-zero */
	__u32 mem[PT_PCAP_MEMWORDS];
};

/* cBPF opcode fields (linux/bpf_common.h) */
#define PT_BPF_CLASS(c)	 ((c)&0x07)
#define PT_BPF_SIZE(c)	 ((c)&0x18)
#define PT_BPF_MODE(c)	 ((c)&0xe0)
#define PT_BPF_OP(c)	 ((c)&0xf0)
#define PT_BPF_SRC(c)	 ((c)&0x08)
#define PT_BPF_RVAL(c)	 ((c)&0x18)
#define PT_BPF_MISCOP(c) ((c)&0xf8)

/* Reads size (1, 2 or 4) bytes at off of the packet, big endian as cBPF loads are; false past caplen. */
static __always_inline bool pt_pcap_load(const struct pt_pcap_run *r, __u64 off, __u32 size,
					 __u32 *out)
{
	__u8 b[4] = {};

	if (off + size > r->caplen)
		return false;
	switch (size) {
	case 1:
		if (bpf_probe_read_kernel(b, 1, (void *)(r->base + off)))
			return false;
		*out = b[0];
		return true;
	case 2:
		if (bpf_probe_read_kernel(b, 2, (void *)(r->base + off)))
			return false;
		*out = (__u32)b[0] << 8 | b[1];
		return true;
	case 4:
		if (bpf_probe_read_kernel(b, 4, (void *)(r->base + off)))
			return false;
		*out = (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
		return true;
	default:
		return false;
	}
}

/* The slot's program returned ret: note its verdict, start the next slot's; 1 ends the loop after the last. */
static __always_inline long pt_pcap_done(struct pt_pcap_run *r, __u32 ret)
{
	if (ret)
		r->hits |= 1U << (r->slot & (PT_PCAP_SLOTS - 1));
	r->slot++;
	r->pc = 0;
	r->a = 0;
	r->x = 0;
	return r->slot >= r->slots;
}

/* A fault (a load past the packet, a division by zero, an unknown opcode) rejects, as in the kernel. */
static __always_inline long pt_pcap_reject(struct pt_pcap_run *r)
{
	return pt_pcap_done(r, 0);
}

static __always_inline __u32 pt_pcap_size(__u16 code)
{
	switch (PT_BPF_SIZE(code)) {
	case 0x00:
		return 4; /* BPF_W */
	case 0x08:
		return 2; /* BPF_H */
	case 0x10:
		return 1; /* BPF_B */
	default:
		return 0;
	}
}

/* Executes one instruction of the current slot's program; 1 ends the loop (the last slot returned). */
static long pt_pcap_step(__u64 index, void *data)
{
	struct pt_pcap_run *r = data;
	__u32 key = 2 * r->slot + r->raw, pc = r->pc, k, v = 0;
	struct pt_pcap_prog *prog;
	struct pt_cbpf_insn in;

	if (r->slot >= r->slots)
		return 1;
	prog = bpf_map_lookup_elem(&pt_pcap_progs, &key);
	if (!prog || pc >= prog->len || pc >= PT_PCAP_MAX_INSNS)
		return pt_pcap_reject(r);
	in = prog->insns[pc & (PT_PCAP_MAX_INSNS - 1)];
	k = in.k;
	r->pc = pc + 1;

	switch (PT_BPF_CLASS(in.code)) {
	case 0x00: /* BPF_LD */
	case 0x01: /* BPF_LDX */ {
		bool ldx = PT_BPF_CLASS(in.code) == 0x01;

		switch (PT_BPF_MODE(in.code)) {
		case 0x00: /* BPF_IMM */
			v = k;
			break;
		case 0x20: /* BPF_ABS */
			if (ldx || !pt_pcap_load(r, k, pt_pcap_size(in.code), &v))
				return pt_pcap_reject(r);
			break;
		case 0x40: /* BPF_IND */
			if (ldx || !pt_pcap_load(r, (__u64)r->x + k, pt_pcap_size(in.code), &v))
				return pt_pcap_reject(r);
			break;
		case 0x60: /* BPF_MEM */
			v = r->mem[k & (PT_PCAP_MEMWORDS - 1)];
			break;
		case 0x80: /* BPF_LEN */
			v = r->wirelen;
			break;
		case 0xa0: /* BPF_MSH: X = 4 * (P[k] & 0xf), the IPv4 header length */
			if (!ldx || !pt_pcap_load(r, k, 1, &v))
				return pt_pcap_reject(r);
			v = (v & 0xf) << 2;
			break;
		default:
			return pt_pcap_reject(r);
		}
		if (ldx)
			r->x = v;
		else
			r->a = v;
		return 0;
	}
	case 0x02: /* BPF_ST */
		r->mem[k & (PT_PCAP_MEMWORDS - 1)] = r->a;
		return 0;
	case 0x03: /* BPF_STX */
		r->mem[k & (PT_PCAP_MEMWORDS - 1)] = r->x;
		return 0;
	case 0x04: { /* BPF_ALU */
		__u32 a = r->a, s = PT_BPF_SRC(in.code) ? r->x : k;

		switch (PT_BPF_OP(in.code)) {
		case 0x00:
			a += s;
			break;
		case 0x10:
			a -= s;
			break;
		case 0x20:
			a *= s;
			break;
		case 0x30: /* BPF_DIV */
			if (!s)
				return pt_pcap_reject(r);
			a /= s;
			break;
		case 0x90: /* BPF_MOD */
			if (!s)
				return pt_pcap_reject(r);
			a %= s;
			break;
		case 0x40:
			a |= s;
			break;
		case 0x50:
			a &= s;
			break;
		case 0xa0:
			a ^= s;
			break;
		case 0x60:
			a = s < 32 ? a << s : 0;
			break;
		case 0x70:
			a = s < 32 ? a >> s : 0;
			break;
		case 0x80:
			a = -a;
			break; /* BPF_NEG */
		default:
			return pt_pcap_reject(r);
		}
		r->a = a;
		return 0;
	}
	case 0x05: { /* BPF_JMP: forward only, so a program runs at most its length */
		__u32 s = PT_BPF_SRC(in.code) ? r->x : k;
		bool taken;

		switch (PT_BPF_OP(in.code)) {
		case 0x00: /* BPF_JA */
			r->pc = pc + 1 + k;
			return 0;
		case 0x10:
			taken = r->a == s;
			break;
		case 0x20:
			taken = r->a > s;
			break;
		case 0x30:
			taken = r->a >= s;
			break;
		case 0x40:
			taken = (r->a & s) != 0;
			break;
		default:
			return pt_pcap_reject(r);
		}
		r->pc = pc + 1 + (taken ? in.jt : in.jf);
		return 0;
	}
	case 0x06: /* BPF_RET */
		switch (PT_BPF_RVAL(in.code)) {
		case 0x00:
			return pt_pcap_done(r, k); /* BPF_K */
		case 0x10:
			return pt_pcap_done(r, r->a); /* BPF_A */
		default:
			return pt_pcap_reject(r);
		}
	case 0x07:				    /* BPF_MISC */
		if (PT_BPF_MISCOP(in.code) == 0x00) /* BPF_TAX */
			r->x = r->a;
		else if (PT_BPF_MISCOP(in.code) == 0x80) /* BPF_TXA */
			r->a = r->x;
		else
			return pt_pcap_reject(r);
		return 0;
	}
	return pt_pcap_reject(r);
}

/* Runs every configured expression on the skb; bit s of the result: slot s matched.
 *
 * A global function, so the verifier checks it once per program, apart from its callers (inlined, the
 * interpreter's states multiply with the caller's), with the skb an untyped address: every read is a
 * bpf_probe_read_kernel. One bpf_loop runs all slots' programs one after the other, so the callback has
 * one call site to be verified from. Classic BPF jumps only forward: a program runs at most its length,
 * the loop at most PT_PCAP_SLOTS of them. */
__noinline int pt_pcap_match(__u64 skb_address)
{
	struct sk_buff *skb = (struct sk_buff *)skb_address;
	unsigned char *head, *data;
	__u16 mh, nh;
	__u32 tail, len, base, data_off;
	bool l2;

	/* CO-RE: on kernels before 5.17 this is dead code, and Java refuses expressions there */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop))
		return 0;
	if (!skb || !pt_cfg.pcap_slots)
		return 0;
	head = BPF_CORE_READ(skb, head);
	data = BPF_CORE_READ(skb, data);
	mh = BPF_CORE_READ(skb, mac_header);
	nh = BPF_CORE_READ(skb, network_header);
	tail = BPF_CORE_READ(skb, tail);
	len = BPF_CORE_READ(skb, len);
	if (!head || nh == PT_NO_HEADER || data < head)
		return 0;
	data_off = data - head;
	/* a MAC header set right before the network header: an Ethernet frame (vlan-free; a tag would make it 18) */
	l2 = mh != PT_NO_HEADER && nh >= mh && nh - mh == PT_ETH_HLEN;
	base = l2 ? mh : nh;
	/* a network header past the data, or in headroom never written (a freshly allocated skb has it at 0) */
	if (base >= tail || base > data_off + len || (nh == 0 && data_off > 0))
		return 0;

	struct pt_pcap_run r = {
		.base = (__u64)head + base,
		.caplen = tail - base,
		.wirelen = data_off + len - base,
		.slots = pt_cfg.pcap_slots,
		.raw = l2 ? 0 : 1,
	};

	bpf_loop(PT_PCAP_SLOTS * PT_PCAP_MAX_INSNS, pt_pcap_step, &r, 0);
	return r.hits;
}

#endif
