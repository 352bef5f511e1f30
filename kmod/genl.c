// SPDX-License-Identifier: GPL-2.0
/*
 * The "vnl" generic netlink family: how userspace (vnlctl, the selftests)
 * creates, deletes and inspects vnl devices, and how it hears about them.
 * include/uapi/linux/vnl.h documents every command and attribute.
 *
 * Locking: the family is not parallel_ops, so the genl core runs one
 * handler at a time; every handler that touches devices also takes RTNL,
 * which is what protects net_devices and the vnl registry.
 */
#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include "vnl.h"

enum vnl_genl_mcgrp {
	VNL_GENL_MCGRP_MONITOR,
};

static const struct genl_multicast_group vnl_genl_mcgrps[] = {
	[VNL_GENL_MCGRP_MONITOR] = { .name = VNL_MCGRP_MONITOR },
};

static struct netlink_range_validation vnl_mtu_range = {
	.min = ETH_MIN_MTU,
	.max = ETH_MAX_MTU,
};

/* A full range: NLA_POLICY_MAX()'s bound is an s16, too small for it.
 * rtnl.c's policy uses it too.
 */
struct netlink_range_validation vnl_bc_queue_len_range = {
	.min = 0,
	.max = VNL_BC_QUEUE_LEN_MAX,
};

/* Validation lives here, in one policy per command listing the attributes
 * that command takes, with their bounds.  The genl core applies it
 * strictly before any vnl code runs and refuses, with EINVAL and an extack
 * message pointing at the attribute, anything out of bounds and any
 * attribute the command does not take: accepted, an attribute no handler
 * reads would be silently ignored (LINK_DEL {name, netns} would delete in
 * the caller's netns).  Each policy spans all VNL_A_* (maxattr VNL_A_MAX),
 * so info->attrs has a slot for every one; what a policy leaves out is
 * NLA_UNSPEC, which strict validation refuses as "Unsupported attribute".
 */
static const struct nla_policy vnl_peer_policy[VNL_PEER_A_MAX + 1] = {
	[VNL_PEER_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VNL_PEER_A_ADDRESS]	= NLA_POLICY_ETH_ADDR,
	[VNL_PEER_A_NETNS_FD]	= { .type = NLA_U32 },
	[VNL_PEER_A_NETNS_PID]	= { .type = NLA_U32 },
};

static const struct nla_policy vnl_macaddr_policy[VNL_MACADDR_A_MAX + 1] = {
	[VNL_MACADDR_A_ADDRESS]	= NLA_POLICY_ETH_ADDR,
};

/* GET_VERSION takes nothing: every entry is NLA_UNSPEC. */
static const struct nla_policy vnl_get_version_policy[VNL_A_MAX + 1] = {};

/* Both kinds' attributes: vnl_genl_link_new() refuses the other kind's. */
static const struct nla_policy vnl_link_new_policy[VNL_A_MAX + 1] = {
	[VNL_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VNL_A_KIND]		= NLA_POLICY_RANGE(NLA_U32, VNL_KIND_PAIR, VNL_KIND_MAX),
	[VNL_A_MTU]		= NLA_POLICY_FULL_RANGE(NLA_U32, &vnl_mtu_range),
	[VNL_A_ADDRESS]		= NLA_POLICY_ETH_ADDR,
	[VNL_A_NETNS_FD]	= { .type = NLA_U32 },
	[VNL_A_NETNS_PID]	= { .type = NLA_U32 },
	[VNL_A_PEER]		= NLA_POLICY_NESTED(vnl_peer_policy),
	[VNL_A_PARENT_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[VNL_A_PARENT_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VNL_A_MACVLAN_MODE]	= NLA_POLICY_RANGE(NLA_U32, VNL_MACVLAN_MODE_PRIVATE,
						   VNL_MACVLAN_MODE_MAX),
	[VNL_A_BC_QUEUE_LEN]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&vnl_bc_queue_len_range),
	[VNL_A_TAP_FACE]	= { .type = NLA_U32 },
};

/* LINK_DEL and LINK_GET name a device of the caller's netns, and nothing
 * else.  LINK_GET's doit and dump share it (one struct genl_ops per
 * command: split do/dump ops only came with 6.2); the dump ignores a name.
 */
