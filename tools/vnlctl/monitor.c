// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: the monitor subcommand.  The module multicasts LINK_NEW_NTF,
 * LINK_DEL_NTF and LINK_CHANGE to the "monitor" group of the device's netns
 * (the first two have the numbers of LINK_NEW and LINK_DEL), each with
 * the device's description; we print one line per event until killed.  A
 * LINK_SET (a macvlan child's mode or source list) is announced as a
 * LINK_CHANGE; should one be multicast as LINK_SET, it is a change too.
 */
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/vnl.h>

#include "vnlctl.h"

static const char *vnl_event_name(uint8_t cmd)
{
	switch (cmd) {
	case VNL_CMD_LINK_NEW_NTF:
		return "new";
	case VNL_CMD_LINK_DEL_NTF:
		return "del";
	case VNL_CMD_LINK_CHANGE:
	case VNL_CMD_LINK_SET:
		return "change";
	default:
		return NULL;
	}
}

/* A vnl_parse_fn for vnl_listen(); anything unknown or broken is skipped. */
static int vnl_on_event(struct nl_msg *msg, void *arg)
{
	struct vnl_ctx *ctx = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct genlmsghdr *genl;
	struct vnl_link link;
	const char *event;

	if (hdr->nlmsg_type != ctx->family.id ||
	    !genlmsg_valid_hdr(hdr, 0))
		return NL_SKIP;
	genl = nlmsg_data(hdr);
	event = vnl_event_name(genl->cmd);
	if (!event || vnl_link_parse(msg, &link))
		return NL_SKIP;
	vnl_netns_name_peers(ctx, &link, 1);
	vnl_print_event(ctx, event, &link);
	vnl_link_release(&link);
	return NL_OK;
}

int cmd_monitor(struct vnl_ctx *ctx, int argc, char **argv)
{
	int status;

	(void)argv;
	if (argc)
		return vnl_usage_error(ctx, "too many arguments");
	status = vnl_connect(ctx);
	if (status)
		return status;
	return vnl_listen(ctx, vnl_on_event, ctx);
}
