// SPDX-License-Identifier: GPL-2.0
/*
 * macvlan-style children: vnl devices with a MAC address of their own on a
 * parent Ethernet device.
 *
 * This file is the child as a net_device: how it is made and deleted, how
 * it goes up and down (asking its parent to filter for it), how it
 * transmits (through its parent, vnl_demux_xmit; in bridge mode first to a
 * bridge-mode sibling) and how LINK_SET changes it.  What a child receives
 * comes from its parent's port (port.c); what its parent's events do to it
 * is in port_events.c; source-mode lists are in source.c.
 *
 * Locking: everything here but the transmit runs under RTNL.  The transmit
 * reads the port under RCU.
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_arp.h>
#include <linux/virtio_net.h>
#include <net/rtnetlink.h>

#include "vnl.h"
#include "trace.h"

u32 vnl_demux_mc_hash(const u8 *addr)
{
	return hash_64(ether_addr_to_u64(addr), VNL_DEMUX_MC_BITS);
}

/* Broadcasts go to every child; a multicast frame only to children that
 * joined its group (or are promiscuous or allmulti).
 */
bool vnl_demux_wants(const struct vnl_dev *child, const u8 *h_dest)
{
	return is_broadcast_ether_addr(h_dest) ||
	       test_bit(vnl_demux_mc_hash(h_dest), child->demux.mc_filter);
}

/*
 * Transmit
 */

/* A bridge-mode child's broadcast: each bridge-mode sibling that is up
 * gets a copy now, as if it had arrived on its own wire.
 */
static void vnl_demux_flood_bridge(struct vnl_dev *vnl, struct sk_buff *skb)
{
	struct vnl_port *port = vnl->demux.port;
	struct vnl_demux *demux;

	list_for_each_entry_rcu(demux, &port->up, up_node) {
		struct vnl_dev *sib = vnl_demux_to_vnl(demux);
		struct net_device *sdev = sib->dev;
		unsigned int len = skb->len;
		struct sk_buff *nskb;

		if (sib == vnl ||
		    READ_ONCE(demux->mode) != VNL_MACVLAN_MODE_BRIDGE ||
		    !vnl_demux_wants(sib, skb->data))
			continue;

		nskb = skb_clone(skb, GFP_ATOMIC);
		if (unlikely(!nskb)) {
			vnl_drop_count(sdev, len, skb->protocol, VNL_DROP_NOMEM,
				       true);
			continue;
		}
		/* Fails (and frees the copy) when the sibling went down
		 * since we found it up, or the frame is too big for it.
		 */
		if (unlikely(__dev_forward_skb(sdev, nskb))) {
			vnl_drop_count(sdev, len, skb->protocol,
				       sdev->flags & IFF_UP ? VNL_DROP_TOO_BIG :
				       VNL_DROP_CHILD_DOWN, true);
			continue;
		}
		trace_vnl_flood_deliver(sdev, nskb, -1);
		if (netif_rx(nskb) == NET_RX_SUCCESS)
			vnl_dev_count_rx(sdev, len);
		else
			vnl_drop_count(sdev, len, skb->protocol,
				       VNL_DROP_BACKLOG_FULL, true);
	}
}

/* Bridge mode: true when the frame was for a bridge-mode sibling and has
 * been handed on (or dropped), and counted.
 */
static bool vnl_demux_xmit_bridge(struct vnl_dev *vnl, struct sk_buff *skb)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
	struct net_device *parent = vnl->demux.parent;
	unsigned int len = skb->len;
	__be16 proto = skb->protocol;
	struct vnl_dev *dst;

	if (is_multicast_ether_addr(eth->h_dest)) {
		vnl_demux_flood_bridge(vnl, skb);
		return false;	/* and to the wire */
	}

	dst = vnl_port_lookup(vnl->demux.port, eth->h_dest);
	if (!dst || READ_ONCE(dst->demux.mode) != VNL_MACVLAN_MODE_BRIDGE)
		return false;

	/* Into the parent's receive path, where the port finds @dst: the
	 * frame takes the same way in as one from the wire, and the parent's
	 * taps see it pass.  Refused when the parent is down or the frame
	 * too big for it; dev_forward_skb() checks again, and fails (and
	 * frees the frame) if the parent went down since, or its backlog is
	 * full.
	 */
	if (unlikely(!is_skb_forwardable(parent, skb))) {
		vnl_drop_tx(vnl->dev, skb, parent->flags & IFF_UP ?
			    VNL_DROP_TOO_BIG : VNL_DROP_PARENT);
		return true;
	}
	trace_vnl_child_to_sibling(vnl->dev, skb, -1);
	if (likely(dev_forward_skb(parent, skb) == NET_RX_SUCCESS))
		vnl_dev_count_tx(vnl->dev, len);
	else
		vnl_drop_count(vnl->dev, len, proto, VNL_DROP_PARENT, false);
	return true;
}

