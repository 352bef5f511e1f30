// SPDX-License-Identifier: GPL-2.0
/*
 * veth-style pairs: two vnl devices wired back to back.  A frame sent on
 * one end (vnl_pair_xmit) is received by the other as if it had arrived
 * from a wire, possibly in another network namespace.
 */
#include <linux/etherdevice.h>
#include <net/rtnetlink.h>

#include "vnl.h"
#include "trace.h"

/* The other end (NULL once the pair is being deleted).  Valid under RCU
 * (data path) or RTNL (control path).
 */
static struct net_device *vnl_pair_peer(const struct net_device *dev)
{
	const struct vnl_dev *vnl = netdev_priv(dev);

	return rcu_dereference_rtnl(vnl->peer);
}

/* ndo_start_xmit, with bottom halves off, inside the RCU read-side
 * section vnl_pair_xmit() takes, so the peer cannot be freed under our
 * feet: the peer pointer is cleared before either end is unregistered,
 * and unregistering waits for a grace period.
 */
static netdev_tx_t __vnl_pair_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	unsigned int len = skb->len;
	__be16 proto = skb->protocol;
	struct net_device *peer;

	trace_vnl_pair_xmit(dev, skb, -1);
	peer = rcu_dereference(vnl->peer);
	if (unlikely(!peer || !(peer->flags & IFF_UP))) {
		vnl_drop_tx(dev, skb, VNL_DROP_PEER_DOWN);
		return NETDEV_TX_OK;
	}

	/* A frame the peer could not have received from a wire: longer than
	 * its MTU plus the Ethernet header and a VLAN tag (a GSO frame passes
	 * whatever its size).  __dev_forward_skb() checks this and IFF_UP
	 * again; checking first makes the drop this end's tx_drops.
	 */
	if (unlikely(!is_skb_forwardable(peer, skb))) {
		vnl_drop_tx(dev, skb, VNL_DROP_TOO_BIG);
		return NETDEV_TX_OK;
	}

	skb_tx_timestamp(skb);

	/* __dev_forward_skb() makes the frame look freshly received on
	 * @peer: it drops the route and conntrack state, clears the mark and
	 * timestamp when crossing into another netns, and runs
	 * eth_type_trans() so skb->dev becomes @peer.  It only fails (and
	 * frees the frame) if the peer went down since the check above.
	 */
	if (unlikely(__dev_forward_skb(peer, skb))) {
		vnl_drop_count(dev, len, proto, VNL_DROP_PEER_DOWN, false);
		return NETDEV_TX_OK;
	}
	trace_vnl_pair_rx(peer, skb, -1);
	proto = skb->protocol;
	vnl_dev_count_tx(dev, len);

	/* A program on the peer runs in the peer's NAPI poll (xdp.c). */
	if (vnl_xdp_takes_skb(peer)) {
		vnl_xdp_enqueue_skb(peer, skb, len);
		return NETDEV_TX_OK;
	}

	/* netif_rx() queues the frame on this CPU's backlog; the peer's
	 * receive path (__netif_receive_skb) runs later from NET_RX softirq.
	 */
	if (likely(netif_rx(skb) == NET_RX_SUCCESS))
		vnl_dev_count_rx(peer, len);
	else
		vnl_drop_count(peer, len, proto, VNL_DROP_BACKLOG_FULL, true);
	return NETDEV_TX_OK;
}

/* The core calls ndo_start_xmit with bottom halves off, but not always
 * inside rcu_read_lock(): IP output is (ip_finish_output2), a packet
 * socket is not, with or without PACKET_QDISC_BYPASS.  Take it here.
 */
static netdev_tx_t vnl_pair_xmit(struct sk_buff *skb, struct net_device *dev)
{
	netdev_tx_t ret;

	rcu_read_lock();
	ret = __vnl_pair_xmit(skb, dev);
	rcu_read_unlock();
	return ret;
}

/* The carrier of both ends is on only while both are up, as with a cable
 * between two NICs.  ndo_open runs under RTNL with the device already marked
 * running, so the peer's IFF_UP is stable here.
 */
static int vnl_pair_open(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(vnl->peer);
	int err;

	if (!peer)
		return -ENOTCONN;

	err = vnl_xdp_start(dev);
	if (err)
		return err;

	if (peer->flags & IFF_UP) {
		netif_carrier_on(dev);
		netif_carrier_on(peer);
		vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
		vnl_genl_notify(peer, VNL_CMD_LINK_CHANGE);
	}
	return 0;
}

