// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: `add tun` and `add tap`, like `ip tuntap add`.
 *
 * A tun or tap device belongs to the /dev/vnl files attached to it, so it
 * is not made by a netlink request but with the ioctls of /dev/net/tun
 * (linux/if_tun.h): open /dev/vnl, TUNSETIFF creates the device (in the
 * netns of the opener, hence -n works by entering NETNS first) and attaches
 * the file to it, TUNSETOWNER and TUNSETGROUP say who else may attach,
 * TUNSETPERSIST keeps the device once the file is closed.  If any step
 * fails, closing the file deletes the half-made device: it was not
 * persistent yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/vnl.h>

#include "vnlctl.h"

#define VNL_CHARDEV	"/dev/vnl"

/* What `add tun|tap` was asked for. */
struct vnl_tuntap_args {
	const char *ifname;
	uint16_t flags;		/* IFF_* for TUNSETIFF */
	bool has_owner;
	uid_t owner;
	bool has_group;
	gid_t group;
	bool pi;
	bool multi_queue;
	bool vnet_hdr;
};

/* A user name, else a uid (a name made of digits is a name first). */
static bool vnl_resolve_user(const char *s, uid_t *uid)
{
	struct passwd *pw = getpwnam(s);
	uint32_t value;

	if (pw) {
		*uid = pw->pw_uid;
		return true;
	}
	if (!vnl_parse_u32(s, &value))
		return false;
	*uid = value;
	return true;
}

static bool vnl_resolve_group(const char *s, gid_t *gid)
{
	struct group *gr = getgrnam(s);
	uint32_t value;

	if (gr) {
		*gid = gr->gr_gid;
		return true;
	}
	if (!vnl_parse_u32(s, &value))
		return false;
	*gid = value;
	return true;
}

/* A keyword that takes no value: pi, multi-queue. */
static int vnl_tuntap_parse_flag(const struct vnl_ctx *ctx, bool *flag,
				 const char *word)
{
	if (*flag)
		return vnl_usage_error(ctx, "\"%s\" given twice", word);
	*flag = true;
	return VNL_EXIT_OK;
}

/* user USER, group GROUP: looked up now, so a typo sends nothing. */
static int vnl_tuntap_parse_id(const struct vnl_ctx *ctx,
			       struct vnl_tuntap_args *args,
			       const char *key, const char *value)
{
	if (!strcmp(key, "user")) {
		if (args->has_owner)
			return vnl_usage_error(ctx, "\"user\" given twice");
		if (!vnl_resolve_user(value, &args->owner))
			return vnl_usage_error(ctx, "unknown user \"%s\"",
					       value);
		args->has_owner = true;
	} else {
		if (args->has_group)
			return vnl_usage_error(ctx, "\"group\" given twice");
		if (!vnl_resolve_group(value, &args->group))
			return vnl_usage_error(ctx, "unknown group \"%s\"",
					       value);
		args->has_group = true;
	}
	return VNL_EXIT_OK;
}

/* NAME [user USER] [group GROUP] [pi] [multi-queue] [vnet-hdr]: opens nothing. */
static int vnl_tuntap_parse(const struct vnl_ctx *ctx, uint32_t kind,
			    int argc, const char *const *argv,
			    struct vnl_tuntap_args *args)
{
	int status;
	int i;

