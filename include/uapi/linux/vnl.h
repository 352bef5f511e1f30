/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vnl: a teaching-grade virtual link, driven through the generic netlink
 * family "vnl".  This header is the whole contract between the module, the
 * vnlctl tool and the selftests; Documentation/netlink/vnl.yaml describes the
 * same family for the kernel's generic YNL tooling and must agree with it.
 *
 * Commands
 * --------
 * A request may carry only the attributes listed for its command: any
 * other is refused with EINVAL before anything is done, the extended ACK
 * pointing at it (NLMSGERR_ATTR_OFFS).
 *
 * VNL_CMD_GET_VERSION (doit, any caller)
 *   Request: no attribute.  Reply: VNL_A_VERSION, the module's version
 *   string.
 *
 * VNL_CMD_LINK_NEW (doit, CAP_NET_ADMIN over every netns involved)
 *   Creates pairs and macvlan children.  tun and tap devices are created
 *   through /dev/vnl with the TUNSETIFF ioctl of linux/if_tun.h, as with
 *   /dev/net/tun.
 *   Pair request: VNL_A_KIND (VNL_KIND_PAIR), VNL_A_IFNAME, VNL_A_PEER
 *   (a nest holding at least VNL_PEER_A_IFNAME); optionally VNL_A_MTU,
 *   VNL_A_ADDRESS, VNL_A_NETNS_FD or VNL_A_NETNS_PID (the netns of this end,
 *   default: the caller's), and inside VNL_A_PEER: VNL_PEER_A_ADDRESS,
 *   VNL_PEER_A_NETNS_FD or VNL_PEER_A_NETNS_PID (default: this end's netns).
 *   Macvlan request: VNL_A_KIND (VNL_KIND_MACVLAN), VNL_A_IFNAME, the
 *   parent Ethernet device by VNL_A_PARENT_IFINDEX or VNL_A_PARENT_IFNAME
 *   (in the caller's netns; a vnl macvlan child stands for its parent);
 *   optionally VNL_A_MACVLAN_MODE (default VNL_MACVLAN_MODE_VEPA, as
 *   kernel macvlan), VNL_A_ADDRESS (default: random), VNL_A_MTU (at most
 *   the parent's; default: the parent's), VNL_A_BC_QUEUE_LEN (0 to
 *   VNL_BC_QUEUE_LEN_MAX; default VNL_BC_QUEUE_LEN_DEFAULT, as kernel
 *   macvlan), VNL_A_NETNS_FD or VNL_A_NETNS_PID (where the child lives;
 *   default: the caller's netns), VNL_A_TAP_FACE (see below).
 *   Reply: the new device, as VNL_CMD_LINK_GET describes it.
 *
 * VNL_CMD_LINK_SET (doit, CAP_NET_ADMIN over the caller's netns)
 *   Changes a macvlan child: VNL_A_IFINDEX or VNL_A_IFNAME, and any of
 *   VNL_A_MACVLAN_MODE (passthru can be neither set nor left; leaving
 *   source mode empties the source list), VNL_A_BC_QUEUE_LEN (the
 *   child's request; its parent's port then uses the largest request of
 *   its children) and VNL_A_MACADDR_OP with, for ADD, DEL and SET, the
 *   addresses in VNL_A_MACADDR_LIST (source mode only).  All of the
 *   request is checked before anything changes.  A VNL_CMD_LINK_CHANGE
 *   event follows.
 *
 * VNL_CMD_LINK_DEL (doit, CAP_NET_ADMIN over the caller's netns)
 *   Request: VNL_A_IFINDEX or VNL_A_IFNAME, in the caller's netns.
 *   Deleting either end of a pair deletes both.
 *
 * VNL_CMD_LINK_GET (doit and dumpit, any caller)
 *   doit request: VNL_A_IFINDEX or VNL_A_IFNAME (a dump may carry them
 *   too, and ignores them).  A dump lists every vnl device of the
 *   caller's netns, each exactly once, across as many messages as
 *   needed.  Each device is described by VNL_A_IFINDEX,
 *   VNL_A_IFNAME, VNL_A_KIND, VNL_A_MTU, VNL_A_ADDRESS (absent for a tun,
 *   which has no link-layer address), VNL_A_UP,
 *   VNL_A_CARRIER, VNL_A_STATS and, for a pair, VNL_A_PEER with
 *   VNL_PEER_A_IFINDEX, VNL_PEER_A_IFNAME and VNL_PEER_A_NETNSID (the
 *   peer's netns as a netnsid of the device's netns, present only when the
 *   peer lives in another netns; a peer there is named only in a reply to
 *   a caller with CAP_NET_ADMIN over its netns, never in an event).  A tun
 *   or tap device is described by VNL_A_TUN_FLAGS, VNL_A_TUN_QUEUES and,
 *   when set, VNL_A_TUN_OWNER and VNL_A_TUN_GROUP instead of VNL_A_PEER.
 *   A macvlan child is described by VNL_A_PARENT_IFINDEX,
 *   VNL_A_PARENT_IFNAME (given as a peer's name is), VNL_A_PARENT_NETNSID
 *   (when the parent lives in another netns), VNL_A_MACVLAN_MODE,
 *   VNL_A_BC_DROPS, VNL_A_BC_QUEUE_LEN (what this child asks for),
 *   VNL_A_BC_QUEUE_LEN_USED (what the parent's port uses: the largest
 *   request of its children, which changes with theirs, without an event
 *   of its own), in source mode VNL_A_MACADDR_LIST, and for a child with
 *   a tap face VNL_A_TAP_FACE and the VNL_A_TUN_* a tap has.
 *
 * Multicast group VNL_MCGRP_MONITOR ("monitor")
 *   Events, delivered in the netns of the device: VNL_CMD_LINK_NEW_NTF
 *   when a device is created, VNL_CMD_LINK_DEL_NTF when it is deleted and
 *   VNL_CMD_LINK_CHANGE when its carrier changes (and, for tun and tap,
 *   when its owner, group or persistence does, or a file attaches or
 *   detaches, which changes VNL_A_TUN_QUEUES; for a macvlan child, when
 *   its mode, source list or broadcast queue length does); each carries
 *   the device's description as above, with user and group ids as the
 *   user namespace owning the device's netns sees them (a reply, every
 *   part of a dump included, gives them as the user namespace of whoever
 *   opened the requesting socket sees them).  A pair end being deleted has
 *   lost its peer already: its last VNL_CMD_LINK_CHANGE (carrier off) and
 *   its VNL_CMD_LINK_DEL_NTF carry no VNL_A_PEER.
 *   The two _NTF names are the numbers of VNL_CMD_LINK_NEW and
 *   VNL_CMD_LINK_DEL (a reply to LINK_NEW carries VNL_CMD_LINK_NEW too):
 *   an event has nlmsg_pid 0 and nlmsg_seq 0, a reply the requester's
 *   port id and sequence number.  They exist so that the YNL spec, where
 *   an operation is a request or an event but not both, names the events.
 *
 * A macvlan child's tap face (macvtap)
 * ------------------------------------
 * A child created with VNL_A_TAP_FACE takes /dev/vnl files as a tap
 * does: TUNSETIFF with IFF_TAP (and IFF_MULTI_QUEUE exactly when the face
 * has it; IFF_NO_PI and IFF_VNET_HDR as for a tap; IFF_TUN refused with
 * EINVAL; IFF_NAPI taken and ignored, as IFF_ONE_QUEUE is: written frames
 * are transmitted, nothing is received to poll) and the child's name, in
 * the child's netns.  The
 * frames the child receives under its mode (unicast to its address,
 * broadcast and multicast as the mode lets through, from the wire or
 * from a sibling) go to its files instead of its stack, one queue chosen
 * by flow hash; a frame written to a file leaves through the child as if
 * its stack had sent it (bridge mode: to a bridge-mode sibling directly,
 * else to the parent).  The child's own stack still transmits.  With no
 * file attached the child has no carrier (nor with its parent's off).
 * Owner and group (TUNSETOWNER, TUNSETGROUP) admit files as for a tap.
 * The face lives as long as the child: closing the last file deletes
 * nothing, TUNSETPERSIST 1 is accepted and changes nothing, TUNSETPERSIST
 * 0 and TUNSETCARRIER are refused (EINVAL).  The child's counters are a
 * child's: frames read were received, frames written transmitted.  A
 * child with a tap face has a receive handler of its own: it cannot be a
 * bridge port, a bond slave or a macvlan parent.
 *
 * rtnetlink: "ip link add NAME type vnl ..."
 * -------------------------------------------
 * The link kind "vnl" creates pairs and macvlan children too, through
 * RTM_NEWLINK: the IFLA_* attributes of the request (IFLA_IFNAME,
 * IFLA_ADDRESS, IFLA_MTU, IFLA_NET_NS_FD or IFLA_NET_NS_PID, IFLA_LINK)
 * describe the new device, and IFLA_INFO_DATA may carry only VNL_A_KIND
 * (required), VNL_A_MACVLAN_MODE, VNL_A_BC_QUEUE_LEN, VNL_A_TAP_FACE and
 * VNL_A_PEER_INFO;
 * any other attribute is refused with EINVAL, the extended ACK pointing
 * at it.  tun and tap devices are refused (EOPNOTSUPP): they come from
 * /dev/vnl.
 *   Pair: VNL_KIND_PAIR and VNL_A_PEER_INFO, which holds a struct
 *   ifinfomsg followed by the peer's IFLA_* attributes (IFLA_IFNAME
 *   required; IFLA_ADDRESS, IFLA_MTU, IFLA_NET_NS_FD or IFLA_NET_NS_PID:
 *   its netns, default the requester's), as veth's VETH_INFO_PEER does.
 *   Macvlan child: VNL_KIND_MACVLAN and IFLA_LINK (the parent, in the
 *   requester's netns); optionally VNL_A_MACVLAN_MODE (default
 *   VNL_MACVLAN_MODE_VEPA), VNL_A_BC_QUEUE_LEN (default
 *   VNL_BC_QUEUE_LEN_DEFAULT) and VNL_A_TAP_FACE.  "ip -d link show"
 *   gives VNL_A_TAP_FACE of a child that has a face.
 * The generic netlink family stays the full interface: it alone names a
 * macvlan parent by name, answers with the device, and changes a child.
 *
 * /dev/vnl: batches (its own ioctls, of type VNL_IOC_TYPE)
 * -------------------------------------------------------
 * /dev/vnl answers the ioctls of linux/if_tun.h, and three of its own, on
 * any open file, attached or not.  Each takes a pointer to a __u32:
 *
 * VNL_IOC_GET_FEATURES: the VNL_FEATURE_* this module offers.
 * VNL_IOC_SET_BATCH: the framing of this file's read() and write():
 *   VNL_BATCH_READ, VNL_BATCH_WRITE, both or neither (the default: one
 *   packet per call, as tun).  Any other bit: EINVAL, nothing changed.
 *   The setting belongs to the open file, not to the device: two queues
 *   of one device may differ, and it survives TUNSETIFF and TUNSETQUEUE.
 * VNL_IOC_GET_BATCH: the framing set.
 *
 * In batch mode one call moves up to VNL_BATCH_MAX packets, each as a
 * record: a struct vnl_batch_hdr, then @len bytes of payload, then
 * padding up to the next multiple of VNL_BATCH_ALIGN bytes from the
 * start of the buffer.  The payload is exactly what one read() or one
 * write() of the file would carry without batches: the packet
 * information unless IFF_NO_PI, the vnet header with IFF_VNET_HDR, then
 * the packet.
 *
 * read(): waits for the first packet as a read() without batches does
 *   (or EAGAIN with O_NONBLOCK), then returns as many whole packets as
 *   are queued and fit in the buffer, in the order they were queued, up
 *   to VNL_BATCH_MAX.  No packet is ever cut: a buffer too small for the
 *   first record is EMSGSIZE, and the packet stays queued.  The padding
 *   is zeroed; the last record's is not written, and the value returned
 *   is where its payload ends.  Should a packet fail to be copied out (a
 *   bad address), it is lost, as without batches (but one whose header
 *   could not be written stays queued); those before it are returned,
 *   those after it stay queued.
 * write(): every record is checked before anything is sent; a record of
 *   @len 0, running past the buffer, with @reserved not 0, a 65th record,
 *   or trailing bytes after the last padding too few for a header:
 *   EINVAL, and nothing is sent (or counted).  Then each packet is built
 *   as a write() without batches would build it; one it would refuse
 *   (EINVAL, counted as a bad_write drop) refuses the whole batch, and
 *   nothing is sent.  Otherwise every packet is sent, together, and the
 *   call returns the number of bytes it was given.  The last record's
 *   padding may be left out; padding bytes are ignored.  A write of 0
 *   bytes sends nothing and returns 0.
 */
#ifndef _UAPI_LINUX_VNL_H
#define _UAPI_LINUX_VNL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VNL_GENL_NAME		"vnl"
#define VNL_GENL_VERSION	1
#define VNL_MCGRP_MONITOR	"monitor"

enum vnl_cmd {
	VNL_CMD_UNSPEC,
	VNL_CMD_GET_VERSION,
	VNL_CMD_LINK_NEW,
	VNL_CMD_LINK_NEW_NTF = VNL_CMD_LINK_NEW,	/* event: created */
	VNL_CMD_LINK_DEL,
	VNL_CMD_LINK_DEL_NTF = VNL_CMD_LINK_DEL,	/* event: deleted */
	VNL_CMD_LINK_GET,
	VNL_CMD_LINK_CHANGE,	/* event only */
	VNL_CMD_LINK_SET,

	__VNL_CMD_MAX
};

#define VNL_CMD_MAX (__VNL_CMD_MAX - 1)

/* What a vnl device is; fixed when it is created. */
enum vnl_kind {
	VNL_KIND_UNSPEC,
	VNL_KIND_PAIR,		/* veth-style, wired back to back to its peer */
	VNL_KIND_TUN,		/* L3, packets read and written through /dev/vnl */
	VNL_KIND_TAP,		/* L2 (Ethernet), frames through /dev/vnl */
	VNL_KIND_MACVLAN,	/* a MAC address of its own on a parent */

	__VNL_KIND_MAX
};

#define VNL_KIND_MAX (__VNL_KIND_MAX - 1)

/* How a macvlan child reaches its siblings; the meanings are kernel
 * macvlan's (linux/if_link.h), the numbers are vnl's own.
 */
enum vnl_macvlan_mode {
	VNL_MACVLAN_MODE_UNSPEC,
	VNL_MACVLAN_MODE_PRIVATE,	/* never to or from a sibling */
	VNL_MACVLAN_MODE_VEPA,		/* siblings only through the wire */
	VNL_MACVLAN_MODE_BRIDGE,	/* bridge-mode siblings directly */
	VNL_MACVLAN_MODE_PASSTHRU,	/* the only child; the parent's MAC */
	VNL_MACVLAN_MODE_SOURCE,	/* frames chosen by source MAC */

	__VNL_MACVLAN_MODE_MAX
};

#define VNL_MACVLAN_MODE_MAX (__VNL_MACVLAN_MODE_MAX - 1)

/* What VNL_CMD_LINK_SET does to a source-mode child's address list. */
enum vnl_macaddr_op {
	VNL_MACADDR_OP_UNSPEC,
	VNL_MACADDR_OP_ADD,	/* add the listed addresses */
	VNL_MACADDR_OP_DEL,	/* remove the listed addresses */
	VNL_MACADDR_OP_FLUSH,	/* empty the list */
	VNL_MACADDR_OP_SET,	/* replace the list by the listed addresses */

	__VNL_MACADDR_OP_MAX
};

#define VNL_MACADDR_OP_MAX (__VNL_MACADDR_OP_MAX - 1)

/* The most source addresses one source-mode child can list. */
#define VNL_MACADDR_MAX 256

/* The broadcast queue of a macvlan parent: broadcasts and multicasts from
 * the wire wait there for the work that copies them to the children.  A
 * child asks for a length (VNL_A_BC_QUEUE_LEN), its parent's port uses
 * the largest its children ask for, and 0 drops every such frame.  Kernel
 * macvlan takes any u32, which lets a storm take all memory; vnl stops at
 * 65535, about 65 times the default: each queued frame holds the data
 * of a received frame, a few KiB at an MTU of 1500, so that a parent's
 * queue holds a few hundred MiB at the most.
 */
#define VNL_BC_QUEUE_LEN_DEFAULT 1000
#define VNL_BC_QUEUE_LEN_MAX 65535

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
	VNL_A_PARENT_IFINDEX,	/* u32: a macvlan child's parent */
	VNL_A_PARENT_IFNAME,	/* string: the same, by name */
	VNL_A_PARENT_NETNSID,	/* s32: the parent's netns (reply only) */
	VNL_A_MACVLAN_MODE,	/* u32: enum vnl_macvlan_mode */
	VNL_A_MACADDR_OP,	/* u32: enum vnl_macaddr_op (LINK_SET only) */
	VNL_A_MACADDR_LIST,	/* nest: VNL_MACADDR_A_ADDRESS, repeated */
	VNL_A_BC_DROPS,		/* u64: broadcasts the parent's queue dropped
				 * (reply only)
				 */
	VNL_A_PAD,
	VNL_A_BC_QUEUE_LEN,	/* u32: the broadcast queue length a macvlan
				 * child asks for, 0 to VNL_BC_QUEUE_LEN_MAX
				 */
	VNL_A_BC_QUEUE_LEN_USED, /* u32: the length its parent's port uses,
				  * the largest its children ask for (reply
				  * only)
				  */
	VNL_A_PEER_INFO,	/* binary: struct ifinfomsg, then the peer's
				 * IFLA_* attributes (rtnetlink only)
				 */
	VNL_A_TAP_FACE,		/* u32: a macvlan child's tap face, as the
				 * if_tun.h flags its files attach with:
				 * IFF_TAP, and IFF_MULTI_QUEUE or not
				 */

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

enum vnl_macaddr_attr {
	VNL_MACADDR_A_UNSPEC,
	VNL_MACADDR_A_ADDRESS,	/* binary: 6-byte unicast MAC address */

	__VNL_MACADDR_A_MAX
};

#define VNL_MACADDR_A_MAX (__VNL_MACADDR_A_MAX - 1)

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
	VNL_STATS_A_DROPS,	/* nest: u64 per enum vnl_drop_reason */

	__VNL_STATS_A_MAX
};

#define VNL_STATS_A_MAX (__VNL_STATS_A_MAX - 1)

/* Why vnl dropped a frame: the attribute types inside VNL_STATS_A_DROPS,
 * the counters of `ethtool -S` (drop_<name>) and the reason of the
 * vnl:vnl_drop trace event.  A device reports the reasons its kind can
 * have, each as a u64 (type 0 is the padding attribute).
 */
enum vnl_drop_reason {
	VNL_DROP_PAD,
	VNL_DROP_PEER_DOWN,	/* pair: the peer is gone or down */
	VNL_DROP_TOO_BIG,	/* longer than the receiver's MTU allows */
	VNL_DROP_BACKLOG_FULL,	/* the receiving CPU's backlog was full */
	VNL_DROP_NO_READER,	/* tun/tap: no queue is attached */
	VNL_DROP_QUEUE_FULL,	/* tun/tap: tx_queue_len frames unread */
	VNL_DROP_UNREAD,	/* left unread when a tun/tap queue or a pair
				 * end (its XDP ring) went
				 */
	VNL_DROP_BAD_WRITE,	/* tun/tap: write() of a malformed frame */
	VNL_DROP_CHILD_DOWN,	/* macvlan: the child it was meant for is down */
	VNL_DROP_MODE,		/* macvlan: the mode forbids the way (private) */
	VNL_DROP_PARENT,	/* macvlan: the parent is down or refused it */
	VNL_DROP_BC_QUEUE_FULL,	/* macvlan: the port's broadcast queue is full */
	VNL_DROP_NOMEM,		/* no memory for a copy */
	VNL_DROP_RING_FULL,	/* pair: the receiving end's XDP ring was full */
	VNL_DROP_XDP_DROP,	/* the XDP program returned XDP_DROP */
	VNL_DROP_XDP_ABORTED,	/* XDP_ABORTED, or a verdict the kernel lacks */
	VNL_DROP_XDP_TX_ERR,	/* XDP_TX: no room left for the frame's header */
	VNL_DROP_XDP_REDIRECT_ERR, /* XDP_REDIRECT: no target took the frame */

	__VNL_DROP_MAX
};

#define VNL_DROP_MAX (__VNL_DROP_MAX - 1)

/* /dev/vnl's own ioctls (see "/dev/vnl: batches" above); those of
 * linux/if_tun.h are of type 'T'.
 */
#define VNL_IOC_TYPE		0xd7
#define VNL_IOC_GET_FEATURES	_IOR(VNL_IOC_TYPE, 1, __u32)
#define VNL_IOC_SET_BATCH	_IOW(VNL_IOC_TYPE, 2, __u32)
#define VNL_IOC_GET_BATCH	_IOR(VNL_IOC_TYPE, 3, __u32)

/* VNL_IOC_GET_FEATURES */
#define VNL_FEATURE_BATCH	(1U << 0)	/* VNL_IOC_SET_BATCH */

/* VNL_IOC_SET_BATCH, VNL_IOC_GET_BATCH */
#define VNL_BATCH_READ		(1U << 0)	/* read() returns records */
#define VNL_BATCH_WRITE		(1U << 1)	/* write() takes records */

#define VNL_BATCH_MAX		64	/* records per read() or write() */
#define VNL_BATCH_ALIGN		8	/* where each record starts */

/* The header of a record: @len bytes of payload follow. */
struct vnl_batch_hdr {
	__u32 len;
	__u32 reserved;		/* 0 */
};

#endif /* _UAPI_LINUX_VNL_H */
