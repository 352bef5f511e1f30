// SPDX-License-Identifier: GPL-2.0
/*
 * tun and tap devices: the device side of /dev/vnl.
 *
 * A tun (L3) or tap (L2) device has no wire: its "wire" is the set of
 * /dev/vnl files attached to it, its queues.  What the stack transmits
 * (vnl_tun_xmit) is queued on one of them for read(); what a program
 * write()s is received by the stack (vnl_tun_get_frame).  chardev.c holds
 * the file operations; this file holds the device and its queues.
 *
 * Locking: attaching, detaching, creating and deleting happen under RTNL.
 * The transmit path finds a queue under RCU; a file's frames wait in an
 * sk_buff_head with its own lock.  Nothing here sleeps with a spinlock
 * held; read() sleeps without holding a device reference, so a blocked
 * reader never delays the deletion of its device.
 *
 * The states of a /dev/vnl file (struct vnl_tfile), all changed under
 * RTNL; "dev" is tfile->dev (RCU: the transmit path and write() look),
 * "owner" is tfile->owner_dev:
 *
 *   open() --> UNATTACHED          dev NULL, owner NULL
 *                  |
 *                  | TUNSETIFF (vnl_tun_set_iff: create or attach)
 *                  v
 *              ATTACHED            dev = owner = the device; queues[index]
 *               |    ^             is this file, frames queue on its rxq
 *  TUNSETQUEUE  |    | TUNSETQUEUE IFF_ATTACH_QUEUE (vnl_tun_reattach)
 *  IFF_DETACH_  v    |
 *  QUEUE     DETACHED              dev NULL, owner = the device; on
 *                                  tun->detached, gets no frames
 *
 *   ATTACHED or DETACHED --(device deleted: vnl_tun_uninit)--> GONE
 *                                  dev NULL, owner NULL, gone: read()
 *                                  says EBADFD, poll() EPOLLERR|EPOLLHUP,
 *                                  and TUNSETIFF is refused
 *   any state --(close: vnl_tun_release)--> freed; the last file of a
 *                                  device that is not persistent deletes it
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_tun.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/sysfs.h>
#include <linux/uio.h>
#include <linux/virtio_net.h>
#include <net/ip_tunnels.h>
#include <net/rtnetlink.h>

#include "vnl.h"
#include "trace.h"

#define VNL_TUN_TYPE_MASK	(IFF_TUN | IFF_TAP)
/* What the device remembers of TUNSETIFF, and reports in TUNGETIFF. */
#define VNL_TUN_DEV_FLAGS	(IFF_TUN | IFF_TAP | IFF_NO_PI | \
				 IFF_MULTI_QUEUE | IFF_NAPI | IFF_PERSIST | \
				 IFF_VNET_HDR)
/* What the latest TUNSETIFF decides on an existing device, as with tun. */
#define VNL_TUN_ATTACH_FLAGS	(IFF_NO_PI | IFF_NAPI | IFF_VNET_HDR)

static struct vnl_tun *vnl_tun(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	return &vnl->tun;
}

/* The attached queues, for ethtool -S (ethtool.c).  RTNL, which keeps
 * their number and order from one call to the next.
 */
unsigned int vnl_tun_numqueues(struct net_device *dev)
{
	ASSERT_RTNL();
	return vnl_tun(dev)->numqueues;
}

struct vnl_tfile *vnl_tun_queue(struct net_device *dev, unsigned int i)
{
	return rtnl_dereference(vnl_tun(dev)->queues[i]);
}

bool vnl_dev_is_tun(const struct net_device *dev)
{
	const struct vnl_dev *vnl = netdev_priv(dev);

	return vnl_dev_is_vnl(dev) &&
	       (vnl->kind == VNL_KIND_TUN || vnl->kind == VNL_KIND_TAP);
}

/* A device /dev/vnl files attach to: a tun, a tap, or a macvlan child
 * with a tap face (macvtap.c).
 */
bool vnl_dev_takes_files(const struct net_device *dev)
{
	return vnl_dev_is_tun(dev) || vnl_macvtap_is_face(dev);
}

/* The counters are per CPU and also written from softirq: process
 * context updates them with bottom halves off.
 */
static void vnl_tun_count_tx(struct net_device *dev, unsigned int len)
{
	local_bh_disable();
	vnl_dev_count_tx(dev, len);
	local_bh_enable();
}

static void vnl_tun_drop(struct net_device *dev, struct sk_buff *skb,
			 enum vnl_drop_reason why, bool rx)
{
	if (rx)
		vnl_drop_rx(dev, skb, why);
	else
		vnl_drop_tx(dev, skb, why);
}

/* A frame queued for read() and never read: a tun/tap's transmit drop; a
 * tap face's child had received it, so there a receive drop.
 */
void vnl_tun_drop_unread(struct net_device *dev, struct sk_buff *skb)
{
	vnl_tun_drop(dev, skb, VNL_DROP_UNREAD, vnl_macvtap_is_face(dev));
}

/* Queue a frame for a reader: the attached queue @hash picks.  For a tun
 * or tap the frame is one the stack transmits (vnl_tun_xmit); for a tap
 * face one the child received (@rx, macvtap.c), which is what its drops
 * count as.  A detach racing with us may have just shrunk the set of
 * queues, hence the checks.  Bottom halves off, under RCU.
 */
