// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP programs of the XDP selftests (xdp_pair.sh, xdp_tun.sh,
 * xdp_lifetime.sh, xdp_tools.sh), one source built once per verdict
 * (selftests/Makefile): xdp_pass.bpf.o, xdp_drop.bpf.o, xdp_tx.bpf.o,
 * xdp_aborted.bpf.o, xdp_redirect.bpf.o (bpf_redirect() to the ifindex
 * in xdp_target), xdp_devmap.bpf.o (bpf_redirect_map() to entry 0 of
 * xdp_devmap), xdp_broadcast.bpf.o (bpf_redirect_map() with
 * BPF_F_BROADCAST: a copy of each frame to every entry of xdp_devmap,
 * 512 entries there), xdp_cpumap.bpf.o (to the CPU in xdp_target,
 * through xdp_cpumap) and xdp_frags.bpf.o (XDP_PASS, frags-aware:
 * SEC("xdp.frags")).  Each object has one program, in section "xdp" (or
 * "xdp.frags"), so that `ip link set dev E xdpdrv obj F sec xdp` and
 * `xdp-loader load E F` need no program name.
 *
 * Every program counts what it returned, frame by frame, in xdp_counts:
 * entry V is the number of frames it gave verdict V (XDP_ABORTED 0,
 * XDP_DROP 1, XDP_PASS 2, XDP_TX 3, XDP_REDIRECT 4).  A test reads it
 * with `bpftool map dump`: the program ran exactly on the frames it
 * expected, whatever the device counts.  A redirect whose target is
 * missing returns XDP_ABORTED (bpf_redirect_map()'s flags are 0), and
 * is counted as such.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define NR_VERDICTS (XDP_REDIRECT + 1)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_VERDICTS);
	__type(key, __u32);
	__type(value, __u64);
} xdp_counts SEC(".maps");

/* Entry 0: the ifindex bpf_redirect() sends to, or the CPU of xdp_cpumap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xdp_target SEC(".maps");

#if defined(XDP_VERDICT_DEVMAP) || defined(XDP_VERDICT_BROADCAST)
/* Entry 0 (broadcast: each entry): the device to send to (value: its
 * ifindex).
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
#ifdef XDP_VERDICT_BROADCAST
	__uint(max_entries, 512);
#else
	__uint(max_entries, 1);
#endif
	__type(key, __u32);
	__type(value, __u32);
} xdp_devmap SEC(".maps");
#elif defined(XDP_VERDICT_CPUMAP)
/* Entry N: CPU N's queue (value: its size).  Two entries, the guests'
 * two CPUs: a cpumap may not have more entries than the kernel's
 * NR_CPUS, which is 2 on the debug kernel.
 */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} xdp_cpumap SEC(".maps");
#endif

#if defined(XDP_VERDICT_REDIRECT) || defined(XDP_VERDICT_CPUMAP)
static __always_inline __u32 target(void)
{
	__u32 key = 0, *value = bpf_map_lookup_elem(&xdp_target, &key);

	return value ? *value : 0;
}
#endif

static __always_inline int verdict(void)
{
#if defined(XDP_VERDICT_PASS) || defined(XDP_VERDICT_FRAGS)
	return XDP_PASS;
#elif defined(XDP_VERDICT_DROP)
	return XDP_DROP;
#elif defined(XDP_VERDICT_TX)
	return XDP_TX;
#elif defined(XDP_VERDICT_ABORTED)
	return XDP_ABORTED;
#elif defined(XDP_VERDICT_REDIRECT)
	return bpf_redirect(target(), 0);
#elif defined(XDP_VERDICT_DEVMAP)
	return bpf_redirect_map(&xdp_devmap, 0, 0);
#elif defined(XDP_VERDICT_BROADCAST)
	return bpf_redirect_map(&xdp_devmap, 0, BPF_F_BROADCAST);
#elif defined(XDP_VERDICT_CPUMAP)
	return bpf_redirect_map(&xdp_cpumap, target(), 0);
#else
#error "build with -DXDP_VERDICT_<PASS|DROP|TX|ABORTED|REDIRECT|DEVMAP|BROADCAST|CPUMAP|FRAGS>"
#endif
}

#ifdef XDP_VERDICT_FRAGS
SEC("xdp.frags")
#else
SEC("xdp")
#endif
int xdp_act(struct xdp_md *ctx)
{
	__u32 key = verdict();
	__u64 *count = bpf_map_lookup_elem(&xdp_counts, &key);

	if (count)
		__sync_fetch_and_add(count, 1);
	return key;
}

char _license[] SEC("license") = "GPL";
