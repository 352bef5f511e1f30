// SPDX-License-Identifier: GPL-2.0
/*
 * vnet headers on /dev/vnl (IFF_VNET_HDR), as tun has them.  Each frame
 * read or written is preceded by a struct virtio_net_hdr (padded to the
 * size TUNSETVNETHDRSZ chose) that says what the frame still needs: a
 * checksum to finish (NEEDS_CSUM at csum_start + csum_offset), a
 * segmentation to do (gso_type, gso_size), or that its checksum was
 * already checked (DATA_VALID).  A VM's virtio-net driver speaks it, so
 * QEMU can hand a guest's GSO super-packets to the device in one write.
 *
 * The header and the skb are translated by the kernel's own helpers
 * (include/linux/virtio_net.h: virtio_net_hdr_to_skb and _from_skb), the
 * ones tun, macvtap and AF_PACKET use, so vnl accepts and describes
 * exactly what the running kernel's tun does.
 *
 * What the stack may hand the device follows TUNSETOFFLOAD: the offloads
 * the program can take are kept in tun->offloads and applied through
 * ndo_fix_features, so dev->features (and `ethtool -k`) say what really
 * reaches read().
 *
 * Locking: the settings are written under RTNL (the ioctls); the data
 * path reads them without a lock (READ_ONCE), as tun does: a frame in
 * flight while they change is read or written with the old or the new
 * value, never a mix within one header.
 */
#include <linux/if_tun.h>
#include <linux/uio.h>
#include <linux/virtio_net.h>

#include "vnl.h"

static struct vnl_tun *vnl_vnet_tun(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	return &vnl->tun;
}

/* The header's byte order: TUNSETVNETLE, or the legacy virtio order, the
 * machine's own.  Big-endian headers on a little-endian machine
 * (TUNSETVNETBE) need CONFIG_TUN_VNET_CROSS_LE, which Debian's kernels
 * do not set: vnl refuses them as their tun does.
 */
static bool vnl_vnet_is_le(const struct vnl_tun *tun)
{
	return READ_ONCE(tun->vnet_le) || virtio_legacy_is_little_endian();
}

/* TUN{GET,SET}VNET{HDRSZ,LE,BE}, under RTNL.  The size has tun's lower
 * bound and no upper one: a larger header is padding, zeroed on read and
 * skipped on write.
 */
int vnl_vnet_ioctl(struct net_device *dev, unsigned int cmd,
		   int __user *argp)
{
	struct vnl_tun *tun = vnl_vnet_tun(dev);
	int val;

	switch (cmd) {
	case TUNGETVNETHDRSZ:
		return put_user(tun->vnet_hdr_sz, argp);
	case TUNGETVNETLE:
		return put_user((int)tun->vnet_le, argp);
	case TUNSETVNETHDRSZ:
		if (get_user(val, argp))
			return -EFAULT;
		if (val < (int)sizeof(struct virtio_net_hdr))
			return -EINVAL;
		WRITE_ONCE(tun->vnet_hdr_sz, val);
		return 0;
	case TUNSETVNETLE:
		if (get_user(val, argp))
			return -EFAULT;
		WRITE_ONCE(tun->vnet_le, !!val);
		return 0;
	default:
		/* TUNGETVNETBE, TUNSETVNETBE: see vnl_vnet_is_le. */
		return -EINVAL;
	}
}

/* TUNSETOFFLOAD, under RTNL: the TUN_F_* the program can take, as tun
 * maps them.  Segmentation needs checksum offload; ECN needs TSO; UFO is
 * accepted and ignored (the stack has not made UFO packets since 4.14,
 * and QEMU still asks for it); USO4 and USO6 come together.  Any other
 * bit, or one without what it needs, is refused and changes nothing.
 */
int vnl_vnet_set_offload(struct net_device *dev, unsigned long arg)
{
	struct vnl_tun *tun = vnl_vnet_tun(dev);
	netdev_features_t features = 0;

	if (arg & TUN_F_CSUM) {
		features |= NETIF_F_HW_CSUM;
		arg &= ~(unsigned long)(TUN_F_CSUM | TUN_F_UFO);
		if (arg & (TUN_F_TSO4 | TUN_F_TSO6)) {
			if (arg & TUN_F_TSO4)
				features |= NETIF_F_TSO;
			if (arg & TUN_F_TSO6)
				features |= NETIF_F_TSO6;
			if (arg & TUN_F_TSO_ECN)
				features |= NETIF_F_TSO_ECN;
			arg &= ~(unsigned long)(TUN_F_TSO4 | TUN_F_TSO6 |
						TUN_F_TSO_ECN);
		}
		if (VNL_COMPAT_TUN_F_USO &&
		    (arg & VNL_COMPAT_TUN_F_USO) == VNL_COMPAT_TUN_F_USO) {
			features |= VNL_COMPAT_NETIF_F_USO;
			arg &= ~(unsigned long)VNL_COMPAT_TUN_F_USO;
		}
	}
	if (arg)
		return -EINVAL;

	tun->offloads = features;
	/* A tap face's offloads only say what its receive handler may hand
	 * the program whole (macvtap.c:vnl_macvtap_fit): the child's own
	 * features are a macvlan child's.
	 */
	if (vnl_macvtap_is_face(dev))
		return 0;
	/* As if `ethtool -K` had asked for exactly these: fix_features
	 * then keeps what the program allowed, nothing more.
	 */
	dev->wanted_features &= ~VNL_TUN_OFFLOADS;
	dev->wanted_features |= features;
	netdev_update_features(dev);
	return 0;
}

