/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnl: the one internal header.  Everything one file of the module needs
 * from another is declared here; see Documentation/ for the data paths.
 */
#ifndef _VNL_H
#define _VNL_H

#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/ptr_ring.h>
#include <linux/rhashtable-types.h>
#include <linux/skbuff.h>
#include <linux/u64_stats_sync.h>
#include <linux/wait.h>
#include <net/genetlink.h>
#include <net/xdp.h>
#include <uapi/linux/vnl.h>

#include "compat.h"

#define VNL_VERSION "0.1.0"

/* What XDP programs did with frames (xdp.c), counted per device and shown
 * by `ethtool -S` as xdp_<name>; drops are drop reasons instead.
 */
enum vnl_xdp_stat {
	VNL_XDP_PASS,		/* to the stack */
	VNL_XDP_TX,		/* back out of the device they came in on */
	VNL_XDP_REDIRECT,	/* to another device, CPU or AF_XDP socket */
	VNL_XDP_XMIT,		/* redirected to this device by a program */
	__VNL_XDP_STAT_MAX
};

/* Per-CPU counters: each CPU only ever writes its own copy, so the data
 * path needs no lock and no atomic; syncp lets 32-bit readers see
 * consistent 64-bit values.
 */
struct vnl_pcpu_stats {
	u64_stats_t rx_packets;
	u64_stats_t rx_bytes;
	u64_stats_t tx_packets;
	u64_stats_t tx_bytes;
	u64_stats_t rx_drops;
	u64_stats_t tx_drops;
	/* Each drop again, by reason (drop.c); index 0 is unused. */
	u64_stats_t drops[__VNL_DROP_MAX];
	u64_stats_t xdp[__VNL_XDP_STAT_MAX];
	struct u64_stats_sync syncp;
};

struct vnl_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_drops;
	u64 tx_drops;
	u64 drops[__VNL_DROP_MAX];
	u64 xdp[__VNL_XDP_STAT_MAX];
};

/* Frames a queue holds for read() by default, as tun. */
#define VNL_TUN_QUEUE_LEN 500

/* The most queues (open /dev/vnl fds) one tun/tap device can have. */
#define VNL_TUN_MAX_QUEUES 8

/* What a device's /dev/vnl files can drop (tun.c): a tun's, a tap's and
 * a tap face's.
 */
#define VNL_TUN_DROP_REASONS (BIT(VNL_DROP_NO_READER) | BIT(VNL_DROP_QUEUE_FULL) | \
			      BIT(VNL_DROP_UNREAD) | BIT(VNL_DROP_BAD_WRITE) | \
			      BIT(VNL_DROP_NOMEM))

/* What a device running XDP programs can drop (xdp.c); a pair end's ring
 * can be full, too.
 */
#define VNL_XDP_DROP_REASONS (BIT(VNL_DROP_XDP_DROP) | BIT(VNL_DROP_XDP_ABORTED) | \
			      BIT(VNL_DROP_XDP_TX_ERR) | BIT(VNL_DROP_XDP_REDIRECT_ERR))

/* Every TUNSETIFF flag vnl implements (TUNGETFEATURES); any other flag is
 * refused with EINVAL.  IFF_ONE_QUEUE is accepted and means what it means
 * for tun today: nothing, one queue is the default.
 */
#define VNL_TUN_FEATURES (IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | \
			  IFF_MULTI_QUEUE | IFF_TUN_EXCL | IFF_NAPI | \
			  IFF_NO_CARRIER | IFF_VNET_HDR)

/* What VNL_IOC_GET_FEATURES offers, and the framings VNL_IOC_SET_BATCH
 * takes (batch.c).
 */
#define VNL_FEATURES	VNL_FEATURE_BATCH
#define VNL_BATCH_MODES	(VNL_BATCH_READ | VNL_BATCH_WRITE)

/* The offloads TUNSETOFFLOAD can give a tun/tap device (vnet.c): what a
 * program reading vnet headers can finish itself.
 */