static const struct nla_policy vnl_link_name_policy[VNL_A_MAX + 1] = {
	[VNL_A_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[VNL_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy vnl_link_set_policy[VNL_A_MAX + 1] = {
	[VNL_A_IFINDEX]		= NLA_POLICY_MIN(NLA_U32, 1),
	[VNL_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[VNL_A_MACVLAN_MODE]	= NLA_POLICY_RANGE(NLA_U32, VNL_MACVLAN_MODE_PRIVATE,
						   VNL_MACVLAN_MODE_MAX),
	[VNL_A_MACADDR_OP]	= NLA_POLICY_RANGE(NLA_U32, VNL_MACADDR_OP_ADD,
						   VNL_MACADDR_OP_MAX),
	[VNL_A_MACADDR_LIST]	= NLA_POLICY_NESTED(vnl_macaddr_policy),
	[VNL_A_BC_QUEUE_LEN]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&vnl_bc_queue_len_range),
};

static struct genl_family vnl_genl_family;

/* True from registration until just before unregistration.  Written and
 * read under RTNL, like every event source, so that no event can be sent
 * while the family (and its multicast group id) is going away.
 */
static bool vnl_genl_live;

/* Whether a description of @dev may name @link, a device it is wired to
 * (its peer or parent).  Within one netns, always: "ip link" shows the
 * name too.  Across namespaces a name says something about another netns
 * (rtnetlink gives only IFLA_LINK and IFLA_LINK_NETNSID): only a
 * requester with CAP_NET_ADMIN over the other netns learns it, and an
 * event, which every listener of @dev's netns gets, never carries it.
 */
bool vnl_genl_may_name(const struct vnl_reader *rd, struct net_device *dev,
		       struct net_device *link)
{
	if (net_eq(dev_net(dev), dev_net(link)))
		return true;
	return rd->request &&
	       netlink_ns_capable(rd->request, dev_net(link)->user_ns,
				  CAP_NET_ADMIN);
}

/* Like IFLA_LINK_NETNSID: when @link lives in another netns than @dev, the
 * id by which @dev's netns names it.  Allocating one may sleep, which is
 * fine under RTNL.
 */
int vnl_genl_put_link_netnsid(struct sk_buff *skb, int attr,
			      struct net_device *dev, struct net_device *link)
{
	if (net_eq(dev_net(dev), dev_net(link)))
		return 0;
	return nla_put_s32(skb, attr, peernet2id_alloc(dev_net(dev),
						       dev_net(link),
						       GFP_KERNEL));
}

/* The drop counters, by reason: one u64 for each reason the device's
 * kind can have (vnl_kind_ops.drop_reasons), typed by the reason.
 */
static int vnl_genl_put_drops(struct sk_buff *skb, struct net_device *dev,
			      const struct vnl_stats *st)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	unsigned long reasons = vnl->ops->drop_reasons;
	struct nlattr *nest;
	unsigned int why;

	nest = nla_nest_start(skb, VNL_STATS_A_DROPS);
	if (!nest)
		return -EMSGSIZE;
	for_each_set_bit(why, &reasons, __VNL_DROP_MAX) {
		if (nla_put_u64_64bit(skb, why, st->drops[why], VNL_DROP_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vnl_genl_put_stats(struct sk_buff *skb, struct net_device *dev)
{
	struct vnl_stats st;
	struct nlattr *nest;

	vnl_dev_read_stats(dev, &st);

	nest = nla_nest_start(skb, VNL_A_STATS);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_u64_64bit(skb, VNL_STATS_A_RX_PACKETS, st.rx_packets, VNL_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNL_STATS_A_RX_BYTES, st.rx_bytes, VNL_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNL_STATS_A_TX_PACKETS, st.tx_packets, VNL_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNL_STATS_A_TX_BYTES, st.tx_bytes, VNL_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNL_STATS_A_RX_DROPS, st.rx_drops, VNL_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VNL_STATS_A_TX_DROPS, st.tx_drops, VNL_STATS_A_PAD) ||
	    vnl_genl_put_drops(skb, dev, &st)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}

	nla_nest_end(skb, nest);
	return 0;
}

/* One device, as LINK_GET, its dump and the events describe it, for
 * @rd.  Called under RTNL, so the device and its peer stay put while we
 * read them.  The kind adds its own attributes (vnl_kind_ops.fill).
 */
static int vnl_genl_fill_link(struct sk_buff *skb, struct net_device *dev,
			      const struct vnl_reader *rd,
			      u32 portid, u32 seq, int flags, u8 cmd)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vnl_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, VNL_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, VNL_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, VNL_A_KIND, vnl->kind) ||
	    nla_put_u32(skb, VNL_A_MTU, dev->mtu) ||
	    (dev->addr_len == ETH_ALEN &&
	     nla_put(skb, VNL_A_ADDRESS, ETH_ALEN, dev->dev_addr)) ||
	    nla_put_u8(skb, VNL_A_UP, netif_running(dev)) ||
	    nla_put_u8(skb, VNL_A_CARRIER, netif_carrier_ok(dev)) ||
	    vnl->ops->fill(skb, dev, rd) ||
	    vnl_genl_put_stats(skb, dev)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}

	genlmsg_end(skb, hdr);
	return 0;
}

/* The reader of a reply to @request.  Its ids are those of the user
 * namespace of whoever opened the requesting socket (the socket's own, as
 * inet_diag does), not current_user_ns(): a dump's later parts run in the
 * task that calls recvmsg(), which may be another process that was handed
 * the socket.
 */
static struct vnl_reader vnl_genl_requester(const struct sk_buff *request)
{
	return (struct vnl_reader){
		.request = request,
		.user_ns = sk_user_ns(NETLINK_CB(request).sk),
	};
}

/* Send the event @cmd about @dev to the "monitor" group of the device's
 * netns, so a listener only hears of devices it could see with "ip link".
 * This is the family's only multicast, and @cmd one of its three events:
 * VNL_CMD_LINK_NEW_NTF (vnl_genl_announce), VNL_CMD_LINK_DEL_NTF
 * (dev.c:vnl_dev_uninit) and VNL_CMD_LINK_CHANGE, which the YNL spec
 * declares as link-new-ntf, link-del-ntf and link-change.  One message
 * goes to every listener, so its ids are those of the user namespace that
 * owns the netns, not those of whoever caused the event.
 */
void vnl_genl_notify(struct net_device *dev, enum vnl_cmd cmd)
{
	struct net *net = dev_net(dev);
	struct vnl_reader rd = { .user_ns = net->user_ns };
	struct sk_buff *skb;

	ASSERT_RTNL();
	if (!vnl_genl_live ||
	    !genl_has_listeners(&vnl_genl_family, net, VNL_GENL_MCGRP_MONITOR))
		return;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;

	if (vnl_genl_fill_link(skb, dev, &rd, 0, 0, 0, cmd)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&vnl_genl_family, net, skb, 0,
				VNL_GENL_MCGRP_MONITOR, GFP_KERNEL);
}

/* The creation event; from now on userspace also hears of the deletion. */
void vnl_genl_announce(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	vnl->announced = true;
	vnl_genl_notify(dev, VNL_CMD_LINK_NEW_NTF);
}

static int vnl_genl_get_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &vnl_genl_family, 0,
				VNL_CMD_GET_VERSION);
	if (!hdr || nla_put_string(msg, VNL_A_VERSION, VNL_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* The netns named by @fd_attr or @pid_attr, else @fallback, with a
 * reference the caller drops.  The caller must hold CAP_NET_ADMIN over it:
 * the genl core only checked the netns of the caller's socket.
 */
static struct net *vnl_genl_get_net(struct sk_buff *skb, struct genl_info *info,
				    struct nlattr *fd_attr,
				    struct nlattr *pid_attr,
				    struct net *fallback)
{
	struct net *net;

	if (fd_attr && pid_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, pid_attr,
				    "give a netns by fd or by pid, not both");
		return ERR_PTR(-EINVAL);
	}

	if (fd_attr)
		net = get_net_ns_by_fd(nla_get_u32(fd_attr));
	else if (pid_attr)
		net = get_net_ns_by_pid(nla_get_u32(pid_attr));
	else
		net = get_net(fallback);

	if (IS_ERR(net)) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr ?: pid_attr,
				    "no such network namespace");
		return net;
	}

	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd_attr ?: pid_attr,
				    "CAP_NET_ADMIN over the target netns is needed");
		put_net(net);
		return ERR_PTR(-EPERM);
	}
	return net;
}

