// SPDX-License-Identifier: GPL-2.0
/*
 * The vnl trace events (trace.h) are created here, with the helpers that
 * fill them: a frame's Ethernet addresses and a one-line summary of its
 * L3/L4 headers, as tcpdump would print them.  Both only run while an
 * event is on, and only read: a frame's headers may lie in its pages, so
 * they are copied out with skb_header_pointer(), never assumed linear.
 */
#include <linux/etherdevice.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>

#define CREATE_TRACE_POINTS
#include "trace.h"

/* The frame's Ethernet header, or NULL when @dev has none (tun) or it is
 * not in the skb's head.  On the receive side the header was pulled
 * already: it lies before skb->data.
 */
static const struct ethhdr *vnl_trace_eth(const struct net_device *dev,
					  const struct sk_buff *skb)
{
	const unsigned char *mac;

	if (dev->type != ARPHRD_ETHER || !skb_mac_header_was_set(skb))
		return NULL;
	mac = skb_mac_header(skb);
	if (mac < skb->head || mac + ETH_HLEN > skb_tail_pointer(skb))
		return NULL;
	return (const struct ethhdr *)mac;
}

void vnl_trace_eth_addrs(const struct net_device *dev,
			 const struct sk_buff *skb, u8 *h_dest, u8 *h_source)
{
	const struct ethhdr *eth = vnl_trace_eth(dev, skb);

	if (!eth) {
		eth_zero_addr(h_dest);
		eth_zero_addr(h_source);
		return;
	}
	ether_addr_copy(h_dest, eth->h_dest);
	ether_addr_copy(h_source, eth->h_source);
}

/* @len bytes at @off from skb->data (negative: in the pulled headers),
 * copied to @buf if they are not in one piece; NULL if the frame is
 * shorter.
 */
static const void *vnl_trace_bytes(const struct sk_buff *skb, int off,
				   int len, void *buf)
{
	if (off >= 0)
		return skb_header_pointer(skb, off, len, buf);
	if (skb->data + off < skb->head ||
	    skb->data + off + len > skb_tail_pointer(skb))
		return NULL;
	return skb->data + off;
}

/* An L3 packet's place and protocol in the frame. */
struct vnl_trace_l3 {
	int off;
	__be16 proto;
};

static bool vnl_trace_find_l3(const struct net_device *dev,
			      const struct sk_buff *skb,
			      struct vnl_trace_l3 *l3)
{
	const struct ethhdr *eth = vnl_trace_eth(dev, skb);

	if (eth) {
		l3->off = (const unsigned char *)(eth + 1) - skb->data;
		l3->proto = eth->h_proto;
		return true;
	}
	if (dev->type == ARPHRD_ETHER)
		return false;
	/* tun: no link-layer header; the packet starts at skb->data
	 * wherever it is traced (transmit, read(), write()).
	 */
	l3->off = 0;
	l3->proto = skb->protocol;
	return true;
}

/* "sport > dport" of TCP and UDP, "echo request seq N" of ICMP. */
static int vnl_trace_l4(const struct sk_buff *skb, int off, u8 proto,
			char *buf, size_t size)
{
	union {
		struct tcphdr tcp;
		struct udphdr udp;
		struct icmphdr icmp;
		struct icmp6hdr icmp6;
	} h;
	const struct tcphdr *tcp;
	const struct udphdr *udp;
	const struct icmphdr *icmp;
	const struct icmp6hdr *icmp6;

	switch (proto) {
	case IPPROTO_TCP:
		tcp = vnl_trace_bytes(skb, off, sizeof(*tcp), &h);
		if (!tcp)
			break;
		return scnprintf(buf, size, " tcp %u > %u%s%s%s",
				 ntohs(tcp->source), ntohs(tcp->dest),
				 tcp->syn ? " S" : "", tcp->fin ? " F" : "",
				 tcp->rst ? " R" : "");
	case IPPROTO_UDP:
		udp = vnl_trace_bytes(skb, off, sizeof(*udp), &h);
		if (!udp)
			break;
		return scnprintf(buf, size, " udp %u > %u",
				 ntohs(udp->source), ntohs(udp->dest));
	case IPPROTO_ICMP:
		icmp = vnl_trace_bytes(skb, off, sizeof(*icmp), &h);
		if (!icmp)
			break;
		if (icmp->type == ICMP_ECHO || icmp->type == ICMP_ECHOREPLY)
			return scnprintf(buf, size, " icmp echo %s seq %u",
					 icmp->type == ICMP_ECHO ?
					 "request" : "reply",
					 ntohs(icmp->un.echo.sequence));
		return scnprintf(buf, size, " icmp type %u", icmp->type);
	case IPPROTO_ICMPV6:
		icmp6 = vnl_trace_bytes(skb, off, sizeof(*icmp6), &h);
		if (!icmp6)
			break;
		if (icmp6->icmp6_type == ICMPV6_ECHO_REQUEST ||
		    icmp6->icmp6_type == ICMPV6_ECHO_REPLY)
			return scnprintf(buf, size, " icmp6 echo %s seq %u",
					 icmp6->icmp6_type ==
					 ICMPV6_ECHO_REQUEST ?
					 "request" : "reply",
					 ntohs(icmp6->icmp6_sequence));
		return scnprintf(buf, size, " icmp6 type %u",
				 icmp6->icmp6_type);
	}
	return scnprintf(buf, size, " proto %u", proto);
}