/* ndo_start_xmit, with bottom halves off and under RCU.  The child has no
 * qdisc and no lock of its own (LLTX): the parent's queue is the one that
 * counts, and dev_queue_xmit() takes it.
 */
static netdev_tx_t __vnl_demux_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	unsigned int len = skb->len;
	__be16 proto = skb->protocol;
	int ret;

	if (READ_ONCE(vnl->demux.mode) == VNL_MACVLAN_MODE_BRIDGE &&
	    vnl_demux_xmit_bridge(vnl, skb))
		return NETDEV_TX_OK;

	trace_vnl_child_to_parent(dev, skb, -1);
	skb->dev = vnl->demux.parent;
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		vnl_dev_count_tx(dev, len);
	else
		vnl_drop_count(dev, len, proto, VNL_DROP_PARENT, false);
	return NETDEV_TX_OK;
}

/* The core calls ndo_start_xmit with bottom halves off, but not always
 * inside rcu_read_lock(): IP output is (ip_finish_output2), a packet
 * socket is not, with or without PACKET_QDISC_BYPASS.  Take it here.
 */
static netdev_tx_t vnl_demux_xmit(struct sk_buff *skb, struct net_device *dev)
{
	netdev_tx_t ret;

	rcu_read_lock();
	ret = __vnl_demux_xmit(skb, dev);
	rcu_read_unlock();
	return ret;
}

/*
 * Up and down
 */

/* True when @addr is the parent's or a sibling's of @self (NULL: of any
 * child), up or down.  RTNL.
 */
static bool vnl_port_addr_busy(struct vnl_port *port, const u8 *addr,
			       const struct vnl_dev *self)
{
	struct vnl_demux *demux;

	if (!port->passthru && ether_addr_equal(port->dev->dev_addr, addr))
		return true;

	list_for_each_entry(demux, &port->children, node) {
		struct vnl_dev *sib = vnl_demux_to_vnl(demux);

		if (sib != self && ether_addr_equal(sib->dev->dev_addr, addr))
			return true;
	}
	return false;
}

/* The parent filters for the child, so it must accept frames for the
 * child's address (in passthru mode: every frame), and every multicast
 * or every frame while the child asks for that.  Undone by
 * vnl_demux_parent_unlisten().  RTNL.
 */
static int vnl_demux_parent_listen(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *parent = vnl->demux.parent;
	int err;

	if (vnl->demux.port->passthru)
		return dev_set_promiscuity(parent, 1);

	err = dev_uc_add(parent, dev->dev_addr);
	if (err)
		return err;
	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(parent, 1);
		if (err)
			goto err_uc_del;
	}
	if (dev->flags & IFF_PROMISC) {
		err = dev_set_promiscuity(parent, 1);
		if (err)
			goto err_allmulti;
	}
	return 0;

err_allmulti:
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(parent, -1);
err_uc_del:
	dev_uc_del(parent, dev->dev_addr);
	return err;
}

static void vnl_demux_parent_unlisten(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *parent = vnl->demux.parent;

	if (vnl->demux.port->passthru) {
		dev_set_promiscuity(parent, -1);
		return;
	}
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(parent, -1);
	if (dev->flags & IFF_PROMISC)
		dev_set_promiscuity(parent, -1);
	dev_uc_del(parent, dev->dev_addr);
}

/* Up: the parent listens for us, then the port's receive path finds us
 * by address (port->addrs) and floods to us (port->up).
 */