void vnl_tun_enqueue(struct net_device *dev, struct sk_buff *skb, u32 hash,
		     bool rx)
{
	struct vnl_tun *tun = vnl_tun(dev);
	unsigned int n = READ_ONCE(tun->numqueues);
	struct vnl_tfile *tfile;
	unsigned int q;

	/* No reader: the carrier is off while no queue is attached, so the
	 * stack only gets here in a race with the last detach (a tap face's
	 * parent still hands the child what it receives).
	 */
	if (unlikely(!n))
		goto no_reader;
	q = hash % n;
	tfile = rcu_dereference(tun->queues[q]);
	if (unlikely(!tfile))
		goto no_reader;

	/* The frame may wait in the queue for as long as the reader likes:
	 * it must not pin the sender's socket memory or conntrack entry.
	 */
	if (unlikely(skb_orphan_frags_rx(skb, GFP_ATOMIC))) {
		vnl_tun_drop(dev, skb, VNL_DROP_NOMEM, rx);
		return;
	}
	if (!rx)
		skb_tx_timestamp(skb);
	skb_orphan(skb);
	nf_reset_ct(skb);

	spin_lock(&tfile->rxq.lock);
	if (skb_queue_len(&tfile->rxq) >= READ_ONCE(dev->tx_queue_len)) {
		spin_unlock(&tfile->rxq.lock);
		vnl_tun_drop(dev, skb, VNL_DROP_QUEUE_FULL, rx);
		return;
	}
	/* Traced before it is queued: once queued, read() may free it. */
	trace_vnl_tun_enqueue(dev, skb, q);
	__skb_queue_tail(&tfile->rxq, skb);
	spin_unlock(&tfile->rxq.lock);
	atomic64_inc(&tfile->queued);

	/* A reader busy reading, not waiting, needs no wake-up, and taking
	 * the wait queue's lock for nothing cost batched reads 7% of their
	 * packet rate (make bench).  wq_has_sleeper()'s barrier orders the queueing
	 * above before the look at the wait queue; it pairs with the one a
	 * waiter passes after joining it (prepare_to_wait_event(), and
	 * chardev.c:vnl_chr_poll), so either the waiter sees the frame or we
	 * see the waiter.
	 */
	if (wq_has_sleeper(&tfile->wq))
		wake_up_interruptible_poll(&tfile->wq, EPOLLIN | EPOLLRDNORM);
	return;

no_reader:
	vnl_tun_drop(dev, skb, VNL_DROP_NO_READER, rx);
}

/* The core calls ndo_start_xmit with bottom halves off, but not always
 * inside rcu_read_lock(): IP output is (ip_finish_output2), a packet
 * socket is not, with or without PACKET_QDISC_BYPASS.  Take it here.
 */
static netdev_tx_t vnl_tun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	/* The core picked skb->queue_mapping by flow hash among the
	 * attached queues (netif_set_real_num_tx_queues() keeps their
	 * number current).
	 */
	rcu_read_lock();
	vnl_tun_enqueue(dev, skb, skb->queue_mapping, false);
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

static void vnl_tun_wake_all(struct vnl_tun *tun, __poll_t events)
{
	unsigned int i;

	for (i = 0; i < tun->numqueues; i++) {
		struct vnl_tfile *tfile = rtnl_dereference(tun->queues[i]);

		wake_up_interruptible_poll(&tfile->wq, events);
	}
}

/* Writers poll for EPOLLOUT, which follows netif_running(): set before
 * ndo_open is called and cleared before ndo_stop, so that the pollers
 * these wake see the new state.
 */
static int vnl_tun_open(struct net_device *dev)
{
	vnl_tun_wake_all(vnl_tun(dev), EPOLLOUT | EPOLLWRNORM);
	return 0;
}

static int vnl_tun_stop(struct net_device *dev)
{
	vnl_tun_wake_all(vnl_tun(dev), EPOLLOUT | EPOLLWRNORM);
	return 0;
}

/* IFF_NAPI: frames written to this queue are received here, in softirq,
 * through GRO, as a NIC's would be.
 */
static int vnl_tun_napi_poll(struct napi_struct *napi, int budget)
{
	struct vnl_tfile *tfile = container_of(napi, struct vnl_tfile, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&tfile->napi_q))) {
		napi_gro_receive(napi, skb);
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/* Frames still queued when a queue goes away were sent but never read. */
static void vnl_tun_purge(struct net_device *dev, struct vnl_tfile *tfile)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&tfile->rxq)))
		vnl_tun_drop_unread(dev, skb);
	skb_queue_purge(&tfile->napi_q);
}

/* The queue's last user is gone (synchronize_net() ran since it was
 * unpublished): stop its NAPI, drop what it held, wake its sleepers.
 */
static void vnl_tun_retire_queue(struct net_device *dev,
				 struct vnl_tfile *tfile, __poll_t events)
{
	if (tfile->napi_added) {
		napi_disable(&tfile->napi);
		netif_napi_del(&tfile->napi);
		tfile->napi_added = false;
	}
	vnl_tun_purge(dev, tfile);
	wake_up_interruptible_poll(&tfile->wq, events);
}

/* The carrier comes on with the first queue and goes off with the last;
 * in between it is left alone, so that TUNSETCARRIER sticks.  Either way
 * the queue count (VNL_A_TUN_QUEUES) changed: the monitors hear of it.
 */
static void vnl_tun_after_attach(struct net_device *dev)
{
	if (vnl_macvtap_is_face(dev))
		vnl_macvtap_carrier(dev);
	else if (vnl_tun(dev)->numqueues == 1)
		netif_carrier_on(dev);
	vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
}

static void vnl_tun_after_detach(struct net_device *dev)
{
	if (vnl_macvtap_is_face(dev))
		vnl_macvtap_carrier(dev);
	else if (!vnl_tun(dev)->numqueues)
		netif_carrier_off(dev);
	vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
}

static int vnl_tun_attach(struct net_device *dev, struct vnl_tfile *tfile,
			  bool napi)
{
	struct vnl_tun *tun = vnl_tun(dev);
	unsigned int n = tun->numqueues;
	int err;

	ASSERT_RTNL();
	if (n >= VNL_TUN_MAX_QUEUES)
		return -E2BIG;

	/* A tun/tap's transmit queues are its files; a tap face's child
	 * has one, its files being chosen by the receive side.
	 */
	if (vnl_dev_is_tun(dev)) {
		err = netif_set_real_num_tx_queues(dev, n + 1);
		if (err)
			return err;
	}

	if (napi) {
		vnl_compat_napi_add(dev, &tfile->napi, vnl_tun_napi_poll);
		napi_enable(&tfile->napi);
		tfile->napi_added = true;
	}

	tfile->index = n;
	tfile->owner_dev = dev;
	WRITE_ONCE(tfile->gone, false);
	/* Publish the queue before counting it: a transmit that already
	 * sees n + 1 queues must find this one in place.
	 */
	rcu_assign_pointer(tun->queues[n], tfile);
	rcu_assign_pointer(tfile->dev, dev);
	WRITE_ONCE(tun->numqueues, n + 1);
	return 0;
}

/* Take @tfile out of the attached queues, keeping them without holes by
 * moving the last queue into its slot.  Waits for every transmit and
 * write that may still use it.
 */
static void vnl_tun_detach(struct net_device *dev, struct vnl_tfile *tfile,
			   __poll_t events)
{
	struct vnl_tun *tun = vnl_tun(dev);
	unsigned int last = tun->numqueues - 1;
	struct vnl_tfile *moved;

	ASSERT_RTNL();
	moved = rtnl_dereference(tun->queues[last]);
	rcu_assign_pointer(tun->queues[tfile->index], moved);
	moved->index = tfile->index;
	RCU_INIT_POINTER(tun->queues[last], NULL);
	WRITE_ONCE(tun->numqueues, last);
	RCU_INIT_POINTER(tfile->dev, NULL);
	if (vnl_dev_is_tun(dev))
		netif_set_real_num_tx_queues(dev, max(last, 1U));

	synchronize_net();
	vnl_tun_retire_queue(dev, tfile, events);
	vnl_tun_after_detach(dev);
}

