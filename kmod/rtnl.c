// SPDX-License-Identifier: GPL-2.0
/*
 * The link kind "vnl" of rtnetlink: what "ip link" does with vnl devices.
 * "ip link add A type vnl kind pair peer B" and "ip link add C link DEV
 * type vnl kind macvlan mode MODE" create them (newlink), through the
 * same pair.c:vnl_pair_register and demux.c:vnl_demux_register as the
 * family does; "ip link del" deletes them (dellink, which hands over to
 * the kind); "ip -d link show" describes them (fill_info).
 *
 * Locking: the core calls every rtnl_link_ops under RTNL, fill_info
 * excepted (see vnl_link_fill_info).
 */
#include <linux/etherdevice.h>
#include <net/rtnetlink.h>

#include "vnl.h"

/* IFLA_INFO_DATA of a request: what "ip link add" needs beside the core's
 * IFLA_* attributes (the name, address, MTU, netns and, for a macvlan
 * child, the parent as IFLA_LINK).  The core checks it leniently: an
 * attribute left out here would pass unchecked, one above VNL_A_MAX
 * unseen.  vnl_link_validate() checks it again strictly, so that both are
 * refused, as the family refuses them.
 */
static const struct nla_policy vnl_link_policy[VNL_A_MAX + 1] = {
	[VNL_A_KIND]		= NLA_POLICY_RANGE(NLA_U32, VNL_KIND_PAIR, VNL_KIND_MAX),
	[VNL_A_MACVLAN_MODE]	= NLA_POLICY_RANGE(NLA_U32, VNL_MACVLAN_MODE_PRIVATE,
						   VNL_MACVLAN_MODE_MAX),
	[VNL_A_BC_QUEUE_LEN]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&vnl_bc_queue_len_range),
	[VNL_A_PEER_INFO]	= NLA_POLICY_MIN_LEN(sizeof(struct ifinfomsg)),
	[VNL_A_TAP_FACE]	= { .type = NLA_U32 },
};

/* An address given for a new device (@tb: the request's IFLA_* or the
 * peer's) must be a unicast Ethernet one.
 */
