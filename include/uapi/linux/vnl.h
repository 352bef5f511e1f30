/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vnl: a teaching-grade virtual link, driven through the generic netlink
 * family "vnl".  This header is the whole contract between the module, the
 * vnlctl tool and the selftests; Documentation/netlink/vnl.yaml describes the
 * same family for the kernel's generic YNL tooling and must agree with it.
 *
 * Commands
 * --------
 * VNL_CMD_GET_VERSION (doit, any caller)
 *   Reply: VNL_A_VERSION, the module's version string.
 *
 * VNL_CMD_LINK_NEW (doit, CAP_NET_ADMIN over every netns involved)
 *   Creates pairs.  tun and tap devices are created through /dev/vnl with
 *   the TUNSETIFF ioctl of linux/if_tun.h, as with /dev/net/tun.
 *   Request: VNL_A_KIND (VNL_KIND_PAIR), VNL_A_IFNAME, VNL_A_PEER
 *   (a nest holding at least VNL_PEER_A_IFNAME); optionally VNL_A_MTU,
 *   VNL_A_ADDRESS, VNL_A_NETNS_FD or VNL_A_NETNS_PID (the netns of this end,
 *   default: the caller's), and inside VNL_A_PEER: VNL_PEER_A_ADDRESS,
 *   VNL_PEER_A_NETNS_FD or VNL_PEER_A_NETNS_PID (default: this end's netns).
 *   Reply: the new device, as VNL_CMD_LINK_GET describes it.
 *
 * VNL_CMD_LINK_DEL (doit, CAP_NET_ADMIN over the caller's netns)
 *   Request: VNL_A_IFINDEX or VNL_A_IFNAME, in the caller's netns.
 *   Deleting either end of a pair deletes both.
 *
 * VNL_CMD_LINK_GET (doit and dumpit, any caller)
 *   doit request: VNL_A_IFINDEX or VNL_A_IFNAME.  A dump lists every vnl
 *   device of the caller's netns, each exactly once, across as many
 *   messages as needed.  Each device is described by VNL_A_IFINDEX,
 *   VNL_A_IFNAME, VNL_A_KIND, VNL_A_MTU, VNL_A_ADDRESS (absent for a tun,
 *   which has no link-layer address), VNL_A_UP,
 *   VNL_A_CARRIER, VNL_A_STATS and, for a pair, VNL_A_PEER with
 *   VNL_PEER_A_IFINDEX, VNL_PEER_A_IFNAME and VNL_PEER_A_NETNSID (the
 *   peer's netns as a netnsid of the device's netns, present only when the
 *   peer lives in another netns).  A tun or tap device is described by
 *   VNL_A_TUN_FLAGS, VNL_A_TUN_QUEUES and, when set, VNL_A_TUN_OWNER and
 *   VNL_A_TUN_GROUP instead of VNL_A_PEER.
 *
 * Multicast group VNL_MCGRP_MONITOR ("monitor")
 *   Events, delivered in the netns of the device: VNL_CMD_LINK_NEW when a
 *   device is created, VNL_CMD_LINK_DEL when it is deleted and
 *   VNL_CMD_LINK_CHANGE when its carrier changes (and, for tun and tap,
 *   when its owner, group or persistence does); each carries the device's
 *   description as above.
 */
#ifndef _UAPI_LINUX_VNL_H
#define _UAPI_LINUX_VNL_H

#define VNL_GENL_NAME		"vnl"
#define VNL_GENL_VERSION	1
#define VNL_MCGRP_MONITOR	"monitor"

enum vnl_cmd {
	VNL_CMD_UNSPEC,
	VNL_CMD_GET_VERSION,
	VNL_CMD_LINK_NEW,
	VNL_CMD_LINK_DEL,
	VNL_CMD_LINK_GET,
	VNL_CMD_LINK_CHANGE,	/* event only */

	__VNL_CMD_MAX
};

#define VNL_CMD_MAX (__VNL_CMD_MAX - 1)

/* What a vnl device is; fixed when it is created. */
enum vnl_kind {
	VNL_KIND_UNSPEC,
	VNL_KIND_PAIR,		/* veth-style, wired back to back to its peer */
	VNL_KIND_TUN,		/* L3, packets read and written through /dev/vnl */
	VNL_KIND_TAP,		/* L2 (Ethernet), frames through /dev/vnl */

	__VNL_KIND_MAX
};

#define VNL_KIND_MAX (__VNL_KIND_MAX - 1)

enum vnl_attr {
	VNL_A_UNSPEC,
	VNL_A_VERSION,		/* string: the module's version */
	VNL_A_IFINDEX,		/* u32 */
	VNL_A_IFNAME,		/* string, 1 to IFNAMSIZ - 1 bytes */
	VNL_A_KIND,		/* u32: enum vnl_kind */
	VNL_A_MTU,		/* u32: 68 to 65535 */
	VNL_A_ADDRESS,		/* binary: 6-byte unicast MAC address */
	VNL_A_NETNS_FD,		/* u32: fd of a netns (request only) */
	VNL_A_NETNS_PID,	/* u32: pid whose netns is meant (request only) */
	VNL_A_PEER,		/* nest: enum vnl_peer_attr */
	VNL_A_UP,		/* u8: 1 when administratively up */
	VNL_A_CARRIER,		/* u8: 1 when the carrier is on */
	VNL_A_STATS,		/* nest: enum vnl_stats_attr */
	VNL_A_TUN_FLAGS,	/* u32: IFF_* of linux/if_tun.h (reply only) */
	VNL_A_TUN_QUEUES,	/* u32: /dev/vnl fds attached (reply only) */
	VNL_A_TUN_OWNER,	/* u32: uid allowed to attach (reply only) */
	VNL_A_TUN_GROUP,	/* u32: gid allowed to attach (reply only) */

	__VNL_A_MAX
};

#define VNL_A_MAX (__VNL_A_MAX - 1)

enum vnl_peer_attr {
	VNL_PEER_A_UNSPEC,
	VNL_PEER_A_IFINDEX,	/* u32, in the peer's netns (reply only) */
	VNL_PEER_A_IFNAME,	/* string, 1 to IFNAMSIZ - 1 bytes */
	VNL_PEER_A_ADDRESS,	/* binary: 6-byte unicast MAC address */
	VNL_PEER_A_NETNS_FD,	/* u32: fd of the peer's netns (request only) */
	VNL_PEER_A_NETNS_PID,	/* u32: pid in the peer's netns (request only) */
	VNL_PEER_A_NETNSID,	/* s32: the peer's netns, seen from the device's */

	__VNL_PEER_A_MAX
};

#define VNL_PEER_A_MAX (__VNL_PEER_A_MAX - 1)

/* Counters of one device, summed over all CPUs. */
enum vnl_stats_attr {
	VNL_STATS_A_UNSPEC,
	VNL_STATS_A_PAD,
	VNL_STATS_A_RX_PACKETS,	/* u64 */
	VNL_STATS_A_RX_BYTES,	/* u64 */
	VNL_STATS_A_TX_PACKETS,	/* u64 */
	VNL_STATS_A_TX_BYTES,	/* u64 */
	VNL_STATS_A_RX_DROPS,	/* u64: frames the stack refused to take */
	VNL_STATS_A_TX_DROPS,	/* u64: peer gone or down, frame too big */

	__VNL_STATS_A_MAX
};

#define VNL_STATS_A_MAX (__VNL_STATS_A_MAX - 1)

#endif /* _UAPI_LINUX_VNL_H */
