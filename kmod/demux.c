// SPDX-License-Identifier: GPL-2.0
/*
 * macvlan-style children: vnl devices with a MAC address of their own on a
 * parent Ethernet device.
 *
 * The first child of a parent creates a "port" and registers it as the
 * parent's rx_handler, so __netif_receive_skb() offers every frame the
 * parent receives to vnl_port_handle_frame() before the parent's own
 * stack sees it.  Unicast frames are looked up by destination MAC in a
 * hash of the children that are up and handed to that child; broadcast and
 * multicast frames are queued and flooded to the children from a work item
 * (vnl_port_flood_work), outside the hard receive path.  A child transmits
 * through its parent (vnl_demux_xmit); in bridge mode it first looks for a
 * bridge-mode sibling, which it reaches without leaving the machine.
 *
 * Locking: the port's lists, counts and the source lists are changed under
 * RTNL.  The receive path and the flood work only read, under RCU: the
 * children that are up (port->up, port->addrs) and the source entries.
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_arp.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/rtnetlink.h>

#include "vnl.h"

/* Broadcasts waiting for the flood work, per parent, as in macvlan. */
#define VNL_PORT_BC_QUEUE_LEN	1000
#define VNL_PORT_SOURCE_BITS	8
#define VNL_DEMUX_MC_FILTER	BIT(VNL_DEMUX_MC_BITS)

/* One accepted source address of a source-mode child. */
struct vnl_source {
	struct hlist_node hnode;	/* in port->sources[] (RCU) */
	struct list_head cnode;		/* in demux.sources (RTNL) */
	struct vnl_dev *child;
	u8 addr[ETH_ALEN];
	struct rcu_head rcu;
};

/* What vnl hangs on a parent while it has children: its rx_handler_data. */
struct vnl_port {
	struct net_device *dev;		/* the parent */
	struct list_head children;	/* every child (RTNL) */
	unsigned int count;		/* registered children (RTNL) */
	bool passthru;			/* its only child is in passthru mode */

	struct list_head up;		/* children that are up (RCU) */
	struct rhashtable addrs;	/* the same, by MAC address (RCU) */
	/* Source entries of every source-mode child, by source MAC (RCU). */
	struct hlist_head sources[1 << VNL_PORT_SOURCE_BITS];

	/* Broadcasts from the receive path, for vnl_port_flood_work. */
	struct sk_buff_head bcq;
	struct work_struct bc_work;
	atomic_long_t bc_drops;
};

/* The child that sent a queued broadcast, when it came back hairpinned. */
struct vnl_port_cb {
	struct vnl_dev *src;
};

#define VNL_PORT_CB(skb) ((struct vnl_port_cb *)(skb)->cb)

static const struct rhashtable_params vnl_port_addrs_params = {
	.key_len		= ETH_ALEN,
	.key_offset		= offsetof(struct vnl_demux, addr),
	.head_offset		= offsetof(struct vnl_demux, hnode),
	.automatic_shrinking	= true,
};

static rx_handler_result_t vnl_port_handle_frame(struct sk_buff **pskb);

static struct vnl_dev *vnl_demux_to_vnl(struct vnl_demux *demux)
{
	return container_of(demux, struct vnl_dev, demux);
}

static bool vnl_dev_is_demux(const struct net_device *dev)
{
	return vnl_dev_is_vnl(dev) &&
	       ((struct vnl_dev *)netdev_priv(dev))->kind == VNL_KIND_MACVLAN;
}

/* The parent of a macvlan child (NULL for other kinds); fixed for the
 * child's life, and held by it (vnl_demux_init to vnl_demux_uninit).
 */
struct net_device *vnl_demux_parent(const struct vnl_dev *vnl)
{
	return vnl->kind == VNL_KIND_MACVLAN ? vnl->demux.parent : NULL;
}

/* The port of @dev when vnl's handler is registered on it.  RTNL. */
static struct vnl_port *vnl_port_get_rtnl(const struct net_device *dev)
{
	if (rcu_access_pointer(dev->rx_handler) != vnl_port_handle_frame)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

/* The up child whose address is @addr.  RCU. */
static struct vnl_dev *vnl_port_lookup(struct vnl_port *port, const u8 *addr)
{
	struct vnl_demux *demux;

