/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place where differences between the kernels vnl supports
 * (Debian's 6.1 and 6.12) are handled.  Kbuild tests the headers for each
 * feature and defines VNL_HAVE_*; each helper here names what it does, and
 * the rest of the module calls the helper and never tests a feature.
 */
#ifndef _VNL_COMPAT_H
#define _VNL_COMPAT_H

#include <linux/netdevice.h>

/* A device whose transmit path takes no queue lock ("lockless TX"): the
 * flag moved from dev->features into a bit of its own in 6.11.
 */
static inline void vnl_compat_set_lltx(struct net_device *dev)
{
#ifdef VNL_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

#endif /* _VNL_COMPAT_H */