static void vnl_trace_ipv4(const struct sk_buff *skb, int off,
			   char *buf, size_t size)
{
	const struct iphdr *iph;
	struct iphdr h;
	int n;

	iph = vnl_trace_bytes(skb, off, sizeof(*iph), &h);
	if (!iph || iph->version != 4 || iph->ihl < 5) {
		strscpy(buf, "ip (truncated)", size);
		return;
	}
	n = scnprintf(buf, size, "%pI4 > %pI4", &iph->saddr, &iph->daddr);
	/* Only a first fragment has the L4 header. */
	if (iph->frag_off & htons(IP_OFFSET))
		scnprintf(buf + n, size - n, " frag");
	else
		vnl_trace_l4(skb, off + iph->ihl * 4, iph->protocol,
			     buf + n, size - n);
}

static void vnl_trace_ipv6(const struct sk_buff *skb, int off,
			   char *buf, size_t size)
{
	const struct ipv6hdr *ip6;
	struct ipv6hdr h;
	int n;

	ip6 = vnl_trace_bytes(skb, off, sizeof(*ip6), &h);
	if (!ip6 || ip6->version != 6) {
		strscpy(buf, "ip6 (truncated)", size);
		return;
	}
	n = scnprintf(buf, size, "%pI6c > %pI6c", &ip6->saddr, &ip6->daddr);
	/* Extension headers are not followed: their protocol is shown. */
	vnl_trace_l4(skb, off + sizeof(*ip6), ip6->nexthdr, buf + n, size - n);
}

/* Who-has and is-at of ARP for IPv4 over Ethernet. */
static void vnl_trace_arp(const struct sk_buff *skb, int off,
			  char *buf, size_t size)
{
	struct {
		struct arphdr hdr;
		u8 sha[ETH_ALEN];
		__be32 sip;
		u8 tha[ETH_ALEN];
		__be32 tip;
	} __packed h;
	const typeof(h) *arp;

	arp = vnl_trace_bytes(skb, off, sizeof(h), &h);
	if (!arp || arp->hdr.ar_hln != ETH_ALEN || arp->hdr.ar_pln != 4) {
		strscpy(buf, "arp", size);
		return;
	}
	if (arp->hdr.ar_op == htons(ARPOP_REQUEST))
		scnprintf(buf, size, "arp who-has %pI4 tell %pI4",
			  &arp->tip, &arp->sip);
	else if (arp->hdr.ar_op == htons(ARPOP_REPLY))
		scnprintf(buf, size, "arp %pI4 is-at %pM", &arp->sip, arp->sha);
	else
		scnprintf(buf, size, "arp op %u", ntohs(arp->hdr.ar_op));
}

/* One line on what the frame carries, for the trace: "10.0.0.1 > 10.0.0.2
 * icmp echo request seq 1", "arp who-has ...", or the EtherType.
 */
void vnl_trace_summarize(const struct net_device *dev,
			 const struct sk_buff *skb, char *buf, size_t size)
{
	struct vnl_trace_l3 l3;

	if (!vnl_trace_find_l3(dev, skb, &l3)) {
		strscpy(buf, "-", size);
		return;
	}
	switch (l3.proto) {
	case htons(ETH_P_IP):
		vnl_trace_ipv4(skb, l3.off, buf, size);
		break;
	case htons(ETH_P_IPV6):
		vnl_trace_ipv6(skb, l3.off, buf, size);
		break;
	case htons(ETH_P_ARP):
		vnl_trace_arp(skb, l3.off, buf, size);
		break;
	default:
		scnprintf(buf, size, "ethertype 0x%04x", ntohs(l3.proto));
	}
}