static int vnl_genl_check_name(struct genl_info *info, struct nlattr *attr)
{
	if (!dev_valid_name(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "not a valid interface name");
		return -EINVAL;
	}
	return 0;
}

/* Everything LINK_NEW needs that the policy cannot express: presence,
 * valid names, unicast addresses.  Nothing has been created yet.
 */
static int vnl_genl_check_pair(struct genl_info *info, struct nlattr **peer_tb)
{
	struct nlattr **tb = info->attrs;
	int err;

	if (!tb[VNL_A_IFNAME]) {
		NL_SET_ERR_MSG(info->extack, "missing the device name (VNL_A_IFNAME)");
		vnl_compat_set_err_attr_miss(info->extack, NULL, VNL_A_IFNAME);
		return -EINVAL;
	}
	if (!tb[VNL_A_PEER]) {
		NL_SET_ERR_MSG(info->extack, "missing the peer (VNL_A_PEER)");
		vnl_compat_set_err_attr_miss(info->extack, NULL, VNL_A_PEER);
		return -EINVAL;
	}

	err = nla_parse_nested(peer_tb, VNL_PEER_A_MAX, tb[VNL_A_PEER],
			       vnl_peer_policy, info->extack);
	if (err)
		return err;

	if (!peer_tb[VNL_PEER_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNL_A_PEER],
				    "missing the peer name (VNL_PEER_A_IFNAME)");
		vnl_compat_set_err_attr_miss(info->extack, tb[VNL_A_PEER],
					     VNL_PEER_A_IFNAME);
		return -EINVAL;
	}

	err = vnl_genl_check_name(info, tb[VNL_A_IFNAME]) ?:
	      vnl_genl_check_name(info, peer_tb[VNL_PEER_A_IFNAME]);
	if (err)
		return err;

	if (tb[VNL_A_ADDRESS] &&
	    !is_valid_ether_addr(nla_data(tb[VNL_A_ADDRESS]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNL_A_ADDRESS],
				    "the address must be unicast and not zero");
		return -EINVAL;
	}
	if (peer_tb[VNL_PEER_A_ADDRESS] &&
	    !is_valid_ether_addr(nla_data(peer_tb[VNL_PEER_A_ADDRESS]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, peer_tb[VNL_PEER_A_ADDRESS],
				    "the peer address must be unicast and not zero");
		return -EINVAL;
	}
	return 0;
}