static int vnl_demux_open(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;
	struct vnl_port *port = demux->port;
	int err;

	if (vnl_port_addr_busy(port, dev->dev_addr, vnl))
		return -EADDRINUSE;

	err = vnl_demux_parent_listen(dev);
	if (err)
		return err;

	ether_addr_copy(demux->addr, dev->dev_addr);
	err = vnl_port_add_addr(port, vnl);
	if (err) {
		vnl_demux_parent_unlisten(dev);
		return err;
	}
	list_add_tail_rcu(&demux->up_node, &port->up);
	return 0;
}

/* Down: undo open.  When the child is being unregistered, the core waits
 * for an RCU grace period and flushes the backlogs after this, so no
 * receive path still holds the child once it is freed.
 */
static int vnl_demux_stop(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;

	list_del_rcu(&demux->up_node);
	vnl_port_del_addr(demux->port, vnl);
	vnl_port_update_filter(demux->port);

	dev_uc_unsync(demux->parent, dev);
	dev_mc_unsync(demux->parent, dev);
	vnl_demux_parent_unlisten(dev);
	return 0;
}

/*
 * Addresses, filters, MTU
 */

static void vnl_demux_update_mc_filter(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	DECLARE_BITMAP(filter, VNL_DEMUX_MC_FILTER);
	struct netdev_hw_addr *ha;

	if (dev->flags & (IFF_PROMISC | IFF_ALLMULTI)) {
		bitmap_fill(filter, VNL_DEMUX_MC_FILTER);
	} else {
		bitmap_zero(filter, VNL_DEMUX_MC_FILTER);
		netdev_for_each_mc_addr(ha, dev)
			__set_bit(vnl_demux_mc_hash(ha->addr), filter);
	}
	bitmap_copy(vnl->demux.mc_filter, filter, VNL_DEMUX_MC_FILTER);
}

/* ndo_set_rx_mode, with the child's address lists locked: the child's own
 * multicast filter, then the parent, which filters for us and so must
 * hear of every address the child listens to (IPv6 groups, say).
 */
static void vnl_demux_set_rx_mode(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	vnl_demux_update_mc_filter(dev);
	vnl_port_update_filter(vnl->demux.port);
	dev_uc_sync(vnl->demux.parent, dev);
	dev_mc_sync(vnl->demux.parent, dev);
}

static void vnl_demux_change_rx_flags(struct net_device *dev, int change)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *parent = vnl->demux.parent;

	/* A passthru child has made its parent promiscuous already, and
	 * open/stop keep no count of these flags for it.
	 */
	if (!(dev->flags & IFF_UP) || vnl->demux.port->passthru)
		return;
	if (change & IFF_ALLMULTI)
		dev_set_allmulti(parent, dev->flags & IFF_ALLMULTI ? 1 : -1);
	if (change & IFF_PROMISC)
		dev_set_promiscuity(parent, dev->flags & IFF_PROMISC ? 1 : -1);
}

/* The port's hash is keyed by the address, so a child that is up leaves
 * it while its address changes, and readers still walking its old chain
 * are waited for before it goes back in.  Going back in can only fail
 * when memory is short; the child then keeps its old address.  RTNL.
 */
int vnl_demux_rehash(struct net_device *dev, const u8 *addr)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;
	u8 old[ETH_ALEN];
	int err;

	if (!netif_running(dev)) {
		eth_hw_addr_set(dev, addr);
		return 0;
	}

	ether_addr_copy(old, demux->addr);
	vnl_port_del_addr(demux->port, vnl);
	synchronize_net();

	ether_addr_copy(demux->addr, addr);
	err = vnl_port_add_addr(demux->port, vnl);
	if (err) {
		ether_addr_copy(demux->addr, old);
		if (vnl_port_add_addr(demux->port, vnl))
			net_err_ratelimited("%s: lost its place in its parent's table; set it down and up\n",
					    dev->name);
		return err;
	}
	eth_hw_addr_set(dev, addr);
	return 0;
}

