// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* net.sh's floor: an empty tp_btf program on each of the tracepoints packettrace attaches. What these cost
 * is what any tracer pays for being on those tracepoints at all (the kernel's dispatch into BPF), before it
 * does any work of its own. Kept in step with bpf/skb_tracepoints.bpf.c by hand. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define PT_EMPTY(event)                                                        \
	SEC("tp_btf/" #event)                                                  \
	int empty_##event(__u64 *ctx)                                          \
	{                                                                      \
		return 0;                                                      \
	}

PT_EMPTY(kfree_skb)
PT_EMPTY(consume_skb)
PT_EMPTY(netif_receive_skb)
PT_EMPTY(netif_rx)
PT_EMPTY(napi_gro_receive_entry)
PT_EMPTY(net_dev_queue)
PT_EMPTY(net_dev_start_xmit)
PT_EMPTY(net_dev_xmit)
PT_EMPTY(tcp_retransmit_skb)
PT_EMPTY(tcp_send_reset)
PT_EMPTY(tcp_receive_reset)
PT_EMPTY(udp_fail_queue_rcv_skb)
PT_EMPTY(sock_rcvqueue_full)
PT_EMPTY(skb_copy_datagram_iovec)
PT_EMPTY(tcp_bad_csum)
PT_EMPTY(netif_receive_skb_entry)
PT_EMPTY(napi_gro_frags_entry)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
