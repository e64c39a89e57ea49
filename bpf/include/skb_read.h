/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Reading what the tracer reports from an sk_buff or a socket, with CO-RE reads only. */
#ifndef PACKETTRACE_SKB_READ_H
#define PACKETTRACE_SKB_READ_H

#include "event.h"

#define PT_ETH_P_IP	  0x0800
#define PT_ETH_P_IPV6	  0x86DD
#define PT_AF_INET	  2
#define PT_AF_INET6	  10
#define PT_IPPROTO_TCP	  6
#define PT_IPPROTO_UDP	  17
#define PT_IP_OFFSET_MASK 0x1fff

/* The namespace of the device the skb is on; sockets carry it where no device is set yet
 * (locally generated packets before routing). This is the one read every probe hit pays, matched or
 * not, so an object whose programs all get typed pointers (the tp_btf tracepoints: the verifier
 * knows they point at an sk_buff) defines PT_TYPED_POINTERS and reads it with plain loads, which the
 * verifier turns into loads that read 0 instead of faulting. kprobes get untyped numbers and need
 * bpf_probe_read_kernel, a helper call per pointer hop (about 40 ns each measured on the test VM
 * against 10-25 ns for the three loads; see bench/RESULTS.md); the function object's fentry programs
 * share that code with its kprobes. Both forms are CO-RE relocated. */
#ifdef PT_TYPED_POINTERS
static __always_inline __u32 pt_sk_netns(struct sock *sk)
{
	return sk->__sk_common.skc_net.net->ns.inum;
}

static __always_inline __u32 pt_skb_netns(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	__u32 inum = 0;

	if (dev)
		inum = dev->nd_net.net->ns.inum;
	if (!inum) {
		struct sock *sk = skb->sk;

		if (sk)
			inum = pt_sk_netns(sk);
	}
	return inum;
}
#else
static __always_inline __u32 pt_sk_netns(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline __u32 pt_skb_netns(struct sk_buff *skb)
{
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	__u32 inum = 0;

	if (dev)
		inum = BPF_CORE_READ(dev, nd_net.net, ns.inum);
	if (!inum) {
		struct sock *sk = BPF_CORE_READ(skb, sk);

		if (sk)
			inum = pt_sk_netns(sk);
	}
	return inum;
}
#endif

/* Ports of TCP and UDP (both start with source and destination port); none for other protocols. */
static __always_inline void pt_read_ports(struct pt_event *ev, void *l4)
{
	__be16 ports[2];

	if (ev->l4proto != PT_IPPROTO_TCP && ev->l4proto != PT_IPPROTO_UDP)
		return;
	if (bpf_probe_read_kernel(ports, sizeof(ports), l4))
		return;
	ev->sport = bpf_ntohs(ports[0]);
	ev->dport = bpf_ntohs(ports[1]);
}

/* The L3/L4 tuple from the packet bytes at the network header. Only for IP packets: other skbs
 * (AF_UNIX, netlink) have no network header, and reading one yields garbage. The L4 header is found
 * from the IP header rather than skb->transport_header, which is not set yet on the receive path. */
static __always_inline void pt_skb_tuple(struct pt_event *ev, struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u8 first, version;

	if (ev->protocol == PT_ETH_P_IP)
		version = 4;
	else if (ev->protocol == PT_ETH_P_IPV6)
		version = 6;
	else
		return;
	if (!head || nh == (__u16)~0U)
		return;
	if (bpf_probe_read_kernel(&first, 1, head + nh) || (first >> 4) != version)
		return;

	if (version == 4) {
		struct iphdr iph;

		if (bpf_probe_read_kernel(&iph, sizeof(iph), head + nh))
			return;
		__builtin_memcpy(ev->saddr, &iph.saddr, 4);
		__builtin_memcpy(ev->daddr, &iph.daddr, 4);
		ev->l4proto = iph.protocol;
		ev->flags |= PT_EV_HAS_TUPLE;
		/* later fragments carry no L4 header */
		if (!(bpf_ntohs(iph.frag_off) & PT_IP_OFFSET_MASK))
			pt_read_ports(ev, head + nh + (first & 0xf) * 4);
	} else {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return;
		__builtin_memcpy(ev->saddr, &ip6.saddr, 16);
		__builtin_memcpy(ev->daddr, &ip6.daddr, 16);
		/* extension headers are not walked: the next header is taken as the L4 protocol */
		ev->l4proto = ip6.nexthdr;
		ev->flags |= PT_EV_HAS_TUPLE | PT_EV_IPV6;
		pt_read_ports(ev, head + nh + sizeof(ip6));
	}
}

/* The tuple of a connected socket, for probes that carry no packet headers yet (or no skb). */
static __always_inline void pt_sk_tuple(struct pt_event *ev, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family == PT_AF_INET) {
		__u32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(ev->saddr, &saddr, 4);
		__builtin_memcpy(ev->daddr, &daddr, 4);
	} else if (family == PT_AF_INET6) {
		BPF_CORE_READ_INTO(&ev->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&ev->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		ev->flags |= PT_EV_IPV6;
	} else {
		return;
	}
	ev->l4proto = BPF_CORE_READ(sk, sk_protocol);
	ev->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	ev->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	ev->flags |= PT_EV_HAS_TUPLE | PT_EV_TUPLE_FROM_SK;
}

/* Everything but the probe-specific fields and the namespace (pt_select reads that first, alone,
 * to reject unmatched packets early), read once per hit that passed the namespace filter. */
static __always_inline void pt_read_skb(struct pt_event *ev, struct sk_buff *skb, struct sock *sk)
{
	if (skb) {
		struct net_device *dev = BPF_CORE_READ(skb, dev);

		ev->skb = (__u64)skb;
		ev->mark = BPF_CORE_READ(skb, mark);
		ev->len = BPF_CORE_READ(skb, len);
		ev->protocol = bpf_ntohs(BPF_CORE_READ(skb, protocol));
		if (dev) {
			ev->ifindex = BPF_CORE_READ(dev, ifindex);
			BPF_CORE_READ_STR_INTO(&ev->ifname, dev, name);
		}
		pt_skb_tuple(ev, skb);
		if (!sk)
			sk = BPF_CORE_READ(skb, sk);
	} else if (sk) {
		ev->mark = BPF_CORE_READ(sk, sk_mark);
	}
	if (!(ev->flags & PT_EV_HAS_TUPLE) && sk)
		pt_sk_tuple(ev, sk);
}

#endif