static int vnl_link_check_address(struct nlattr **tb,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *addr = tb[IFLA_ADDRESS];

	if (!addr)
		return 0;
	if (nla_len(addr) != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(extack, addr, "the address must be 6 bytes long");
		return -EINVAL;
	}
	if (!is_valid_ether_addr(nla_data(addr))) {
		NL_SET_ERR_MSG_ATTR(extack, addr, "the address must be unicast and not zero");
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/* rtnl_link_ops.validate, before newlink (and before the core finds that
 * vnl has no changelink).  Since 6.15 the core also calls it with the
 * peer's attributes and no @data.
 */
static int vnl_link_validate(struct nlattr *tb[], struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	int err;

	err = vnl_link_check_address(tb, extack);
	if (err || !data)
		return err;

	return nla_validate_nested(nla_find_nested(tb[IFLA_LINKINFO],
						   IFLA_INFO_DATA),
				   VNL_A_MAX, vnl_link_policy, extack);
}

/* What a pair does not take, each refused with the reason. */
static int vnl_link_check_pair(const struct vnl_newlink *nl,
			       struct nlattr **peer_tb)
{
	struct netlink_ext_ack *extack = nl->extack;
	struct nlattr **data = nl->data;
	struct nlattr *attr;
	int err;

	attr = data[VNL_A_MACVLAN_MODE] ?: data[VNL_A_BC_QUEUE_LEN] ?:
	       data[VNL_A_TAP_FACE] ?: nl->tb[IFLA_LINK];
	if (attr) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a pair takes no parent (link), macvlan mode, broadcast queue length or tap face");
		return -EINVAL;
	}
	if (!data[VNL_A_PEER_INFO]) {
		NL_SET_ERR_MSG(extack, "a pair needs its peer (peer NAME)");
		return -EINVAL;
	}

	err = rtnl_nla_parse_ifinfomsg(peer_tb, data[VNL_A_PEER_INFO], extack);
	if (err)
		return err;
	if (!peer_tb[IFLA_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(extack, data[VNL_A_PEER_INFO],
				    "the peer needs a name (IFLA_IFNAME)");
		return -EINVAL;
	}
	return vnl_link_check_address(peer_tb, extack);
}

/* Queue @dev, and whatever goes with it, for unregistering: each kind
 * knows what that is (a pair's peer, a child's place on its parent).
 */
static void vnl_link_dellink(struct net_device *dev, struct list_head *head)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	vnl->ops->dellink(dev, head);
}

/* A pair end as "ip link add" asks: @dev from the core, the peer from
 * VNL_A_PEER_INFO, made the same way (rtnl_create_link() applies the
 * peer's IFLA_* attributes as the core applied the request's to @dev).
 */
static int vnl_link_new_pair(struct net_device *dev,
			     const struct vnl_newlink *nl)
{
	struct nlattr *peer_tb[IFLA_MAX + 1];
	struct netlink_ext_ack *extack = nl->extack;
	char name[IFNAMSIZ] = {};
	struct ifinfomsg *ifmp;
	struct net_device *peer;
	struct net *peer_net;
	int err;

	err = vnl_link_check_pair(nl, peer_tb);
	if (err)
		return err;
	ifmp = nla_data(nl->data[VNL_A_PEER_INFO]);
	nla_memcpy(name, peer_tb[IFLA_IFNAME], IFNAMSIZ - 1);

	peer_net = vnl_compat_get_peer_net(nl, peer_tb);
	if (PTR_ERR_OR_ZERO(peer_net) == -EPERM) {
		NL_SET_ERR_MSG_ATTR(extack, nl->data[VNL_A_PEER_INFO],
				    "CAP_NET_ADMIN over the peer's netns is needed");
		return -EPERM;
	}
	if (IS_ERR(peer_net)) {
		NL_SET_ERR_MSG_ATTR(extack, nl->data[VNL_A_PEER_INFO],
				    "no such network namespace for the peer");
		return PTR_ERR(peer_net);
	}

	peer = rtnl_create_link(peer_net, name, NET_NAME_USER, &vnl_link_ops,
				peer_tb, extack);
	if (IS_ERR(peer)) {
		err = PTR_ERR(peer);
		goto out_put_net;
	}
	peer->ifindex = ifmp->ifi_index;
	vnl_pair_setup(peer);
	vnl_pair_setup(dev);

	/* The netns stays held until the peer is registered in it: a netns
	 * whose last reference went could not know of the peer when it
	 * deletes its devices.
	 */
	err = vnl_pair_register(dev, peer, extack);
	if (err)
		goto out_put_net;

	/* The peer's flags from its ifinfomsg ("up"), and its RTM_NEWLINK,
	 * which rtnl_create_link() held back; the core does the same for
	 * @dev once this returns.  Done once both ends are wired: opening
	 * an end looks at its peer.
	 */
	err = vnl_compat_configure_link(peer, ifmp);
	if (err) {
		LIST_HEAD(kill);

		vnl_link_dellink(dev, &kill);
		unregister_netdevice_many(&kill);
		goto out_put_net;
	}

	vnl_genl_announce(peer);
	vnl_genl_announce(dev);
out_put_net:
	put_net(peer_net);
	return err;
}

/* A macvlan child as "ip link add C link DEV" asks: the parent is the
 * request's IFLA_LINK, in the netns the core says (IFLA_LINK_NETNSID's,
 * else the requester's).
 */
static int vnl_link_new_macvlan(struct net_device *dev,
				const struct vnl_newlink *nl)
{
	struct netlink_ext_ack *extack = nl->extack;
	struct nlattr **data = nl->data;
	struct nlattr **tb = nl->tb;
	struct vnl_demux_config cfg = {
		.name = dev->name,
		.net = dev_net(dev),
		.addr = tb[IFLA_ADDRESS] ? nla_data(tb[IFLA_ADDRESS]) : NULL,
		.mtu = tb[IFLA_MTU] ? nla_get_u32(tb[IFLA_MTU]) : 0,
		.mode = data[VNL_A_MACVLAN_MODE] ?
			nla_get_u32(data[VNL_A_MACVLAN_MODE]) :
			VNL_MACVLAN_MODE_VEPA,
		.bc_queue_len = data[VNL_A_BC_QUEUE_LEN] ?
				nla_get_u32(data[VNL_A_BC_QUEUE_LEN]) :
				VNL_BC_QUEUE_LEN_DEFAULT,
		.tap_face = data[VNL_A_TAP_FACE] ?
			    nla_get_u32(data[VNL_A_TAP_FACE]) : 0,
	};
	int err;

	if (data[VNL_A_PEER_INFO]) {
		NL_SET_ERR_MSG_ATTR(extack, data[VNL_A_PEER_INFO],
				    "a macvlan child has no peer");
		return -EINVAL;
	}
	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack, "a macvlan child needs its parent (link DEV)");
		return -EINVAL;
	}
	if (data[VNL_A_TAP_FACE]) {
		err = vnl_macvtap_check_flags(data[VNL_A_TAP_FACE], extack);
		if (err)
			return err;
	}
	cfg.parent = __dev_get_by_index(nl->link_net,
					nla_get_u32(tb[IFLA_LINK]));
	if (!cfg.parent) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK], "no such parent device");
		return -ENODEV;
	}

	err = vnl_demux_register(dev, &cfg, extack);
	if (!err)
		vnl_genl_announce(dev);
	return err;
}

