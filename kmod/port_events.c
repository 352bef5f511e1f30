// SPDX-License-Identifier: GPL-2.0
/*
 * What a macvlan parent's events do to its children.
 *
 * One netdevice notifier (vnl_port_event) hears every event of every
 * net_device, under RTNL, and acts on those of devices with a vnl port:
 * the children follow their parent's carrier, MTU, address (passthru),
 * offload limits and failovers, and go when it goes.
 */
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "vnl.h"

static void vnl_port_transfer_operstate(struct vnl_port *port)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node) {
		struct net_device *dev = vnl_demux_to_vnl(demux)->dev;
		bool had_carrier = netif_carrier_ok(dev);

		vnl_demux_transfer_operstate(dev);
		if (netif_carrier_ok(dev) != had_carrier)
			vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
	}
}

/* A child's frames must still fit when its parent's MTU shrinks. */
static void vnl_port_follow_mtu(struct vnl_port *port)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node) {
		struct net_device *dev = vnl_demux_to_vnl(demux)->dev;

		if (dev->mtu > port->dev->mtu)
			dev_set_mtu(dev, port->dev->mtu);
	}
}

/* A passthru child keeps its parent's address. */
static void vnl_port_follow_addr(struct vnl_port *port)
{
	struct vnl_demux *demux;
	struct net_device *dev;

	if (!port->passthru)
		return;
	demux = list_first_entry_or_null(&port->children, struct vnl_demux,
					 node);
	if (!demux)
		return;

	dev = vnl_demux_to_vnl(demux)->dev;
	if (!vnl_demux_rehash(dev, port->dev->dev_addr))
		call_netdevice_notifiers(NETDEV_CHANGEADDR, dev);
}

/* Events the children must hear as their own, as macvlan's do: after a
 * bond's failover (NOTIFY_PEERS, BONDING_FAILOVER) each child announces
 * its addresses again (gratuitous ARP, unsolicited NA), and after
 * RESEND_IGMP it reports its multicast groups again.
 */
static void vnl_port_pass_on(struct vnl_port *port, unsigned long event)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node)
		call_netdevice_notifiers(event, vnl_demux_to_vnl(demux)->dev);
}

/* The parent's offloads changed: the children's limits follow (the GSO
 * size and segment count it takes, the headroom its frames need), as at
 * creation (demux.c:vnl_demux_alloc).
 */
static void vnl_port_follow_features(struct vnl_port *port)
{
	struct vnl_demux *demux;

	list_for_each_entry(demux, &port->children, node) {
		struct net_device *dev = vnl_demux_to_vnl(demux)->dev;

		vnl_compat_inherit_tso_max(dev, port->dev);
		dev->needed_headroom = port->dev->needed_headroom;
	}
}

/* The parent is going: so are its children, in whatever netns they are.
 * A parent merely moving to another netns keeps them.
 */
static void vnl_port_delete_children(struct vnl_port *port)
{
	struct vnl_demux *demux, *tmp;
	LIST_HEAD(kill);

	if (port->dev->reg_state != NETREG_UNREGISTERING)
		return;

	list_for_each_entry_safe(demux, tmp, &port->children, node)
		vnl_demux_dellink(vnl_demux_to_vnl(demux)->dev, &kill);
	unregister_netdevice_many(&kill);
}

/* Runs under RTNL for every net_device event; only parents with a vnl
 * port are of interest.
 */
static int vnl_port_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vnl_port *port = vnl_port_get_rtnl(dev);

	if (!port)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		vnl_port_transfer_operstate(port);
		break;
	case NETDEV_CHANGEMTU:
		vnl_port_follow_mtu(port);
		break;
	case NETDEV_CHANGEADDR:
		vnl_port_follow_addr(port);
		break;
	case NETDEV_UNREGISTER:
		vnl_port_delete_children(port);
		break;
	case NETDEV_NOTIFY_PEERS:
	case NETDEV_BONDING_FAILOVER:
	case NETDEV_RESEND_IGMP:
		vnl_port_pass_on(port, event);
		break;
	case NETDEV_FEAT_CHANGE:
		vnl_port_follow_features(port);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		/* Children need an Ethernet parent, always. */
		return NOTIFY_BAD;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vnl_port_notifier = {
	.notifier_call = vnl_port_event,
};

int vnl_port_events_register(void)
{
	return register_netdevice_notifier(&vnl_port_notifier);
}

void vnl_port_events_unregister(void)
{
	unregister_netdevice_notifier(&vnl_port_notifier);
}