#define VNL_TUN_OFFLOADS (NETIF_F_HW_CSUM | NETIF_F_TSO | NETIF_F_TSO6 | \
			  NETIF_F_TSO_ECN | VNL_COMPAT_NETIF_F_USO)

/* One open /dev/vnl file.  Once attached to a tun/tap device it is one of
 * the device's queues: the transmit path puts frames on @rxq for read(),
 * write() hands frames to the stack.
 */
struct vnl_tfile {
	/* The device while this file is an attached queue of it; NULL when
	 * unattached, detached or after the device is gone.  Written under
	 * RTNL, read under RCU.
	 */
	struct net_device __rcu *dev;
	/* The device this file belongs to, attached or detached (RTNL). */
	struct net_device *owner_dev;
	/* The netns of the opener: where TUNSETIFF creates the device. */
	struct net *net;
	u16 index;		/* queue index while attached (RTNL) */
	bool gone;		/* its device was deleted (RTNL; poll reads it) */
	struct list_head detached_node;	/* in vnl_tun.detached (RTNL) */

	/* Frames from the stack, waiting for read(); bounded by the
	 * device's tx_queue_len.  Its lock is taken from the transmit path
	 * (BH) and from read(), with interrupts off.
	 */
	struct sk_buff_head rxq;
	wait_queue_head_t wq;

	/* This queue's share of the device's traffic, for ethtool -S:
	 * frames queued for read(), read, written.  Atomic, as the transmit
	 * path and every thread reading or writing the file count.
	 */
	atomic64_t queued;
	atomic64_t read;
	atomic64_t written;

	/* VNL_BATCH_READ, VNL_BATCH_WRITE: the framing of this file's
	 * read() and write() (batch.c).  Set by VNL_IOC_SET_BATCH without a
	 * lock (WRITE_ONCE), read once per call (READ_ONCE): a call racing
	 * with the ioctl uses the old framing or the new one, whole.
	 */
	u32 batch;
	/* The page a batched write() carves its frames from (batch.c:
	 * vnl_batch_frag), and where the next frame goes in it.  Under
	 * @frag_lock: writers of the same file may race.
	 */
	struct mutex frag_lock;
	struct page *frag_page;
	unsigned int frag_offset;

	/* IFF_NAPI: written frames go through this NAPI context and GRO. */
	struct napi_struct napi;
	struct sk_buff_head napi_q;
	bool napi_added;
};

/* A tun or tap device (vnl_dev.tun), or a macvlan child's tap face
 * (macvtap.c), whose files are queues of the same kind.
 */
struct vnl_tun {
	/* IFF_TUN/IFF_TAP, NO_PI, MULTI_QUEUE, ...; 0 for a macvlan child
	 * without a tap face.
	 */
	unsigned int flags;
	/* IFF_VNET_HDR (vnet.c): the header's size and byte order, and the
	 * offloads the program takes.  Written under RTNL, read locklessly
	 * by read() and write().
	 */
	int vnet_hdr_sz;
	bool vnet_le;
	netdev_features_t offloads;
	kuid_t owner;
	kgid_t group;
	/* Attached queues, indexed 0..numqueues-1 without holes.  Written
	 * under RTNL, read under RCU by the transmit path.
	 */
	struct vnl_tfile __rcu *queues[VNL_TUN_MAX_QUEUES];
	unsigned int numqueues;
	struct list_head detached;	/* files detached by TUNSETQUEUE */
	unsigned int numdetached;
	/* The LSM's label of the device (SELinux: its creator's context),
	 * from ndo_init to ndo_uninit; see tun.c:vnl_tun_init.
	 */
	void *security;
};

/* Bits of a macvlan child's multicast filter, hashed by group address. */
#define VNL_DEMUX_MC_BITS 8
#define VNL_DEMUX_MC_FILTER BIT(VNL_DEMUX_MC_BITS)
/* Bits of a port's hash of source-mode addresses. */
#define VNL_PORT_SOURCE_BITS 8

