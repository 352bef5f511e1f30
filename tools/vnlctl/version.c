// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: the version subcommand.  The module's version comes from
 * VNL_CMD_GET_VERSION, the family's from the genl controller (vnl_connect).
 */
#include <errno.h>
#include <inttypes.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <linux/vnl.h>

#include "vnlctl.h"

struct vnl_module_version {
	char text[64];
};

static int vnl_version_parse(struct nl_msg *msg, void *arg)
{
	struct vnl_module_version *version = arg;
	struct nlattr *tb[VNL_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VNL_A_MAX, NULL) ||
	    !tb[VNL_A_VERSION])
		return -EBADMSG;
	nla_strlcpy(version->text, tb[VNL_A_VERSION], sizeof(version->text));
	return 0;
}

/* The module's version, once the family is known. */
static int vnl_print_module_version(struct vnl_ctx *ctx)
{
	struct vnl_module_version version = { "" };

	if (vnl_request(ctx, vnl_msg_new(ctx, VNL_CMD_GET_VERSION, 0),
			vnl_version_parse, &version))
		return VNL_EXIT_FAIL;
	vnl_print_version(ctx, version.text);
	if (ctx->family.version != VNL_GENL_VERSION)
		vnl_error(ctx, "warning: the module speaks genl version %" PRIu32
			  ", vnlctl was built for version %d",
			  ctx->family.version, VNL_GENL_VERSION);
	return VNL_EXIT_OK;
}

/*
 * The subcommand needs the module, and fails without it: scripts use it
 * to check that vnl is there.
 */
int cmd_version(struct vnl_ctx *ctx, int argc, char **argv)
{
	int status;

	(void)argv;
	if (argc)
		return vnl_usage_error(ctx, "too many arguments");
	vnl_print_tool_version(ctx);
	status = vnl_connect(ctx);
	if (status)
		return status;
	return vnl_print_module_version(ctx);
}

/* -V, --version: vnlctl's version always, the module's if it is loaded. */
int vnl_show_versions(struct vnl_ctx *ctx)
{
	bool loaded;
	int status;

	vnl_print_tool_version(ctx);
	status = vnl_connect_if_loaded(ctx, &loaded);
	if (status)
		return status;
	if (loaded)
		return vnl_print_module_version(ctx);
	vnl_print_version(ctx, NULL);
	return VNL_EXIT_OK;
}