static int vnl_pair_stop(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(vnl->peer);
	bool had_carrier = netif_carrier_ok(dev);

	netif_carrier_off(dev);
	if (peer)
		netif_carrier_off(peer);
	vnl_xdp_stop(dev);

	if (had_carrier) {
		vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
		if (peer)
			vnl_genl_notify(peer, VNL_CMD_LINK_CHANGE);
	}
	return 0;
}

/* IFLA_LINK: "ip link" shows this end as NAME@PEER (or NAME@ifN when the
 * peer lives in another netns).
 */
static int vnl_pair_get_iflink(const struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer;
	int iflink;

	rcu_read_lock();
	peer = rcu_dereference(vnl->peer);
	iflink = peer ? READ_ONCE(peer->ifindex) : 0;
	rcu_read_unlock();

	return iflink;
}

/* ndo_init and ndo_uninit: the XDP ring comes and goes with the end. */
static int vnl_pair_init(struct net_device *dev)
{
	int err;

	err = vnl_xdp_pair_init(dev);
	if (err)
		return err;
	err = vnl_dev_init(dev);
	if (err)
		vnl_xdp_pair_uninit(dev);
	return err;
}

static void vnl_pair_uninit(struct net_device *dev)
{
	vnl_dev_uninit(dev);
	vnl_xdp_pair_uninit(dev);
}

static const struct net_device_ops vnl_pair_netdev_ops = {
	.ndo_init		= vnl_pair_init,
	.ndo_uninit		= vnl_pair_uninit,
	.ndo_open		= vnl_pair_open,
	.ndo_stop		= vnl_pair_stop,
	.ndo_start_xmit		= vnl_pair_xmit,
	.ndo_get_stats64	= vnl_dev_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_iflink		= vnl_pair_get_iflink,
	.ndo_fix_features	= vnl_xdp_fix_features,
	.ndo_bpf		= vnl_xdp_bpf,
	.ndo_xdp_xmit		= vnl_xdp_xmit,
};

/* Deleting either end deletes both.  Called under RTNL from "vnlctl del",
 * "ip link del", the netns teardown (for each end in the dying netns, so
 * possibly twice for one pair) and module unload.  Clearing the peer
 * pointers first means no transmit that starts from now on can reach a
 * device being unregistered; transmits already running finish before the
 * devices are freed, because unregistering waits for an RCU grace period.
 */
static void vnl_pair_dellink(struct net_device *dev, struct list_head *head)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(vnl->peer);

	RCU_INIT_POINTER(vnl->peer, NULL);
	unregister_netdevice_queue(dev, head);

	if (peer) {
		struct vnl_dev *peer_vnl = netdev_priv(peer);

		RCU_INIT_POINTER(peer_vnl->peer, NULL);
		unregister_netdevice_queue(peer, head);
	}
}

/* VNL_A_PEER of a description: the peer's ifindex, its name when the
 * reader may know it (genl.c:vnl_genl_may_name), and its netns as the
 * device's netns names it.  RTNL.
 */
static int vnl_pair_fill(struct sk_buff *skb, struct net_device *dev,
			 const struct vnl_reader *rd)
{
	struct net_device *peer = vnl_pair_peer(dev);
	struct nlattr *nest;

	if (!peer)
		return 0;

	nest = nla_nest_start(skb, VNL_A_PEER);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_u32(skb, VNL_PEER_A_IFINDEX, peer->ifindex) ||
	    (vnl_genl_may_name(rd, dev, peer) &&
	     nla_put_string(skb, VNL_PEER_A_IFNAME, peer->name)) ||
	    vnl_genl_put_link_netnsid(skb, VNL_PEER_A_NETNSID, dev, peer)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}

	nla_nest_end(skb, nest);
	return 0;
}

static const struct vnl_kind_ops vnl_pair_kind_ops = {
	.dellink	= vnl_pair_dellink,
	.link		= vnl_pair_peer,
	.fill		= vnl_pair_fill,
	.xdp		= true,
	.drop_reasons	= BIT(VNL_DROP_PEER_DOWN) | BIT(VNL_DROP_TOO_BIG) |
			  BIT(VNL_DROP_BACKLOG_FULL) | BIT(VNL_DROP_NOMEM) |
			  BIT(VNL_DROP_UNREAD) | BIT(VNL_DROP_RING_FULL) |
			  VNL_XDP_DROP_REASONS,
};