static int vnl_demux_set_mac_address(struct net_device *dev, void *p)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_port *port = vnl->demux.port;
	struct sockaddr *sa = p;
	u8 old[ETH_ALEN];
	int err;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;
	if (ether_addr_equal(dev->dev_addr, sa->sa_data))
		return 0;
	/* A passthru child is its parent, address included. */
	if (port->passthru)
		return -EBUSY;
	if (vnl_port_addr_busy(port, sa->sa_data, vnl))
		return -EADDRINUSE;

	ether_addr_copy(old, dev->dev_addr);

	if (!netif_running(dev))
		return vnl_demux_rehash(dev, sa->sa_data);

	err = dev_uc_add(vnl->demux.parent, sa->sa_data);
	if (err)
		return err;
	err = vnl_demux_rehash(dev, sa->sa_data);
	if (err) {
		dev_uc_del(vnl->demux.parent, sa->sa_data);
		return err;
	}
	dev_uc_del(vnl->demux.parent, old);
	return 0;
}

/* A child's frames leave through its parent: never larger than the
 * parent's MTU.
 */
static int vnl_demux_change_mtu(struct net_device *dev, int new_mtu)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	if (new_mtu > READ_ONCE(vnl->demux.parent->mtu))
		return -EINVAL;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

static int vnl_demux_get_iflink(const struct net_device *dev)
{
	const struct vnl_dev *vnl = netdev_priv(dev);

	return READ_ONCE(vnl->demux.parent->ifindex);
}

/*
 * Lifetime
 */

/* ndo_init: from here to ndo_uninit the child is on its port's list, holds
 * a reference on the port and one on the parent.
 */
static int vnl_demux_init(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	int err;

	if (vnl_macvtap_is_face(dev)) {
		err = vnl_macvtap_init(dev);
		if (err)
			return err;
	}
	err = vnl_dev_init(dev);
	if (err) {
		if (vnl_macvtap_is_face(dev))
			vnl_macvtap_uninit(dev);
		return err;
	}

	vnl_compat_dev_hold(vnl->demux.parent, &vnl->demux.parent_ref);
	vnl_port_hold(vnl->demux.port);
	list_add_tail(&vnl->demux.node, &vnl->demux.port->children);
	vnl_port_update_children(vnl->demux.port);
	return 0;
}

/* The list and the source entries were normally let go of in
 * vnl_demux_dellink() already; not when register_netdevice() fails after
 * ndo_init.  The last child to go takes the port with it.
 */
static void vnl_demux_uninit(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	if (vnl_macvtap_is_face(dev))
		vnl_macvtap_uninit(dev);
	vnl_dev_uninit(dev);
	vnl_source_flush(vnl);
	list_del_init(&vnl->demux.node);
	vnl_port_update_children(vnl->demux.port);
	vnl_port_put(vnl->demux.port);
	/* The last that touches the parent. */
	vnl_compat_dev_put(vnl->demux.parent, &vnl->demux.parent_ref);
}

static const struct net_device_ops vnl_demux_netdev_ops = {
	.ndo_init		= vnl_demux_init,
	.ndo_uninit		= vnl_demux_uninit,
	.ndo_open		= vnl_demux_open,
	.ndo_stop		= vnl_demux_stop,
	.ndo_start_xmit		= vnl_demux_xmit,
	.ndo_set_rx_mode	= vnl_demux_set_rx_mode,
	.ndo_change_rx_flags	= vnl_demux_change_rx_flags,
	.ndo_set_mac_address	= vnl_demux_set_mac_address,
	.ndo_change_mtu		= vnl_demux_change_mtu,
	.ndo_get_stats64	= vnl_dev_get_stats64,
	.ndo_get_iflink		= vnl_demux_get_iflink,
};

/* rtnl_link_ops.dellink, for every way a child goes ("vnlctl del",
 * "ip link del", its netns or its parent going away, rmmod).  The child
 * leaves the parent's list and link right away, so that a parent being
 * deleted in the same batch no longer sees it; its references on the port
 * and the parent go with its ndo_uninit.
 */
void vnl_demux_dellink(struct net_device *dev, struct list_head *head)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;

	vnl_source_flush(vnl);
	list_del_init(&demux->node);
	/* Its request no longer counts: the queue may shrink at once. */
	vnl_port_update_children(demux->port);
	/* Unregistering waits for a grace period before the child is
	 * freed: a receive path that still found it here is done by then.
	 */
	if (rcu_access_pointer(demux->port->passthru_child) == vnl)
		RCU_INIT_POINTER(demux->port->passthru_child, NULL);
	if (netdev_has_upper_dev(demux->parent, dev))
		netdev_upper_dev_unlink(demux->parent, dev);
	unregister_netdevice_queue(dev, head);
}

