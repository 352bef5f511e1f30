// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vnl: the character device of vnl's tun and tap devices, with the
 * ioctl ABI of /dev/net/tun (linux/if_tun.h), so that tun clients work by
 * opening /dev/vnl instead.
 *
 * Each open file is a struct vnl_tfile.  It starts out attached to no
 * device; TUNSETIFF attaches it to a tun/tap device (creating it if
 * needed), and from then on the file is one of that device's queues:
 * read() takes what the stack transmitted, write() gives the stack what
 * the program sends.  tun.c holds the device side.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include <net/rtnetlink.h>

#include "vnl.h"
#include "trace.h"

/* The file's device with a reference held, or NULL if the file is not an
 * attached queue.  The reference keeps the device from being freed while
 * read() or write() copies a frame; the copy may sleep on a page fault
 * (as in tun), but waiting for a frame is done without it.
 */
static struct net_device *vnl_chr_get_dev(struct vnl_tfile *tfile)
{
	struct net_device *dev;

	rcu_read_lock();
	dev = rcu_dereference(tfile->dev);
	if (dev)
		dev_hold(dev);
	rcu_read_unlock();
	return dev;
}

static int vnl_chr_open(struct inode *inode, struct file *file)
{
	struct vnl_tfile *tfile;

	tfile = kzalloc(sizeof(*tfile), GFP_KERNEL);
	if (!tfile)
		return -ENOMEM;

	/* TUNSETIFF creates devices in the netns of whoever opened the
	 * file, like tun, wherever the ioctl is issued from later.
	 */
	tfile->net = get_net(current->nsproxy->net_ns);
	skb_queue_head_init(&tfile->rxq);
	skb_queue_head_init(&tfile->napi_q);
	init_waitqueue_head(&tfile->wq);
	mutex_init(&tfile->frag_lock);
	INIT_LIST_HEAD(&tfile->detached_node);
	file->private_data = tfile;

	return nonseekable_open(inode, file);
}

static int vnl_chr_release(struct inode *inode, struct file *file)
{
	struct vnl_tfile *tfile = file->private_data;

	vnl_tun_release(tfile);
	vnl_batch_release(tfile);
	put_net(tfile->net);
	kfree(tfile);
	return 0;
}

/* Sleep until a frame is queued or the file stops being a queue. */
static int vnl_chr_wait(struct vnl_tfile *tfile)
{
	return wait_event_interruptible(tfile->wq,
					!skb_queue_empty(&tfile->rxq) ||
					!rcu_access_pointer(tfile->dev));
}

/* One frame off the queue, copied out (tun.c:vnl_tun_put_frame), or
 * -EAGAIN if none is queued.  A frame that could not be copied out (a
 * buffer too short for the packet information, a bad address) is lost:
 * it is dropped as unread.
 */
static ssize_t vnl_chr_read_one(struct vnl_tfile *tfile, struct net_device *dev,
				struct iov_iter *to)
{
	struct sk_buff *skb;
	ssize_t ret;

	skb = skb_dequeue(&tfile->rxq);
	if (!skb)
		return -EAGAIN;
	trace_vnl_tun_read(dev, skb, tfile->index);
	ret = vnl_tun_put_frame(dev, skb, to);
	if (ret < 0) {
		vnl_tun_drop_unread(dev, skb);
	} else {
		atomic64_inc(&tfile->read);
		consume_skb(skb);
	}
	return ret;
}

static ssize_t vnl_chr_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct vnl_tfile *tfile = iocb->ki_filp->private_data;
	bool nonblock = (iocb->ki_filp->f_flags & O_NONBLOCK) ||
			(iocb->ki_flags & IOCB_NOWAIT);
	bool batch = READ_ONCE(tfile->batch) & VNL_BATCH_READ;
	struct net_device *dev;
	ssize_t ret;

	/* As tun: a read of nothing returns 0 at once, even from an empty
	 * queue, and leaves the queue alone: dequeuing would lose a frame
	 * of which not a byte could be copied.  Only a file that is not a
	 * queue fails, as any read of it does.
	 */
	if (!iov_iter_count(to))
		return rcu_access_pointer(tfile->dev) ? 0 : -EBADFD;

	/* One frame, or in batch mode (batch.c) what is queued now; with
	 * nothing queued, both wait here for the first frame.
	 */
	for (;;) {
		dev = vnl_chr_get_dev(tfile);
		if (!dev)
			return -EBADFD;
		if (batch)
			ret = vnl_batch_read(tfile, dev, to);
		else
			ret = vnl_chr_read_one(tfile, dev, to);
		dev_put(dev);
		if (ret != -EAGAIN)
			return ret;

		if (nonblock)
			return -EAGAIN;
		ret = vnl_chr_wait(tfile);
		if (ret)
			return ret;
	}
}