	demux = rhashtable_lookup(&port->addrs, addr, vnl_port_addrs_params);
	return demux ? vnl_demux_to_vnl(demux) : NULL;
}

static u32 vnl_port_source_hash(const u8 *addr)
{
	return hash_64(ether_addr_to_u64(addr), VNL_PORT_SOURCE_BITS);
}

static u32 vnl_demux_mc_hash(const u8 *addr)
{
	return hash_64(ether_addr_to_u64(addr), VNL_DEMUX_MC_BITS);
}

/* Broadcasts go to every child; a multicast frame only to children that
 * joined its group (or are promiscuous or allmulti).
 */
static bool vnl_demux_wants(const struct vnl_dev *child, const u8 *h_dest)
{
	return is_broadcast_ether_addr(h_dest) ||
	       test_bit(vnl_demux_mc_hash(h_dest), child->demux.mc_filter);
}

/*
 * Receive
 */

/* Hand one copy of @skb to @child as if it had arrived there. */
static void vnl_demux_rx_copy(struct vnl_dev *child, struct sk_buff *skb,
			      unsigned char pkt_type)
{
	struct net_device *dev = child->dev;
	unsigned int len = skb->len + ETH_HLEN;
	struct sk_buff *nskb;

	nskb = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!nskb)) {
		vnl_dev_count_rx_drop(dev);
		return;
	}

	nskb->dev = dev;
	nskb->pkt_type = pkt_type;
	if (netif_rx(nskb) == NET_RX_SUCCESS)
		vnl_dev_count_rx(dev, len);
	else
		vnl_dev_count_rx_drop(dev);
}

/* Source mode: each child listing the frame's source address gets a copy,
 * whatever the destination.
 */
static void vnl_port_rx_sources(struct vnl_port *port, struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);
	u32 hash = vnl_port_source_hash(eth->h_source);
	struct vnl_source *src;

	hlist_for_each_entry_rcu(src, &port->sources[hash], hnode) {
		struct net_device *dev = src->child->dev;
		unsigned char pkt_type = skb->pkt_type;

		if (!ether_addr_equal_64bits(src->addr, eth->h_source) ||
		    !(READ_ONCE(dev->flags) & IFF_UP))
			continue;

		if (ether_addr_equal_64bits(eth->h_dest, dev->dev_addr))
			pkt_type = PACKET_HOST;
		vnl_demux_rx_copy(src->child, skb, pkt_type);
	}
}

/* Which children a broadcast reaches, given the child it came from (NULL:
 * from the wire).  As in macvlan: a frame from outside reaches every child
 * but source-mode ones (they only take what their list names); a VEPA
 * child's frame, hairpinned back by the switch, reaches the VEPA and
 * bridge siblings; a bridge child's frame reaches only the VEPA siblings,
 * because the bridge siblings had their copy on the way out.
 */
static bool vnl_port_floods_to(const struct vnl_dev *src,
			       const struct vnl_dev *child)
{
	u32 mode = READ_ONCE(child->demux.mode);

	if (!src)
		return mode != VNL_MACVLAN_MODE_SOURCE;
	if (child == src)
		return false;
	if (READ_ONCE(src->demux.mode) == VNL_MACVLAN_MODE_VEPA)
		return mode == VNL_MACVLAN_MODE_VEPA ||
		       mode == VNL_MACVLAN_MODE_BRIDGE;
	return mode == VNL_MACVLAN_MODE_VEPA;
}

static unsigned char vnl_port_mc_type(const struct sk_buff *skb)
{
	if (is_broadcast_ether_addr(eth_hdr(skb)->h_dest))
		return PACKET_BROADCAST;
	return PACKET_MULTICAST;
}

/* The flood work: process context, so it may take its time over a
 * thousand children; each copy then goes through netif_rx() like a frame
 * from a driver.  Bottom halves are off around each frame because the
 * per-CPU counters are only ever written with them off.
 */
static void vnl_port_flood_work(struct work_struct *work)
{
	struct vnl_port *port = container_of(work, struct vnl_port, bc_work);
	struct sk_buff_head list;
	struct sk_buff *skb;

	__skb_queue_head_init(&list);
	spin_lock_bh(&port->bcq.lock);
	skb_queue_splice_tail_init(&port->bcq, &list);
	spin_unlock_bh(&port->bcq.lock);

	while ((skb = __skb_dequeue(&list))) {
		struct vnl_dev *src = VNL_PORT_CB(skb)->src;
		unsigned char pkt_type = vnl_port_mc_type(skb);
		struct vnl_demux *demux;

		rcu_read_lock();
		local_bh_disable();
		list_for_each_entry_rcu(demux, &port->up, up_node) {
			struct vnl_dev *child = vnl_demux_to_vnl(demux);

			if (vnl_port_floods_to(src, child) &&
			    vnl_demux_wants(child, eth_hdr(skb)->h_dest))
				vnl_demux_rx_copy(child, skb, pkt_type);
		}
		local_bh_enable();
		rcu_read_unlock();

		if (src)
			dev_put(src->dev);
		consume_skb(skb);
		cond_resched();
	}
}