static struct net_device *vnl_demux_link(const struct net_device *dev)
{
	const struct vnl_dev *vnl = netdev_priv(dev);

	return vnl->demux.parent;
}

/* The child's state follows its parent's: up, dormant, carrier.  A tap
 * face also needs a file for a carrier (macvtap.c).  RTNL.
 */
void vnl_demux_transfer_operstate(struct net_device *dev)
{
	netif_stacked_transfer_operstate(vnl_demux_link(dev), dev);
	if (vnl_macvtap_is_face(dev))
		vnl_macvtap_carrier(dev);
}

/* VNL_A_PARENT_* and the rest of a child's description.  RTNL. */
static int vnl_demux_fill(struct sk_buff *skb, struct net_device *dev,
			  const struct vnl_reader *rd)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *parent = vnl->demux.parent;
	struct vnl_port *port = vnl->demux.port;

	if (nla_put_u32(skb, VNL_A_PARENT_IFINDEX, parent->ifindex) ||
	    (vnl_genl_may_name(rd, dev, parent) &&
	     nla_put_string(skb, VNL_A_PARENT_IFNAME, parent->name)) ||
	    vnl_genl_put_link_netnsid(skb, VNL_A_PARENT_NETNSID, dev, parent) ||
	    nla_put_u32(skb, VNL_A_MACVLAN_MODE, vnl->demux.mode) ||
	    nla_put_u64_64bit(skb, VNL_A_BC_DROPS,
			      atomic_long_read(&port->bc_drops), VNL_A_PAD) ||
	    nla_put_u32(skb, VNL_A_BC_QUEUE_LEN, vnl->demux.bc_queue_len) ||
	    nla_put_u32(skb, VNL_A_BC_QUEUE_LEN_USED, port->bc_queue_len_used))
		return -EMSGSIZE;

	if (vnl_macvtap_is_face(dev) &&
	    (nla_put_u32(skb, VNL_A_TAP_FACE,
			 vnl->tun.flags & (IFF_TAP | IFF_MULTI_QUEUE)) ||
	     vnl_tun_fill(skb, dev, rd)))
		return -EMSGSIZE;
	if (vnl->demux.mode != VNL_MACVLAN_MODE_SOURCE)
		return 0;
	return vnl_source_fill(skb, vnl);
}

static int vnl_demux_check_mode(struct vnl_dev *vnl,
				const struct vnl_link_change *chg,
				struct netlink_ext_ack *extack)
{
	u32 new = chg->mode ?: vnl->demux.mode;
	bool was_passthru = vnl->demux.mode == VNL_MACVLAN_MODE_PASSTHRU;
	bool is_passthru = new == VNL_MACVLAN_MODE_PASSTHRU;

	if (was_passthru != is_passthru) {
		NL_SET_ERR_MSG(extack, "passthru mode can be neither set nor left");
		return -EINVAL;
	}
	if (chg->op && new != VNL_MACVLAN_MODE_SOURCE) {
		NL_SET_ERR_MSG(extack, "source addresses need a child in source mode");
		return -EINVAL;
	}
	return 0;
}

/* VNL_CMD_LINK_SET.  Everything is checked and allocated first; then the
 * change is applied and cannot fail.  RTNL.
 */
static int vnl_demux_change(struct net_device *dev,
			    const struct vnl_link_change *chg,
			    struct netlink_ext_ack *extack)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	LIST_HEAD(spare);
	int err;

	ASSERT_RTNL();
	err = vnl_demux_check_mode(vnl, chg, extack) ?:
	      vnl_source_prepare(vnl, chg, &spare, extack);
	if (err)
		return err;

	if (chg->mode && chg->mode != vnl->demux.mode) {
		/* Leaving source mode forgets the list, as macvlan does. */
		if (vnl->demux.mode == VNL_MACVLAN_MODE_SOURCE)
			vnl_source_flush(vnl);
		WRITE_ONCE(vnl->demux.mode, chg->mode);
	}
	if (chg->set_bc_queue_len)
		WRITE_ONCE(vnl->demux.bc_queue_len, chg->bc_queue_len);
	vnl_port_update_children(vnl->demux.port);
	vnl_source_commit(vnl, chg, &spare);
	return 0;
}