	if (argc < 1)
		return vnl_usage_error(ctx, "missing device name");
	args->ifname = argv[0];
	/* TUNSETIFF carries the name in ifr_name: nothing longer fits. */
	if (strlen(args->ifname) >= IFNAMSIZ)
		return vnl_usage_error(ctx, "name longer than %d bytes",
				       IFNAMSIZ - 1);
	for (i = 1; i < argc; i++) {
		const char *word = argv[i];

		if (!strcmp(word, "pi")) {
			status = vnl_tuntap_parse_flag(ctx, &args->pi, word);
		} else if (!strcmp(word, "multi-queue")) {
			status = vnl_tuntap_parse_flag(ctx, &args->multi_queue,
						       word);
		} else if (!strcmp(word, "vnet-hdr")) {
			status = vnl_tuntap_parse_flag(ctx, &args->vnet_hdr,
						       word);
		} else if (!strcmp(word, "user") || !strcmp(word, "group")) {
			if (++i == argc)
				return vnl_usage_error(ctx,
						       "\"%s\" needs a value",
						       word);
			status = vnl_tuntap_parse_id(ctx, args, word, argv[i]);
		} else {
			status = vnl_usage_error(ctx,
						 "unknown argument \"%s\"",
						 word);
		}
		if (status)
			return status;
	}
	/*
	 * IFF_TUN_EXCL: create, never attach to a device that exists (as
	 * plain TUNSETIFF would), so that `add` cannot change its owner.
	 */
	args->flags = (kind == VNL_KIND_TUN ? IFF_TUN : IFF_TAP) | IFF_TUN_EXCL;
	if (!args->pi)
		args->flags |= IFF_NO_PI;
	if (args->multi_queue)
		args->flags |= IFF_MULTI_QUEUE;
	/* Kept by the device, as tun keeps it: `ip tuntap ... vnet_hdr`. */
	if (args->vnet_hdr)
		args->flags |= IFF_VNET_HDR;
	return VNL_EXIT_OK;
}

/*
 * TUNSETIFF refuses a taken name with EBUSY (a tun or tap, because of
 * IFF_TUN_EXCL) or EINVAL (any other device), as tun does; say what it is.
 */
static int vnl_tuntap_create_errno(const char *ifname, int err)
{
	if ((err == EBUSY || err == EINVAL) && if_nametoindex(ifname))
		return EEXIST;
	return err;
}

/* The ioctls, on an open /dev/vnl; the device's name goes to `ifname`. */
static int vnl_tuntap_setup(const struct vnl_ctx *ctx, int fd,
			    const struct vnl_tuntap_args *args,
			    char ifname[IFNAMSIZ])
{
	struct ifreq ifr = { .ifr_flags = args->flags };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", args->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		vnl_error(ctx, "cannot create %s: %s", args->ifname,
			  strerror(vnl_tuntap_create_errno(args->ifname,
							   errno)));
		return VNL_EXIT_FAIL;
	}
	/* The kernel fills in the name it gave ("tun%d" asks it to pick). */
	snprintf(ifname, IFNAMSIZ, "%s", ifr.ifr_name);
	if (args->has_owner &&
	    ioctl(fd, TUNSETOWNER, (unsigned long)args->owner)) {
		vnl_error(ctx, "cannot set the owner of %s: %s", ifname,
			  strerror(errno));
		return VNL_EXIT_FAIL;
	}
	if (args->has_group &&
	    ioctl(fd, TUNSETGROUP, (unsigned long)args->group)) {
		vnl_error(ctx, "cannot set the group of %s: %s", ifname,
			  strerror(errno));
		return VNL_EXIT_FAIL;
	}
	if (ioctl(fd, TUNSETPERSIST, 1UL)) {
		vnl_error(ctx, "cannot make %s persistent: %s", ifname,
			  strerror(errno));
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

/* -j: the new device, as `show` would print it. */
static int vnl_tuntap_print(struct vnl_ctx *ctx, const char *ifname)
{
	struct vnl_link_list list = { 0 };
	int status;

	status = vnl_link_get(ctx, ifname, &list);
	if (!status)
		vnl_print_link(ctx, &list.links[0]);
	vnl_link_list_free(&list);
	return status;
}

int vnl_tuntap_add(struct vnl_ctx *ctx, uint32_t kind, int argc,
		   const char *const *argv)
{
	struct vnl_tuntap_args args = { 0 };
	char ifname[IFNAMSIZ];
	int status;
	int fd;

	status = vnl_tuntap_parse(ctx, kind, argc, argv, &args);
	if (status)
		return status;
	/* The family first: without it, "not loaded" says what is wrong. */
	status = vnl_connect(ctx);
	if (status)
		return status;
	fd = open(VNL_CHARDEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		vnl_error(ctx, "cannot open %s: %s", VNL_CHARDEV,
			  strerror(errno));
		return VNL_EXIT_FAIL;
	}
	status = vnl_tuntap_setup(ctx, fd, &args, ifname);
	close(fd);
	if (!status && ctx->json)
		status = vnl_tuntap_print(ctx, ifname);
	return status;
}