/* What vnl hangs on a parent while it has children (port.c): its
 * rx_handler_data.
 */
struct vnl_port {
	struct net_device *dev;		/* the parent */
	struct list_head children;	/* every child (RTNL) */
	/* References (RTNL): one per child from its ndo_init to its
	 * ndo_uninit, and one held by a creation in progress.  The last
	 * vnl_port_put() destroys the port.
	 */
	unsigned int refs;
	bool passthru;			/* its only child is in passthru mode */
	/* That child, from its registration to its dellink (RCU): up or
	 * down, it owns every unicast frame the parent receives.
	 */
	struct vnl_dev __rcu *passthru_child;

	struct list_head up;		/* children that are up (RCU) */
	struct rhashtable addrs;	/* the same, by MAC address (RCU) */
	/* Source entries of every source-mode child, by source MAC (RCU;
	 * source.c).
	 */
	struct hlist_head sources[1 << VNL_PORT_SOURCE_BITS];

	/* The union of the up children's multicast filters: a multicast
	 * frame no child wants is not queued for the flood work at all.
	 * Read locklessly by the receive path.
	 */
	DECLARE_BITMAP(mc_filter, VNL_DEMUX_MC_FILTER);
	spinlock_t filter_lock;		/* orders rebuilds of mc_filter */

	/* Broadcasts from the receive path, for the flood work. */
	struct sk_buff_head bcq;
	struct work_struct bc_work;
	atomic_long_t bc_drops;
	/* How many may wait in bcq: the largest length the children ask
	 * for (vnl_demux.bc_queue_len).  Written under RTNL whenever a
	 * child comes, goes or changes its request (WRITE_ONCE); read
	 * locklessly by the receive path and "ip -d link" (READ_ONCE).
	 */
	u32 bc_queue_len_used;
	/* Some child is in private mode (the same rules as above). */
	bool any_private;
};

/* Native XDP (xdp.c).  Frames reach a pair end through its ring and NAPI
 * context, instead of the CPU's backlog, when a program must run on them
 * or when they are XDP frames already (another program's XDP_TX or
 * redirect).  A tun/tap uses @prog, @rxq and @max_mtu only.
 */
struct vnl_xdp {
	/* The end's program: written under RTNL, read under RCU. */
	struct bpf_prog __rcu *prog;
	/* Frames for this end: sk_buffs and XDP frames (told apart by
	 * the pointer's low bit).  Any CPU produces, under the ring's
	 * producer lock; only the NAPI poll consumes.
	 */
	struct ptr_ring ring;
	struct napi_struct napi;
	struct xdp_rxq_info rxq;
	/* True while the end is up and the NAPI polls: producers check it
	 * before they fill the ring (vnl_xdp_stop() says what happens to a
	 * producer racing with the stop).
	 */
	bool running;
	/* The device's max_mtu before a program capped it (RTNL). */
	unsigned int max_mtu;
};

/* A macvlan child (vnl_dev.demux): a MAC address of its own on a parent
 * Ethernet device, whose receive handler (the port, demux.c) hands it the
 * frames meant for that address.
 */