/* Make @dev a pair end: allocated by vnl_pair_alloc() or by rtnetlink
 * (rtnl.c), with its name, netns, MTU and, if one was asked for, its
 * address; without one it gets a random address here.
 */
void vnl_pair_setup(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	vnl->kind = VNL_KIND_PAIR;
	vnl->ops = &vnl_pair_kind_ops;
	dev->netdev_ops = &vnl_pair_netdev_ops;
	vnl_compat_xdp_set_features(dev, true);
	if (is_zero_ether_addr(dev->dev_addr))
		eth_hw_addr_random(dev);
}

static struct net_device *vnl_pair_alloc(const char *name, struct net *net,
					 const u8 *addr, u32 mtu)
{
	struct net_device *dev;

	dev = alloc_netdev(sizeof(struct vnl_dev), name, NET_NAME_USER,
			   vnl_dev_setup);
	if (!dev)
		return NULL;

	dev_net_set(dev, net);
	if (mtu)
		dev->mtu = mtu;
	if (addr) {
		eth_hw_addr_set(dev, addr);
		dev->addr_assign_type = NET_ADDR_SET;
	}
	vnl_pair_setup(dev);
	return dev;
}

/* Names are checked before anything is registered, so that a refusal
 * says which name is the problem.
 */
static int vnl_pair_check_names(struct net_device *dev,
				struct net_device *peer,
				struct netlink_ext_ack *extack)
{
	if (__dev_get_by_name(dev_net(dev), dev->name)) {
		NL_SET_ERR_MSG(extack, "device name is already in use");
		return -EEXIST;
	}
	if (__dev_get_by_name(dev_net(peer), peer->name)) {
		NL_SET_ERR_MSG(extack, "peer name is already in use");
		return -EEXIST;
	}
	if (net_eq(dev_net(dev), dev_net(peer)) &&
	    !strcmp(dev->name, peer->name)) {
		NL_SET_ERR_MSG(extack, "peer name equals the device name in the same netns");
		return -EINVAL;
	}
	return 0;
}

/* Register both ends under RTNL and wire them together, for the family
 * (vnl_pair_create) and for rtnetlink (rtnl.c).  As in veth, the peer is
 * registered first and @dev last, so that nothing can fail once @dev
 * exists.  Both were made pair ends by vnl_pair_setup().
 *
 * The peer is this function's from the call on: on failure it is gone
 * (freed, or unregistered and freed by the core: needs_free_netdev).
 * @dev is then not registered, and whoever allocated it frees it.
 */
int vnl_pair_register(struct net_device *dev, struct net_device *peer,
		      struct netlink_ext_ack *extack)
{
	struct vnl_dev *vnl, *peer_vnl;
	int err;

	ASSERT_RTNL();

	err = vnl_pair_check_names(dev, peer, extack);
	if (err)
		goto err_free_peer;

	err = register_netdevice(peer);
	if (err) {
		NL_SET_ERR_MSG(extack, "could not register the peer device");
		goto err_free_peer;
	}
	netif_carrier_off(peer);

	err = register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG(extack, "could not register the device");
		goto err_unregister_peer;
	}
	netif_carrier_off(dev);

	/* Both ends are registered but down; wire them together.  Readers
	 * only look at the pointers from the transmit path, which cannot
	 * run before the devices are up.
	 */
	vnl = netdev_priv(dev);
	peer_vnl = netdev_priv(peer);
	rcu_assign_pointer(vnl->peer, peer);
	rcu_assign_pointer(peer_vnl->peer, dev);
	return 0;

err_unregister_peer:
	unregister_netdevice(peer);
	return err;
err_free_peer:
	free_netdev(peer);
	return err;
}

/* Create both ends for the family, under RTNL.  On success *@devp is this
 * end and *@peerp the other; on failure nothing is left.
 */
int vnl_pair_create(const struct vnl_pair_config *cfg,
		    struct net_device **devp, struct net_device **peerp,
		    struct netlink_ext_ack *extack)
{
	struct net_device *dev, *peer;
	int err;

	peer = vnl_pair_alloc(cfg->peer_name, cfg->peer_net, cfg->peer_addr,
			      cfg->mtu);
	if (!peer)
		return -ENOMEM;

	dev = vnl_pair_alloc(cfg->name, cfg->net, cfg->addr, cfg->mtu);
	if (!dev) {
		free_netdev(peer);
		return -ENOMEM;
	}

	err = vnl_pair_register(dev, peer, extack);
	if (err) {
		free_netdev(dev);
		return err;
	}

	*devp = dev;
	*peerp = peer;
	return 0;
}
