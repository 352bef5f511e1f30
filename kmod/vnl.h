/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnl: the one internal header.  Everything one file of the module needs
 * from another is declared here; see Documentation/ for the data paths.
 */
#ifndef _VNL_H
#define _VNL_H

#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <net/genetlink.h>
#include <uapi/linux/vnl.h>

#define VNL_VERSION "0.1.0"

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
	struct u64_stats_sync syncp;
};

struct vnl_stats {
	u64 rx_packets;
	u64 rx_bytes;
	u64 tx_packets;
	u64 tx_bytes;
	u64 rx_drops;
	u64 tx_drops;
};

/* The private part of every vnl net_device (netdev_priv()). */
struct vnl_dev {
	struct net_device *dev;
	enum vnl_kind kind;
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
};

/* dev.c: what every vnl device shares */
extern struct rtnl_link_ops vnl_link_ops;
void vnl_dev_setup(struct net_device *dev);
int vnl_dev_init(struct net_device *dev);
void vnl_dev_uninit(struct net_device *dev);
void vnl_dev_get_stats64(struct net_device *dev,
			 struct rtnl_link_stats64 *stats);
void vnl_dev_read_stats(struct net_device *dev, struct vnl_stats *sum);
void vnl_dev_count_tx(struct net_device *dev, unsigned int len);
void vnl_dev_count_rx(struct net_device *dev, unsigned int len);
void vnl_dev_count_tx_drop(struct net_device *dev);
void vnl_dev_count_rx_drop(struct net_device *dev);
bool vnl_dev_is_vnl(const struct net_device *dev);
struct vnl_dev *vnl_dev_find_next(struct net *net, unsigned long *id);
int vnl_dev_register_ops(void);
void vnl_dev_unregister_ops(void);

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

int vnl_pair_create(const struct vnl_pair_config *cfg,
		    struct net_device **devp, struct netlink_ext_ack *extack);
void vnl_pair_dellink(struct net_device *dev, struct list_head *head);
struct net_device *vnl_pair_peer(const struct vnl_dev *vnl);

/* genl.c: the generic netlink family */
int vnl_genl_register(void);
void vnl_genl_unregister(void);
void vnl_genl_notify(struct net_device *dev, enum vnl_cmd cmd);

/* chardev.c: /dev/vnl */
int vnl_chr_register(void);
void vnl_chr_unregister(void);

#endif /* _VNL_H */
