// SPDX-License-Identifier: GPL-2.0
/*
 * Source mode: a macvlan child in mode "source" receives the frames whose
 * source address is on its list, whatever their destination (macvlan's
 * MACVLAN_MODE_SOURCE, used to steer one station's traffic to a device).
 *
 * Each listed address is one struct vnl_source, in two places: the
 * child's own list (demux.sources, changed under RTNL) and the port's
 * hash by address (port->sources), which the receive path walks under
 * RCU (vnl_source_rx).
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/slab.h>

#include "vnl.h"

/* One accepted source address of a source-mode child. */
struct vnl_source {
	struct hlist_node hnode;	/* in port->sources[] (RCU) */
	struct list_head cnode;		/* in demux.sources (RTNL) */
	struct vnl_dev *child;
	u8 addr[ETH_ALEN];
	struct rcu_head rcu;
};

static u32 vnl_source_hash(const u8 *addr)
{
	return hash_64(ether_addr_to_u64(addr), VNL_PORT_SOURCE_BITS);
}

/* Called by the port's receive handler (port.c:vnl_port_handle_frame) in
 * softirq context, under RCU: each child listing the frame's source
 * address gets a copy.
 */
void vnl_source_rx(struct vnl_port *port, struct sk_buff *skb)
{
	const struct ethhdr *eth = eth_hdr(skb);
	u32 hash = vnl_source_hash(eth->h_source);
	struct vnl_source *src;

	hlist_for_each_entry_rcu(src, &port->sources[hash], hnode) {
		struct net_device *dev = src->child->dev;
		unsigned char pkt_type = skb->pkt_type;

		if (!ether_addr_equal_64bits(src->addr, eth->h_source) ||
		    !(READ_ONCE(dev->flags) & IFF_UP))
			continue;

		if (ether_addr_equal_64bits(eth->h_dest, dev->dev_addr))
			pkt_type = PACKET_HOST;
		vnl_port_rx_copy(src->child, skb, pkt_type);
	}
}

static struct vnl_source *vnl_source_find(struct vnl_dev *vnl, const u8 *addr)
{
	struct vnl_source *src;

	list_for_each_entry(src, &vnl->demux.sources, cnode)
		if (ether_addr_equal(src->addr, addr))
			return src;
	return NULL;
}

/* Readers may still be looking at the entry: it is freed after a grace
 * period.
 */
static void vnl_source_del(struct vnl_dev *vnl, struct vnl_source *src)
{
	hlist_del_rcu(&src->hnode);
	list_del(&src->cnode);
	vnl->demux.nsources--;
	kfree_rcu(src, rcu);
}

/* Forget the whole list: on LINK_SET flush or set, when the child leaves
 * source mode, and when it goes.  RTNL.
 */
void vnl_source_flush(struct vnl_dev *vnl)
{
	struct vnl_source *src, *tmp;

	list_for_each_entry_safe(src, tmp, &vnl->demux.sources, cnode)
		vnl_source_del(vnl, src);
}

static void vnl_source_free_spare(struct list_head *spare)
{
	struct vnl_source *src, *tmp;

	list_for_each_entry_safe(src, tmp, spare, cnode)
		kfree(src);
	INIT_LIST_HEAD(spare);
}

/* Add the addresses not yet listed, taking entries from @spare. */
static void vnl_source_add(struct vnl_dev *vnl,
			   const struct vnl_link_change *chg,
			   struct list_head *spare)
{
	struct vnl_port *port = vnl->demux.port;
	unsigned int i;

	for (i = 0; i < chg->naddrs; i++) {
		const u8 *addr = chg->addrs[i];
		struct vnl_source *src;

		if (vnl_source_find(vnl, addr))
			continue;

		src = list_first_entry(spare, struct vnl_source, cnode);
		list_move_tail(&src->cnode, &vnl->demux.sources);
		src->child = vnl;
		ether_addr_copy(src->addr, addr);
		hlist_add_head_rcu(&src->hnode,
				   &port->sources[vnl_source_hash(addr)]);
		vnl->demux.nsources++;
	}
}

/* How many of the request's addresses are not listed yet (duplicates in
 * the request count once); with @replace, the list is about to be
 * emptied, so every address counts.
 */
static unsigned int vnl_source_count_new(struct vnl_dev *vnl,
					 const struct vnl_link_change *chg,
					 bool replace)
{
	unsigned int i, j, n = 0;

	for (i = 0; i < chg->naddrs; i++) {
		if (!replace && vnl_source_find(vnl, chg->addrs[i]))
			continue;
		for (j = 0; j < i; j++)
			if (ether_addr_equal(chg->addrs[i], chg->addrs[j]))
				break;
		if (j == i)
			n++;
	}
	return n;
}

static int vnl_source_check(struct vnl_dev *vnl,
			    const struct vnl_link_change *chg,
			    unsigned int *nnew, struct netlink_ext_ack *extack)
{
	unsigned int i, total;

	switch (chg->op) {
	case VNL_MACADDR_OP_DEL:
		for (i = 0; i < chg->naddrs; i++) {
			if (!vnl_source_find(vnl, chg->addrs[i])) {
				NL_SET_ERR_MSG(extack, "address not in the source list");
				return -ENOENT;
			}
		}
		return 0;
	case VNL_MACADDR_OP_ADD:
		*nnew = vnl_source_count_new(vnl, chg, false);
		total = vnl->demux.nsources + *nnew;
		break;
	case VNL_MACADDR_OP_SET:
		*nnew = vnl_source_count_new(vnl, chg, true);
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

/* The first half of a LINK_SET's list change: everything that can be
 * refused is refused, and every entry the change needs is allocated onto
 * @spare, so that vnl_source_commit() can no longer fail.  RTNL.
 */
int vnl_source_prepare(struct vnl_dev *vnl, const struct vnl_link_change *chg,
		       struct list_head *spare, struct netlink_ext_ack *extack)
{
	struct vnl_source *src;
	unsigned int nnew = 0;
	int err;

	err = vnl_source_check(vnl, chg, &nnew, extack);
	if (err)
		return err;

	while (nnew--) {
		src = kzalloc(sizeof(*src), GFP_KERNEL);
		if (!src) {
			vnl_source_free_spare(spare);
			return -ENOMEM;
		}
		list_add(&src->cnode, spare);
	}
	return 0;
}

/* The second half: apply the change, then free what it did not use. */
void vnl_source_commit(struct vnl_dev *vnl, const struct vnl_link_change *chg,
		       struct list_head *spare)
{
	unsigned int i;

	switch (chg->op) {
	case VNL_MACADDR_OP_DEL:
		for (i = 0; i < chg->naddrs; i++) {
			struct vnl_source *src;

			src = vnl_source_find(vnl, chg->addrs[i]);
			if (src)	/* listed twice in the request */
				vnl_source_del(vnl, src);
		}
		break;
	case VNL_MACADDR_OP_FLUSH:
		vnl_source_flush(vnl);
		break;
	case VNL_MACADDR_OP_SET:
		vnl_source_flush(vnl);
		vnl_source_add(vnl, chg, spare);
		break;
	case VNL_MACADDR_OP_ADD:
		vnl_source_add(vnl, chg, spare);
		break;
	}
	vnl_source_free_spare(spare);
}

/* VNL_A_MACADDR_LIST of a LINK_GET reply or event.  RTNL. */
int vnl_source_fill(struct sk_buff *skb, struct vnl_dev *vnl)
{
	struct vnl_source *src;
	struct nlattr *nest;

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
