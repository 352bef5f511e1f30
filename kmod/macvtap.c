// SPDX-License-Identifier: GPL-2.0
/*
 * A macvlan child's tap face (macvtap): the child's received frames go to
 * /dev/vnl files instead of its stack, and what the files write leaves
 * through the child.  Nothing here is new machinery: the child is a
 * macvlan child (demux.c, port.c), its files are a tap's queues (tun.c,
 * chardev.c); this file only joins the two.
 *
 * Receive: whatever reaches the child (the port's unicast lookup, its
 * broadcast flood, a bridge-mode sibling's frame) ends in the child's own
 * receive path, __netif_receive_skb(), which calls the child's rx_handler
 * after the taps (tcpdump on the child still sees the frame) and before
 * any protocol: vnl_macvtap_handle_frame takes the frame there and queues
 * it for read(), as kernel macvtap does.
 *
 * Transmit: a written frame is built as a tap's is (tun.c), then handed to
 * dev_queue_xmit() on the child (vnl_macvtap_xmit): the child's
 * ndo_start_xmit applies its mode as for a frame of its own stack.
 *
 * Locking: the handler runs in softirq under RCU; the face's queues are a
 * tap's (RTNL to change, RCU to use).  The handler is registered from the
 * child's registration to its ndo_uninit, both under RTNL.
 */
#include <linux/etherdevice.h>
#include <linux/if_tun.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/security.h>

#include "vnl.h"

bool vnl_macvtap_is_face(const struct net_device *dev)
{
	const struct vnl_dev *vnl = netdev_priv(dev);

	return vnl_dev_is_kind(dev, VNL_KIND_MACVLAN) && vnl->tun.flags;
}

/* VNL_A_TAP_FACE of a request (the family's or "ip link add"'s): the
 * flags a face's files attach with, a tap with one queue or many.
 * Nothing else is the device's to decide.
 */
int vnl_macvtap_check_flags(const struct nlattr *attr,
			    struct netlink_ext_ack *extack)
{
	if ((nla_get_u32(attr) & ~IFF_MULTI_QUEUE) != IFF_TAP) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a tap face takes IFF_TAP, and IFF_MULTI_QUEUE or not");
		return -EINVAL;
	}
	return 0;
}

/* What TUNSETIFF on a face must ask: a tap, multi-queue exactly when the
 * face is.  IFF_NAPI is taken and means nothing, as IFF_ONE_QUEUE does:
 * a face's written frames are transmitted, there is no receive to poll
 * (the caller drops the flag).
 */
int vnl_macvtap_attach_check(struct net_device *dev, unsigned int flags)
{
	const struct vnl_dev *vnl = netdev_priv(dev);

	if (!(flags & IFF_TAP) || (flags & IFF_TUN))
		return -EINVAL;
	if (!!(flags & IFF_MULTI_QUEUE) != !!(vnl->tun.flags & IFF_MULTI_QUEUE))
		return -EINVAL;
	return 0;
}

/* The child's carrier: its parent's, and at least one file to read what
 * it receives.  RTNL.
 */
void vnl_macvtap_carrier(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	bool on = netif_carrier_ok(vnl->demux.parent) && vnl->tun.numqueues;

	if (on && !netif_carrier_ok(dev))
		netif_carrier_on(dev);
	else if (!on && netif_carrier_ok(dev))
		netif_carrier_off(dev);
}

/* A GSO frame the program cannot take whole (no vnet header, or offloads
 * that do not cover it) is cut here; a partial checksum it cannot finish
 * is finished here.  Returns the frame or the list of its segments, or
 * NULL when it is dropped (and counted).
 */
static struct sk_buff *vnl_macvtap_fit(struct net_device *dev,
				       struct sk_buff *skb)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	netdev_features_t features = 0;
	struct sk_buff *segs;

	if (READ_ONCE(vnl->tun.flags) & IFF_VNET_HDR)
		features = READ_ONCE(vnl->tun.offloads);

	if (skb_is_gso(skb) && !skb_gso_ok(skb, features)) {
		/* As a receive path does: the checksum state is a receiver's. */
		segs = __skb_gso_segment(skb, features, false);
		if (IS_ERR_OR_NULL(segs)) {
			vnl_drop_rx(dev, skb, VNL_DROP_NOMEM);
			return NULL;
		}
		consume_skb(skb);
		return segs;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL &&
	    !(features & NETIF_F_HW_CSUM) && skb_checksum_help(skb)) {
		vnl_drop_rx(dev, skb, VNL_DROP_NOMEM);
		return NULL;
	}
	return skb;
}

/* The child's rx_handler, in softirq under RCU: every frame the child
 * receives goes to one of its files, chosen by flow hash, whole from its
 * Ethernet header on.  Consumed either way: the child's stack never sees
 * what the face takes.
 */
static rx_handler_result_t vnl_macvtap_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb, *next;
	struct net_device *dev = skb->dev;
	unsigned int len = skb->len + ETH_HLEN;
	__be16 proto = skb->protocol;
	u32 hash;

	/* Frames looped back by the child's own transmit (a packet socket
	 * sending with PACKET_LOOPBACK) are not received frames.
	 */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		vnl_drop_count(dev, len, proto, VNL_DROP_NOMEM, true);
		return RX_HANDLER_CONSUMED;
	}
	/* The core pulled the Ethernet header; the reader wants it, with
	 * the VLAN tag the core took out of it (skb_vlan_untag) put back.
	 */
	skb_push(skb, ETH_HLEN);
	if (skb_vlan_tag_present(skb)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (unlikely(!skb)) {
			vnl_drop_count(dev, len, proto, VNL_DROP_NOMEM, true);
			return RX_HANDLER_CONSUMED;
		}
	}
	hash = skb_get_hash(skb);

	skb = vnl_macvtap_fit(dev, skb);
	while (skb) {
		next = skb->next;
		skb_mark_not_on_list(skb);
		vnl_tun_enqueue(dev, skb, hash, true);
		skb = next;
	}
	return RX_HANDLER_CONSUMED;
}

/* ndo_init of a child with a face: the LSM labels the face as it labels a
 * tap (tun.c:vnl_tun_init).  RTNL.
 */
int vnl_macvtap_init(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	return security_tun_dev_alloc_security(&vnl->tun.security);
}

/* Once the child is registered: its handler takes what it receives. */
int vnl_macvtap_register(struct net_device *dev,
			 struct netlink_ext_ack *extack)
{
	int err;

	err = netdev_rx_handler_register(dev, vnl_macvtap_handle_frame,
					 netdev_priv(dev));
	if (err)
		NL_SET_ERR_MSG(extack, "could not give the child its tap face");
	return err;
}

/* ndo_uninit of a child with a face: no frame reaches the files once the
 * handler is gone (netdev_rx_handler_unregister waits for the receive
 * paths), then the files lose the device as a tap's do.  RTNL.
 */
void vnl_macvtap_uninit(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	if (rtnl_dereference(dev->rx_handler))
		netdev_rx_handler_unregister(dev);
	vnl_tun_retire_files(dev);
	security_tun_dev_free_security(vnl->tun.security);
}

/* A written frame (tun.c:vnl_tun_deliver) leaves through the child, as if
 * its stack had sent it: dev_queue_xmit() runs the child's transmit,
 * which applies the mode and counts (or drops) the frame.  Bottom halves
 * are off, as dev_queue_xmit() allows.
 */
void vnl_macvtap_xmit(struct net_device *dev, struct sk_buff *skb)
{
	skb->dev = dev;
	dev_queue_xmit(skb);
}