/* Queue a copy of a broadcast for the flood work.  The queue is bounded:
 * a storm costs drops (VNL_A_BC_DROPS), never unbounded memory.  The
 * sending child, if any, is held until the work is done with the frame.
 */
static void vnl_port_queue_flood(struct vnl_port *port, struct vnl_dev *src,
				 struct sk_buff *skb)
{
	struct sk_buff *nskb;
	bool queued = false;

	nskb = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!nskb))
		goto drop;

	VNL_PORT_CB(nskb)->src = src;
	spin_lock(&port->bcq.lock);
	if (skb_queue_len(&port->bcq) < VNL_PORT_BC_QUEUE_LEN) {
		if (src)
			dev_hold(src->dev);
		__skb_queue_tail(&port->bcq, nskb);
		queued = true;
	}
	spin_unlock(&port->bcq.lock);

	queue_work(system_unbound_wq, &port->bc_work);
	if (queued)
		return;
	kfree_skb(nskb);
drop:
	atomic_long_inc(&port->bc_drops);
}

static rx_handler_result_t vnl_port_rx_multicast(struct vnl_port *port,
						 struct sk_buff *skb)
{
	struct vnl_dev *src = vnl_port_lookup(port, eth_hdr(skb)->h_source);

	/* Our own child's frame, back from the wire: a private, passthru or
	 * source child gets it back alone (as from macvlan), and the parent
	 * does not see it.
	 */
	if (src) {
		u32 mode = READ_ONCE(src->demux.mode);

		if (mode != VNL_MACVLAN_MODE_VEPA &&
		    mode != VNL_MACVLAN_MODE_BRIDGE) {
			vnl_demux_rx_copy(src, skb, vnl_port_mc_type(skb));
			consume_skb(skb);
			return RX_HANDLER_CONSUMED;
		}
	}

	vnl_port_queue_flood(port, src, skb);
	return RX_HANDLER_PASS;	/* the parent's stack gets it too */
}

/* Private children neither send to nor receive from a sibling, even when
 * an external switch sends a frame back (hairpin): the check is on the
 * source address, which the switch leaves alone.
 */
static bool vnl_port_isolated(struct vnl_port *port, const struct vnl_dev *dst,
			      const u8 *h_source)
{
	struct vnl_dev *src;

	src = vnl_port_lookup(port, h_source);
	if (!src || src == dst)
		return false;
	return READ_ONCE(src->demux.mode) == VNL_MACVLAN_MODE_PRIVATE ||
	       READ_ONCE(dst->demux.mode) == VNL_MACVLAN_MODE_PRIVATE;
}

/* The rx_handler of a parent.  Called by __netif_receive_skb() in softirq
 * context, under RCU, for every frame the parent receives.  Returning
 * RX_HANDLER_ANOTHER with skb->dev changed makes the core run its receive
 * path again, this time for the child: the child's taps (tcpdump) and
 * protocols see the frame as theirs.
 */
static rx_handler_result_t vnl_port_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	const struct ethhdr *eth = eth_hdr(skb);
	struct vnl_port *port;
	struct vnl_dev *dst;

	/* dev_loopback_xmit() frames have no Ethernet header to look at. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);
	vnl_port_rx_sources(port, skb);

	if (is_multicast_ether_addr(eth->h_dest))
		return vnl_port_rx_multicast(port, skb);

	if (port->passthru)
		dst = list_first_or_null_rcu(&port->up, struct vnl_dev,
					     demux.up_node);
	else
		dst = vnl_port_lookup(port, eth->h_dest);

	/* Not ours (or a source-mode child's address, which only receives
	 * by source): the parent's own stack decides.
	 */
	if (!dst || READ_ONCE(dst->demux.mode) == VNL_MACVLAN_MODE_SOURCE)
		return RX_HANDLER_PASS;

	if (unlikely(!(READ_ONCE(dst->dev->flags) & IFF_UP) ||
		     vnl_port_isolated(port, dst, eth->h_source)))
		goto drop;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb))
		goto dropped;

	*pskb = skb;
	skb->dev = dst->dev;
	if (ether_addr_equal_64bits(eth_hdr(skb)->h_dest, dst->dev->dev_addr))
		skb->pkt_type = PACKET_HOST;
	vnl_dev_count_rx(dst->dev, skb->len + ETH_HLEN);
	return RX_HANDLER_ANOTHER;

