// SPDX-License-Identifier: GPL-2.0
/*
 * vnl: a teaching-grade virtual link combining veth-style pairs, a
 * tun/tap-style character device and macvlan-style MAC demultiplexing.
 *
 * Module init and exit only: each registers its pieces in order and
 * unwinds them in reverse.
 */
#include <linux/module.h>
#include <net/rtnetlink.h>

#include "vnl.h"

static int __init vnl_init(void)
{
	int err;

	/* The parent-event notifier before any child can exist, and after
	 * the last one is gone (the link kind deletes them all).
	 */
	err = vnl_port_events_register();
	if (err)
		return err;

	/* The link kind before the family, which creates devices of it. */
	err = vnl_rtnl_register();
	if (err)
		goto err_unregister_events;

	err = vnl_genl_register();
	if (err)
		goto err_unregister_ops;

	err = vnl_chr_register();
	if (err)
		goto err_unregister_genl;

	return 0;

err_unregister_genl:
	vnl_genl_unregister();
err_unregister_ops:
	vnl_rtnl_unregister();
err_unregister_events:
	vnl_port_events_unregister();
	return err;
}

/* The family goes before the link kind, so that no request can create a
 * device after the kind has deleted them all.
 */
static void __exit vnl_exit(void)
{
	vnl_chr_unregister();
	vnl_genl_unregister();
	vnl_rtnl_unregister();
	vnl_port_events_unregister();
}

module_init(vnl_init);
module_exit(vnl_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vnl: teaching-grade virtual links (pairs, tun/tap, demux)");
MODULE_AUTHOR("The vnl developers");
MODULE_VERSION(VNL_VERSION);
MODULE_ALIAS_RTNL_LINK("vnl");
MODULE_ALIAS_GENL_FAMILY(VNL_GENL_NAME);