struct vnl_demux {
	/* The real parent and its port, fixed for the child's life.  The
	 * child holds the parent from ndo_init to ndo_uninit (parent_ref):
	 * ndo_stop and ndo_uninit still touch it after dellink has undone
	 * the upper/lower link, whose own reference went with it.
	 */
	struct net_device *parent;
	struct vnl_compat_dev_ref parent_ref;
	struct vnl_port *port;
	/* enum vnl_macvlan_mode: written under RTNL, read locklessly by the
	 * data path (READ_ONCE), where a stale value only misroutes one frame
	 * during a mode change.
	 */
	u32 mode;
	/* The broadcast queue length the child asks of its port: written
	 * under RTNL (WRITE_ONCE), read under RTNL or, by "ip -d link",
	 * locklessly.
	 */
	u32 bc_queue_len;
	struct list_head node;		/* in port->children (RTNL) */
	/* While the child is up: in port->up (flooding) and, keyed by @addr,
	 * in port->addrs (unicast lookups).  Readers hold RCU.  The lookup
	 * reads @addr 8 bytes at a time, into mc_filter (port.c).
	 */
	struct list_head up_node;
	struct rhash_head hnode;
	u8 addr[ETH_ALEN];
	/* The multicast groups the child listens to, as a hash filter: the
	 * flood work skips children whose filter misses a frame's group.
	 * Rewritten by ndo_set_rx_mode, read locklessly; a reader racing an
	 * update may deliver or miss one frame, as a NIC's filter would.
	 */
	DECLARE_BITMAP(mc_filter, BIT(VNL_DEMUX_MC_BITS));
	/* Source mode: the accepted source addresses (RTNL). */
	struct list_head sources;
	unsigned int nsources;
};

/* A VNL_CMD_LINK_SET request, checked by genl.c against the policy.  Only
 * macvlan children take one today: a mode, a broadcast queue length, and
 * changes to the source list.
 */
struct vnl_link_change {
	u32 mode;		/* 0: unchanged */
	bool set_bc_queue_len;	/* bc_queue_len was asked for (0 is valid) */
	u32 bc_queue_len;
	u32 op;			/* enum vnl_macaddr_op, 0: none */
	const u8 (*addrs)[ETH_ALEN];
	unsigned int naddrs;
};

/* Who a description of a device is for (genl.c): the sender of a request
 * (@request), or every listener of the device's netns (an event, @request
 * NULL).  Owner and group ids are given as @user_ns sees them.
 */
struct vnl_reader {
	const struct sk_buff *request;
	struct user_namespace *user_ns;
};

/* What dev.c and genl.c need from each kind of device, as the core's
 * net_device_ops is what it needs from a driver: they call these and
 * never a kind's functions by name.  Each kind sets vnl_dev.ops when it
 * allocates a device.
 */
struct vnl_kind_ops {
	/* rtnl_link_ops.dellink: queue @dev, and whatever must go with it,
	 * for unregistering.  RTNL.
	 */
	void (*dellink)(struct net_device *dev, struct list_head *head);
	/* The device @dev is wired to (a pair's peer, a child's parent), or
	 * NULL.  RTNL or RCU.
	 */
	struct net_device *(*link)(const struct net_device *dev);
	/* The kind's own attributes in a description (VNL_A_PEER,
	 * VNL_A_TUN_*, VNL_A_PARENT_*...).  RTNL.
	 */
	int (*fill)(struct sk_buff *skb, struct net_device *dev,
		    const struct vnl_reader *rd);
	/* The kind runs XDP programs natively: `ethtool -S` shows the
	 * xdp_<name> counters.
	 */
	bool xdp;
	/* VNL_CMD_LINK_SET; NULL when the kind has nothing to set.  RTNL. */
	int (*change)(struct net_device *dev, const struct vnl_link_change *chg,
		      struct netlink_ext_ack *extack);
	/* The drop reasons the kind can have, as BIT(enum vnl_drop_reason):
	 * what its descriptions and `ethtool -S` report.
	 */
	u32 drop_reasons;
};

/* The private part of every vnl net_device (netdev_priv()). */
struct vnl_dev {
	struct net_device *dev;
	enum vnl_kind kind;
	const struct vnl_kind_ops *ops;
	/* Key in the module-wide registry (dev.c), stable for the device's
	 * whole life; dumps resume from it.
	 */
	u32 id;
	/* Set once the creation event went out, so that the deletion event
	 * is only sent for devices userspace has heard of.
	 */
	bool announced;
	struct vnl_pcpu_stats __percpu *stats;
	/* Pair only: the other end.  Written under RTNL, read under RCU by
	 * the transmit path; cleared before either end is unregistered.
	 */
	struct net_device __rcu *peer;
	/* Pairs, tun and tap: native XDP. */
	struct vnl_xdp xdp;
	/* tun and tap, and a macvlan child's tap face */
	struct vnl_tun tun;
	/* macvlan children only */
	struct vnl_demux demux;
};