drop:
	kfree_skb(skb);
dropped:
	vnl_dev_count_rx_drop(dst->dev);
	return RX_HANDLER_CONSUMED;
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
		unsigned int len = skb->len;
		struct sk_buff *nskb;

		if (sib == vnl ||
		    READ_ONCE(demux->mode) != VNL_MACVLAN_MODE_BRIDGE ||
		    !vnl_demux_wants(sib, skb->data))
			continue;

		nskb = skb_clone(skb, GFP_ATOMIC);
		if (unlikely(!nskb) || __dev_forward_skb(sib->dev, nskb) ||
		    netif_rx(nskb) != NET_RX_SUCCESS)
			vnl_dev_count_rx_drop(sib->dev);
		else
			vnl_dev_count_rx(sib->dev, len);
	}
}

/* Bridge mode: true when the frame was for a bridge-mode sibling and has
 * been handed to it (and consumed); *@ret then says whether it got in.
 */
static bool vnl_demux_xmit_bridge(struct vnl_dev *vnl, struct sk_buff *skb,
				  int *ret)
{
	const struct ethhdr *eth = (const struct ethhdr *)skb->data;
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
	 * taps see it pass.  Refused (and freed) when the parent is down or
	 * the frame too big for it.
	 */
	*ret = dev_forward_skb(vnl->demux.parent, skb);
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
	int ret;

	if (READ_ONCE(vnl->demux.mode) == VNL_MACVLAN_MODE_BRIDGE &&
	    vnl_demux_xmit_bridge(vnl, skb, &ret)) {
		if (likely(ret == NET_RX_SUCCESS))
			vnl_dev_count_tx(dev, len);
		else
			vnl_dev_count_tx_drop(dev);
		return NETDEV_TX_OK;
	}

	skb->dev = vnl->demux.parent;
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		vnl_dev_count_tx(dev, len);
	else
		vnl_dev_count_tx_drop(dev);
	return NETDEV_TX_OK;
}

/* The core calls ndo_start_xmit with bottom halves off, but not always
 * inside rcu_read_lock() (AF_PACKET's PACKET_QDISC_BYPASS): take it here.
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
 * Source lists
 */

static struct vnl_source *vnl_demux_find_source(struct vnl_dev *vnl,
						const u8 *addr)
{
	struct vnl_source *src;

	list_for_each_entry(src, &vnl->demux.sources, cnode)
		if (ether_addr_equal(src->addr, addr))
			return src;
	return NULL;
}

static void vnl_demux_del_source(struct vnl_dev *vnl, struct vnl_source *src)
{
	hlist_del_rcu(&src->hnode);
	list_del(&src->cnode);
	vnl->demux.nsources--;
	kfree_rcu(src, rcu);
}

static void vnl_demux_flush_sources(struct vnl_dev *vnl)
{
	struct vnl_source *src, *tmp;

	list_for_each_entry_safe(src, tmp, &vnl->demux.sources, cnode)
		vnl_demux_del_source(vnl, src);
}

/* Entries are allocated before anything changes, so that adding can no
 * longer fail half-way.
 */
static int vnl_demux_alloc_sources(struct list_head *list, unsigned int n)
{
	struct vnl_source *src;

	while (n--) {
		src = kzalloc(sizeof(*src), GFP_KERNEL);
		if (!src)
			return -ENOMEM;
		list_add(&src->cnode, list);
	}
	return 0;
}

static void vnl_demux_free_sources(struct list_head *list)
{
	struct vnl_source *src, *tmp;

	list_for_each_entry_safe(src, tmp, list, cnode)
		kfree(src);
}

/* Add the addresses not yet listed, taking entries from @spare. */
static void vnl_demux_add_sources(struct vnl_dev *vnl,
				  const struct vnl_demux_change *chg,
				  struct list_head *spare)
{
	struct vnl_port *port = vnl->demux.port;
	unsigned int i;

	for (i = 0; i < chg->naddrs; i++) {
		const u8 *addr = chg->addrs[i];
		struct vnl_source *src;

		if (vnl_demux_find_source(vnl, addr))
			continue;

		src = list_first_entry(spare, struct vnl_source, cnode);
		list_move_tail(&src->cnode, &vnl->demux.sources);
		src->child = vnl;
		ether_addr_copy(src->addr, addr);
		hlist_add_head_rcu(&src->hnode,
				   &port->sources[vnl_port_source_hash(addr)]);
		vnl->demux.nsources++;
	}
}

/* How many of the request's addresses are not listed yet (duplicates in
 * the request count once).
 */