static int vnl_genl_new_pair(struct sk_buff *skb, struct genl_info *info)
{
	struct vnl_reader rd = vnl_genl_requester(skb);
	struct nlattr *peer_tb[VNL_PEER_A_MAX + 1];
	struct nlattr **tb = info->attrs;
	struct vnl_pair_config cfg = {};
	struct net_device *dev, *peer;
	struct sk_buff *reply;
	int err;

	err = vnl_genl_check_pair(info, peer_tb);
	if (err)
		return err;

	cfg.name = nla_data(tb[VNL_A_IFNAME]);
	cfg.peer_name = nla_data(peer_tb[VNL_PEER_A_IFNAME]);
	cfg.addr = tb[VNL_A_ADDRESS] ? nla_data(tb[VNL_A_ADDRESS]) : NULL;
	cfg.peer_addr = peer_tb[VNL_PEER_A_ADDRESS] ?
			nla_data(peer_tb[VNL_PEER_A_ADDRESS]) : NULL;
	cfg.mtu = tb[VNL_A_MTU] ? nla_get_u32(tb[VNL_A_MTU]) : 0;

	cfg.net = vnl_genl_get_net(skb, info, tb[VNL_A_NETNS_FD],
				   tb[VNL_A_NETNS_PID], genl_info_net(info));
	if (IS_ERR(cfg.net))
		return PTR_ERR(cfg.net);

	cfg.peer_net = vnl_genl_get_net(skb, info, peer_tb[VNL_PEER_A_NETNS_FD],
					peer_tb[VNL_PEER_A_NETNS_PID], cfg.net);
	if (IS_ERR(cfg.peer_net)) {
		err = PTR_ERR(cfg.peer_net);
		goto out_put_net;
	}

	/* Allocated before anything is created, so that once the pair
	 * exists nothing can fail any more.
	 */
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply) {
		err = -ENOMEM;
		goto out_put_peer_net;
	}

	rtnl_lock();
	err = vnl_pair_create(&cfg, &dev, &peer, info->extack);
	if (!err) {
		vnl_genl_announce(peer);
		vnl_genl_announce(dev);
		err = vnl_genl_fill_link(reply, dev, &rd, info->snd_portid,
					 info->snd_seq, 0, VNL_CMD_LINK_NEW);
	}
	rtnl_unlock();

	if (err)
		nlmsg_free(reply);
	else
		err = genlmsg_reply(reply, info);
