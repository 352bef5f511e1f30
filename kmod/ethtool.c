// SPDX-License-Identifier: GPL-2.0
/*
 * ethtool: `ethtool -i` names the driver, its version and the kind of
 * device; `ethtool -S` shows what veth shows (a pair end's peer_ifindex),
 * a child's share of its parent's broadcast queue drops (bc_drops) and
 * what XDP programs did on a pair end (xdp_pass, xdp_tx, xdp_redirect,
 * and xdp_xmit: frames redirected to it; xdp.c),
 * one drop_<reason> counter per reason the kind can have (drop.c), and
 * for tun/tap each queue's own: queue<N>_queued, _read, _written (since
 * the file was opened) and _waiting (frames in it now).
 * `ethtool -k` needs nothing here: the core reads dev->features.
 */
#include <linux/ethtool.h>

#include "vnl.h"

static const char * const vnl_kind_names[] = {
	[VNL_KIND_PAIR]		= "pair",
	[VNL_KIND_TUN]		= "tun",
	[VNL_KIND_TAP]		= "tap",
	[VNL_KIND_MACVLAN]	= "macvlan",
};

static void vnl_ethtool_get_drvinfo(struct net_device *dev,
				    struct ethtool_drvinfo *info)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, VNL_VERSION, sizeof(info->version));
	if (vnl->kind < ARRAY_SIZE(vnl_kind_names) && vnl_kind_names[vnl->kind])
		strscpy(info->bus_info, vnl_kind_names[vnl->kind],
			sizeof(info->bus_info));
}

/* The counters before the drop reasons, by kind: none, or one. */
static const char *vnl_ethtool_first_stat(const struct vnl_dev *vnl)
{
	switch (vnl->kind) {
	case VNL_KIND_PAIR:
		return "peer_ifindex";
	case VNL_KIND_MACVLAN:
		return "bc_drops";
	default:
		return NULL;
	}
}

static const char * const vnl_ethtool_xdp_stats[] = {
	[VNL_XDP_PASS]		= "xdp_pass",
	[VNL_XDP_TX]		= "xdp_tx",
	[VNL_XDP_REDIRECT]	= "xdp_redirect",
	[VNL_XDP_XMIT]		= "xdp_xmit",
};

static unsigned int vnl_ethtool_xdp_count(const struct vnl_dev *vnl)
{
	return vnl->ops->xdp ? ARRAY_SIZE(vnl_ethtool_xdp_stats) : 0;
}

static const char * const vnl_ethtool_queue_stats[] = {
	"queued", "read", "written", "waiting",
};

/* The queues shown: a tun/tap device's (or tap face's) attached ones.  The core calls
 * every ethtool op under RTNL, so the count cannot change between
 * get_sset_count and get_strings or get_ethtool_stats.
 */
static unsigned int vnl_ethtool_queues(struct net_device *dev)
{
	return vnl_dev_takes_files(dev) ? vnl_tun_numqueues(dev) : 0;
}

static int vnl_ethtool_get_sset_count(struct net_device *dev, int sset)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return !!vnl_ethtool_first_stat(vnl) + vnl_ethtool_xdp_count(vnl) +
	       hweight32(vnl->ops->drop_reasons) +
	       vnl_ethtool_queues(dev) * ARRAY_SIZE(vnl_ethtool_queue_stats);
}

static void vnl_ethtool_get_strings(struct net_device *dev, u32 sset, u8 *buf)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	const char *first = vnl_ethtool_first_stat(vnl);
	unsigned long reasons = vnl->ops->drop_reasons;
	unsigned int why, q, i;

	if (sset != ETH_SS_STATS)
		return;
	if (first) {
		strscpy(buf, first, ETH_GSTRING_LEN);
		buf += ETH_GSTRING_LEN;
	}
	for (i = 0; i < vnl_ethtool_xdp_count(vnl); i++) {
		strscpy(buf, vnl_ethtool_xdp_stats[i], ETH_GSTRING_LEN);
		buf += ETH_GSTRING_LEN;
	}
	for_each_set_bit(why, &reasons, __VNL_DROP_MAX) {
		snprintf(buf, ETH_GSTRING_LEN, "drop_%s", vnl_drop_name(why));
		buf += ETH_GSTRING_LEN;
	}
	for (q = 0; q < vnl_ethtool_queues(dev); q++) {
		for (i = 0; i < ARRAY_SIZE(vnl_ethtool_queue_stats); i++) {
			snprintf(buf, ETH_GSTRING_LEN, "queue%u_%s", q,
				 vnl_ethtool_queue_stats[i]);
			buf += ETH_GSTRING_LEN;
		}
	}
}

/* The first counter's value: the peer's ifindex as this end's netns numbers
 * it (0 without a peer), as veth shows it; the parent's broadcast drops.
 */
static u64 vnl_ethtool_first_value(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer;
	u64 val = 0;

	switch (vnl->kind) {
	case VNL_KIND_PAIR:
		rcu_read_lock();
		peer = rcu_dereference(vnl->peer);
		if (peer)
			val = peer->ifindex;
		rcu_read_unlock();
		break;
	case VNL_KIND_MACVLAN:
		val = atomic_long_read(&vnl->demux.port->bc_drops);
		break;
	default:
		break;
	}
	return val;
}

static void vnl_ethtool_get_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	unsigned long reasons = vnl->ops->drop_reasons;
	struct vnl_stats sum;
	unsigned int why, q, x, i = 0;

	if (vnl_ethtool_first_stat(vnl))
		data[i++] = vnl_ethtool_first_value(dev);
	vnl_dev_read_stats(dev, &sum);
	for (x = 0; x < vnl_ethtool_xdp_count(vnl); x++)
		data[i++] = sum.xdp[x];
	for_each_set_bit(why, &reasons, __VNL_DROP_MAX)
		data[i++] = sum.drops[why];
	for (q = 0; q < vnl_ethtool_queues(dev); q++) {
		struct vnl_tfile *tfile = vnl_tun_queue(dev, q);

		data[i++] = atomic64_read(&tfile->queued);
		data[i++] = atomic64_read(&tfile->read);
		data[i++] = atomic64_read(&tfile->written);
		data[i++] = skb_queue_len_lockless(&tfile->rxq);
	}
}

const struct ethtool_ops vnl_ethtool_ops = {
	.get_drvinfo		= vnl_ethtool_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= vnl_ethtool_get_sset_count,
	.get_strings		= vnl_ethtool_get_strings,
	.get_ethtool_stats	= vnl_ethtool_get_stats,
};