static unsigned int vnl_demux_count_new(struct vnl_dev *vnl,
					const struct vnl_demux_change *chg,
					bool replace)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < chg->naddrs; i++) {
		if (!replace && vnl_demux_find_source(vnl, chg->addrs[i]))
			continue;
		for (j = 0; j < i; j++)
			if (ether_addr_equal(chg->addrs[i], chg->addrs[j]))
				break;
		if (j == i)
			n++;
	}
	return n;
}

static int vnl_demux_check_sources(struct vnl_dev *vnl,
				   const struct vnl_demux_change *chg,
				   unsigned int *nnew,
				   struct netlink_ext_ack *extack)
{
	unsigned int i, total;

	switch (chg->op) {
	case VNL_MACADDR_OP_DEL:
		for (i = 0; i < chg->naddrs; i++) {
			if (!vnl_demux_find_source(vnl, chg->addrs[i])) {
				NL_SET_ERR_MSG(extack, "address not in the source list");
				return -ENOENT;
			}
		}
		return 0;
	case VNL_MACADDR_OP_ADD:
		*nnew = vnl_demux_count_new(vnl, chg, false);
		total = vnl->demux.nsources + *nnew;
		break;
	case VNL_MACADDR_OP_SET:
		*nnew = vnl_demux_count_new(vnl, chg, true);
		total = *nnew;
		break;
	default:
		return 0;
	}

	if (total > VNL_MACADDR_MAX) {
		NL_SET_ERR_MSG(extack, "the source list holds at most 256 addresses");
		return -ENOSPC;
	}
	return 0;
}

static void vnl_demux_apply_sources(struct vnl_dev *vnl,
				    const struct vnl_demux_change *chg,
				    struct list_head *spare)
{
	unsigned int i;

	switch (chg->op) {
	case VNL_MACADDR_OP_DEL:
		for (i = 0; i < chg->naddrs; i++) {
			struct vnl_source *src;

			src = vnl_demux_find_source(vnl, chg->addrs[i]);
			if (src)	/* listed twice in the request */
				vnl_demux_del_source(vnl, src);
		}
		break;
	case VNL_MACADDR_OP_FLUSH:
		vnl_demux_flush_sources(vnl);
		break;
	case VNL_MACADDR_OP_SET:
		vnl_demux_flush_sources(vnl);
		vnl_demux_add_sources(vnl, chg, spare);
		break;
	case VNL_MACADDR_OP_ADD:
		vnl_demux_add_sources(vnl, chg, spare);
		break;
	}
}

static int vnl_demux_check_mode(struct vnl_dev *vnl,
				const struct vnl_demux_change *chg,
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
int vnl_demux_change(struct net_device *dev,
		     const struct vnl_demux_change *chg,
		     struct netlink_ext_ack *extack)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	unsigned int nnew = 0;
	LIST_HEAD(spare);
	int err;

	ASSERT_RTNL();
	if (vnl->kind != VNL_KIND_MACVLAN) {
		NL_SET_ERR_MSG(extack, "not a macvlan child");
		return -EOPNOTSUPP;
	}

	err = vnl_demux_check_mode(vnl, chg, extack) ?:
	      vnl_demux_check_sources(vnl, chg, &nnew, extack);
	if (err)
		return err;

	err = vnl_demux_alloc_sources(&spare, nnew);
	if (err)
		goto out;

	if (chg->mode && chg->mode != vnl->demux.mode) {
		/* Leaving source mode forgets the list, as macvlan does. */
		if (vnl->demux.mode == VNL_MACVLAN_MODE_SOURCE)
			vnl_demux_flush_sources(vnl);
		WRITE_ONCE(vnl->demux.mode, chg->mode);
	}
	vnl_demux_apply_sources(vnl, chg, &spare);
out:
	vnl_demux_free_sources(&spare);
	return err;
}

/*
 * The child as a net_device
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

/* Up: the parent must accept frames for our address (or, in passthru
 * mode, for every address), and the port must know us.
 */
static int vnl_demux_open(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;
	struct vnl_port *port = demux->port;
	struct net_device *parent = demux->parent;
	int err;

	if (port->passthru) {
		err = dev_set_promiscuity(parent, 1);
		if (err)
			return err;
	} else {
		if (vnl_port_addr_busy(port, dev->dev_addr, vnl))
			return -EADDRINUSE;
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
	}

	ether_addr_copy(demux->addr, dev->dev_addr);
	err = rhashtable_lookup_insert_fast(&port->addrs, &demux->hnode,
					    vnl_port_addrs_params);
	if (err) {
		if (err == -EEXIST)
			err = -EADDRINUSE;
		goto err_promisc;
	}
	list_add_tail_rcu(&demux->up_node, &port->up);
	return 0;

err_promisc:
	if (port->passthru || dev->flags & IFF_PROMISC)
		dev_set_promiscuity(parent, -1);
	if (port->passthru)
		return err;
err_allmulti:
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(parent, -1);
err_uc_del:
	dev_uc_del(parent, dev->dev_addr);
	return err;
}