/* The device is being deleted ("vnlctl del", "ip link del", netns
 * teardown, module unload): its ndo_uninit, a tun/tap's or a tap face's.
 * Every file loses it; sleepers in read() and poll() wake up to EBADFD
 * and EPOLLERR | EPOLLHUP.
 */
void vnl_tun_retire_files(struct net_device *dev)
{
	struct vnl_tfile *retired[VNL_TUN_MAX_QUEUES];
	struct vnl_tun *tun = vnl_tun(dev);
	struct vnl_tfile *tfile, *tmp;
	unsigned int i, n = tun->numqueues;

	for (i = 0; i < n; i++) {
		tfile = rtnl_dereference(tun->queues[i]);
		RCU_INIT_POINTER(tun->queues[i], NULL);
		/* gone before dev: a poll() that finds dev NULL must also
		 * find gone, or it reports a detached queue's EPOLLERR for
		 * a deleted device.
		 */
		WRITE_ONCE(tfile->gone, true);
		smp_wmb(); /* pairs with smp_rmb() in vnl_chr_poll */
		RCU_INIT_POINTER(tfile->dev, NULL);
		tfile->owner_dev = NULL;
		retired[i] = tfile;
	}
	WRITE_ONCE(tun->numqueues, 0);

	list_for_each_entry_safe(tfile, tmp, &tun->detached, detached_node) {
		list_del_init(&tfile->detached_node);
		tfile->owner_dev = NULL;
		WRITE_ONCE(tfile->gone, true);
		wake_up_interruptible_poll(&tfile->wq, EPOLLERR | EPOLLHUP);
	}
	tun->numdetached = 0;

	synchronize_net();
	for (i = 0; i < n; i++)
		vnl_tun_retire_queue(dev, retired[i], EPOLLERR | EPOLLHUP);
}

static void vnl_tun_uninit(struct net_device *dev)
{
	struct vnl_tun *tun = vnl_tun(dev);

	vnl_tun_retire_files(dev);
	vnl_dev_uninit(dev);
	security_tun_dev_free_security(tun->security);
	vnl_xdp_tun_uninit(dev);
	if (tun->flags & IFF_PERSIST)
		module_put(THIS_MODULE);
}

/* ndo_init.  The LSM labels the device here, in the context of the task
 * that creates it (TUNSETIFF), as it does for tun: later opens and queue
 * attaches are checked against that label (security_tun_dev_open,
 * security_tun_dev_attach_queue).  tun also calls security_tun_dev_attach,
 * which labels the queue's socket; a /dev/vnl queue has no socket, so
 * there is nothing to label and no check to make.
 */
static int vnl_tun_init(struct net_device *dev)
{
	struct vnl_tun *tun = vnl_tun(dev);
	int err;

	err = security_tun_dev_alloc_security(&tun->security);
	if (err)
		return err;
	err = vnl_xdp_tun_init(dev);
	if (err)
		goto err_security;
	err = vnl_dev_init(dev);
	if (err)
		goto err_xdp;
	return 0;

err_xdp:
	vnl_xdp_tun_uninit(dev);
err_security:
	security_tun_dev_free_security(tun->security);
	return err;
}

static const struct net_device_ops vnl_tun_netdev_ops = {
	.ndo_init		= vnl_tun_init,
	.ndo_uninit		= vnl_tun_uninit,
	.ndo_open		= vnl_tun_open,
	.ndo_stop		= vnl_tun_stop,
	.ndo_start_xmit		= vnl_tun_xmit,
	.ndo_get_stats64	= vnl_dev_get_stats64,
	.ndo_fix_features	= vnl_vnet_fix_features,
	.ndo_bpf		= vnl_xdp_bpf,
};

static const struct net_device_ops vnl_tap_netdev_ops = {
	.ndo_init		= vnl_tun_init,
	.ndo_uninit		= vnl_tun_uninit,
	.ndo_open		= vnl_tun_open,
	.ndo_stop		= vnl_tun_stop,
	.ndo_start_xmit		= vnl_tun_xmit,
	.ndo_get_stats64	= vnl_dev_get_stats64,
	.ndo_fix_features	= vnl_vnet_fix_features,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_bpf		= vnl_xdp_bpf,
	.ndo_xdp_xmit		= vnl_xdp_tun_xmit,
};

/* The tun/tap part of a description (a tap face's too); under RTNL.
 * Owner and group are given as the reader sees them: the requesting
 * socket's opener for a reply (genl.c:vnl_genl_requester), the netns
 * owner for an event (genl.c:vnl_genl_notify).
 */
int vnl_tun_fill(struct sk_buff *skb, struct net_device *dev,
		 const struct vnl_reader *rd)
{
	struct vnl_tun *tun = vnl_tun(dev);

	if (nla_put_u32(skb, VNL_A_TUN_FLAGS, tun->flags & VNL_TUN_DEV_FLAGS) ||
	    nla_put_u32(skb, VNL_A_TUN_QUEUES, tun->numqueues))
		return -EMSGSIZE;
	if (uid_valid(tun->owner) &&
	    nla_put_u32(skb, VNL_A_TUN_OWNER,
			from_kuid_munged(rd->user_ns, tun->owner)))
		return -EMSGSIZE;
	if (gid_valid(tun->group) &&
	    nla_put_u32(skb, VNL_A_TUN_GROUP,
			from_kgid_munged(rd->user_ns, tun->group)))
		return -EMSGSIZE;
	return 0;
}

/* A tun or tap goes alone; its files learn of it in ndo_uninit. */
static void vnl_tun_dellink(struct net_device *dev, struct list_head *head)
{
	unregister_netdevice_queue(dev, head);
}

static const struct vnl_kind_ops vnl_tun_kind_ops = {
	.dellink	= vnl_tun_dellink,
	.fill		= vnl_tun_fill,
	.xdp		= true,
	.drop_reasons	= VNL_TUN_DROP_REASONS | VNL_XDP_DROP_REASONS |
			  BIT(VNL_DROP_TOO_BIG),
};

