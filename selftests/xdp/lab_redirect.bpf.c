// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's second program (Documentation/labs/xdp-count-drop-redirect.md):
 * attached to two pair ends, it sends every frame that arrives on one out
 * of the other, as a two-port patch panel that the stack never sees.
 *
 * Which end a frame goes out of is in the map "ports": the key is the
 * ifindex it came in on, the value the ifindex to send it out of (a
 * device map, as bpf_redirect_map() needs).  A frame whose ifindex has no
 * entry is aborted: bpf_redirect_map()'s last argument, the action when
 * the lookup fails, is 0, XDP_ABORTED.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int lab_redirect(struct xdp_md *ctx)
{
	return bpf_redirect_map(&ports, ctx->ingress_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