static ssize_t vnl_chr_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct vnl_tfile *tfile = iocb->ki_filp->private_data;
	struct net_device *dev;
	ssize_t ret;

	dev = vnl_chr_get_dev(tfile);
	if (!dev)
		return -EBADFD;

	if (READ_ONCE(tfile->batch) & VNL_BATCH_WRITE)
		ret = vnl_batch_write(tfile, dev, from);
	else
		ret = vnl_tun_get_frame(tfile, dev, from);
	dev_put(dev);
	return ret;
}

/* Readable while a frame waits, writable while the device is up; an
 * unattached or detached file reports EPOLLERR, one whose device was
 * deleted EPOLLERR | EPOLLHUP.
 */
static __poll_t vnl_chr_poll(struct file *file, poll_table *wait)
{
	struct vnl_tfile *tfile = file->private_data;
	struct net_device *dev;
	__poll_t mask = 0;

	poll_wait(file, &tfile->wq, wait);
	/* Pairs with wq_has_sleeper() in tun.c:vnl_tun_enqueue: on the wait
	 * queue before the look at the receive queue.
	 */
	smp_mb();

	dev = vnl_chr_get_dev(tfile);
	if (!dev) {
		/* Pairs with smp_wmb() in tun.c:vnl_tun_retire_files. */
		smp_rmb();
		return READ_ONCE(tfile->gone) ? EPOLLERR | EPOLLHUP : EPOLLERR;
	}

	if (!skb_queue_empty(&tfile->rxq))
		mask |= EPOLLIN | EPOLLRDNORM;
	/* netif_running(), not IFF_UP: the core sets IFF_UP only after
	 * ndo_open, which wakes us, returns; a poller woken in between
	 * would see the device down and sleep for good.
	 */
	if (netif_running(dev))
		mask |= EPOLLOUT | EPOLLWRNORM;
	dev_put(dev);
	return mask;
}

/* TUNSETIFF and TUNSETQUEUE: both take and give back a struct ifreq of
 * @ifreq_len bytes (see vnl_chr_compat_ioctl).
 */
static long vnl_chr_ifreq_ioctl(struct vnl_tfile *tfile, unsigned int cmd,
				void __user *argp, size_t ifreq_len)
{
	struct ifreq ifr = {};
	int err;

	if (copy_from_user(&ifr, argp, ifreq_len))
		return -EFAULT;

	rtnl_lock();
	if (cmd == TUNSETIFF)
		err = vnl_tun_set_iff(tfile, &ifr);
	else
		err = vnl_tun_set_queue(tfile, &ifr);
	rtnl_unlock();

	if (!err && cmd == TUNSETIFF && copy_to_user(argp, &ifr, ifreq_len))
		err = -EFAULT;
	return err;
}

/* SIOCGIFHWADDR: the device's address and its ARPHRD type.  Addresses
 * change only under RTNL, which the caller holds, so the copy is whole.
 */
static void vnl_chr_get_hwaddr(struct net_device *dev, struct sockaddr *sa)
{
	/* What follows sa_family (sa_data is a flexible array on some
	 * kernels: its size is the struct's).
	 */
	size_t room = sizeof(*sa) - offsetof(struct sockaddr, sa_data);

	memset(sa->sa_data, 0, room);
	memcpy(sa->sa_data, dev->dev_addr, min_t(size_t, room, dev->addr_len));
	sa->sa_family = dev->type;
}