/* dev.c: what every vnl device shares */
void vnl_dev_setup(struct net_device *dev);
int vnl_dev_init(struct net_device *dev);
void vnl_dev_uninit(struct net_device *dev);
void vnl_dev_get_stats64(struct net_device *dev,
			 struct rtnl_link_stats64 *stats);
void vnl_dev_read_stats(struct net_device *dev, struct vnl_stats *sum);
void vnl_dev_count_tx(struct net_device *dev, unsigned int len);
void vnl_dev_count_rx(struct net_device *dev, unsigned int len);
void vnl_dev_count_xdp(struct net_device *dev, enum vnl_xdp_stat what,
		       unsigned int n);
bool vnl_dev_is_vnl(const struct net_device *dev);
bool vnl_dev_is_kind(const struct net_device *dev, enum vnl_kind kind);
struct vnl_dev *vnl_dev_find_next(struct net *net, unsigned long *id);

/* rtnl.c: the link kind "vnl" of "ip link" */
extern struct rtnl_link_ops vnl_link_ops;
int vnl_rtnl_register(void);
void vnl_rtnl_unregister(void);

/* pair.c: veth-style pairs */
struct vnl_pair_config {
	const char *name;
	const char *peer_name;
	struct net *net;
	struct net *peer_net;
	const u8 *addr;
	const u8 *peer_addr;
	u32 mtu;
};

void vnl_pair_setup(struct net_device *dev);
int vnl_pair_register(struct net_device *dev, struct net_device *peer,
		      struct netlink_ext_ack *extack);
int vnl_pair_create(const struct vnl_pair_config *cfg,
		    struct net_device **devp, struct net_device **peerp,
		    struct netlink_ext_ack *extack);

/* xdp.c: native XDP on pair ends, tun and tap */
#define VNL_XDP_HEADROOM XDP_PACKET_HEADROOM
/* The largest MTU under a program: a frame, its VLAN tag, the headroom a
 * program may grow into and the skb's shared info fit one page.
 */
#define VNL_XDP_MAX_MTU (SKB_WITH_OVERHEAD(PAGE_SIZE - VNL_XDP_HEADROOM) - \
			 ETH_HLEN - VLAN_HLEN)

int vnl_xdp_pair_init(struct net_device *dev);
void vnl_xdp_pair_uninit(struct net_device *dev);
int vnl_xdp_start(struct net_device *dev);
void vnl_xdp_stop(struct net_device *dev);
int vnl_xdp_bpf(struct net_device *dev, struct netdev_bpf *bpf);
int vnl_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags);
bool vnl_xdp_takes_skb(struct net_device *dev);
void vnl_xdp_enqueue_skb(struct net_device *dev, struct sk_buff *skb,
			 unsigned int len);
netdev_features_t vnl_xdp_fix_features(struct net_device *dev,
				       netdev_features_t features);
int vnl_xdp_tun_init(struct net_device *dev);
void vnl_xdp_tun_uninit(struct net_device *dev);
bool vnl_xdp_tun_has_prog(struct net_device *dev);
struct sk_buff *vnl_xdp_tun_rx(struct net_device *dev, struct sk_buff *skb,
			       u16 queue);
int vnl_xdp_tun_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		     u32 flags);

/* demux.c: macvlan children */
struct vnl_demux_config {
	const char *name;
	struct net *net;
	struct net_device *parent;
	const u8 *addr;
	u32 mtu;
	u32 mode;
	u32 bc_queue_len;
	u32 tap_face;		/* VNL_A_TAP_FACE, 0: none */
};

int vnl_demux_register(struct net_device *dev,
		       const struct vnl_demux_config *cfg,
		       struct netlink_ext_ack *extack);
int vnl_demux_create(const struct vnl_demux_config *cfg,
		     struct net_device **devp, struct netlink_ext_ack *extack);