/* rtnl_link_ops.newlink, through compat.h:vnl_compat_newlink.  @dev was
 * allocated by the core (vnl_dev_setup) with the request's name, netns,
 * address and MTU; on failure the core frees it unless it is already
 * being unregistered.
 */
int vnl_link_newlink(struct net_device *dev, const struct vnl_newlink *nl)
{
	struct nlattr **data = nl->data;

	if (!data || !data[VNL_A_KIND]) {
		NL_SET_ERR_MSG(nl->extack,
			       "the kind of vnl device is needed (kind pair or kind macvlan)");
		return -EINVAL;
	}

	switch (nla_get_u32(data[VNL_A_KIND])) {
	case VNL_KIND_PAIR:
		return vnl_link_new_pair(dev, nl);
	case VNL_KIND_MACVLAN:
		return vnl_link_new_macvlan(dev, nl);
	default:
		/* A tun or tap device belongs to the file that made it. */
		NL_SET_ERR_MSG_ATTR(nl->extack, data[VNL_A_KIND],
				    "tun and tap devices are created through /dev/vnl (TUNSETIFF, ip tuntap, vnlctl add tun|tap)");
		return -EOPNOTSUPP;
	}
}

/* The netns that IFLA_LINK (ndo_get_iflink) refers to: the peer's or the
 * parent's.
 */
static struct net *vnl_link_get_link_net(const struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *link = vnl->ops->link ? vnl->ops->link(dev) : NULL;

	return link ? dev_net(link) : dev_net(dev);
}

static size_t vnl_link_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u32)) +	/* VNL_A_KIND */
	       nla_total_size(sizeof(u32)) +	/* VNL_A_MACVLAN_MODE */
	       nla_total_size(sizeof(u32)) +	/* VNL_A_BC_QUEUE_LEN */
	       nla_total_size(sizeof(u32)) +	/* VNL_A_BC_QUEUE_LEN_USED */
	       nla_total_size(sizeof(u32));	/* VNL_A_TAP_FACE */
}

/* IFLA_INFO_DATA for "ip -d link show": the vnl kind of the device and,
 * for a macvlan child, its mode and broadcast queue lengths, as kernel
 * macvlan gives them, and its tap face if it has one.  The values are
 * read once each: rtnetlink may fill this without RTNL.
 */
static int vnl_link_fill_info(struct sk_buff *skb,
			      const struct net_device *dev)
{
	const struct vnl_dev *vnl = netdev_priv(dev);
	const struct vnl_demux *demux = &vnl->demux;
	u32 face;

	if (nla_put_u32(skb, VNL_A_KIND, vnl->kind))
		return -EMSGSIZE;
	if (vnl->kind != VNL_KIND_MACVLAN)
		return 0;
	if (nla_put_u32(skb, VNL_A_MACVLAN_MODE, READ_ONCE(demux->mode)) ||
	    nla_put_u32(skb, VNL_A_BC_QUEUE_LEN,
			READ_ONCE(demux->bc_queue_len)) ||
	    nla_put_u32(skb, VNL_A_BC_QUEUE_LEN_USED,
			READ_ONCE(demux->port->bc_queue_len_used)))
		return -EMSGSIZE;
	/* Those two bits are fixed at creation; the others move when a
	 * file attaches.
	 */
	face = READ_ONCE(vnl->tun.flags) & (IFF_TAP | IFF_MULTI_QUEUE);
	if (face && nla_put_u32(skb, VNL_A_TAP_FACE, face))
		return -EMSGSIZE;
	return 0;
}

struct rtnl_link_ops vnl_link_ops = {
	.kind		= "vnl",
	.priv_size	= sizeof(struct vnl_dev),
	.setup		= vnl_dev_setup,
	VNL_COMPAT_PEER_TYPE(VNL_A_PEER_INFO)
	.maxtype	= VNL_A_MAX,
	.policy		= vnl_link_policy,
	.validate	= vnl_link_validate,
	.newlink	= vnl_compat_newlink,
	.dellink	= vnl_link_dellink,
	.get_link_net	= vnl_link_get_link_net,
	.get_size	= vnl_link_get_size,
	.fill_info	= vnl_link_fill_info,
};

int vnl_rtnl_register(void)
{
	return rtnl_link_register(&vnl_link_ops);
}

/* Deletes every vnl device in every netns, then forgets the kind. */
void vnl_rtnl_unregister(void)
{
	rtnl_link_unregister(&vnl_link_ops);
}