/* The ioctls of an attached file, under RTNL. */
static long vnl_chr_dev_ioctl(struct net_device *dev, unsigned int cmd,
			      unsigned long arg, struct ifreq *ifr)
{
	void __user *argp = (void __user *)arg;
	int on;

	switch (cmd) {
	case TUNGETIFF:
		vnl_tun_get_iff(dev, ifr);
		return 0;
	case TUNSETPERSIST:
		return vnl_tun_set_persist(dev, arg);
	case TUNSETOWNER:
		return vnl_tun_set_owner(dev, arg);
	case TUNSETGROUP:
		return vnl_tun_set_group(dev, arg);
	case TUNSETCARRIER:
		if (get_user(on, (int __user *)argp))
			return -EFAULT;
		return vnl_tun_set_carrier(dev, on);
	case TUNSETOFFLOAD:
		return vnl_vnet_set_offload(dev, arg);
	case TUNGETVNETHDRSZ:
	case TUNSETVNETHDRSZ:
	case TUNGETVNETLE:
	case TUNSETVNETLE:
	case TUNGETVNETBE:
	case TUNSETVNETBE:
		/* get_user() and put_user() may fault and sleep: RTNL is a
		 * mutex, as tun holds it here too.
		 */
		return vnl_vnet_ioctl(dev, cmd, argp);
	case SIOCGIFHWADDR:
		/* As tun: the address of the attached device, whatever name
		 * the caller wrote in the request.
		 */
		vnl_chr_get_hwaddr(dev, &ifr->ifr_hwaddr);
		return 0;
	case SIOCSIFHWADDR:
		/* Attaching was the permission check, as with tun. */
		return vnl_compat_set_mac_address_user(dev, &ifr->ifr_hwaddr);
	default:
		return -EINVAL;
	}
}

static bool vnl_chr_is_dev_ioctl(unsigned int cmd)
{
	switch (cmd) {
	case TUNGETIFF:
	case TUNSETPERSIST:
	case TUNSETOWNER:
	case TUNSETGROUP:
	case TUNSETCARRIER:
	case TUNSETOFFLOAD:
	case TUNGETVNETHDRSZ:
	case TUNSETVNETHDRSZ:
	case TUNGETVNETLE:
	case TUNSETVNETLE:
	case TUNGETVNETBE:
	case TUNSETVNETBE:
	case SIOCGIFHWADDR:
	case SIOCSIFHWADDR:
		return true;
	default:
		return false;
	}
}

/* The ioctls that change what LINK_GET describes (owner, group,
 * persistence, carrier, address): the monitors hear of them.
 */
static bool vnl_chr_ioctl_changes_link(unsigned int cmd)
{
	switch (cmd) {
	case TUNSETPERSIST:
	case TUNSETOWNER:
	case TUNSETGROUP:
	case TUNSETCARRIER:
	case SIOCSIFHWADDR:
		return true;
	default:
		return false;
	}
}

/* Every ioctl, from a program of the kernel's own ABI or (through
 * vnl_chr_compat_ioctl) a 32-bit one, whose struct ifreq is @ifreq_len
 * bytes long.
 */
static long vnl_chr_do_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg, size_t ifreq_len)
{
	struct vnl_tfile *tfile = file->private_data;
	void __user *argp = (void __user *)arg;
	struct net_device *dev;
	struct ifreq ifr = {};
	long ret;

	switch (cmd) {
	case TUNGETFEATURES:
		return put_user(VNL_TUN_FEATURES, (unsigned int __user *)argp);
	/* vnl's own: settings of the file, not of a device, so they need
	 * no RTNL and answer on any file, attached or not.
	 */
	case VNL_IOC_GET_FEATURES:
		return put_user(VNL_FEATURES, (u32 __user *)argp);
	case VNL_IOC_SET_BATCH:
		return vnl_batch_set(tfile, (u32 __user *)argp);
	case VNL_IOC_GET_BATCH:
		return put_user(READ_ONCE(tfile->batch), (u32 __user *)argp);
	case TUNSETIFF:
	case TUNSETQUEUE:
		return vnl_chr_ifreq_ioctl(tfile, cmd, argp, ifreq_len);
	}

	/* Anything not implemented is refused, never ignored. */
	if (!vnl_chr_is_dev_ioctl(cmd))
		return -EINVAL;

	if ((cmd == SIOCGIFHWADDR || cmd == SIOCSIFHWADDR) &&
	    copy_from_user(&ifr, argp, ifreq_len))
		return -EFAULT;

	rtnl_lock();
	dev = rtnl_dereference(tfile->dev);
	ret = dev ? vnl_chr_dev_ioctl(dev, cmd, arg, &ifr) : -EBADFD;
	if (!ret && vnl_chr_ioctl_changes_link(cmd))
		vnl_genl_notify(dev, VNL_CMD_LINK_CHANGE);
	rtnl_unlock();

	if (!ret && (cmd == TUNGETIFF || cmd == SIOCGIFHWADDR) &&
	    copy_to_user(argp, &ifr, ifreq_len))
		ret = -EFAULT;
	return ret;
}