void vnl_demux_dellink(struct net_device *dev, struct list_head *head);
void vnl_demux_transfer_operstate(struct net_device *dev);
u32 vnl_demux_mc_hash(const u8 *addr);
bool vnl_demux_wants(const struct vnl_dev *child, const u8 *h_dest);
int vnl_demux_rehash(struct net_device *dev, const u8 *addr);

static inline struct vnl_dev *vnl_demux_to_vnl(struct vnl_demux *demux)
{
	return container_of(demux, struct vnl_dev, demux);
}

/* port.c: the port on a macvlan parent, its receive handler and flood */
struct vnl_port *vnl_port_get(struct net_device *parent, bool passthru,
			      u32 bc_queue_len);
void vnl_port_hold(struct vnl_port *port);
void vnl_port_put(struct vnl_port *port);
struct vnl_port *vnl_port_get_rtnl(const struct net_device *dev);
struct vnl_dev *vnl_port_lookup(struct vnl_port *port, const u8 *addr);
int vnl_port_add_addr(struct vnl_port *port, struct vnl_dev *child);
void vnl_port_del_addr(struct vnl_port *port, struct vnl_dev *child);
void vnl_port_rx_copy(struct vnl_dev *child, struct sk_buff *skb,
		      unsigned char pkt_type);
void vnl_port_update_filter(struct vnl_port *port);
void vnl_port_update_children(struct vnl_port *port);

/* port_events.c: what the parent's events do to its children */
int vnl_port_events_register(void);
void vnl_port_events_unregister(void);

/* source.c: the source lists of source-mode children */
void vnl_source_rx(struct vnl_port *port, struct sk_buff *skb);
int vnl_source_prepare(struct vnl_dev *vnl, const struct vnl_link_change *chg,
		       struct list_head *spare, struct netlink_ext_ack *extack);
void vnl_source_commit(struct vnl_dev *vnl, const struct vnl_link_change *chg,
		       struct list_head *spare);
void vnl_source_flush(struct vnl_dev *vnl);
int vnl_source_fill(struct sk_buff *skb, struct vnl_dev *vnl);

/* tun.c: tun/tap devices, the device side of /dev/vnl */
int vnl_tun_set_iff(struct vnl_tfile *tfile, struct ifreq *ifr);
int vnl_tun_set_queue(struct vnl_tfile *tfile, struct ifreq *ifr);
void vnl_tun_release(struct vnl_tfile *tfile);
void vnl_tun_get_iff(struct net_device *dev, struct ifreq *ifr);
int vnl_tun_set_persist(struct net_device *dev, bool persist);
int vnl_tun_set_owner(struct net_device *dev, uid_t uid);
int vnl_tun_set_group(struct net_device *dev, gid_t gid);
int vnl_tun_set_carrier(struct net_device *dev, bool on);
ssize_t vnl_tun_put_frame(struct net_device *dev, struct sk_buff *skb,
			  struct iov_iter *to);
ssize_t vnl_tun_get_frame(struct vnl_tfile *tfile, struct net_device *dev,
			  struct iov_iter *from);
size_t vnl_tun_frame_size(struct net_device *dev, const struct sk_buff *skb);
struct sk_buff *vnl_tun_build_frame(struct net_device *dev,
				    struct iov_iter *from,
				    struct vnl_tfile *frags);
int vnl_tun_deliver_batch(struct vnl_tfile *tfile, struct net_device *dev,
			  struct sk_buff_head *frames);
bool vnl_dev_is_tun(const struct net_device *dev);
bool vnl_dev_takes_files(const struct net_device *dev);
void vnl_tun_enqueue(struct net_device *dev, struct sk_buff *skb, u32 hash,
		     bool rx);
void vnl_tun_retire_files(struct net_device *dev);
void vnl_tun_drop_unread(struct net_device *dev, struct sk_buff *skb);
int vnl_tun_fill(struct sk_buff *skb, struct net_device *dev,
		 const struct vnl_reader *rd);
