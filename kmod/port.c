// SPDX-License-Identifier: GPL-2.0
/*
 * The port: what vnl hangs on the parent of macvlan children.
 *
 * The first child of a parent creates the port and registers it as the
 * parent's rx_handler, so __netif_receive_skb() offers every frame the
 * parent receives to vnl_port_handle_frame() before the parent's own
 * stack sees it.  Unicast frames are looked up by destination MAC in a
 * hash of the children that are up and handed to that child; broadcast and
 * multicast frames are queued and flooded to the children from a work item
 * (vnl_port_flood_work), outside the hard receive path.
 *
 * Locking: the port's lists and reference count are changed under RTNL.
 * The receive path and the flood work only read, under RCU: the children
 * that are up (port->up, port->addrs) and the source entries (source.c).
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/rtnetlink.h>

#include "vnl.h"
#include "trace.h"

/* The child that sent a queued broadcast, when it came back hairpinned. */
struct vnl_port_cb {
	struct vnl_dev *src;
};

#define VNL_PORT_CB(skb) ((struct vnl_port_cb *)(skb)->cb)

/* The unicast lookup runs for every frame the parent receives, so its
 * hash and compare are a MAC address's own: one multiplication of the
 * address as a number (hash_64, as macvlan's table uses) instead of
 * jhash's rounds over six bytes, and one 8-byte compare instead of
 * memcmp.  Both read two bytes past the address: in a frame, the source
 * address follows; in struct vnl_demux, the multicast filter.  The seed
 * is the table's own, so that a table rebuilt on resize hashes anew.
 */
static u32 vnl_port_addr_hash(const void *addr, u32 len, u32 seed)
{
	return hash_64(ether_addr_to_u64(addr) ^ seed, 32);
}

static int vnl_port_addr_cmp(struct rhashtable_compare_arg *arg,
			     const void *obj)
{
	const struct vnl_demux *demux = obj;

	return !ether_addr_equal_64bits(demux->addr, arg->key);
}

static const struct rhashtable_params vnl_port_addrs_params = {
	.key_len		= ETH_ALEN,
	.key_offset		= offsetof(struct vnl_demux, addr),
	.head_offset		= offsetof(struct vnl_demux, hnode),
	.automatic_shrinking	= true,
	.hashfn			= vnl_port_addr_hash,
	.obj_cmpfn		= vnl_port_addr_cmp,
};

static rx_handler_result_t vnl_port_handle_frame(struct sk_buff **pskb);

/* The port of @dev when vnl's handler is registered on it.  RTNL. */
struct vnl_port *vnl_port_get_rtnl(const struct net_device *dev)
{
	if (rcu_access_pointer(dev->rx_handler) != vnl_port_handle_frame)
		return NULL;
	return rtnl_dereference(dev->rx_handler_data);
}

/* The up child whose address is @addr, an address in a frame (two more
 * bytes follow it: vnl_port_addr_hash).  RCU.
 */
struct vnl_dev *vnl_port_lookup(struct vnl_port *port, const u8 *addr)
{
	struct vnl_demux *demux;

	demux = rhashtable_lookup(&port->addrs, addr, vnl_port_addrs_params);
	return demux ? vnl_demux_to_vnl(demux) : NULL;
}

/* Enter @child in the hash under its demux.addr, where unicast lookups
 * find it.  Fails when a sibling that is up has that address, or when
 * memory is short.  RTNL.
 */
int vnl_port_add_addr(struct vnl_port *port, struct vnl_dev *child)
{
	int err;

	err = rhashtable_lookup_insert_fast(&port->addrs, &child->demux.hnode,
					    vnl_port_addrs_params);
	return err == -EEXIST ? -EADDRINUSE : err;
}

/* Readers may still find @child until a grace period has passed.  RTNL. */
void vnl_port_del_addr(struct vnl_port *port, struct vnl_dev *child)
{
	rhashtable_remove_fast(&port->addrs, &child->demux.hnode,
			       vnl_port_addrs_params);
}

