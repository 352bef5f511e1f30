// SPDX-License-Identifier: GPL-2.0
/*
 * Drops: every frame vnl throws away goes through one of the helpers here,
 * which count it twice (the device's rx_drops or tx_drops, and the counter
 * of its reason: vnlctl stats, ethtool -S), fire the vnl:vnl_drop trace
 * event and free it with the core's matching SKB_DROP_REASON_*, so that
 * perf, dropwatch and the skb:kfree_skb event say why as well.
 */
#include "vnl.h"
#include "trace.h"

static const char * const vnl_drop_names[__VNL_DROP_MAX] = {
	[VNL_DROP_PEER_DOWN]	 = "peer_down",
	[VNL_DROP_TOO_BIG]	 = "too_big",
	[VNL_DROP_BACKLOG_FULL]	 = "backlog_full",
	[VNL_DROP_NO_READER]	 = "no_reader",
	[VNL_DROP_QUEUE_FULL]	 = "queue_full",
	[VNL_DROP_UNREAD]	 = "unread",
	[VNL_DROP_BAD_WRITE]	 = "bad_write",
	[VNL_DROP_CHILD_DOWN]	 = "child_down",
	[VNL_DROP_MODE]		 = "mode",
	[VNL_DROP_PARENT]	 = "parent",
	[VNL_DROP_BC_QUEUE_FULL] = "bc_queue_full",
	[VNL_DROP_NOMEM]	 = "nomem",
	[VNL_DROP_RING_FULL]	 = "ring_full",
	[VNL_DROP_XDP_DROP]	 = "xdp_drop",
	[VNL_DROP_XDP_ABORTED]	 = "xdp_aborted",
	[VNL_DROP_XDP_TX_ERR]	 = "xdp_tx_err",
	[VNL_DROP_XDP_REDIRECT_ERR] = "xdp_redirect_err",
};

/* The name of a reason, as vnlctl, ethtool -S and the trace event show it. */
const char *vnl_drop_name(enum vnl_drop_reason why)
{
	if (why <= VNL_DROP_PAD || why > VNL_DROP_MAX)
		return "unknown";
	return vnl_drop_names[why];
}

/* Count one drop on @dev.  Drops happen in softirq (transmit, receive)
 * and in process context (write(), read(), a queue's release): bottom
 * halves go off so that this CPU's counters have one writer at a time.
 *
 * A full backlog is the one drop the core counts too (enqueue_to_backlog
 * adds it to the device's core rx_dropped, which `ip -s link` adds to
 * ours): vnl_dev_get_stats64 takes it out again.
 */
static void vnl_drop_account(struct net_device *dev,
			     enum vnl_drop_reason why, bool rx)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct vnl_pcpu_stats *s;

	local_bh_disable();
	s = this_cpu_ptr(vnl->stats);
	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(rx ? &s->rx_drops : &s->tx_drops);
	u64_stats_inc(&s->drops[why]);
	u64_stats_update_end(&s->syncp);
	local_bh_enable();
}

/* A drop of a frame vnl has no skb for (or no longer has): counted and
 * traced with what is known of it.  @rx: on the receive side of @dev.
 */
void vnl_drop_count(struct net_device *dev, unsigned int len, __be16 proto,
		    enum vnl_drop_reason why, bool rx)
{
	trace_vnl_drop(dev, len, proto, vnl_drop_name(why));
	vnl_drop_account(dev, why, rx);
}

/* Free @skb, dropped for @why, without counting it on any vnl device (a
 * drop the port counts for all its children: bc_drops).
 */
void vnl_drop_free(struct net_device *dev, struct sk_buff *skb,
		   enum vnl_drop_reason why)
{
	trace_vnl_drop(dev, skb->len, skb->protocol, vnl_drop_name(why));
	vnl_compat_kfree_skb_reason(skb, why);
}

/* @skb was on its way in to @dev (from a peer, a parent, write()). */
void vnl_drop_rx(struct net_device *dev, struct sk_buff *skb,
		 enum vnl_drop_reason why)
{
	vnl_drop_free(dev, skb, why);
	vnl_drop_account(dev, why, true);
}

/* @skb was on its way out of @dev (ndo_start_xmit, a queue for read()). */
void vnl_drop_tx(struct net_device *dev, struct sk_buff *skb,
		 enum vnl_drop_reason why)
{
	vnl_drop_free(dev, skb, why);
	vnl_drop_account(dev, why, false);
}