unsigned int vnl_tun_numqueues(struct net_device *dev);
struct vnl_tfile *vnl_tun_queue(struct net_device *dev, unsigned int i);

/* macvtap.c: a macvlan child's tap face */
bool vnl_macvtap_is_face(const struct net_device *dev);
int vnl_macvtap_check_flags(const struct nlattr *attr,
			    struct netlink_ext_ack *extack);
int vnl_macvtap_attach_check(struct net_device *dev, unsigned int flags);
void vnl_macvtap_carrier(struct net_device *dev);
int vnl_macvtap_init(struct net_device *dev);
int vnl_macvtap_register(struct net_device *dev,
			 struct netlink_ext_ack *extack);
void vnl_macvtap_uninit(struct net_device *dev);
void vnl_macvtap_xmit(struct net_device *dev, struct sk_buff *skb);

/* vnet.c: vnet headers (IFF_VNET_HDR) and TUNSETOFFLOAD */
struct virtio_net_hdr;
int vnl_vnet_ioctl(struct net_device *dev, unsigned int cmd,
		   int __user *argp);
int vnl_vnet_set_offload(struct net_device *dev, unsigned long arg);
netdev_features_t vnl_vnet_fix_features(struct net_device *dev,
					netdev_features_t features);
size_t vnl_vnet_hdr_size(struct net_device *dev, unsigned int flags);
int vnl_vnet_put_hdr(struct net_device *dev, const struct sk_buff *skb,
		     size_t sz, struct iov_iter *to);
int vnl_vnet_get_hdr(struct net_device *dev, unsigned int flags, size_t sz,
		     struct iov_iter *from, size_t *len,
		     struct virtio_net_hdr *hdr, size_t *head);
int vnl_vnet_hdr_to_skb(struct net_device *dev, struct sk_buff *skb,
			const struct virtio_net_hdr *hdr);

/* batch.c: many packets per read() and write() (VNL_IOC_SET_BATCH) */
int vnl_batch_set(struct vnl_tfile *tfile, u32 __user *argp);
ssize_t vnl_batch_read(struct vnl_tfile *tfile, struct net_device *dev,
		       struct iov_iter *to);
ssize_t vnl_batch_write(struct vnl_tfile *tfile, struct net_device *dev,
			struct iov_iter *from);
void *vnl_batch_frag(struct vnl_tfile *tfile, unsigned int size);
void vnl_batch_release(struct vnl_tfile *tfile);

/* drop.c: every drop, counted by reason and traced */
const char *vnl_drop_name(enum vnl_drop_reason why);
void vnl_drop_count(struct net_device *dev, unsigned int len, __be16 proto,
		    enum vnl_drop_reason why, bool rx);
void vnl_drop_rx(struct net_device *dev, struct sk_buff *skb,
		 enum vnl_drop_reason why);
void vnl_drop_tx(struct net_device *dev, struct sk_buff *skb,
		 enum vnl_drop_reason why);
void vnl_drop_free(struct net_device *dev, struct sk_buff *skb,
		   enum vnl_drop_reason why);

/* ethtool.c: ethtool -i, -S and -k */
extern const struct ethtool_ops vnl_ethtool_ops;

/* genl.c: the generic netlink family */
extern struct netlink_range_validation vnl_bc_queue_len_range;
int vnl_genl_register(void);
void vnl_genl_unregister(void);
void vnl_genl_notify(struct net_device *dev, enum vnl_cmd cmd);
void vnl_genl_announce(struct net_device *dev);
int vnl_genl_put_link_netnsid(struct sk_buff *skb, int attr,
			      struct net_device *dev, struct net_device *link);
bool vnl_genl_may_name(const struct vnl_reader *rd, struct net_device *dev,
		       struct net_device *link);

/* chardev.c: /dev/vnl */
int vnl_chr_register(void);
void vnl_chr_unregister(void);

#endif /* _VNL_H */