/* Down: undo open.  When the child is being unregistered, the core waits
 * for an RCU grace period and flushes the backlogs after this, so no
 * receive path still holds the child once it is freed.
 */
static int vnl_demux_stop(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;
	struct vnl_port *port = demux->port;
	struct net_device *parent = demux->parent;

	list_del_rcu(&demux->up_node);
	rhashtable_remove_fast(&port->addrs, &demux->hnode,
			       vnl_port_addrs_params);

	dev_uc_unsync(parent, dev);
	dev_mc_unsync(parent, dev);
	if (port->passthru) {
		dev_set_promiscuity(parent, -1);
		return 0;
	}
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(parent, -1);
	if (dev->flags & IFF_PROMISC)
		dev_set_promiscuity(parent, -1);
	dev_uc_del(parent, dev->dev_addr);
	return 0;
}

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

/* The hash is keyed by the address, so a child that is up leaves it while
 * its address changes, and readers still walking its old chain are waited
 * for before it goes back in.  Going back in can only fail when memory is
 * short; the child then keeps its old address.  RTNL.
 */
static int vnl_demux_rehash(struct net_device *dev, const u8 *addr)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;
	struct vnl_port *port = demux->port;
	u8 old[ETH_ALEN];
	int err;

	if (!netif_running(dev)) {
		eth_hw_addr_set(dev, addr);
		return 0;
	}

	ether_addr_copy(old, demux->addr);
	rhashtable_remove_fast(&port->addrs, &demux->hnode,
			       vnl_port_addrs_params);
	synchronize_net();

	ether_addr_copy(demux->addr, addr);
	err = rhashtable_lookup_insert_fast(&port->addrs, &demux->hnode,
					    vnl_port_addrs_params);
	if (err) {
		ether_addr_copy(demux->addr, old);
		if (rhashtable_lookup_insert_fast(&port->addrs, &demux->hnode,
						  vnl_port_addrs_params))
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

static void vnl_port_destroy(struct vnl_port *port);

static int vnl_demux_init(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_port *port = vnl->demux.port;
	int err;

	err = vnl_dev_init(dev);
	if (err)
		return err;

	vnl_compat_dev_hold(vnl->demux.parent, &vnl->demux.parent_ref);
	list_add_tail(&vnl->demux.node, &port->children);
	port->count++;
	return 0;
}

/* The last child to go takes the port with it.  The list and the source
 * entries were normally let go of in vnl_demux_dellink() already; not when
 * register_netdevice() fails after ndo_init.
 */
static void vnl_demux_uninit(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_port *port = vnl->demux.port;

	vnl_dev_uninit(dev);
	vnl_demux_flush_sources(vnl);
	list_del_init(&vnl->demux.node);
	if (--port->count == 0)
		vnl_port_destroy(port);
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

/*
 * The port
 */

static struct vnl_port *vnl_port_create(struct net_device *parent, bool passthru)
{
	struct vnl_port *port;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);

	port->dev = parent;
	port->passthru = passthru;
	INIT_LIST_HEAD(&port->children);
	INIT_LIST_HEAD(&port->up);
	skb_queue_head_init(&port->bcq);
	INIT_WORK(&port->bc_work, vnl_port_flood_work);

	err = rhashtable_init(&port->addrs, &vnl_port_addrs_params);
	if (err)
		goto err_free;

	err = netdev_rx_handler_register(parent, vnl_port_handle_frame, port);
	if (err)
		goto err_destroy_hash;
	return port;

err_destroy_hash:
	rhashtable_destroy(&port->addrs);
err_free:
	kfree(port);
	return ERR_PTR(err);
}

/* After netdev_rx_handler_unregister() (which waits for an RCU grace
 * period) no receive path can queue a broadcast any more; the work is then
 * stopped and what it had not done yet is thrown away.
 */
static void vnl_port_destroy(struct vnl_port *port)
{
	struct sk_buff *skb;

	netdev_rx_handler_unregister(port->dev);
	cancel_work_sync(&port->bc_work);

	while ((skb = __skb_dequeue(&port->bcq))) {
		struct vnl_dev *src = VNL_PORT_CB(skb)->src;

		if (src)
			dev_put(src->dev);
		kfree_skb(skb);
	}
	rhashtable_destroy(&port->addrs);
	kfree(port);
}

/*
 * Creation and deletion
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

static struct net_device *vnl_demux_alloc(const struct vnl_demux_config *cfg,
					  struct net_device *parent)
{
	struct net_device *dev;
	struct vnl_dev *vnl;

	dev = alloc_netdev(sizeof(struct vnl_dev), cfg->name, NET_NAME_USER,
			   vnl_dev_setup);
	if (!dev)
		return NULL;

	vnl = netdev_priv(dev);
	vnl->kind = VNL_KIND_MACVLAN;
	vnl->demux.parent = parent;
	vnl->demux.mode = cfg->mode;
	INIT_LIST_HEAD(&vnl->demux.sources);

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
	return dev;
}

/* Create a child under RTNL.  A child asked for on another vnl child goes
 * on that child's parent, as with macvlan.  The port is created with the
 * first child and goes with the last (vnl_demux_uninit).
 */
int vnl_demux_create(const struct vnl_demux_config *cfg,
		     struct net_device **devp, struct netlink_ext_ack *extack)
{
	struct net_device *parent = cfg->parent;
	struct net_device *dev;
	struct vnl_port *port;
	int err;

	ASSERT_RTNL();
	if (vnl_dev_is_demux(parent))
		parent = vnl_demux_parent(netdev_priv(parent));

	err = vnl_demux_check(cfg, parent, extack);
	if (err)
		return err;

	dev = vnl_demux_alloc(cfg, parent);
	if (!dev)
		return -ENOMEM;

	port = vnl_port_get_rtnl(parent);
	if (!port) {
		port = vnl_port_create(parent,
				       cfg->mode == VNL_MACVLAN_MODE_PASSTHRU);
		if (IS_ERR(port)) {
			NL_SET_ERR_MSG(extack, "could not attach to the parent");
			err = PTR_ERR(port);
			goto err_free;
		}
	}
	((struct vnl_dev *)netdev_priv(dev))->demux.port = port;

	err = register_netdevice(dev);
	if (err) {
		NL_SET_ERR_MSG(extack, "could not register the device");
		goto err_put_port;
	}

	/* The stacking link: "ip link" shows NAME@PARENT, the parent cannot
	 * go without the core telling us first, and loops are refused.
	 */
	err = netdev_upper_dev_link(parent, dev, extack);
	if (err)
		goto err_unregister;

	netif_stacked_transfer_operstate(parent, dev);
	*devp = dev;
	return 0;

err_unregister:
	vnl_demux_dellink(dev, NULL);
	return err;
err_put_port:
	/* If register_netdevice() got as far as ndo_init, its ndo_uninit
	 * already let go of the port (and destroyed it if it was ours).
	 */
	port = vnl_port_get_rtnl(parent);
	if (port && !port->count)
		vnl_port_destroy(port);
err_free:
	free_netdev(dev);
	return err;
}

/* rtnl_link_ops.dellink, for every way a child goes ("vnlctl del",
 * "ip link del", its netns or its parent going away, rmmod).  The child
 * leaves the parent's list and link right away, so that a parent being
 * deleted in the same batch no longer sees it; the port itself goes with
 * the last child's ndo_uninit.
 */
void vnl_demux_dellink(struct net_device *dev, struct list_head *head)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_demux *demux = &vnl->demux;

	vnl_demux_flush_sources(vnl);
	list_del_init(&demux->node);
	if (netdev_has_upper_dev(demux->parent, dev))
		netdev_upper_dev_unlink(demux->parent, dev);
	unregister_netdevice_queue(dev, head);
}

