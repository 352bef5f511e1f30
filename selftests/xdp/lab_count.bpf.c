// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's first program (Documentation/labs/xdp-count-drop-redirect.md):
 * on the pair end it is attached to, it counts every frame that arrives
 * (that is, every frame the peer sends) by EtherType, and drops the IPv4
 * pings, ICMP echo requests; everything else goes on to the stack.
 *
 * The counts are in the hash map "counts": its key is the EtherType in
 * host order (2048 is IPv4, 0x0800; 2054 is ARP, 0x0806), its value the
 * frames and bytes seen.  `bpftool map dump` prints them by name, from
 * the BTF that clang -g puts in the object.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, struct count);
} counts SEC(".maps");

/* Adds one frame of @bytes to @type's count, making the entry the first
 * time.  Two CPUs may do so at once: the adds are atomic, and of two
 * BPF_NOEXIST inserts one fails, harmlessly.
 */
static void count_frame(__u16 type, __u64 bytes)
{
	struct count *c, zero = {};

	c = bpf_map_lookup_elem(&counts, &type);
	if (!c) {
		bpf_map_update_elem(&counts, &type, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&counts, &type);
		if (!c)
			return;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, bytes);
}

SEC("xdp")
int lab_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct icmphdr *icmp;
	struct iphdr *ip;

	/* Every read of the frame is checked against its end first: the
	 * verifier refuses a program that could read past it.
	 */
	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	count_frame(bpf_ntohs(eth->h_proto), end - data);

	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > end)
		return XDP_PASS;
	return icmp->type == ICMP_ECHO ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