/*
 * Receive
 */

/* Hand one copy of @skb to @child as if it had arrived there. */
void vnl_port_rx_copy(struct vnl_dev *child, struct sk_buff *skb,
		      unsigned char pkt_type)
{
	struct net_device *dev = child->dev;
	unsigned int len = skb->len + ETH_HLEN;
	struct sk_buff *nskb;

	nskb = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!nskb)) {
		vnl_drop_count(dev, len, skb->protocol, VNL_DROP_NOMEM, true);
		return;
	}

	nskb->dev = dev;
	nskb->pkt_type = pkt_type;
	trace_vnl_flood_deliver(dev, nskb, -1);
	if (netif_rx(nskb) == NET_RX_SUCCESS)
		vnl_dev_count_rx(dev, len);
	else
		vnl_drop_count(dev, len, skb->protocol, VNL_DROP_BACKLOG_FULL,
			       true);
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
				vnl_port_rx_copy(child, skb, pkt_type);
		}
		local_bh_enable();
		rcu_read_unlock();

		if (src)
			dev_put(src->dev);
		consume_skb(skb);
		cond_resched();
	}
}

/* Queue a copy of a broadcast for the flood work.  The queue is bounded
 * by the largest length the children ask for (0: every frame is
 * dropped): a storm costs drops (VNL_A_BC_DROPS), never unbounded memory.
 * The sending child, if any, is held until the work is done with the
 * frame.  A drop here is the port's, not one child's: it is counted once,
 * in bc_drops, and traced on the parent.
 */
static void vnl_port_queue_flood(struct vnl_port *port, struct vnl_dev *src,
				 struct sk_buff *skb)
{
	/* Changed under RTNL while frames arrive, so read once, without a
	 * lock: a frame racing a change is held to the old length or the
	 * new, and either is right.  A queue longer than a new, smaller
	 * length keeps its frames; it only takes no more until it drains.
	 */
	u32 limit = READ_ONCE(port->bc_queue_len_used);
	struct sk_buff *nskb;
	bool queued = false;

	nskb = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!nskb)) {
		trace_vnl_drop(port->dev, skb->len, skb->protocol,
			       vnl_drop_name(VNL_DROP_NOMEM));
		atomic_long_inc(&port->bc_drops);
		return;
	}

	VNL_PORT_CB(nskb)->src = src;
	spin_lock(&port->bcq.lock);
	if (skb_queue_len(&port->bcq) < limit) {
		if (src)
			dev_hold(src->dev);
		trace_vnl_flood_queue(port->dev, nskb, -1);
		__skb_queue_tail(&port->bcq, nskb);
		queued = true;
	}
	spin_unlock(&port->bcq.lock);

	queue_work(system_unbound_wq, &port->bc_work);
	if (queued)
		return;
	vnl_drop_free(port->dev, nskb, VNL_DROP_BC_QUEUE_FULL);
	atomic_long_inc(&port->bc_drops);
}

/* Rebuild the union of the up children's filters.  Called after a
 * child's own filter changed (ndo_set_rx_mode) and when a child goes
 * down; the lock orders the rebuilds, so the last one sees every child's
 * latest filter.  A bit left set a moment too long only queues a frame
 * the flood work then gives to nobody.
 */
void vnl_port_update_filter(struct vnl_port *port)
{
	DECLARE_BITMAP(filter, VNL_DEMUX_MC_FILTER);
	struct vnl_demux *demux;

	spin_lock_bh(&port->filter_lock);
	bitmap_zero(filter, VNL_DEMUX_MC_FILTER);
	rcu_read_lock();
	list_for_each_entry_rcu(demux, &port->up, up_node)
		bitmap_or(filter, filter, demux->mc_filter, VNL_DEMUX_MC_FILTER);
	rcu_read_unlock();
	bitmap_copy(port->mc_filter, filter, VNL_DEMUX_MC_FILTER);
	spin_unlock_bh(&port->filter_lock);
}

