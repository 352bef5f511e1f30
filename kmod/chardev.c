// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vnl: the character device through which a program will read and
 * write the packets of a vnl tun/tap interface, with the ioctl ABI of
 * /dev/net/tun.  An fd starts out attached to no interface; until it is
 * attached, reading and writing it fail with EBADFD, as with tun.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "vnl.h"

static int vnl_chr_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static ssize_t vnl_chr_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return -EBADFD;
}

static ssize_t vnl_chr_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return -EBADFD;
}

static long vnl_chr_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	return -EINVAL;
}

static const struct file_operations vnl_chr_fops = {
	.owner		= THIS_MODULE,
	.open		= vnl_chr_open,
	.read_iter	= vnl_chr_read_iter,
	.write_iter	= vnl_chr_write_iter,
	.unlocked_ioctl	= vnl_chr_ioctl,
	.compat_ioctl	= vnl_chr_ioctl,
};

/* Mode 0666 like /dev/net/tun: opening is harmless, what an fd may do is
 * checked when it asks to attach to an interface.
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