/* VNL_A_PARENT_* and the rest of a child's description.  RTNL. */
int vnl_demux_fill(struct sk_buff *skb, struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *parent = vnl->demux.parent;
	struct vnl_source *src;
	struct nlattr *nest;

	if (nla_put_u32(skb, VNL_A_PARENT_IFINDEX, parent->ifindex) ||
	    nla_put_string(skb, VNL_A_PARENT_IFNAME, parent->name) ||
	    nla_put_u32(skb, VNL_A_MACVLAN_MODE, vnl->demux.mode) ||
	    nla_put_u64_64bit(skb, VNL_A_BC_DROPS,
			      atomic_long_read(&vnl->demux.port->bc_drops),
			      VNL_A_PAD))
		return -EMSGSIZE;

	if (!net_eq(dev_net(dev), dev_net(parent)) &&
	    nla_put_s32(skb, VNL_A_PARENT_NETNSID,
			peernet2id_alloc(dev_net(dev), dev_net(parent),
					 GFP_KERNEL)))
		return -EMSGSIZE;

	if (vnl->demux.mode != VNL_MACVLAN_MODE_SOURCE)
		return 0;

	nest = nla_nest_start(skb, VNL_A_MACADDR_LIST);
	if (!nest)
		return -EMSGSIZE;
	list_for_each_entry(src, &vnl->demux.sources, cnode) {
		if (nla_put(skb, VNL_MACADDR_A_ADDRESS, ETH_ALEN, src->addr)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Parent events
 */

static void vnl_port_transfer_operstate(struct vnl_port *port)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node) {
		struct net_device *dev = vnl_demux_to_vnl(demux)->dev;
		bool had_carrier = netif_carrier_ok(dev);

		netif_stacked_transfer_operstate(port->dev, dev);
		if (netif_carrier_ok(dev) != had_carrier)
			vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
	}
}

/* A child's frames must still fit when its parent's MTU shrinks. */
static void vnl_port_follow_mtu(struct vnl_port *port)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node) {
		struct net_device *dev = vnl_demux_to_vnl(demux)->dev;

		if (dev->mtu > port->dev->mtu)
			dev_set_mtu(dev, port->dev->mtu);
	}
}