/* What the receive path reads off the children as a whole, recomputed
 * under RTNL whenever a child enters or leaves port->children or changes
 * its mode or its request:
 * - the broadcast queue length: the largest the children ask for, as in
 *   macvlan (a child that needs a long queue, for many siblings or bursts
 *   of ARP, gets it whatever its siblings asked); 0 with no child left,
 *   when the port is about to go;
 * - whether any child is in private mode: only then must a unicast frame
 *   pay a second lookup, by source address (vnl_port_isolated).
 */
void vnl_port_update_children(struct vnl_port *port)
{
	struct vnl_demux *demux;
	bool any_private = false;
	u32 len = 0;

	ASSERT_RTNL();
	list_for_each_entry(demux, &port->children, node) {
		len = max(len, demux->bc_queue_len);
		if (demux->mode == VNL_MACVLAN_MODE_PRIVATE)
			any_private = true;
	}
	WRITE_ONCE(port->bc_queue_len_used, len);
	WRITE_ONCE(port->any_private, any_private);
}

/* Whether any child may want a frame for @h_dest: every broadcast, and
 * the multicast groups in the children's union (macvlan's bc_filter).
 * Groups only the parent joined, or the traffic of a promiscuous parent,
 * never reach the flood queue, where they would crowd out what the
 * children want.
 */
static bool vnl_port_mc_wanted(const struct vnl_port *port, const u8 *h_dest)
{
	return is_broadcast_ether_addr(h_dest) ||
	       test_bit(vnl_demux_mc_hash(h_dest), port->mc_filter);
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
			trace_vnl_demux_hairpin(src->dev, skb, -1);
			vnl_port_rx_copy(src, skb, vnl_port_mc_type(skb));
			consume_skb(skb);
			return RX_HANDLER_CONSUMED;
		}
	}

	if (vnl_port_mc_wanted(port, eth_hdr(skb)->h_dest))
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

	if (!READ_ONCE(port->any_private))
		return false;
	src = vnl_port_lookup(port, h_source);
	if (!src || src == dst)
		return false;
	return READ_ONCE(src->demux.mode) == VNL_MACVLAN_MODE_PRIVATE ||
	       READ_ONCE(dst->demux.mode) == VNL_MACVLAN_MODE_PRIVATE;
}

/* A sibling's frame back from the wire, sent there by a switch that
 * hairpins (VEPA).  Between two bridge-mode children a frame never leaves
 * the machine: demux.c:vnl_demux_xmit_bridge hands it to the parent's
 * receive path directly.  Only worth a lookup while someone traces it.
 */
