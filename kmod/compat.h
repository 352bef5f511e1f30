/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place where differences between the kernels vnl supports
 * (Linux 5.10 to 7.2: Debian's bullseye, bookworm and sid kernels) are
 * handled.  Kbuild tests the headers for each feature and defines
 * VNL_HAVE_*; each helper here names what it does and says which kernel
 * changed what, and the rest of the module calls the helper and never
 * tests a feature.  Documentation/kernels.md lists the differences a user
 * can see.
 */
#ifndef _VNL_COMPAT_H
#define _VNL_COMPAT_H

#include <linux/if_tun.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/etherdevice.h>
#include <linux/filter.h>
#include <net/rtnetlink.h>
#include <net/xdp.h>
#include <uapi/linux/vnl.h>

/* GSO segmentation (__skb_gso_segment, skb_gso_ok) moved from
 * linux/netdevice.h and linux/skbuff.h to a header of its own in 6.4.
 */
#ifdef VNL_HAVE_NET_GSO_H
#include <net/gso.h>
#endif

/* A device whose transmit path takes no queue lock ("lockless TX"): the
 * flag moved from dev->features into a bit of its own in 6.11.
 */
static inline void vnl_compat_set_lltx(struct net_device *dev)
{
#ifdef VNL_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* A counted reference on a device, with a tracker that names its holder
 * when the refcount debugging (NET_DEV_REFCNT_TRACKER) finds a leak:
 * netdev_hold() since 6.0 (dev_hold_track() in 5.17 to 5.19).  Before,
 * a plain dev_hold(), and no tracker.
 */
struct vnl_compat_dev_ref {
#ifdef VNL_HAVE_NETDEV_HOLD
	netdevice_tracker tracker;
#endif
};

static inline void vnl_compat_dev_hold(struct net_device *dev,
				       struct vnl_compat_dev_ref *ref)
{
#ifdef VNL_HAVE_NETDEV_HOLD
	netdev_hold(dev, &ref->tracker, GFP_KERNEL);
#else
	dev_hold(dev);
#endif
}

static inline void vnl_compat_dev_put(struct net_device *dev,
				      struct vnl_compat_dev_ref *ref)
{
#ifdef VNL_HAVE_NETDEV_HOLD
	netdev_put(dev, &ref->tracker);
#else
	dev_put(dev);
#endif
}

/* Which attribute a request lacks, as NLMSGERR_ATTR_MISS_TYPE (and _NEST)
 * in the ack: since 6.0.  Before, the extack message alone says it.
 */
static inline void vnl_compat_set_err_attr_miss(struct netlink_ext_ack *extack,
						const struct nlattr *nest,
						int type)
{
#ifdef VNL_HAVE_NL_SET_ERR_ATTR_MISS
	NL_SET_ERR_ATTR_MISS(extack, nest, type);
#endif
}

/* netif_napi_add() lost its weight argument in 6.1 (the old form became
 * netif_napi_add_weight()); every caller wants the default weight.
 */
static inline void vnl_compat_napi_add(struct net_device *dev,
				       struct napi_struct *napi,
				       int (*poll)(struct napi_struct *, int))
{
#ifdef VNL_HAVE_NAPI_ADD_WEIGHT
	netif_napi_add(dev, napi, poll);
#else
	netif_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT);
#endif
}

/* A child takes the largest GSO packet its parent can send:
 * netif_inherit_tso_max() since 5.19; before, the size and segment limits
 * were two fields set one by one.
 */
static inline void vnl_compat_inherit_tso_max(struct net_device *to,
					      const struct net_device *from)
{
#ifdef VNL_HAVE_INHERIT_TSO_MAX
	netif_inherit_tso_max(to, from);
#else
	netif_set_gso_max_size(to, from->gso_max_size);
	to->gso_max_segs = from->gso_max_segs;
#endif
}

/* TUNSETIFF's IFF_NO_CARRIER (create the device with its carrier off)
 * came with 6.0.  vnl implements it itself (tun.c), so it offers the flag
 * on older kernels too, with tun's value.
 */
#ifndef VNL_HAVE_IFF_NO_CARRIER
#define IFF_NO_CARRIER 0x0040
#endif

/* UDP segmentation offload through a vnet header: TUNSETOFFLOAD's
 * TUN_F_USO4 and TUN_F_USO6, and VIRTIO_NET_HDR_GSO_UDP_L4 in
 * virtio_net_hdr_to_skb and _from_skb, came with 6.2 ("tun: support
 * UDP segmentation offload").  Before, tun refuses the flags as unknown,
 * and so does vnl (vnet.c).
 */
#ifdef VNL_HAVE_TUN_F_USO
#define VNL_COMPAT_TUN_F_USO	(TUN_F_USO4 | TUN_F_USO6)
#define VNL_COMPAT_NETIF_F_USO	NETIF_F_GSO_UDP_L4
#else
#define VNL_COMPAT_TUN_F_USO	0
#define VNL_COMPAT_NETIF_F_USO	0
#endif

/* What rtnl_link_ops.newlink is given, the same on every kernel
 * (rtnl.c:vnl_link_newlink): @link_net is where IFLA_LINK names a
 * macvlan parent, @peer_net the netns the pair's peer info names (NULL:
 * none named, or a kernel where vnl finds it itself,
 * vnl_compat_get_peer_net).  Each net is held by the core for the call.
 */
struct vnl_newlink {
	struct net *link_net;
	struct net *peer_net;
	struct nlattr **tb;
	struct nlattr **data;
	struct netlink_ext_ack *extack;
};

int vnl_link_newlink(struct net_device *dev, const struct vnl_newlink *nl);

/* rtnl_link_ops.newlink: its arguments come in a struct
 * rtnl_newlink_params since 6.15 ("rtnetlink: Pack newlink() params into
 * struct"), with the netns of the request, of IFLA_LINK_NETNSID and of the
 * peer apart.  Before, one src_net stands for the first two (the core
 * passes IFLA_LINK_NETNSID's netns, else the requester's), and the peer's
 * is the driver's business.
 */
#ifdef VNL_HAVE_RTNL_NEWLINK_PARAMS
static inline int vnl_compat_newlink(struct net_device *dev,
				     struct rtnl_newlink_params *params,
				     struct netlink_ext_ack *extack)
{
	struct vnl_newlink nl = {
		.link_net = rtnl_newlink_link_net(params),
		.peer_net = params->peer_net,
		.tb = params->tb,
		.data = params->data,
		.extack = extack,
	};

	return vnl_link_newlink(dev, &nl);
}
#else
static inline int vnl_compat_newlink(struct net *src_net,
				     struct net_device *dev,
				     struct nlattr *tb[], struct nlattr *data[],
				     struct netlink_ext_ack *extack)
{
	struct vnl_newlink nl = {
		.link_net = src_net,
		.tb = tb,
		.data = data,
		.extack = extack,
	};

	return vnl_link_newlink(dev, &nl);
}
#endif

/* rtnl_link_ops.peer_type: with rtnl_newlink_params (6.15), the core
 * finds the peer's netns in that attribute of IFLA_INFO_DATA itself,
 * checks CAP_NET_ADMIN over it, locks it beside the others and hands it
 * to newlink as peer_net.  vnl sets it there only: on an older kernel the
 * core would not pass what it found on.
 */
#ifdef VNL_HAVE_RTNL_NEWLINK_PARAMS
#define VNL_COMPAT_PEER_TYPE(type)	.peer_type = (type),
#else
#define VNL_COMPAT_PEER_TYPE(type)
#endif

/* The netns of a pair's peer, with a reference the caller drops: the one
 * its attributes @peer_tb name (IFLA_NET_NS_PID or IFLA_NET_NS_FD), else
 * @nl->link_net, as veth.  Since 6.15 the core found it and checked the
 * requester's CAP_NET_ADMIN over it (peer_type above).  Before, vnl looks
 * it up and checks the capability itself: newlink runs in the sending
 * task, whose capabilities are the request's.
 */
static inline struct net *vnl_compat_get_peer_net(const struct vnl_newlink *nl,
						  struct nlattr **peer_tb)
{
#ifdef VNL_HAVE_RTNL_NEWLINK_PARAMS
	return get_net(nl->peer_net ?: nl->link_net);
#else
	struct net *net = rtnl_link_get_net(nl->link_net, peer_tb);

	if (!IS_ERR(net) && !ns_capable(net->user_ns, CAP_NET_ADMIN)) {
		put_net(net);
		return ERR_PTR(-EPERM);
	}
	return net;
#endif
}

/* rtnl_configure_link() takes the request's portid and header since 6.3
 * ("rtnetlink: pass netlink message header and portid to
 * rtnl_configure_link()", in Debian's 6.1 too), so that the RTM_NEWLINK
 * it sends can echo the request.  The peer's is no echo: 0 and NULL.
 */
static inline int vnl_compat_configure_link(struct net_device *dev,
					    const struct ifinfomsg *ifm)
{
#ifdef VNL_HAVE_RTNL_CONFIGURE_LINK_NLH
	return rtnl_configure_link(dev, ifm, 0, NULL);
#else
	return rtnl_configure_link(dev, ifm);
#endif
}

/* SIOCSIFHWADDR: dev_set_mac_address_user() takes a struct
 * sockaddr_storage since 6.16, a struct sockaddr before.
 */
static inline int vnl_compat_set_mac_address_user(struct net_device *dev,
						  const struct sockaddr *sa)
{
#ifdef VNL_HAVE_SET_MAC_SOCKADDR_STORAGE
	struct sockaddr_storage ss = {};

	memcpy(&ss, sa, sizeof(*sa));
	return dev_set_mac_address_user(dev, &ss, NULL);
#else
	struct sockaddr copy = *sa;

	return dev_set_mac_address_user(dev, &copy, NULL);
#endif
}

/* kfree_skb_reason() (5.17) tells the skb:kfree_skb tracepoint, perf and
 * dropwatch why a frame was freed.  Before it, a drop is a plain
 * kfree_skb(); vnl's own counters and vnl:vnl_drop event say why anyway.
 * The core's reasons that fit vnl's (dropreason.h, 6.0; the macvlan
 * broadcast one, 6.16): anything else is SKB_DROP_REASON_NOT_SPECIFIED.
 */
#ifdef VNL_HAVE_SKB_DROP_REASONS
static inline enum skb_drop_reason
vnl_compat_core_drop_reason(enum vnl_drop_reason why)
{
	switch (why) {
	case VNL_DROP_PEER_DOWN:
	case VNL_DROP_NO_READER:
	case VNL_DROP_UNREAD:
	case VNL_DROP_CHILD_DOWN:
		return SKB_DROP_REASON_DEV_READY;
	case VNL_DROP_TOO_BIG:
		return SKB_DROP_REASON_PKT_TOO_BIG;
	case VNL_DROP_QUEUE_FULL:
	case VNL_DROP_RING_FULL:
		return SKB_DROP_REASON_FULL_RING;
	case VNL_DROP_XDP_DROP:
	case VNL_DROP_XDP_ABORTED:
	case VNL_DROP_XDP_TX_ERR:
	case VNL_DROP_XDP_REDIRECT_ERR:
		return SKB_DROP_REASON_XDP;
	case VNL_DROP_BAD_WRITE:
		return SKB_DROP_REASON_DEV_HDR;
	case VNL_DROP_NOMEM:
		return SKB_DROP_REASON_NOMEM;
#ifdef VNL_HAVE_SKB_DROP_REASON_MACVLAN_BC
	case VNL_DROP_BC_QUEUE_FULL:
		return SKB_DROP_REASON_MACVLAN_BROADCAST_BACKLOG;
#endif
	default:
		return SKB_DROP_REASON_NOT_SPECIFIED;
	}
}

static inline void vnl_compat_kfree_skb_reason(struct sk_buff *skb,
					       enum vnl_drop_reason why)
{
	kfree_skb_reason(skb, vnl_compat_core_drop_reason(why));
}
#else
static inline void vnl_compat_kfree_skb_reason(struct sk_buff *skb,
					       enum vnl_drop_reason why)
{
	kfree_skb(skb);
}
#endif

/* Native XDP (xdp.c).  What moved between 5.10 and 7.x:
 *
 * xdp_init_buff() and xdp_prepare_buff() (5.12) fill a buffer's
 * pointers; before, a driver set the fields itself.
 */
static inline void vnl_compat_xdp_prepare(struct xdp_buff *xdp,
					  struct xdp_rxq_info *rxq,
					  void *hard_start,
					  unsigned int headroom,
					  unsigned int len,
					  unsigned int frame_sz)
{
#ifdef VNL_HAVE_XDP_INIT_BUFF
	xdp_init_buff(xdp, frame_sz, rxq);
	xdp_prepare_buff(xdp, hard_start, headroom, len, true);
#else
	xdp->data_hard_start = hard_start;
	xdp->data = hard_start + headroom;
	xdp->data_end = xdp->data + len;
	xdp->data_meta = xdp->data;
	xdp->rxq = rxq;
	xdp->txq = NULL;
	xdp->frame_sz = frame_sz;
#endif
}

/* xdp_rxq_info_reg() takes the NAPI id (5.11), which AF_XDP's busy
 * polling looks for.
 */
static inline int vnl_compat_xdp_rxq_reg(struct xdp_rxq_info *rxq,
					 struct net_device *dev,
					 unsigned int napi_id)
{
#ifdef VNL_HAVE_XDP_RXQ_NAPI_ID
	return xdp_rxq_info_reg(rxq, dev, 0, napi_id);
#else
	return xdp_rxq_info_reg(rxq, dev, 0);
#endif
}

/* An XDP frame keeps only its memory type since 7.0 (mem_type), the whole
 * xdp_mem_info before: what a program's receive queue must say while the
 * program runs on a frame another driver allocated, so that the frame is
 * given back to the right allocator when it is sent on or dropped.
 */
static inline void vnl_compat_xdp_rxq_mem_of(struct xdp_rxq_info *rxq,
					     const struct xdp_frame *frame)
{
#ifdef VNL_HAVE_XDP_FRAME_MEM_TYPE
	rxq->mem.type = frame->mem_type;
	rxq->mem.id = 0;
#else
	rxq->mem = frame->mem;
#endif
}

/* An skb around an XDP frame's memory (5.12: xdp_build_skb_from_frame,
 * which also knows page_pool memory).  Before it, a plain build_skb():
 * the frames a 5.10 guest can redirect into vnl come from page
 * fragments (vnl's, veth's, tun's), never from a page_pool.
 */
static inline struct sk_buff *vnl_compat_xdp_frame_skb(struct xdp_frame *frame,
						       struct net_device *dev)
{
#ifdef VNL_HAVE_XDP_BUILD_SKB_FROM_FRAME
	return xdp_build_skb_from_frame(frame, dev);
#else
	void *hard_start = frame->data - frame->headroom - sizeof(*frame);
	struct sk_buff *skb;

	skb = build_skb(hard_start, frame->frame_sz);
	if (!skb)
		return NULL;
	skb_reserve(skb, frame->data - hard_start);
	__skb_put(skb, frame->len);
	if (frame->metasize)
		skb_metadata_set(skb, frame->metasize);
	skb->protocol = eth_type_trans(skb, dev);
	return skb;
#endif
}

/* napi_build_skb() (5.12) takes the skb from the NAPI cache. */
static inline struct sk_buff *vnl_compat_napi_build_skb(void *data,
							unsigned int size)
{
#ifdef VNL_HAVE_NAPI_BUILD_SKB
	return napi_build_skb(data, size);
#else
	return build_skb(data, size);
#endif
}

/* What a device can do with XDP, as `ip -d link` and the devmap (which
 * refuses to redirect to a device without NDO_XMIT) read it: 6.3.
 * Before, the devmap only looked for ndo_xdp_xmit.
 */
static inline void vnl_compat_xdp_set_features(struct net_device *dev,
					       bool ndo_xmit)
{
#ifdef VNL_HAVE_XDP_FEATURES
	xdp_set_features_flag(dev, NETDEV_XDP_ACT_BASIC |
			      NETDEV_XDP_ACT_REDIRECT |
			      (ndo_xmit ? NETDEV_XDP_ACT_NDO_XMIT : 0));
#endif
}

/* A program that redirects outside a NAPI poll (a tun/tap's write()) needs
 * a context for the redirect on its stack since 6.11, as net_rx_action()
 * gives every NAPI poll one.
 */
#ifdef VNL_HAVE_BPF_NET_CTX
struct vnl_compat_bpf_net_ctx {
	struct bpf_net_context ctx;
	struct bpf_net_context *set;
};

static inline void vnl_compat_bpf_net_ctx_set(struct vnl_compat_bpf_net_ctx *c)
{
	c->set = bpf_net_ctx_set(&c->ctx);
}

static inline void vnl_compat_bpf_net_ctx_clear(struct vnl_compat_bpf_net_ctx *c)
{
	bpf_net_ctx_clear(c->set);
}
#else
struct vnl_compat_bpf_net_ctx {
};

static inline void vnl_compat_bpf_net_ctx_set(struct vnl_compat_bpf_net_ctx *c)
{
}

static inline void vnl_compat_bpf_net_ctx_clear(struct vnl_compat_bpf_net_ctx *c)
{
}
#endif

/* A program's unknown verdict is reported once, with the device (5.17).
 * Before, the report was a WARN_ONCE: a splat any program could cause,
 * which vnl does not make (the verdict is still counted and traced).
 */
static inline void vnl_compat_warn_xdp_action(struct net_device *dev,
					      struct bpf_prog *prog, u32 act)
{
#ifdef VNL_HAVE_WARN_XDP_ACTION_DEV
	bpf_warn_invalid_xdp_action(dev, prog, act);
#endif
}

/* Who frees the frames ndo_xdp_xmit did not take.  Since 5.13 the core
 * does (the devmap returns frames[sent..n-1]); before, the driver
 * returned them itself.  A change of contract, not of symbols: nothing
 * in the headers says which, so Kbuild asks the version.
 */
static inline void vnl_compat_xdp_xmit_unsent(struct xdp_frame **frames,
					      int n)
{
#ifdef VNL_XDP_XMIT_DRIVER_FREES
	int i;

	for (i = 0; i < n; i++)
		xdp_return_frame_rx_napi(frames[i]);
#endif
}

#endif /* _VNL_COMPAT_H */