#define VNL_DEMUX_DROP_REASONS (BIT(VNL_DROP_CHILD_DOWN) | BIT(VNL_DROP_MODE) | \
				BIT(VNL_DROP_PARENT) | BIT(VNL_DROP_TOO_BIG) | \
				BIT(VNL_DROP_BACKLOG_FULL) | BIT(VNL_DROP_NOMEM))

static const struct vnl_kind_ops vnl_demux_kind_ops = {
	.dellink	= vnl_demux_dellink,
	.link		= vnl_demux_link,
	.fill		= vnl_demux_fill,
	.change		= vnl_demux_change,
	.drop_reasons	= VNL_DEMUX_DROP_REASONS,
};

/* A child with a tap face (macvtap.c) can also drop what its files do. */
static const struct vnl_kind_ops vnl_demux_face_kind_ops = {
	.dellink	= vnl_demux_dellink,
	.link		= vnl_demux_link,
	.fill		= vnl_demux_fill,
	.change		= vnl_demux_change,
	.drop_reasons	= VNL_DEMUX_DROP_REASONS | VNL_TUN_DROP_REASONS,
};

/*
 * Creation
 */

/* Everything that can be refused is refused here, before anything is
 * allocated, with the reason.  RTNL.
 */
static int vnl_demux_check(const struct vnl_demux_config *cfg,
			   struct net_device *parent,
			   struct netlink_ext_ack *extack)
{
	struct vnl_port *port = vnl_port_get_rtnl(parent);

	if (parent->type != ARPHRD_ETHER || parent->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG(extack, "the parent must be an Ethernet device and not loopback");
		return -EINVAL;
	}
	if (!port && netdev_is_rx_handler_busy(parent)) {
		NL_SET_ERR_MSG(extack,
			       "the parent already has a receive handler (a bridge port, a bond slave or a macvlan parent)");
		return -EBUSY;
	}
	if (port && port->passthru) {
		NL_SET_ERR_MSG(extack,
			       "the parent has a passthru child, which must be its only child");
		return -EINVAL;
	}
	if (port && cfg->mode == VNL_MACVLAN_MODE_PASSTHRU) {
		NL_SET_ERR_MSG(extack, "a passthru child must be its parent's only child");
		return -EINVAL;
	}
	if (cfg->mtu > parent->mtu) {
		NL_SET_ERR_MSG(extack, "mtu larger than the parent's");
		return -EINVAL;
	}
	if (__dev_get_by_name(cfg->net, cfg->name)) {
		NL_SET_ERR_MSG(extack, "device name is already in use");
		return -EEXIST;
	}
	if (!cfg->addr)
		return 0;
	if (cfg->mode == VNL_MACVLAN_MODE_PASSTHRU) {
		NL_SET_ERR_MSG(extack, "a passthru child takes its parent's address");
		return -EINVAL;
	}
	if (ether_addr_equal(parent->dev_addr, cfg->addr) ||
	    (port && vnl_port_addr_busy(port, cfg->addr, NULL))) {
		NL_SET_ERR_MSG(extack, "address already used by the parent or a sibling");
		return -EADDRINUSE;
	}
	return 0;
}