static bool vnl_port_hairpinned(struct vnl_port *port, const struct vnl_dev *dst,
				const u8 *h_source)
{
	struct vnl_dev *src = vnl_port_lookup(port, h_source);

	return src && !(READ_ONCE(src->demux.mode) == VNL_MACVLAN_MODE_BRIDGE &&
			READ_ONCE(dst->demux.mode) == VNL_MACVLAN_MODE_BRIDGE);
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
	unsigned int len;
	__be16 proto;

	/* dev_loopback_xmit() frames have no Ethernet header to look at. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	port = rcu_dereference(skb->dev->rx_handler_data);

	/* A fragmented multicast datagram is reassembled here, once, before
	 * it is copied: copies of its fragments reaching two children of one
	 * netns would be taken for duplicates there, and only one child would
	 * get the datagram.
	 */
	if (is_multicast_ether_addr(eth->h_dest)) {
		skb = ip_check_defrag(dev_net(skb->dev), skb, IP_DEFRAG_MACVLAN);
		if (!skb)
			return RX_HANDLER_CONSUMED;	/* kept for reassembly */
		*pskb = skb;
		eth = eth_hdr(skb);
	}

	vnl_source_rx(port, skb);

	if (is_multicast_ether_addr(eth->h_dest))
		return vnl_port_rx_multicast(port, skb);

	trace_vnl_demux_lookup(skb->dev, skb, -1);
	if (port->passthru)
		dst = rcu_dereference(port->passthru_child);
	else
		dst = vnl_port_lookup(port, eth->h_dest);

	/* Not ours (or a source-mode child's address, which only receives
	 * by source): the parent's own stack decides.
	 */
	if (!dst || READ_ONCE(dst->demux.mode) == VNL_MACVLAN_MODE_SOURCE)
		return RX_HANDLER_PASS;

	/* A passthru child owns its parent: while it is down the frames
	 * meant for it are dropped, not given to the parent's stack (as
	 * macvlan does).  Other children are in port->addrs only while up:
	 * ndo_open adds one just before the core sets IFF_UP, so a child
	 * not up yet is found only in that window.
	 */
	if (unlikely(!(READ_ONCE(dst->dev->flags) & IFF_UP))) {
		vnl_drop_rx(dst->dev, skb, VNL_DROP_CHILD_DOWN);
		return RX_HANDLER_CONSUMED;
	}
	if (unlikely(vnl_port_isolated(port, dst, eth->h_source))) {
		vnl_drop_rx(dst->dev, skb, VNL_DROP_MODE);
		return RX_HANDLER_CONSUMED;
	}
	if (trace_vnl_demux_hairpin_enabled() &&
	    vnl_port_hairpinned(port, dst, eth->h_source))
		trace_vnl_demux_hairpin(dst->dev, skb, -1);

	len = skb->len + ETH_HLEN;
	proto = skb->protocol;
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		vnl_drop_count(dst->dev, len, proto, VNL_DROP_NOMEM, true);
		return RX_HANDLER_CONSUMED;
	}

	*pskb = skb;
	skb->dev = dst->dev;
	if (ether_addr_equal_64bits(eth_hdr(skb)->h_dest, dst->dev->dev_addr))
		skb->pkt_type = PACKET_HOST;
	trace_vnl_demux_deliver(dst->dev, skb, -1);
	vnl_dev_count_rx(dst->dev, len);
	return RX_HANDLER_ANOTHER;
}

/*
 * Lifetime
 */

/* The port starts with the queue length its first child asks for: the
 * child enters port->children only in its ndo_init, and the receive path
 * may queue broadcasts from the moment the handler is registered.
 */
static struct vnl_port *vnl_port_create(struct net_device *parent,
					bool passthru, u32 bc_queue_len)
{
	struct vnl_port *port;
	int err;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);

	port->dev = parent;
	port->refs = 1;
	port->passthru = passthru;
	port->bc_queue_len_used = bc_queue_len;
	INIT_LIST_HEAD(&port->children);
	INIT_LIST_HEAD(&port->up);
	spin_lock_init(&port->filter_lock);
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

/* The port of @parent, with a reference for the caller: the existing one,
 * or a new one registered as the parent's rx_handler, for a first child
 * in passthru mode or not, asking for a broadcast queue of @bc_queue_len.
 * RTNL.
 */
struct vnl_port *vnl_port_get(struct net_device *parent, bool passthru,
			      u32 bc_queue_len)
{
	struct vnl_port *port = vnl_port_get_rtnl(parent);

	ASSERT_RTNL();
	if (!port)
		return vnl_port_create(parent, passthru, bc_queue_len);
	vnl_port_hold(port);
	return port;
}

void vnl_port_hold(struct vnl_port *port)
{
	ASSERT_RTNL();
	port->refs++;
}

/* The last reference takes the port off its parent.  RTNL. */
void vnl_port_put(struct vnl_port *port)
{
	ASSERT_RTNL();
	if (--port->refs == 0)
		vnl_port_destroy(port);
}