/* A passthru child keeps its parent's address. */
static void vnl_port_follow_addr(struct vnl_port *port)
{
	struct vnl_demux *demux;
	struct net_device *dev;

	if (!port->passthru)
		return;
	demux = list_first_entry_or_null(&port->children, struct vnl_demux,
					 node);
	if (!demux)
		return;

	dev = vnl_demux_to_vnl(demux)->dev;
	if (!vnl_demux_rehash(dev, port->dev->dev_addr))
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
}

/* Events the children must hear as their own, as macvlan's do: after a
 * bond's failover (NOTIFY_PEERS, BONDING_FAILOVER) each child announces
 * its addresses again (gratuitous ARP, unsolicited NA), and after
 * RESEND_IGMP it reports its multicast groups again.
 */
static void vnl_port_pass_on(struct vnl_port *port, unsigned long event)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node)
		call_netdevice_notifiers(event, vnl_demux_to_vnl(demux)->dev);
}

/* The parent's offloads changed: the children's limits follow (the GSO
 * size and segment count it takes, the headroom its frames need), as at
 * creation (vnl_demux_alloc).
 */
static void vnl_port_follow_features(struct vnl_port *port)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node) {
		struct net_device *dev = vnl_demux_to_vnl(demux)->dev;

		vnl_compat_inherit_tso_max(dev, port->dev);
		dev->needed_headroom = port->dev->needed_headroom;
	}
}

/* The parent is going: so are its children, in whatever netns they are.
 * A parent merely moving to another netns keeps them.
 */
static void vnl_port_delete_children(struct vnl_port *port)
{
	struct vnl_demux *demux, *tmp;
	LIST_HEAD(kill);

	if (port->dev->reg_state != NETREG_UNREGISTERING)
		return;

	list_for_each_entry_safe(demux, tmp, &port->children, node)
		vnl_demux_dellink(vnl_demux_to_vnl(demux)->dev, &kill);
	unregister_netdevice_many(&kill);
}

/* Runs under RTNL for every net_device event; only parents with a vnl
 * port are of interest.
 */
static int vnl_port_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vnl_port *port = vnl_port_get_rtnl(dev);

	if (!port)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		vnl_port_transfer_operstate(port);
		break;
	case NETDEV_CHANGEMTU:
		vnl_port_follow_mtu(port);
		break;
	case NETDEV_CHANGEADDR:
		vnl_port_follow_addr(port);
		break;
	case NETDEV_UNREGISTER:
		vnl_port_delete_children(port);
		break;
	case NETDEV_NOTIFY_PEERS:
	case NETDEV_BONDING_FAILOVER:
	case NETDEV_RESEND_IGMP:
		vnl_port_pass_on(port, event);
		break;
	case NETDEV_FEAT_CHANGE:
		vnl_port_follow_features(port);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* Children need an Ethernet parent, always. */
		return NOTIFY_BAD;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vnl_port_notifier = {
	.notifier_call = vnl_port_event,
};

int vnl_demux_register(void)
{
	return register_netdevice_notifier(&vnl_port_notifier);
}

void vnl_demux_unregister(void)
{
	unregister_netdevice_notifier(&vnl_port_notifier);
}