out_put_peer_net:
	put_net(cfg.peer_net);
out_put_net:
	put_net(cfg.net);
	return err;
}

/* What a macvlan child takes and a pair does not: LINK_NEW's policy
 * admits both kinds' attributes, so the pair's handler refuses these.
 */
static const int vnl_genl_not_for_pairs[] = {
	VNL_A_PARENT_IFINDEX, VNL_A_PARENT_IFNAME, VNL_A_MACVLAN_MODE,
	VNL_A_BC_QUEUE_LEN, VNL_A_TAP_FACE,
};

/* The first of @types the request carries, or NULL. */
static struct nlattr *vnl_genl_first_of(struct genl_info *info,
					const int *types, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (info->attrs[types[i]])
			return info->attrs[types[i]];
	return NULL;
}

static int vnl_genl_check_macvlan(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	int err;

	if (!tb[VNL_A_IFNAME]) {
		NL_SET_ERR_MSG(info->extack, "missing the device name (VNL_A_IFNAME)");
		vnl_compat_set_err_attr_miss(info->extack, NULL, VNL_A_IFNAME);
		return -EINVAL;
	}
	if (!tb[VNL_A_PARENT_IFINDEX] && !tb[VNL_A_PARENT_IFNAME]) {
		NL_SET_ERR_MSG(info->extack,
			       "missing the parent device (VNL_A_PARENT_IFINDEX or VNL_A_PARENT_IFNAME)");
		vnl_compat_set_err_attr_miss(info->extack, NULL,
					     VNL_A_PARENT_IFNAME);
		return -EINVAL;
	}

	/* LINK_NEW's policy admits a pair's peer. */
	if (tb[VNL_A_PEER]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNL_A_PEER],
				    "a macvlan child has no peer");
		return -EINVAL;
	}

	err = vnl_genl_check_name(info, tb[VNL_A_IFNAME]);
	if (err)
		return err;

	if (tb[VNL_A_TAP_FACE]) {
		err = vnl_macvtap_check_flags(tb[VNL_A_TAP_FACE], info->extack);
		if (err)
			return err;
	}

	if (tb[VNL_A_ADDRESS] &&
	    !is_valid_ether_addr(nla_data(tb[VNL_A_ADDRESS]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNL_A_ADDRESS],
				    "the address must be unicast and not zero");
		return -EINVAL;
	}
	return 0;
}