/* Make @dev a child of @parent on @port, as @cfg asks. */
static void vnl_demux_setup(struct net_device *dev,
			    const struct vnl_demux_config *cfg,
			    struct net_device *parent, struct vnl_port *port)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	vnl->kind = VNL_KIND_MACVLAN;
	vnl->ops = cfg->tap_face ? &vnl_demux_face_kind_ops : &vnl_demux_kind_ops;
	vnl->demux.parent = parent;
	vnl->demux.port = port;
	vnl->demux.mode = cfg->mode;
	vnl->demux.bc_queue_len = cfg->bc_queue_len;
	INIT_LIST_HEAD(&vnl->demux.sources);
	/* A tap face's files are a tap's queues (tun.c), with a tap's
	 * defaults; its frames wait for read() as long as a tap's may.
	 */
	vnl->tun.flags = cfg->tap_face;
	vnl->tun.vnet_hdr_sz = sizeof(struct virtio_net_hdr);
	vnl->tun.owner = INVALID_UID;
	vnl->tun.group = INVALID_GID;
	INIT_LIST_HEAD(&vnl->tun.detached);
	if (cfg->tap_face)
		dev->tx_queue_len = VNL_TUN_QUEUE_LEN;

	dev->netdev_ops = &vnl_demux_netdev_ops;
	dev->priv_flags |= IFF_UNICAST_FLT;
	dev_net_set(dev, cfg->net);
	dev->mtu = cfg->mtu ?: parent->mtu;
	dev->max_mtu = parent->max_mtu;
	dev->needed_headroom = parent->needed_headroom;
	vnl_compat_inherit_tso_max(dev, parent);

	if (cfg->mode == VNL_MACVLAN_MODE_PASSTHRU) {
		eth_hw_addr_inherit(dev, parent);
	} else if (cfg->addr) {
		eth_hw_addr_set(dev, cfg->addr);
		dev->addr_assign_type = NET_ADDR_SET;
	} else {
		eth_hw_addr_random(dev);
	}
}

/* Make @dev a child of cfg->parent and register it, under RTNL, for the
 * family (vnl_demux_create) and for rtnetlink (rtnl.c).  @dev is freshly
 * allocated, with cfg->name and in cfg->net.  A child asked for on
 * another vnl child goes on that child's parent, as with macvlan.
 *
 * The port is created with the first child and goes with the last.  This
 * function holds a reference on it while it works, and the child takes
 * its own in ndo_init: however far register_netdevice() gets before
 * failing, putting ours at the end leaves the port exactly as used as
 * it is.
 *
 * On failure @dev was either never registered, and whoever allocated it
 * frees it, or is unregistered already, and the core frees it
 * (needs_free_netdev).
 */
int vnl_demux_register(struct net_device *dev,
		       const struct vnl_demux_config *cfg,
		       struct netlink_ext_ack *extack)
{
	struct net_device *parent = cfg->parent;
	struct vnl_port *port;
	int err;

	ASSERT_RTNL();
	if (vnl_dev_is_kind(parent, VNL_KIND_MACVLAN))
		parent = vnl_demux_link(parent);

	err = vnl_demux_check(cfg, parent, extack);
	if (err)
		return err;

	port = vnl_port_get(parent, cfg->mode == VNL_MACVLAN_MODE_PASSTHRU,
			    cfg->bc_queue_len);
	if (IS_ERR(port)) {
		NL_SET_ERR_MSG(extack, "could not attach to the parent");
		return PTR_ERR(port);
	}

	vnl_demux_setup(dev, cfg, parent, port);
	err = register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG(extack, "could not register the device");
		goto out_put_port;
	}

	/* The stacking link: "ip link" shows NAME@PARENT, the parent cannot
	 * go without the core telling us first, and loops are refused.
	 */
	err = netdev_upper_dev_link(parent, dev, extack);
	if (!err && cfg->tap_face)
		err = vnl_macvtap_register(dev, extack);
	if (err) {
		vnl_demux_dellink(dev, NULL);
		goto out_put_port;
	}

	vnl_demux_transfer_operstate(dev);
	/* The operational state ("state UP" in ip link) is the link watch's
	 * to compute, which it does on a carrier change; a child born with
	 * its parent's carrier had none, and would stay UNKNOWN.  Ask for
	 * it, as kernel macvlan does.
	 */
	linkwatch_fire_event(dev);
	if (port->passthru)
		rcu_assign_pointer(port->passthru_child, netdev_priv(dev));
out_put_port:
	vnl_port_put(port);
	return err;
}

/* Create a child for the family, under RTNL; on failure nothing is left. */
int vnl_demux_create(const struct vnl_demux_config *cfg,
		     struct net_device **devp, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct vnl_dev), cfg->name, NET_NAME_USER,
			   vnl_dev_setup);
	if (!dev)
		return -ENOMEM;

	err = vnl_demux_register(dev, cfg, extack);
	if (err) {
		if (dev->reg_state == NETREG_UNINITIALIZED)
			free_netdev(dev);
		return err;
	}
	*devp = dev;
	return 0;
}