static long vnl_chr_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return vnl_chr_do_ioctl(file, cmd, arg, sizeof(struct ifreq));
}

#ifdef CONFIG_COMPAT
/* A 32-bit program on a 64-bit kernel: the same ioctl numbers, but its
 * struct ifreq is 32 bytes, not 40 (the union's struct ifmap holds
 * unsigned longs), and its pointers and values are 32 bits wide.  Copying
 * a 40-byte ifreq would read past its buffer and write 8 bytes beyond it.
 */
static long vnl_chr_compat_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	switch (cmd) {
	case TUNSETIFF:
	case TUNSETQUEUE:
	case TUNGETIFF:
	case TUNGETFEATURES:
	case TUNSETCARRIER:
	case TUNGETVNETHDRSZ:
	case TUNSETVNETHDRSZ:
	case TUNGETVNETLE:
	case TUNSETVNETLE:
	case TUNGETVNETBE:
	case TUNSETVNETBE:
	case SIOCGIFHWADDR:
	case SIOCSIFHWADDR:
	case VNL_IOC_GET_FEATURES:
	case VNL_IOC_SET_BATCH:
	case VNL_IOC_GET_BATCH:
		arg = (unsigned long)compat_ptr(arg);
		break;
	default:
		/* A value: an owner, a group, a flag. */
		arg = (compat_ulong_t)arg;
		break;
	}
	return vnl_chr_do_ioctl(file, cmd, arg, sizeof(struct compat_ifreq));
}
#endif

#ifdef CONFIG_PROC_FS
/* /proc/PID/fdinfo/FD: "iff:" and the name of the device the file is an
 * attached queue of (empty if none), as tun prints it: "ip -d tuntap
 * show" and lsof-like tools find a device's programs by it.  RTNL, as a
 * rename changes the name under it.
 */
static void vnl_chr_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vnl_tfile *tfile = file->private_data;
	struct net_device *dev;

	rtnl_lock();
	dev = rtnl_dereference(tfile->dev);
	seq_printf(m, "iff:\t%s\n", dev ? dev->name : "");
	rtnl_unlock();
}
#endif

static const struct file_operations vnl_chr_fops = {
	.owner		= THIS_MODULE,
	.open		= vnl_chr_open,
	.release	= vnl_chr_release,
	.read_iter	= vnl_chr_read_iter,
	.write_iter	= vnl_chr_write_iter,
	.poll		= vnl_chr_poll,
	.unlocked_ioctl	= vnl_chr_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl	= vnl_chr_compat_ioctl,
#endif
#ifdef CONFIG_PROC_FS
	.show_fdinfo	= vnl_chr_show_fdinfo,
#endif
};

/* Mode 0666 like /dev/net/tun: opening is harmless; what a file may do is
 * decided when it asks to attach to a device (tun.c:vnl_tun_may_attach).
 */
static struct miscdevice vnl_chr_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "vnl",
	.nodename	= "vnl",
	.mode		= 0666,
	.fops		= &vnl_chr_fops,
};

int vnl_chr_register(void)
{
	return misc_register(&vnl_chr_misc);
}

void vnl_chr_unregister(void)
{
	misc_deregister(&vnl_chr_misc);
}
