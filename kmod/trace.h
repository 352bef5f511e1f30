/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vnl trace system: /sys/kernel/tracing/events/vnl/.  One event per
 * step of each data path (Documentation/trace.md draws the paths), all of
 * one class, and vnl_drop for every drop (drop.c).  An event costs a
 * static branch while it is off; the summary of the headers is only
 * worked out when it is on.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vnl

#if !defined(_VNL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VNL_TRACE_H

#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tracepoint.h>
#include <net/net_namespace.h>
#include <uapi/linux/bpf.h>

/* Declared once, though this header is read several times. */
#ifndef _VNL_TRACE_HELPERS
#define _VNL_TRACE_HELPERS
#define VNL_TRACE_SUMMARY_LEN 100
void vnl_trace_eth_addrs(const struct net_device *dev,
			 const struct sk_buff *skb, u8 *h_dest, u8 *h_source);
void vnl_trace_summarize(const struct net_device *dev,
			 const struct sk_buff *skb, char *buf, size_t size);
#endif

/* A frame at one step of a path: where it is (device, its ifindex and
 * netns, a tun/tap queue or -1), what it is (length, protocol, Ethernet
 * addresses where the device has them, a short L3/L4 summary).
 */
DECLARE_EVENT_CLASS(vnl_packet,
		    TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
			     int queue),

		    TP_ARGS(dev, skb, queue),

		    TP_STRUCT__entry(__array(char, name, IFNAMSIZ)
			    __field(int, ifindex)
			    __field(unsigned int, netns)
			    __field(unsigned int, len)
			    __field(u16, proto)
			    __field(int, queue)
			    __array(u8, h_dest, ETH_ALEN)
			    __array(u8, h_source, ETH_ALEN)
			    __array(char, summary, VNL_TRACE_SUMMARY_LEN)
		    ),

		    TP_fast_assign(memcpy(__entry->name, dev->name, IFNAMSIZ);
			    __entry->ifindex = dev->ifindex;
			    __entry->netns = dev_net(dev)->ns.inum;
			    __entry->len = skb->len;
			    __entry->proto = ntohs(skb->protocol);
			    __entry->queue = queue;
			    vnl_trace_eth_addrs(dev, skb, __entry->h_dest,
						__entry->h_source);
			    vnl_trace_summarize(dev, skb, __entry->summary,
						VNL_TRACE_SUMMARY_LEN);
		    ),

		    TP_printk("dev=%s ifindex=%d netns=%u len=%u proto=0x%04x queue=%d %pM > %pM %s",
			      __entry->name, __entry->ifindex, __entry->netns,
			      __entry->len, __entry->proto, __entry->queue,
			      __entry->h_source, __entry->h_dest, __entry->summary)
);

/* pair.c: a pair end's transmit, and the peer's receive. */
DEFINE_EVENT(vnl_packet, vnl_pair_xmit,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_pair_rx,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

/* tun.c, chardev.c: a tun/tap queue's enqueue, read() and write(). */
DEFINE_EVENT(vnl_packet, vnl_tun_enqueue,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_tun_read,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_tun_write,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

/* port.c: the parent's receive handler looks the destination up, hands
 * the frame to a child, or sends a child's frame back (hairpin).
 */
DEFINE_EVENT(vnl_packet, vnl_demux_lookup,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_demux_deliver,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_demux_hairpin,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

/* port.c, demux.c: a broadcast queued for the flood work, and each copy
 * the work hands a child.
 */
DEFINE_EVENT(vnl_packet, vnl_flood_queue,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_flood_deliver,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

/* demux.c: a child's transmit, to a sibling (bridge mode) or the parent. */
DEFINE_EVENT(vnl_packet, vnl_child_to_sibling,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

DEFINE_EVENT(vnl_packet, vnl_child_to_parent,
	     TP_PROTO(const struct net_device *dev, const struct sk_buff *skb,
		      int queue),
	     TP_ARGS(dev, skb, queue));

/* xdp.c: a pair end's program ran on a frame; its verdict.  The enum's
 * values are exported so that perf and trace-cmd can print their names.
 */
TRACE_DEFINE_ENUM(XDP_ABORTED);
TRACE_DEFINE_ENUM(XDP_DROP);
TRACE_DEFINE_ENUM(XDP_PASS);
TRACE_DEFINE_ENUM(XDP_TX);
TRACE_DEFINE_ENUM(XDP_REDIRECT);

TRACE_EVENT(vnl_xdp,
	    TP_PROTO(const struct net_device *dev, unsigned int len, __be16 proto,
		     u32 act),

	    TP_ARGS(dev, len, proto, act),

	    TP_STRUCT__entry(__array(char, name, IFNAMSIZ)
		    __field(int, ifindex)
		    __field(unsigned int, netns)
		    __field(unsigned int, len)
		    __field(u16, proto)
		    __field(u32, act)
	    ),

	    TP_fast_assign(memcpy(__entry->name, dev->name, IFNAMSIZ);
		    __entry->ifindex = dev->ifindex;
		    __entry->netns = dev_net(dev)->ns.inum;
		    __entry->len = len;
		    __entry->proto = ntohs(proto);
		    __entry->act = act;
	    ),

	    TP_printk("dev=%s ifindex=%d netns=%u len=%u proto=0x%04x act=%s",
		      __entry->name, __entry->ifindex, __entry->netns,
		      __entry->len, __entry->proto,
		      __print_symbolic(__entry->act,
				       { XDP_ABORTED, "ABORTED" },
				       { XDP_DROP, "DROP" },
				       { XDP_PASS, "PASS" },
				       { XDP_TX, "TX" },
				       { XDP_REDIRECT, "REDIRECT" }))
);

/* drop.c: a frame vnl dropped, and why (enum vnl_drop_reason's name). */
TRACE_EVENT(vnl_drop,
	    TP_PROTO(const struct net_device *dev, unsigned int len, __be16 proto,
		     const char *reason),

	    TP_ARGS(dev, len, proto, reason),

	    TP_STRUCT__entry(__array(char, name, IFNAMSIZ)
		    __field(int, ifindex)
		    __field(unsigned int, netns)
		    __field(unsigned int, len)
		    __field(u16, proto)
		    __array(char, reason, 20)
	    ),

	    TP_fast_assign(memcpy(__entry->name, dev->name, IFNAMSIZ);
		    __entry->ifindex = dev->ifindex;
		    __entry->netns = dev_net(dev)->ns.inum;
		    __entry->len = len;
		    __entry->proto = ntohs(proto);
		    strscpy(__entry->reason, reason, sizeof(__entry->reason));
	    ),

	    TP_printk("dev=%s ifindex=%d netns=%u len=%u proto=0x%04x reason=%s",
		      __entry->name, __entry->ifindex, __entry->netns,
		      __entry->len, __entry->proto, __entry->reason)
);

#endif /* _VNL_TRACE_H */

/* Where <trace/define_trace.h> finds this file again (Kbuild adds the
 * directory to trace.o's include path).
 */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