/* ndo_fix_features: of the offloads, only those TUNSETOFFLOAD allowed;
 * `ethtool -K` can turn them off, not on.  RTNL.
 */
netdev_features_t vnl_vnet_fix_features(struct net_device *dev,
					netdev_features_t features)
{
	return (features & ~VNL_TUN_OFFLOADS) |
	       (features & vnl_vnet_tun(dev)->offloads);
}

/* The size of the header before each frame, or 0 without IFF_VNET_HDR. */
size_t vnl_vnet_hdr_size(struct net_device *dev, unsigned int flags)
{
	if (!(flags & IFF_VNET_HDR))
		return 0;
	return READ_ONCE(vnl_vnet_tun(dev)->vnet_hdr_sz);
}

/* read(): the header of @skb, @sz bytes of it, before the frame.  A
 * buffer without room for it gets EINVAL, as with tun.  The stack only
 * hands the device GSO types fix_features allowed, and virtio has a word
 * for each of them; should another reach us, the frame is refused too.
 */
int vnl_vnet_put_hdr(struct net_device *dev, const struct sk_buff *skb,
		     size_t sz, struct iov_iter *to)
{
	struct virtio_net_hdr hdr;

	if (iov_iter_count(to) < sz)
		return -EINVAL;
	if (virtio_net_hdr_from_skb(skb, &hdr,
				    vnl_vnet_is_le(vnl_vnet_tun(dev)),
				    true, 0))
		return -EINVAL;
	if (copy_to_iter(&hdr, sizeof(hdr), to) != sizeof(hdr))
		return -EFAULT;
	if (iov_iter_zero(sz - sizeof(hdr), to) != sz - sizeof(hdr))
		return -EFAULT;
	return 0;
}

/* write(): the header, @sz bytes, of a frame of *@len bytes after it
 * (*@len is what follows the header on return).  As tun: a write
 * shorter than the header, or a header whose hdr_len (at least the end
 * of the checksum field it points at) runs past the frame, or (tap) ends
 * inside the Ethernet header, is refused with EINVAL.  EFAULT if the
 * program's memory is not readable.  *@head: that hdr_len, the bytes of
 * headers the frame's skb should hold in its linear part (0: the header
 * does not say).
 */
int vnl_vnet_get_hdr(struct net_device *dev, unsigned int flags, size_t sz,
		     struct iov_iter *from, size_t *len,
		     struct virtio_net_hdr *hdr, size_t *head)
{
	bool le = vnl_vnet_is_le(vnl_vnet_tun(dev));
	u32 hdr_len;

	if (*len < sz)
		return -EINVAL;
	if (!copy_from_iter_full(hdr, sizeof(*hdr), from))
		return -EFAULT;
	iov_iter_advance(from, sz - sizeof(*hdr));
	*len -= sz;

	hdr_len = __virtio16_to_cpu(le, hdr->hdr_len);
	if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		u32 csum_end = __virtio16_to_cpu(le, hdr->csum_start) +
			       __virtio16_to_cpu(le, hdr->csum_offset) +
			       sizeof(__sum16);

		hdr_len = max(hdr_len, csum_end);
	}
	if (hdr_len > *len)
		return -EINVAL;
	if ((flags & IFF_TAP) && hdr_len && hdr_len < ETH_HLEN)
		return -EINVAL;
	*head = hdr_len;
	return 0;
}

/* write(): apply the header to the frame's skb (checksum to finish, GSO
 * type and size, marked SKB_GSO_DODGY for the stack to check).  The
 * headers it covers must be in the skb's linear part: they are, up to a
 * page of them (tun.c:vnl_tun_copy_frame puts a frame that fits in a
 * page there, and a longer frame's hdr_len bytes, its rest in pages),
 * and virtio_net_hdr_to_skb pulls in any beyond, as it does for tun.  EINVAL
 * for a header the kernel refuses: an unknown GSO type, a GSO size of 0,
 * checksum offsets outside the frame's headers.
 */
int vnl_vnet_hdr_to_skb(struct net_device *dev, struct sk_buff *skb,
			const struct virtio_net_hdr *hdr)
{
	if (virtio_net_hdr_to_skb(skb, hdr, vnl_vnet_is_le(vnl_vnet_tun(dev))))
		return -EINVAL;
	return 0;
}