/* /sys/class/net/DEV/{tun_flags,owner,group}, as tun has them: programs
 * that tell a tun device by its tun_flags file (and iproute2's "ip tuntap
 * show", which also asks for the link kind "tun") read the same there.
 * Read without RTNL, as tun does: each is one word, written under RTNL.
 */
static ssize_t tun_flags_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	struct vnl_tun *tun = vnl_tun(to_net_dev(d));

	return sysfs_emit(buf, "0x%x\n",
			  READ_ONCE(tun->flags) & VNL_TUN_DEV_FLAGS);
}
static DEVICE_ATTR_RO(tun_flags);

static ssize_t owner_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	kuid_t owner = READ_ONCE(vnl_tun(to_net_dev(d))->owner);

	if (!uid_valid(owner))
		return sysfs_emit(buf, "-1\n");
	return sysfs_emit(buf, "%u\n",
			  from_kuid_munged(current_user_ns(), owner));
}
static DEVICE_ATTR_RO(owner);

static ssize_t group_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	kgid_t group = READ_ONCE(vnl_tun(to_net_dev(d))->group);

	if (!gid_valid(group))
		return sysfs_emit(buf, "-1\n");
	return sysfs_emit(buf, "%u\n",
			  from_kgid_munged(current_user_ns(), group));
}
static DEVICE_ATTR_RO(group);

static struct attribute *vnl_tun_attrs[] = {
	&dev_attr_tun_flags.attr,
	&dev_attr_owner.attr,
	&dev_attr_group.attr,
	NULL
};

static const struct attribute_group vnl_tun_attr_group = {
	.attrs = vnl_tun_attrs,
};

/* Turn a freshly allocated vnl device (Ethernet, from vnl_dev_setup) into
 * a tun or a tap.  Frames go to userspace as they are, so the device
 * starts with no offloads: no partial checksums, no GSO super-frames,
 * until a program that reads vnet headers asks for them (TUNSETOFFLOAD,
 * vnet.c).  It does take frames in pieces (SG, FRAGLIST), as tun does:
 * read() copies them out piece by piece (skb_copy_datagram_iter), so the
 * core need not linearise a paged frame before queueing it.
 */
static void vnl_tun_setup(struct net_device *dev, unsigned int type)
{
	/* Made with the device's other sysfs files at registration. */
	dev->sysfs_groups[0] = &vnl_tun_attr_group;
	dev->features = NETIF_F_SG | NETIF_F_FRAGLIST;
	dev->hw_features = dev->features | VNL_TUN_OFFLOADS;
	dev->vlan_features = 0;
	vnl_compat_set_lltx(dev);
	dev->tx_queue_len = VNL_TUN_QUEUE_LEN;

	if (type == IFF_TUN) {
		/* Point-to-point, no link-layer header, no ARP. */
		dev->netdev_ops = &vnl_tun_netdev_ops;
		dev->header_ops = &ip_tunnel_header_ops;
		dev->type = ARPHRD_NONE;
		dev->hard_header_len = 0;
		dev->addr_len = 0;
		dev->flags = IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;
		dev->max_mtu = ETH_MAX_MTU;
		vnl_compat_xdp_set_features(dev, false);
	} else {
		dev->netdev_ops = &vnl_tap_netdev_ops;
		dev->max_mtu = ETH_MAX_MTU - ETH_HLEN;
		eth_hw_addr_random(dev);
		vnl_compat_xdp_set_features(dev, true);
	}
}

/* tun's rule: a device with an owner or a group admits only that user or
 * a member of that group, unless the caller may administer the netns.
 */
static bool vnl_tun_may_attach(struct net_device *dev)
{
	const struct cred *cred = current_cred();
	struct vnl_tun *tun = vnl_tun(dev);

	if ((uid_valid(tun->owner) && !uid_eq(cred->euid, tun->owner)) ||
	    (gid_valid(tun->group) && !in_egroup_p(tun->group)))
		return ns_capable(dev_net(dev)->user_ns, CAP_NET_ADMIN);
	return true;
}

static int vnl_tun_attach_existing(struct vnl_tfile *tfile,
				   struct net_device *dev, unsigned int flags)
{
	struct vnl_tun *tun = vnl_tun(dev);
	int err;

	if (!vnl_dev_takes_files(dev))
		return -EINVAL;
	if (flags & IFF_TUN_EXCL)
		return -EBUSY;
	if (vnl_macvtap_is_face(dev)) {
		err = vnl_macvtap_attach_check(dev, flags);
		if (err)
			return err;
		flags &= ~IFF_NAPI;
	} else if ((flags & VNL_TUN_TYPE_MASK) != (tun->flags & VNL_TUN_TYPE_MASK) ||
		   !!(flags & IFF_MULTI_QUEUE) != !!(tun->flags & IFF_MULTI_QUEUE)) {
		return -EINVAL;
	}
	if (!vnl_tun_may_attach(dev))
		return -EPERM;
	err = security_tun_dev_open(tun->security);
	if (err)
		return err;
	if (!(tun->flags & IFF_MULTI_QUEUE) && tun->numqueues)
		return -EBUSY;
	if (tun->numqueues + tun->numdetached >= VNL_TUN_MAX_QUEUES)
		return -E2BIG;

	err = vnl_tun_attach(dev, tfile, flags & IFF_NAPI);
	if (err)
		return err;

	/* As with tun, the latest TUNSETIFF decides the packet-information,
	 * NAPI and vnet-header settings of the device.
	 */
	tun->flags = (tun->flags & ~VNL_TUN_ATTACH_FLAGS) |
		     (flags & VNL_TUN_ATTACH_FLAGS);
	vnl_tun_after_attach(dev);
	return 0;
}