/* The parent, named in the caller's netns.  RTNL. */
static struct net_device *vnl_genl_find_parent(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct net *net = genl_info_net(info);
	struct net_device *dev;

	if (tb[VNL_A_PARENT_IFINDEX])
		dev = __dev_get_by_index(net, nla_get_u32(tb[VNL_A_PARENT_IFINDEX]));
	else
		dev = __dev_get_by_name(net, nla_data(tb[VNL_A_PARENT_IFNAME]));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    tb[VNL_A_PARENT_IFINDEX] ?: tb[VNL_A_PARENT_IFNAME],
				    "no such parent device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

static int vnl_genl_new_macvlan(struct sk_buff *skb, struct genl_info *info)
{
	struct vnl_reader rd = vnl_genl_requester(skb);
	struct nlattr **tb = info->attrs;
	struct vnl_demux_config cfg = {};
	struct net_device *dev;
	struct sk_buff *reply;
	int err;

	err = vnl_genl_check_macvlan(info);
	if (err)
		return err;

	cfg.name = nla_data(tb[VNL_A_IFNAME]);
	cfg.addr = tb[VNL_A_ADDRESS] ? nla_data(tb[VNL_A_ADDRESS]) : NULL;
	cfg.mtu = tb[VNL_A_MTU] ? nla_get_u32(tb[VNL_A_MTU]) : 0;
	cfg.mode = tb[VNL_A_MACVLAN_MODE] ? nla_get_u32(tb[VNL_A_MACVLAN_MODE]) :
					    VNL_MACVLAN_MODE_VEPA;
	cfg.bc_queue_len = tb[VNL_A_BC_QUEUE_LEN] ?
			   nla_get_u32(tb[VNL_A_BC_QUEUE_LEN]) :
			   VNL_BC_QUEUE_LEN_DEFAULT;
	cfg.tap_face = tb[VNL_A_TAP_FACE] ? nla_get_u32(tb[VNL_A_TAP_FACE]) : 0;

	cfg.net = vnl_genl_get_net(skb, info, tb[VNL_A_NETNS_FD],
				   tb[VNL_A_NETNS_PID], genl_info_net(info));
	if (IS_ERR(cfg.net))
		return PTR_ERR(cfg.net);

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply) {
		err = -ENOMEM;
		goto out_put_net;
	}

	rtnl_lock();
	cfg.parent = vnl_genl_find_parent(info);
	if (IS_ERR(cfg.parent))
		err = PTR_ERR(cfg.parent);
	else
		err = vnl_demux_create(&cfg, &dev, info->extack);
	if (!err) {
		vnl_genl_announce(dev);
		err = vnl_genl_fill_link(reply, dev, &rd, info->snd_portid,
					 info->snd_seq, 0, VNL_CMD_LINK_NEW);
	}
	rtnl_unlock();

	if (err)
		nlmsg_free(reply);
	else
		err = genlmsg_reply(reply, info);
out_put_net:
	put_net(cfg.net);
	return err;
}

static int vnl_genl_link_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr;

	if (!info->attrs[VNL_A_KIND]) {
		NL_SET_ERR_MSG(info->extack, "missing the kind of device (VNL_A_KIND)");
		vnl_compat_set_err_attr_miss(info->extack, NULL, VNL_A_KIND);
		return -EINVAL;
	}

	/* The policy admits only the kinds that exist; tun and tap devices
	 * belong to the files that created them, so they come from /dev/vnl.
	 */
	switch (nla_get_u32(info->attrs[VNL_A_KIND])) {
	case VNL_KIND_PAIR:
		attr = vnl_genl_first_of(info, vnl_genl_not_for_pairs,
					 ARRAY_SIZE(vnl_genl_not_for_pairs));
		if (attr) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "a pair takes no parent, macvlan mode, broadcast queue length or tap face");
			return -EINVAL;
		}
		return vnl_genl_new_pair(skb, info);
	case VNL_KIND_MACVLAN:
		return vnl_genl_new_macvlan(skb, info);
	default:
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VNL_A_KIND],
				    "tun and tap devices are created through /dev/vnl (vnlctl add tun|tap)");
		return -EOPNOTSUPP;
	}
}

/* The vnl device a LINK_DEL or LINK_GET request names, in the caller's
 * netns.  Caller holds RTNL.
 */
