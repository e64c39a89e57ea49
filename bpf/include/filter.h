/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The filters of --filter-*, evaluated in the kernel so that unmatched packets cost only a few
 * reads. Every disabled filter is a branch on a .rodata constant that the verifier removes. */
#ifndef PACKETTRACE_FILTER_H
#define PACKETTRACE_FILTER_H

#include "config.h"
#include "event.h"
#include "maps.h"

extern const volatile struct pt_config pt_cfg;

/* The bit of pt_netns_bits an inode sets: the top 6 bits of a multiplicative (Fibonacci) hash,
 * because namespace inodes are handed out in sequence. Mirrored by Java's NetnsFilterMap.bit. */
static __always_inline __u32 pt_netns_bit(__u32 netns)
{
	return (netns * 2654435761u) >> 26;
}

static __always_inline bool pt_netns_allowed(__u32 netns)
{
	__u32 zero = 0;
	__u64 *bits;

	if (!pt_cfg.filter_netns)
		return true;
	bits = bpf_map_lookup_elem(&pt_netns_bits, &zero);
	if (bits && !(*bits & (1ULL << pt_netns_bit(netns))))
		return false;
	return bpf_map_lookup_elem(&pt_netns_filter, &netns) != NULL;
}

static __always_inline bool pt_addr_matches(const volatile struct pt_addr_filter *f,
					    const __u8 *addr, bool ipv6)
{
	__u32 bytes = f->prefixlen / 8, bits = f->prefixlen % 8;

	if ((f->family == 6) != ipv6)
		return false;
	/* bounded for the verifier: at most 16 bytes */
	for (__u32 i = 0; i < 16; i++) {
		if (i < bytes) {
			if (addr[i] != f->addr[i])
				return false;
		} else if (i == bytes && bits) {
			__u8 mask = (__u8)(0xff << (8 - bits));

			if ((addr[i] & mask) != f->addr[i])
				return false;
		}
	}
	return true;
}

static __always_inline bool pt_ifname_matches(const char *name)
{
	for (int i = 0; i < 16; i++) {
		if (name[i] != pt_cfg.ifname[i])
			return false;
		if (!name[i])
			break;
	}
	return true;
}

/* Filters on the fields already read into ev (netns is checked first by the caller). */
static __always_inline bool pt_event_matches(const struct pt_event *ev)
{
	bool ipv6 = ev->flags & PT_EV_IPV6;

	if (pt_cfg.filter_mark && ev->mark != pt_cfg.mark)
		return false;
	if (pt_cfg.filter_ifname && !pt_ifname_matches(ev->ifname))
		return false;
	if (pt_cfg.l4proto || pt_cfg.sport || pt_cfg.dport || pt_cfg.src.family ||
	    pt_cfg.dst.family) {
		if (!(ev->flags & PT_EV_HAS_TUPLE))
			return false;
		if (pt_cfg.l4proto && ev->l4proto != pt_cfg.l4proto)
			return false;
		if (pt_cfg.sport && ev->sport != pt_cfg.sport)
			return false;
		if (pt_cfg.dport && ev->dport != pt_cfg.dport)
			return false;
		if (pt_cfg.src.family && !pt_addr_matches(&pt_cfg.src, ev->saddr, ipv6))
			return false;
		if (pt_cfg.dst.family && !pt_addr_matches(&pt_cfg.dst, ev->daddr, ipv6))
			return false;
	}
	return true;
}

#endif