static int vnl_tun_create(struct vnl_tfile *tfile, struct ifreq *ifr,
			  unsigned int flags)
{
	unsigned int type = flags & VNL_TUN_TYPE_MASK;
	unsigned char assign = NET_NAME_USER;
	const char *name = ifr->ifr_name;
	struct net_device *dev;
	struct vnl_dev *vnl;
	int err;

	if (!ns_capable(tfile->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	err = security_tun_dev_create();
	if (err)
		return err;

	if (!*name) {
		name = type == IFF_TUN ? "tun%d" : "tap%d";
		assign = NET_NAME_ENUM;
	}
	if (!dev_valid_name(name))
		return -EINVAL;

	dev = alloc_netdev_mqs(sizeof(struct vnl_dev), name, assign,
			       vnl_dev_setup, VNL_TUN_MAX_QUEUES,
			       VNL_TUN_MAX_QUEUES);
	if (!dev)
		return -ENOMEM;

	vnl = netdev_priv(dev);
	vnl->kind = type == IFF_TUN ? VNL_KIND_TUN : VNL_KIND_TAP;
	vnl->ops = &vnl_tun_kind_ops;
	vnl->tun.flags = flags & VNL_TUN_DEV_FLAGS;
	vnl->tun.vnet_hdr_sz = sizeof(struct virtio_net_hdr);
	vnl->tun.owner = INVALID_UID;
	vnl->tun.group = INVALID_GID;
	INIT_LIST_HEAD(&vnl->tun.detached);
	vnl_tun_setup(dev, type);
	dev_net_set(dev, tfile->net);

	err = register_netdevice(dev);
	if (err)
		goto err_free_dev;

	err = vnl_tun_attach(dev, tfile, flags & IFF_NAPI);
	if (err)
		goto err_unregister;

	if (flags & IFF_NO_CARRIER)
		netif_carrier_off(dev);
	else
		netif_carrier_on(dev);

	vnl_genl_announce(dev);
	strscpy(ifr->ifr_name, dev->name, IFNAMSIZ);
	return 0;

err_unregister:
	/* needs_free_netdev: the core frees it once unregistered. */
	unregister_netdevice(dev);
	return err;
err_free_dev:
	free_netdev(dev);
	return err;
}

/* TUNSETIFF on a file that is not attached yet: attach to the device of
 * that name in the opener's netns, or create it.  Caller holds RTNL.
 */
int vnl_tun_set_iff(struct vnl_tfile *tfile, struct ifreq *ifr)
{
	unsigned int flags = (u16)ifr->ifr_flags;
	unsigned int type = flags & VNL_TUN_TYPE_MASK;
	struct net_device *dev = NULL;

	ASSERT_RTNL();
	if (flags & ~VNL_TUN_FEATURES)
		return -EINVAL;
	if (type != IFF_TUN && type != IFF_TAP)
		return -EINVAL;
	if (rtnl_dereference(tfile->dev))
		return -EEXIST;
	if (tfile->owner_dev || tfile->gone)
		return -EINVAL;

	ifr->ifr_name[IFNAMSIZ - 1] = '\0';
	if (ifr->ifr_name[0])
		dev = __dev_get_by_name(tfile->net, ifr->ifr_name);
	if (dev)
		return vnl_tun_attach_existing(tfile, dev, flags);
	return vnl_tun_create(tfile, ifr, flags);
}

static int vnl_tun_reattach(struct vnl_tfile *tfile)
{
	struct net_device *dev = tfile->owner_dev;
	struct vnl_tun *tun;
	int err;

	if (!dev || rtnl_dereference(tfile->dev))
		return -EINVAL;
	tun = vnl_tun(dev);
	if (!vnl_tun_may_attach(dev))
		return -EPERM;
	err = security_tun_dev_attach_queue(tun->security);
	if (err)
		return err;

	err = vnl_tun_attach(dev, tfile, tun->flags & IFF_NAPI);
	if (err)
		return err;
	list_del_init(&tfile->detached_node);
	tun->numdetached--;
	vnl_tun_after_attach(dev);
	return 0;
}

/* TUNSETQUEUE: a queue of a multi-queue device steps out (its file stays
 * the device's, but gets no frames) or back in.  Caller holds RTNL.
 */
int vnl_tun_set_queue(struct vnl_tfile *tfile, struct ifreq *ifr)
{
	struct net_device *dev = tfile->owner_dev;
	struct vnl_tun *tun;

	ASSERT_RTNL();
	if (!dev || !(vnl_tun(dev)->flags & IFF_MULTI_QUEUE))
		return -EINVAL;
	tun = vnl_tun(dev);

	if (ifr->ifr_flags & IFF_ATTACH_QUEUE)
		return vnl_tun_reattach(tfile);

	if (!(ifr->ifr_flags & IFF_DETACH_QUEUE) ||
	    !rtnl_dereference(tfile->dev))
		return -EINVAL;

	vnl_tun_detach(dev, tfile, EPOLLERR);
	list_add_tail(&tfile->detached_node, &tun->detached);
	tun->numdetached++;
	return 0;
}

/* The file is closing.  A device left without files is deleted unless it
 * is persistent.
 */
void vnl_tun_release(struct vnl_tfile *tfile)
{
	struct net_device *dev;
	struct vnl_tun *tun;

	rtnl_lock();
	dev = tfile->owner_dev;
	if (dev) {
		tun = vnl_tun(dev);
		if (rtnl_dereference(tfile->dev)) {
			vnl_tun_detach(dev, tfile, EPOLLERR | EPOLLHUP);
		} else {
			list_del_init(&tfile->detached_node);
			tun->numdetached--;
		}
		tfile->owner_dev = NULL;

		/* A tap face lives as long as its child, files or not. */
		if (!tun->numqueues && !tun->numdetached &&
		    !(tun->flags & IFF_PERSIST) && vnl_dev_is_tun(dev))
			unregister_netdevice(dev);
	}
	rtnl_unlock();
}

/* The whole ifreq goes back to userspace: every byte is set, so that no
 * stack contents leak through the union or past the name.
 */
void vnl_tun_get_iff(struct net_device *dev, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	strscpy(ifr->ifr_name, dev->name, IFNAMSIZ);
	ifr->ifr_flags = vnl_tun(dev)->flags & VNL_TUN_DEV_FLAGS;
}

/* TUNSETPERSIST.  A persistent device outlives its files, so, as tun
 * does, it holds a reference on the module: "rmmod vnl" is refused ("in
 * use") rather than silently deleting a device that tunctl or
 * "vnlctl add tap" made to last.  Deleting the device (ip link del,
 * vnlctl del, its netns going) or TUNSETPERSIST 0 lets go of it
 * (vnl_tun_uninit).  RTNL.
 */
int vnl_tun_set_persist(struct net_device *dev, bool persist)
{
	struct vnl_tun *tun = vnl_tun(dev);
	bool was = tun->flags & IFF_PERSIST;

	/* A tap face persists as its child does, and cannot stop to. */
	if (vnl_macvtap_is_face(dev))
		return persist ? 0 : -EINVAL;
	if (persist && !was) {
		__module_get(THIS_MODULE);
		tun->flags |= IFF_PERSIST;
	} else if (!persist && was) {
		tun->flags &= ~IFF_PERSIST;
		module_put(THIS_MODULE);
	}
	return 0;
}

int vnl_tun_set_owner(struct net_device *dev, uid_t uid)
{
	kuid_t owner = make_kuid(current_user_ns(), uid);

	if (!uid_valid(owner))
		return -EINVAL;
	vnl_tun(dev)->owner = owner;
	return 0;
}

int vnl_tun_set_group(struct net_device *dev, gid_t gid)
{
	kgid_t group = make_kgid(current_user_ns(), gid);

	if (!gid_valid(group))
		return -EINVAL;
	vnl_tun(dev)->group = group;
	return 0;
}

/* TUNSETCARRIER.  A tap face's carrier follows its parent and its files
 * (macvtap.c:vnl_macvtap_carrier): not the program's to set.
 */
int vnl_tun_set_carrier(struct net_device *dev, bool on)
{
	if (vnl_macvtap_is_face(dev))
		return -EINVAL;
	if (on)
		netif_carrier_on(dev);
	else
		netif_carrier_off(dev);
	return 0;
}

/* read(): one frame, packet information first unless IFF_NO_PI, then the
 * vnet header with IFF_VNET_HDR (vnet.c).  A short buffer gets the frame
 * truncated (and TUN_PKT_STRIP in the packet information), as with tun;
 * the rest of the frame is lost.  A buffer without room for the packet
 * information and the vnet header gets EINVAL, as with tun, and the
 * caller drops the frame.  A GSO super-frame is read whole, its header
 * saying how to cut it.
 */
ssize_t vnl_tun_put_frame(struct net_device *dev, struct sk_buff *skb,
			  struct iov_iter *to)
{
	unsigned int flags = READ_ONCE(vnl_tun(dev)->flags);
	size_t vnet_sz = vnl_vnet_hdr_size(dev, flags);
	size_t avail = iov_iter_count(to);
	size_t len = skb->len;
	size_t total = 0;
	int err;

	if (!(flags & IFF_NO_PI)) {
		struct tun_pi pi = { .proto = skb->protocol };

		if (avail < sizeof(pi))
			return -EINVAL;
		avail -= sizeof(pi);
		if (avail < vnet_sz + len)
			pi.flags |= TUN_PKT_STRIP;
		if (copy_to_iter(&pi, sizeof(pi), to) != sizeof(pi))
			return -EFAULT;
		total = sizeof(pi);
	}
	if (vnet_sz) {
		err = vnl_vnet_put_hdr(dev, skb, vnet_sz, to);
		if (err)
			return err;
		avail -= vnet_sz;
		total += vnet_sz;
	}

	len = min(len, avail);
	if (skb_copy_datagram_iter(skb, 0, to, len))
		return -EFAULT;

	/* A tun/tap transmitted the frame; a tap face's child received it,
	 * and was counted when it did (port.c).
	 */
	if (!vnl_macvtap_is_face(dev))
		vnl_tun_count_tx(dev, skb->len);
	return total + len;
}

/* What read() gives of @skb when the buffer has room for all of it: the
 * packet information, the vnet header and the frame (batch.c sizes its
 * records by it).
 */
size_t vnl_tun_frame_size(struct net_device *dev, const struct sk_buff *skb)
{
	unsigned int flags = READ_ONCE(vnl_tun(dev)->flags);

	return (flags & IFF_NO_PI ? 0 : sizeof(struct tun_pi)) +
	       vnl_vnet_hdr_size(dev, flags) + skb->len;
}

/* The protocol of an L3 frame without packet information: from the IP
 * version in its first nibble.
 */
static __be16 vnl_tun_guess_proto(const struct sk_buff *skb)
{
	switch (skb->data[0] >> 4) {
	case 4:
		return htons(ETH_P_IP);
	case 6:
		return htons(ETH_P_IPV6);
	default:
		return 0;
	}
}

/* The length of a written frame, link-layer header included, as write()
 * was given it after any packet information and vnet header: the headers
 * are set (vnl_tun_set_headers), so a tap frame's Ethernet header lies
 * before skb->data.
 */
static unsigned int vnl_tun_written_len(const struct sk_buff *skb)
{
	return skb->len - skb_mac_offset(skb);
}

/* Hand a built frame to the stack and count it, unless the file stopped
 * being a queue of @dev meanwhile (the RCU check pairs with
 * synchronize_net() in vnl_tun_detach, after which no frame can reach a
 * retired queue): the writer then learns it, and nothing is counted.
 *
 * Without IFF_NAPI the frame is received right here, in the writer's
 * context with bottom halves off (the receive path expects softirq
 * context), as tun does: no backlog, so no backlog_full drop, and the
 * stack has answered before write() returns.  Going through netif_rx()
 * instead cost TCP through a forwarder about a fifth of its throughput
 * on a busy two-CPU guest (Documentation/tun.md, "Writing").  With
 * IFF_NAPI the frame joins the file's NAPI queue and is polled, with
 * GRO, when bottom halves come back on.  Either way it is counted
 * before it is handed over: once handed over, it may be freed.
 */
/* What the stack reads before anything else: the protocol, the device and
 * where the headers start.  A tap frame says it all in its Ethernet header
 * (eth_type_trans); a tun frame has the packet information's protocol, or
 * the IP version of its first byte, and no link-layer header at all.
 */
static int vnl_tun_set_headers(struct net_device *dev, struct sk_buff *skb,
			       __be16 pi_proto)
{
	/* A tap face's frame is transmitted: it starts at its Ethernet
	 * header, as dev_queue_xmit() wants it.
	 */
	if (vnl_macvtap_is_face(dev)) {
		/* First: the flow dissector finds the netns by the device. */
		skb->dev = dev;
		skb_reset_mac_header(skb);
		skb->protocol = eth_hdr(skb)->h_proto;
		/* Where a GSO frame's segmentation starts cutting. */
		skb_set_network_header(skb, ETH_HLEN);
		skb_probe_transport_header(skb);
		return 0;
	}
	if (vnl_tun(dev)->flags & IFF_TAP) {
		skb->protocol = eth_type_trans(skb, dev);
		return 0;
	}

	skb->protocol = pi_proto ?: vnl_tun_guess_proto(skb);
	if (!skb->protocol)
		return -EINVAL;
	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	return 0;
}

/* A program on the device (xdp.c) sees each written frame before the
 * stack: what it passes comes back as a new skb, whose headers are set
 * again; NULL if it went elsewhere or was dropped.
 */
static struct sk_buff *vnl_tun_run_xdp(struct vnl_tfile *tfile,
				       struct net_device *dev,
				       struct sk_buff *skb)
{
	__be16 proto = skb->protocol;

	skb = vnl_xdp_tun_rx(dev, skb, tfile->index);
	if (skb && vnl_tun_set_headers(dev, skb, proto)) {
		vnl_tun_drop(dev, skb, VNL_DROP_BAD_WRITE, true);
		return NULL;
	}
	return skb;
}

static int vnl_tun_deliver(struct vnl_tfile *tfile, struct net_device *dev,
			   struct sk_buff *skb)
{
	unsigned int len = vnl_tun_written_len(skb);
	int err = 0;

	rcu_read_lock();
	if (rcu_dereference(tfile->dev) != dev) {
		kfree_skb(skb);
		err = -EBADFD;
		goto out;
	}
	trace_vnl_tun_write(dev, skb, tfile->index);
	local_bh_disable();
	if (vnl_macvtap_is_face(dev)) {
		/* The child's transmit counts it. */
		vnl_macvtap_xmit(dev, skb);
		goto done;
	}
	vnl_dev_count_rx(dev, len);
	if (vnl_xdp_tun_has_prog(dev)) {
		skb = vnl_tun_run_xdp(tfile, dev, skb);
		if (!skb)
			goto done;
	}
	if (tfile->napi_added) {
		skb_queue_tail(&tfile->napi_q, skb);
		napi_schedule(&tfile->napi);
	} else {
		netif_receive_skb(skb);
	}
done:
	/* The NET_RX softirq napi_schedule() raised runs here. */
	local_bh_enable();
	atomic64_inc(&tfile->written);
out:
	rcu_read_unlock();
	return err;
}

/* The frames of one batched write() (batch.c), built, in order: traced,
 * counted and handed over together, with the same attachment check as
 * vnl_tun_deliver.  @frames is empty on return.
 *
 * Without IFF_NAPI the list goes up in one netif_receive_skb_list(), in
 * the writer's context with bottom halves off, as a single frame does
 * (vnl_tun_deliver): IP gets them as a list too (ip_list_rcv).  With RPS
 * the core may queue them to another CPU's backlog, and counts what that
 * refuses in rx_dropped itself.  With IFF_NAPI the list joins the file's
 * NAPI queue in one splice, under its lock, and is polled in one go.
 * Either way every frame is counted as received before it is handed
 * over: once handed over, it may be freed.
 */
int vnl_tun_deliver_batch(struct vnl_tfile *tfile, struct net_device *dev,
			  struct sk_buff_head *frames)
{
	unsigned int n = skb_queue_len(frames);
	struct sk_buff *skb, *next;
	unsigned long flags;
	LIST_HEAD(rx);
	bool xdp;

	rcu_read_lock();
	if (rcu_dereference(tfile->dev) != dev) {
		rcu_read_unlock();
		__skb_queue_purge(frames);
		return -EBADFD;
	}

	local_bh_disable();
	if (vnl_macvtap_is_face(dev)) {
		/* Each through the child's transmit, which counts it. */
		while ((skb = __skb_dequeue(frames))) {
			trace_vnl_tun_write(dev, skb, tfile->index);
			vnl_macvtap_xmit(dev, skb);
		}
		goto done;
	}
	xdp = vnl_xdp_tun_has_prog(dev);
	skb_queue_walk_safe(frames, skb, next) {
		trace_vnl_tun_write(dev, skb, tfile->index);
		vnl_dev_count_rx(dev, vnl_tun_written_len(skb));
		if (xdp) {
			/* What the program passes takes the frame's place. */
			__skb_unlink(skb, frames);
			skb = vnl_tun_run_xdp(tfile, dev, skb);
			if (skb)
				__skb_queue_before(frames, next, skb);
		}
	}
	if (tfile->napi_added) {
		spin_lock_irqsave(&tfile->napi_q.lock, flags);
		skb_queue_splice_tail_init(frames, &tfile->napi_q);
		spin_unlock_irqrestore(&tfile->napi_q.lock, flags);
		napi_schedule(&tfile->napi);
	} else {
		while ((skb = __skb_dequeue(frames)))
			list_add_tail(&skb->list, &rx);
		netif_receive_skb_list(&rx);
	}
done:
	/* The NET_RX softirq napi_schedule() raised runs here. */
	local_bh_enable();

	atomic64_add(n, &tfile->written);
	rcu_read_unlock();
	return 0;
}

/* Headroom in a written frame's skb, for whoever forwards the frame and
 * adds a header.
 */
#define VNL_TUN_PAD	(NET_SKB_PAD + NET_IP_ALIGN)

/* An skb for a written frame of @len bytes too long for a page fragment
 * (vnl_tun_copy_small): in its head the @head bytes of headers a vnet
 * header said the frame has (the stack pulls any more it needs), or if
 * it said nothing a page's worth; the rest in pages of up to 32 KiB
 * (PAGE_ALLOC_COSTLY_ORDER, falling back to smaller ones when memory is
 * fragmented), as tun does.  A 64 KiB super-packet is then a few
 * fragments, each zeroed once by init_on_alloc, not a 4 KiB kmalloc'd
 * head and sixteen pages.
 */
static struct sk_buff *vnl_tun_alloc_skb(size_t len, size_t head)
{
	size_t linear = min_t(size_t, head ?: len, SKB_MAX_HEAD(VNL_TUN_PAD));
	struct sk_buff *skb;
	int err;

	skb = alloc_skb_with_frags(VNL_TUN_PAD + linear, len - linear,
				   PAGE_ALLOC_COSTLY_ORDER, &err, GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, VNL_TUN_PAD);
	skb_put(skb, linear);
	skb->data_len = len - linear;
	skb->len += len - linear;
	return skb;
}

/* The length policy of write(), for the frame after any packet
 * information: not shorter than the link-layer header (one byte for tun),
 * not longer than 64 KiB - 1, a tun's or tap's largest MTU plus its
 * header.  The MTU itself bounds what the stack sends, not what arrives:
 * as on tun (and on a NIC, which takes a VLAN tag beyond it), a longer
 * frame goes to the stack, whose layers decide what they take; a tap
 * face's goes to its child's transmit, which drops what its parent
 * cannot send (too_big).  The bound is a constant, not the device's
 * max_mtu: a face's child has its parent's, and a dummy's is 0, "no
 * limit".
 */
static bool vnl_tun_frame_len_ok(const struct net_device *dev, size_t len)
{
	return len >= max_t(size_t, dev->hard_header_len, 1) &&
	       len <= ETH_MAX_MTU;
}

/* A frame that fits in one page with its headroom and the skb's shared
 * info (any frame of a 1500-byte MTU) is copied into a page fragment of
 * this CPU's cache (of the file's own page in a batched write,
 * batch.c:vnl_batch_frag) and an skb built around it: one slab allocation, the
 * sk_buff, instead of two, and no kmalloc'd head for init_on_alloc to
 * zero: while the frames of one page are freed before the cache runs out
 * of it, the page is reused as it is.  Worth 1.3x tun's rate with one
 * packet in flight (Documentation/testing.md, "tun"); tun does it only
 * for taps written with O_NONBLOCK.  The copy may fault and sleep: the
 * fragment is this skb's alone, whichever CPU it ends on.
 */
static struct sk_buff *vnl_tun_copy_small(struct iov_iter *from, size_t len,
					  unsigned int size,
					  struct vnl_tfile *frags)
{
	struct sk_buff *skb;
	void *data;

	data = frags ? vnl_batch_frag(frags, size) : netdev_alloc_frag(size);
	if (!data)
		return ERR_PTR(-ENOMEM);
	if (!copy_from_iter_full(data + VNL_TUN_PAD, len, from)) {
		skb_free_frag(data);
		return ERR_PTR(-EFAULT);
	}
	skb = build_skb(data, size);
	if (!skb) {
		skb_free_frag(data);
		return ERR_PTR(-ENOMEM);
	}
	skb_reserve(skb, VNL_TUN_PAD);
	skb_put(skb, len);
	return skb;
}

/* The frame's bytes, from the program's memory into a new skb; a small
 * one into a fragment of @frags's page (a batched write, batch.c) or, if
 * NULL, of this CPU's cache; a longer one with its first @head bytes in
 * the skb's head (vnl_tun_alloc_skb).
 */
static struct sk_buff *vnl_tun_copy_frame(struct iov_iter *from, size_t len,
					  struct vnl_tfile *frags, size_t head)
{
	unsigned int size = SKB_DATA_ALIGN(VNL_TUN_PAD + len) +
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct sk_buff *skb;

	if (size <= PAGE_SIZE)
		return vnl_tun_copy_small(from, len, size, frags);

	skb = vnl_tun_alloc_skb(len, head);
	if (!skb)
		return ERR_PTR(-ENOMEM);
	if (skb_copy_datagram_from_iter(skb, 0, from, len)) {
		kfree_skb(skb);
		return ERR_PTR(-EFAULT);
	}
	return skb;
}

/* A written frame is a tun/tap's receive, as on tun, and a tap face's
 * transmit (its child sends it): where its drops count.
 */
static bool vnl_tun_write_is_rx(struct net_device *dev)
{
	return !vnl_macvtap_is_face(dev);
}

/* A frame the device refuses is the device's rx_drops, as on tun (a tap
 * face's tx_drops).
 */
static ssize_t vnl_tun_refuse(struct net_device *dev, size_t len)
{
	vnl_drop_count(dev, len, 0, VNL_DROP_BAD_WRITE, vnl_tun_write_is_rx(dev));
	return -EINVAL;
}

/* One whole frame from the program, as write() takes it, into an skb the
 * stack can receive: the packet information (unless IFF_NO_PI), the vnet
 * header (IFF_VNET_HDR), the length policy, a copy into an skb, the vnet
 * header applied to it, its headers.  @from holds the frame and nothing
 * else.  A frame that is refused is a bad_write drop (EINVAL), as is an
 * skb that cannot be had a nomem one (ENOMEM); EFAULT for memory that
 * cannot be read.  @frags: the file of a batched write, whose page small
 * frames are carved from (batch.c:vnl_batch_frag), or NULL.  Caller holds
 * a reference on @dev; the copy may sleep on a page fault.
 */
struct sk_buff *vnl_tun_build_frame(struct net_device *dev,
				    struct iov_iter *from,
				    struct vnl_tfile *frags)
{
	unsigned int flags = READ_ONCE(vnl_tun(dev)->flags);
	size_t pi_len = flags & IFF_NO_PI ? 0 : sizeof(struct tun_pi);
	size_t vnet_sz = vnl_vnet_hdr_size(dev, flags);
	size_t total = iov_iter_count(from);
	struct virtio_net_hdr vnet = {};
	struct tun_pi pi = { .proto = 0 };
	struct sk_buff *skb;
	size_t len, head = 0;
	int err;

	/* The packet information first, as tun reads it: a program whose
	 * buffer is not readable learns that (EFAULT) before anything else.
	 */
	if (total < pi_len)
		return ERR_PTR(vnl_tun_refuse(dev, total));
	if (pi_len && !copy_from_iter_full(&pi, pi_len, from))
		return ERR_PTR(-EFAULT);
	len = total - pi_len;
	if (vnet_sz) {
		err = vnl_vnet_get_hdr(dev, flags, vnet_sz, from, &len, &vnet,
				       &head);
		if (err == -EINVAL)
			return ERR_PTR(vnl_tun_refuse(dev, len));
		if (err)
			return ERR_PTR(err);
	}
	if (!vnl_tun_frame_len_ok(dev, len))
		return ERR_PTR(vnl_tun_refuse(dev, len));

	skb = vnl_tun_copy_frame(from, len, frags, head);
	if (IS_ERR(skb)) {
		if (PTR_ERR(skb) == -ENOMEM)
			vnl_drop_count(dev, len, pi.proto, VNL_DROP_NOMEM,
				       vnl_tun_write_is_rx(dev));
		return skb;
	}

	if ((vnet_sz && vnl_vnet_hdr_to_skb(dev, skb, &vnet)) ||
	    vnl_tun_set_headers(dev, skb, pi.proto)) {
		vnl_tun_drop(dev, skb, VNL_DROP_BAD_WRITE,
			     vnl_tun_write_is_rx(dev));
		return ERR_PTR(-EINVAL);
	}
	return skb;
}

/* write(): one whole frame from the program, received by the stack as if
 * it came from a wire (vnl_tun_build_frame, then vnl_tun_deliver).  A
 * frame that is refused reaches nothing.  Caller holds a reference on
 * @dev.
 */
ssize_t vnl_tun_get_frame(struct vnl_tfile *tfile, struct net_device *dev,
			  struct iov_iter *from)
{
	size_t total = iov_iter_count(from);
	struct sk_buff *skb;
	int err;

	if (!netif_running(dev))
		return -EIO;

	skb = vnl_tun_build_frame(dev, from, NULL);
	if (IS_ERR(skb))
		return PTR_ERR(skb);

	err = vnl_tun_deliver(tfile, dev, skb);
	if (err)
		return err;
	return total;
}