static struct net_device *vnl_genl_find_dev(struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct net *net = genl_info_net(info);
	struct net_device *dev;

	if (tb[VNL_A_IFINDEX]) {
		dev = __dev_get_by_index(net, nla_get_u32(tb[VNL_A_IFINDEX]));
	} else if (tb[VNL_A_IFNAME]) {
		dev = __dev_get_by_name(net, nla_data(tb[VNL_A_IFNAME]));
	} else {
		NL_SET_ERR_MSG(info->extack,
			       "name the device by VNL_A_IFINDEX or VNL_A_IFNAME");
		vnl_compat_set_err_attr_miss(info->extack, NULL, VNL_A_IFNAME);
		return ERR_PTR(-EINVAL);
	}

	if (!dev) {
		NL_SET_ERR_MSG(info->extack, "no such device");
		return ERR_PTR(-ENODEV);
	}
	if (!vnl_dev_is_vnl(dev)) {
		NL_SET_ERR_MSG(info->extack, "not a vnl device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

static int vnl_genl_link_del(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	LIST_HEAD(kill);

	rtnl_lock();
	dev = vnl_genl_find_dev(info);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		return PTR_ERR(dev);
	}

	/* The same path as "ip link del": the kind decides what goes with
	 * the device (a pair's peer), then all of it is unregistered in one
	 * batch, whose waits for RCU grace periods are paid once for the
	 * whole batch (Documentation/architecture.md, "Deleting a device").
	 */
	dev->rtnl_link_ops->dellink(dev, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
	return 0;
}

/* The addresses of VNL_A_MACADDR_LIST, in an array the caller frees.  The
 * policy checked each one's type and length already.
 */
static int vnl_genl_parse_macaddrs(struct genl_info *info,
				   struct vnl_link_change *chg)
{
	struct nlattr *list = info->attrs[VNL_A_MACADDR_LIST];
	u8 (*addrs)[ETH_ALEN];
	struct nlattr *nla;
	unsigned int n = 0;
	int rem;

	if (!list)
		return 0;

	nla_for_each_nested(nla, list, rem) {
		if (!is_valid_ether_addr(nla_data(nla))) {
			NL_SET_ERR_MSG_ATTR(info->extack, nla,
					    "source addresses must be unicast and not zero");
			return -EINVAL;
		}
		n++;
	}
	if (n > VNL_MACADDR_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, list,
				    "the source list holds at most 256 addresses");
		return -ENOSPC;
	}

	addrs = kcalloc(n, ETH_ALEN, GFP_KERNEL);
	if (!addrs)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(nla, list, rem)
		ether_addr_copy(addrs[n++], nla_data(nla));

	chg->addrs = addrs;
	chg->naddrs = n;
	return 0;
}

/* What LINK_SET asks for must make sense on its own, before the device is
 * even looked at.
 */
static int vnl_genl_check_set(struct genl_info *info,
			      struct vnl_link_change *chg)
{
	struct nlattr **tb = info->attrs;

	chg->mode = tb[VNL_A_MACVLAN_MODE] ? nla_get_u32(tb[VNL_A_MACVLAN_MODE]) : 0;
	chg->op = tb[VNL_A_MACADDR_OP] ? nla_get_u32(tb[VNL_A_MACADDR_OP]) : 0;
	chg->set_bc_queue_len = !!tb[VNL_A_BC_QUEUE_LEN];
	if (chg->set_bc_queue_len)
		chg->bc_queue_len = nla_get_u32(tb[VNL_A_BC_QUEUE_LEN]);

	if (!chg->mode && !chg->op && !chg->set_bc_queue_len) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to change (VNL_A_MACVLAN_MODE, VNL_A_BC_QUEUE_LEN or VNL_A_MACADDR_OP)");
		return -EINVAL;
	}
	if (tb[VNL_A_MACADDR_LIST] && (!chg->op || chg->op == VNL_MACADDR_OP_FLUSH)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNL_A_MACADDR_LIST],
				    "addresses go with VNL_A_MACADDR_OP add, del or set");
		return -EINVAL;
	}
	if ((chg->op == VNL_MACADDR_OP_ADD || chg->op == VNL_MACADDR_OP_DEL) &&
	    (!tb[VNL_A_MACADDR_LIST] || !nla_len(tb[VNL_A_MACADDR_LIST]))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VNL_A_MACADDR_OP],
				    "add and del need at least one address (VNL_A_MACADDR_LIST)");
		return -EINVAL;
	}
	return vnl_genl_parse_macaddrs(info, chg);
}

/* LINK_SET through the device's kind, which says whether it can change. */
static int vnl_genl_change(struct net_device *dev,
			   const struct vnl_link_change *chg,
			   struct netlink_ext_ack *extack)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	int err;

	if (!vnl->ops->change) {
		NL_SET_ERR_MSG(extack, "only macvlan children can be changed");
		return -EOPNOTSUPP;
	}
	err = vnl->ops->change(dev, chg, extack);
	if (!err)
		vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
	return err;
}

