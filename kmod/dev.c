// SPDX-License-Identifier: GPL-2.0
/*
 * What every vnl net_device shares, whatever its kind: the setup, the
 * per-CPU counters and the registry of all vnl devices.  The kind "vnl"
 * of "ip link" is rtnl.c's.
 */
#include <linux/etherdevice.h>
#include <linux/xarray.h>

#include "vnl.h"

/* Every vnl device of every netns, keyed by vnl_dev.id.  ifindex cannot be
 * the key: it is only unique within one netns.  Entries are added and
 * removed under RTNL (ndo_init/ndo_uninit), so walking the registry under
 * RTNL sees a stable set; the xarray's own lock covers the rest.
 */
static DEFINE_XARRAY_ALLOC(vnl_devs);

bool vnl_dev_is_vnl(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &vnl_link_ops;
}

bool vnl_dev_is_kind(const struct net_device *dev, enum vnl_kind kind)
{
	return vnl_dev_is_vnl(dev) &&
	       ((const struct vnl_dev *)netdev_priv(dev))->kind == kind;
}

/* Find the first vnl device of @net whose id is >= *@id; on success *@id is
 * its id.  Caller holds RTNL.
 */
struct vnl_dev *vnl_dev_find_next(struct net *net, unsigned long *id)
{
	struct vnl_dev *vnl;

	ASSERT_RTNL();
	xa_for_each_start(&vnl_devs, *id, vnl, *id) {
		if (net_eq(dev_net(vnl->dev), net))
			return vnl;
	}
	return NULL;
}

/* Called by register_netdevice() under RTNL, before the device is visible. */
int vnl_dev_init(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	int err;

	vnl->stats = netdev_alloc_pcpu_stats(struct vnl_pcpu_stats);
	if (!vnl->stats)
		return -ENOMEM;

	err = xa_alloc(&vnl_devs, &vnl->id, vnl, xa_limit_32b, GFP_KERNEL);
	if (err) {
		free_percpu(vnl->stats);
		vnl->stats = NULL;
		return err;
	}
	return 0;
}

/* Called under RTNL when the device is unregistered, whatever the reason:
 * "vnlctl del", "ip link del", its netns going away or the module unloading.
 */
void vnl_dev_uninit(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	if (vnl->announced)
		vnl_genl_notify(dev, VNL_CMD_LINK_DEL_NTF);
	xa_erase(&vnl_devs, vnl->id);
}

/* Runs once the last reference to the device is gone: no transmit path
 * can still be counting on these counters.
 */
static void vnl_dev_free(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	free_percpu(vnl->stats);
}

void vnl_dev_setup(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	ether_setup(dev);
	vnl->dev = dev;

	/* No qdisc: like veth, vnl hands each frame straight to its peer,
	 * so a queue in front of it would only add latency.
	 */
	dev->priv_flags |= IFF_NO_QUEUE | IFF_LIVE_ADDR_CHANGE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;

	/* No netconsole: netpoll calls ndo_start_xmit with interrupts off,
	 * and every vnl transmit path turns bottom halves off and on again
	 * (netif_rx into a pair's peer, dev_queue_xmit on a child's parent,
	 * waking a reader of /dev/vnl), which must not happen there.
	 */
	dev->priv_flags |= IFF_DISABLE_NETPOLL;

	/* Offloads a software device can honour by doing nothing: the frame
	 * stays in memory, so checksums and segmentation can be left to
	 * whoever finally needs them, as veth does.
	 */
	dev->features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA |
			 NETIF_F_GSO_SOFTWARE | NETIF_F_RXCSUM;
	dev->hw_features = dev->features;
	dev->vlan_features = dev->features;
	vnl_compat_set_lltx(dev);
	dev->max_mtu = ETH_MAX_MTU;

	dev->rtnl_link_ops = &vnl_link_ops;
	dev->ethtool_ops = &vnl_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = vnl_dev_free;
}

/* The counters are only written from the data path, where bottom halves
 * are off, so this CPU's copy cannot be written by anyone else meanwhile.
 */
static struct vnl_pcpu_stats *vnl_dev_this_cpu_stats(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	return this_cpu_ptr(vnl->stats);
}

void vnl_dev_count_tx(struct net_device *dev, unsigned int len)
{
	struct vnl_pcpu_stats *s = vnl_dev_this_cpu_stats(dev);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->tx_packets);
	u64_stats_add(&s->tx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

void vnl_dev_count_rx(struct net_device *dev, unsigned int len)
{
	struct vnl_pcpu_stats *s = vnl_dev_this_cpu_stats(dev);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->rx_packets);
	u64_stats_add(&s->rx_bytes, len);
	u64_stats_update_end(&s->syncp);
}

void vnl_dev_count_xdp(struct net_device *dev, enum vnl_xdp_stat what,
		       unsigned int n)
{
	struct vnl_pcpu_stats *s = vnl_dev_this_cpu_stats(dev);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->xdp[what], n);
	u64_stats_update_end(&s->syncp);
}

/* Sum every CPU's counters.  The fetch/retry loop only matters on 32-bit
 * machines, where a 64-bit counter cannot be read in one go.
 */
void vnl_dev_read_stats(struct net_device *dev, struct vnl_stats *sum)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vnl_pcpu_stats *s = per_cpu_ptr(vnl->stats, cpu);
		struct vnl_stats one;
		unsigned int start, i;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			one.rx_packets = u64_stats_read(&s->rx_packets);
			one.rx_bytes = u64_stats_read(&s->rx_bytes);
			one.tx_packets = u64_stats_read(&s->tx_packets);
			one.tx_bytes = u64_stats_read(&s->tx_bytes);
			one.rx_drops = u64_stats_read(&s->rx_drops);
			one.tx_drops = u64_stats_read(&s->tx_drops);
			for (i = 0; i < __VNL_DROP_MAX; i++)
				one.drops[i] = u64_stats_read(&s->drops[i]);
			for (i = 0; i < __VNL_XDP_STAT_MAX; i++)
				one.xdp[i] = u64_stats_read(&s->xdp[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		sum->rx_packets += one.rx_packets;
		sum->rx_bytes += one.rx_bytes;
		sum->tx_packets += one.tx_packets;
		sum->tx_bytes += one.tx_bytes;
		sum->rx_drops += one.rx_drops;
		sum->tx_drops += one.tx_drops;
		for (i = 0; i < __VNL_DROP_MAX; i++)
			sum->drops[i] += one.drops[i];
		for (i = 0; i < __VNL_XDP_STAT_MAX; i++)
			sum->xdp[i] += one.xdp[i];
	}
}

/* ndo_get_stats64: what "ip -s link" shows.  The core adds its own
 * rx_dropped, which already holds the frames a full backlog refused
 * (enqueue_to_backlog): they are not counted twice.
 */
void vnl_dev_get_stats64(struct net_device *dev,
			 struct rtnl_link_stats64 *stats)
{
	struct vnl_stats sum;

	vnl_dev_read_stats(dev, &sum);
	stats->rx_packets = sum.rx_packets;
	stats->rx_bytes = sum.rx_bytes;
	stats->tx_packets = sum.tx_packets;
	stats->tx_bytes = sum.tx_bytes;
	stats->rx_dropped = sum.rx_drops - sum.drops[VNL_DROP_BACKLOG_FULL];
	stats->tx_dropped = sum.tx_drops;
}