static int vnl_genl_link_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vnl_link_change chg = {};
	struct net_device *dev;
	int err;

	err = vnl_genl_check_set(info, &chg);
	if (err)
		return err;

	rtnl_lock();
	dev = vnl_genl_find_dev(info);
	if (IS_ERR(dev))
		err = PTR_ERR(dev);
	else
		err = vnl_genl_change(dev, &chg, info->extack);
	rtnl_unlock();

	kfree(chg.addrs);
	return err;
}

static int vnl_genl_link_get(struct sk_buff *skb, struct genl_info *info)
{
	struct vnl_reader rd = vnl_genl_requester(skb);
	struct net_device *dev;
	struct sk_buff *reply;
	int err;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	rtnl_lock();
	dev = vnl_genl_find_dev(info);
	if (IS_ERR(dev))
		err = PTR_ERR(dev);
	else
		err = vnl_genl_fill_link(reply, dev, &rd, info->snd_portid,
					 info->snd_seq, 0, VNL_CMD_LINK_GET);
	rtnl_unlock();

	if (err) {
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/* A dump fills one skb per call until the devices run out.  cb->args[0]
 * remembers the registry id to resume from: ids never change and are
 * never reused while the device exists, so each device of the netns is
 * reported exactly once even across thousands of messages.
 */
static int vnl_genl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vnl_reader rd = vnl_genl_requester(cb->skb);
	struct net *net = sock_net(skb->sk);
	unsigned long id = cb->args[0];
	struct vnl_dev *vnl;
	int err = 0;

	rtnl_lock();
	while ((vnl = vnl_dev_find_next(net, &id))) {
		err = vnl_genl_fill_link(skb, vnl->dev, &rd,
					 NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI,
					 VNL_CMD_LINK_GET);
		if (err)
			break;
		id++;
	}
	rtnl_unlock();

	if (!vnl)
		id = ULONG_MAX;	/* done: the next call finds nothing */
	cb->args[0] = id;

	/* A full skb ends this part of the dump; it goes on from @id. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ?: skb->len;
}

/* Each command with its own policy: struct genl_ops has had .policy and
 * .maxattr since 5.10 (genl_small_ops has neither).
 */
static const struct genl_ops vnl_genl_ops[] = {
	{
		.cmd	= VNL_CMD_GET_VERSION,
		.doit	= vnl_genl_get_version,
		.policy	= vnl_get_version_policy,
		.maxattr = VNL_A_MAX,
	},
	{
		.cmd	= VNL_CMD_LINK_NEW,
		.doit	= vnl_genl_link_new,
		.policy	= vnl_link_new_policy,
		.maxattr = VNL_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= VNL_CMD_LINK_DEL,
		.doit	= vnl_genl_link_del,
		.policy	= vnl_link_name_policy,
		.maxattr = VNL_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= VNL_CMD_LINK_GET,
		.doit	= vnl_genl_link_get,
		.dumpit	= vnl_genl_link_dump,
		.policy	= vnl_link_name_policy,
		.maxattr = VNL_A_MAX,
	},
	{
		.cmd	= VNL_CMD_LINK_SET,
		.doit	= vnl_genl_link_set,
		.policy	= vnl_link_set_policy,
		.maxattr = VNL_A_MAX,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

/* .maxattr is what CTRL_CMD_GETFAMILY reports; the family has no policy of
 * its own, each command has one.
 */
static struct genl_family vnl_genl_family __ro_after_init = {
	.name		= VNL_GENL_NAME,
	.version	= VNL_GENL_VERSION,
	.maxattr	= VNL_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= vnl_genl_ops,
	.n_ops		= ARRAY_SIZE(vnl_genl_ops),
	.mcgrps		= vnl_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vnl_genl_mcgrps),
};

int vnl_genl_register(void)
{
	int err;

	err = genl_register_family(&vnl_genl_family);
	if (err)
		return err;

	rtnl_lock();
	vnl_genl_live = true;
	rtnl_unlock();
	return 0;
}

/* Events stop first, under RTNL, so none can race with the family's
 * multicast group going away; then the genl core waits for running
 * handlers and removes the family.
 */
void vnl_genl_unregister(void)
{
	rtnl_lock();
	vnl_genl_live = false;
	rtnl_unlock();

	genl_unregister_family(&vnl_genl_family);
}
