// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: macvlan children, `add macvlan`, `set` and `macaddr`, like
 * `ip link add link DEV NAME type macvlan mode MODE bcqueuelen N` and `ip
 * link set NAME type macvlan macaddr ...`.
 *
 * `add macvlan` is a LINK_NEW request that names the parent: the kernel
 * looks the name up in the netns of the request's socket (vnlctl's, see
 * -n), so a name that does not exist is the kernel's to refuse, and says
 * so through extack.  `set` and `macaddr` are LINK_SET requests on an
 * existing child; the kernel checks all of a request before changing
 * anything.  As in link.c, vnlctl checks syntax only; a mode, a number or
 * an address that does not parse is a usage error, and nothing is sent,
 * while a number that parses (bcqueuelen 70000) is the kernel's to refuse.
 *
 * `tap` gives the child a tap face (VNL_A_TAP_FACE): programs then attach
 * to it through /dev/vnl, by its name, as to a tap, and read what it
 * receives.  Unlike `add tap`, nothing is opened here: the face is asked
 * for in the LINK_NEW request, and lives as long as the child does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <linux/vnl.h>

#include "vnlctl.h"

static const char *const vnl_macvlan_mode_names[] = {
	[VNL_MACVLAN_MODE_PRIVATE] = "private",
	[VNL_MACVLAN_MODE_VEPA] = "vepa",
	[VNL_MACVLAN_MODE_BRIDGE] = "bridge",
	[VNL_MACVLAN_MODE_PASSTHRU] = "passthru",
	[VNL_MACVLAN_MODE_SOURCE] = "source",
};

/* The word `add` and `set` take for `mode`; NULL for a number we lack. */
const char *vnl_macvlan_mode_name(uint32_t mode)
{
	if (mode >= ARRAY_SIZE(vnl_macvlan_mode_names))
		return NULL;
	return vnl_macvlan_mode_names[mode];
}

static int vnl_parse_mode(const struct vnl_ctx *ctx, const char *name,
			  uint32_t *mode)
{
	uint32_t m;

	for (m = VNL_MACVLAN_MODE_UNSPEC + 1; m <= VNL_MACVLAN_MODE_MAX; m++) {
		if (vnl_macvlan_mode_name(m) &&
		    !strcmp(vnl_macvlan_mode_name(m), name)) {
			*mode = m;
			return VNL_EXIT_OK;
		}
	}
	return vnl_usage_error(ctx,
			       "unknown mode \"%s\" (private, vepa, bridge, passthru or source)",
			       name);
}

/* bcqueuelen N: a number of frames; its bounds are the kernel's. */
static int vnl_parse_bc_queue_len(const struct vnl_ctx *ctx, const char *s,
				  uint32_t *len)
{
	if (!vnl_parse_u32(s, len))
		return vnl_usage_error(ctx, "bad bcqueuelen \"%s\"", s);
	return VNL_EXIT_OK;
}

/* What `add macvlan` was asked for; has_* for the optional values. */
struct vnl_macvlan_args {
	const char *ifname;
	const char *parent;
	bool has_mode;
	uint32_t mode;
	bool has_mtu;
	uint32_t mtu;
	bool has_address;
	uint8_t address[ETH_ALEN];
	bool has_bc_queue_len;
	uint32_t bc_queue_len;
	struct vnl_netns_arg netns;
	bool tap;		/* a tap face: VNL_A_TAP_FACE */
	bool multi_queue;	/* ...whose files attach with IFF_MULTI_QUEUE */
};

static int vnl_macvlan_parse_option(const struct vnl_ctx *ctx,
				    struct vnl_macvlan_args *args,
				    const char *key, const char *value)
{
	if (!strcmp(key, "parent")) {
		if (args->parent)
			return vnl_usage_error(ctx, "\"parent\" given twice");
		args->parent = value;
	} else if (!strcmp(key, "mode")) {
		if (args->has_mode)
			return vnl_usage_error(ctx, "\"mode\" given twice");
		args->has_mode = true;
		return vnl_parse_mode(ctx, value, &args->mode);
	} else if (!strcmp(key, "mtu")) {
		if (args->has_mtu)
			return vnl_usage_error(ctx, "\"mtu\" given twice");
		if (!vnl_parse_u32(value, &args->mtu))
			return vnl_usage_error(ctx, "bad mtu \"%s\"", value);
		args->has_mtu = true;
	} else if (!strcmp(key, "address")) {
		if (args->has_address)
			return vnl_usage_error(ctx, "\"address\" given twice");
		if (!vnl_parse_mac(value, args->address))
			return vnl_usage_error(ctx, "bad address \"%s\"", value);
		args->has_address = true;
	} else if (!strcmp(key, "bcqueuelen")) {
		if (args->has_bc_queue_len)
			return vnl_usage_error(ctx, "\"bcqueuelen\" given twice");
		args->has_bc_queue_len = true;
		return vnl_parse_bc_queue_len(ctx, value, &args->bc_queue_len);
	} else if (!strcmp(key, "netns")) {
		if (args->netns.spec)
			return vnl_usage_error(ctx, "\"netns\" given twice");
		return vnl_netns_arg_set(ctx, &args->netns, value);
	} else {
		return vnl_usage_error(ctx, "unknown argument \"%s\"", key);
	}
	return VNL_EXIT_OK;
}

/* tap, multi-queue: keywords that take no value. */
static int vnl_macvlan_parse_flag(const struct vnl_ctx *ctx,
				  struct vnl_macvlan_args *args,
				  const char *word)
{
	bool *flag = !strcmp(word, "tap") ? &args->tap : &args->multi_queue;

	if (*flag)
		return vnl_usage_error(ctx, "\"%s\" given twice", word);
	*flag = true;
	return VNL_EXIT_OK;
}

static bool vnl_macvlan_is_flag(const char *word)
{
	return !strcmp(word, "tap") || !strcmp(word, "multi-queue");
}

/*
 * NAME parent DEV [KEY VALUE]... [tap [multi-queue]]: checks syntax, opens
 * nothing.  multi-queue says how the face's files attach: without a face
 * it means nothing, and is refused rather than ignored.
 */
static int vnl_macvlan_parse(const struct vnl_ctx *ctx, int argc,
			     const char *const *argv,
			     struct vnl_macvlan_args *args)
{
	int status;
	int i;

	if (argc < 1)
		return vnl_usage_error(ctx, "missing device name");
	args->ifname = argv[0];
	for (i = 1; i < argc; i++) {
		if (vnl_macvlan_is_flag(argv[i])) {
			status = vnl_macvlan_parse_flag(ctx, args, argv[i]);
		} else if (i + 1 == argc) {
			return vnl_usage_error(ctx, "\"%s\" needs a value",
					       argv[i]);
		} else {
			status = vnl_macvlan_parse_option(ctx, args, argv[i],
							  argv[i + 1]);
			i++;
		}
		if (status)
			return status;
	}
	if (!args->parent)
		return vnl_usage_error(ctx,
				       "missing \"parent DEV\" (or ip's \"link DEV\")");
	if (args->multi_queue && !args->tap)
		return vnl_usage_error(ctx,
				       "\"multi-queue\" needs \"tap\": only a tap face has queues");
	return VNL_EXIT_OK;
}

/* VNL_A_TAP_FACE: the flags the face's files attach with. */
static uint32_t vnl_macvlan_tap_face(const struct vnl_macvlan_args *args)
{
	return IFF_TAP | (args->multi_queue ? IFF_MULTI_QUEUE : 0);
}

/* The LINK_NEW request; NULL if the arguments do not fit in a message. */
static struct nl_msg *vnl_macvlan_msg(const struct vnl_ctx *ctx,
				      const struct vnl_macvlan_args *args)
{
	struct nl_msg *msg = vnl_msg_new(ctx, VNL_CMD_LINK_NEW, 0);

	if (nla_put_u32(msg, VNL_A_KIND, VNL_KIND_MACVLAN) ||
	    nla_put_string(msg, VNL_A_IFNAME, args->ifname) ||
	    nla_put_string(msg, VNL_A_PARENT_IFNAME, args->parent) ||
	    (args->has_mode &&
	     nla_put_u32(msg, VNL_A_MACVLAN_MODE, args->mode)) ||
	    (args->has_mtu && nla_put_u32(msg, VNL_A_MTU, args->mtu)) ||
	    (args->has_address &&
	     nla_put(msg, VNL_A_ADDRESS, ETH_ALEN, args->address)) ||
	    (args->has_bc_queue_len &&
	     nla_put_u32(msg, VNL_A_BC_QUEUE_LEN, args->bc_queue_len)) ||
	    (args->tap &&
	     nla_put_u32(msg, VNL_A_TAP_FACE, vnl_macvlan_tap_face(args))) ||
	    vnl_netns_arg_put(msg, &args->netns, VNL_A_NETNS_FD,
			      VNL_A_NETNS_PID)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends LINK_NEW; with -j, prints the new child as the kernel describes it. */
static int vnl_macvlan_send(struct vnl_ctx *ctx,
			    const struct vnl_macvlan_args *args)
{
	struct vnl_link_list list = { 0 };
	struct nl_msg *msg;
	int status;

	msg = vnl_macvlan_msg(ctx, args);
	if (!msg) {
		vnl_error(ctx, "arguments too long for a netlink message");
		return VNL_EXIT_FAIL;
	}
	status = VNL_EXIT_OK;
	if (vnl_request(ctx, msg, vnl_link_list_add, &list))
		status = VNL_EXIT_FAIL;
	else if (ctx->json)
		status = vnl_expect_one_link(ctx, &list);
	if (!status && ctx->json)
		vnl_print_link(ctx, &list.links[0]);
	vnl_link_list_free(&list);
	return status;
}

int vnl_macvlan_add(struct vnl_ctx *ctx, int argc, const char *const *argv)
{
	struct vnl_macvlan_args args = { .netns = { .fd = -1 } };
	int status;

	status = vnl_macvlan_parse(ctx, argc, argv, &args);
	if (status)
		return status;
	status = vnl_netns_arg_open(ctx, &args.netns);
	if (!status)
		status = vnl_connect(ctx);
	if (!status)
		status = vnl_macvlan_send(ctx, &args);
	vnl_netns_arg_close(&args.netns);
	return status;
}

/* A LINK_SET request naming the child; the caller adds what changes. */
static struct nl_msg *vnl_link_set_msg(const struct vnl_ctx *ctx,
				       const char *ifname, size_t size)
{
	struct nl_msg *msg = vnl_msg_new_size(ctx, VNL_CMD_LINK_SET, 0, size);

	if (nla_put_string(msg, VNL_A_IFNAME, ifname)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends a LINK_SET built by vnl_link_set_msg(); the kernel only ACKs. */
static int vnl_link_set_send(struct vnl_ctx *ctx, struct nl_msg *msg)
{
	if (!msg) {
		vnl_error(ctx, "arguments too long for a netlink message");
		return VNL_EXIT_FAIL;
	}
	return vnl_request(ctx, msg, NULL, NULL) ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

/* What `set` was asked for: a mode, a queue length, or both. */
struct vnl_set_args {
	bool has_mode;
	uint32_t mode;
	bool has_bc_queue_len;
	uint32_t bc_queue_len;
};

static int vnl_set_parse_option(const struct vnl_ctx *ctx,
				struct vnl_set_args *args, const char *key,
				const char *value)
{
	if (!strcmp(key, "mode")) {
		if (args->has_mode)
			return vnl_usage_error(ctx, "\"mode\" given twice");
		args->has_mode = true;
		return vnl_parse_mode(ctx, value, &args->mode);
	}
	if (!strcmp(key, "bcqueuelen")) {
		if (args->has_bc_queue_len)
			return vnl_usage_error(ctx, "\"bcqueuelen\" given twice");
		args->has_bc_queue_len = true;
		return vnl_parse_bc_queue_len(ctx, value, &args->bc_queue_len);
	}
	return vnl_usage_error(ctx, "unknown argument \"%s\"", key);
}

/* The LINK_SET of `set`; NULL if it does not fit in a message. */
static struct nl_msg *vnl_set_msg(const struct vnl_ctx *ctx,
				  const char *ifname,
				  const struct vnl_set_args *args)
{
	struct nl_msg *msg = vnl_link_set_msg(ctx, ifname, getpagesize());

	if (msg && ((args->has_mode &&
		     nla_put_u32(msg, VNL_A_MACVLAN_MODE, args->mode)) ||
		    (args->has_bc_queue_len &&
		     nla_put_u32(msg, VNL_A_BC_QUEUE_LEN,
				 args->bc_queue_len)))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* set NAME [mode MODE] [bcqueuelen N], one at least */
int cmd_set(struct vnl_ctx *ctx, int argc, char **argv)
{
	struct vnl_set_args args = { 0 };
	const char *ifname;
	int status;
	int i;

	if (argc < 1)
		return vnl_usage_error(ctx, "missing device name");
	ifname = argv[0];
	for (i = 1; i < argc; i += 2) {
		if (i + 1 == argc)
			return vnl_usage_error(ctx, "\"%s\" needs a value",
					       argv[i]);
		status = vnl_set_parse_option(ctx, &args, argv[i], argv[i + 1]);
		if (status)
			return status;
	}
	if (!args.has_mode && !args.has_bc_queue_len)
		return vnl_usage_error(ctx,
				       "nothing to set: missing \"mode MODE\" or \"bcqueuelen N\"");
	status = vnl_connect(ctx);
	if (status)
		return status;
	return vnl_link_set_send(ctx, vnl_set_msg(ctx, ifname, &args));
}

static const char *const vnl_macaddr_op_names[] = {
	[VNL_MACADDR_OP_ADD] = "add",
	[VNL_MACADDR_OP_DEL] = "del",
	[VNL_MACADDR_OP_FLUSH] = "flush",
	[VNL_MACADDR_OP_SET] = "set",
};

static bool vnl_macaddr_op_from_name(const char *name, uint32_t *op)
{
	uint32_t o;

	for (o = VNL_MACADDR_OP_UNSPEC + 1; o < ARRAY_SIZE(vnl_macaddr_op_names);
	     o++) {
		if (vnl_macaddr_op_names[o] &&
		    !strcmp(vnl_macaddr_op_names[o], name)) {
			*op = o;
			return true;
		}
	}
	return false;
}

/* The addresses of `macaddr`, parsed all before anything is sent. */
static int vnl_macaddr_parse_list(const struct vnl_ctx *ctx, int argc,
				  char **argv, uint8_t (*macs)[ETH_ALEN])
{
	int i;

	for (i = 0; i < argc; i++)
		if (!vnl_parse_mac(argv[i], macs[i]))
			return vnl_usage_error(ctx, "bad address \"%s\"",
					       argv[i]);
	return VNL_EXIT_OK;
}

/*
 * VNL_A_MACADDR_LIST, one VNL_MACADDR_A_ADDRESS per address.  An empty list
 * is sent as an empty nest, which libnl would otherwise drop: `set` with no
 * address means "no addresses", not "no list".
 */
static int vnl_macaddr_put_list(struct nl_msg *msg, int count,
				uint8_t (*macs)[ETH_ALEN])
{
	struct nlattr *list = nla_nest_start(msg, VNL_A_MACADDR_LIST);
	int i;

	if (!list)
		return -1;
	for (i = 0; i < count; i++)
		if (nla_put(msg, VNL_MACADDR_A_ADDRESS, ETH_ALEN, macs[i]))
			return -1;
	return nla_nest_end_keep_empty(msg, list);
}

static int vnl_macaddr_send(struct vnl_ctx *ctx, const char *ifname,
			    uint32_t op, int count, uint8_t (*macs)[ETH_ALEN])
{
	size_t size = getpagesize() +
		      (size_t)count * NLA_ALIGN(NLA_HDRLEN + ETH_ALEN);
	struct nl_msg *msg;
	int status;

	status = vnl_connect(ctx);
	if (status)
		return status;
	msg = vnl_link_set_msg(ctx, ifname, size);
	if (msg && (nla_put_u32(msg, VNL_A_MACADDR_OP, op) ||
		    (op != VNL_MACADDR_OP_FLUSH &&
		     vnl_macaddr_put_list(msg, count, macs)))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return vnl_link_set_send(ctx, msg);
}

/* macaddr NAME {add|del|set} MAC..., or macaddr NAME flush */
int cmd_macaddr(struct vnl_ctx *ctx, int argc, char **argv)
{
	uint8_t (*macs)[ETH_ALEN];
	const char *ifname;
	uint32_t op;
	int count;
	int status;

	if (argc < 1)
		return vnl_usage_error(ctx, "missing device name");
	if (argc < 2)
		return vnl_usage_error(ctx, "missing add, del, flush or set");
	ifname = argv[0];
	if (!vnl_macaddr_op_from_name(argv[1], &op))
		return vnl_usage_error(ctx,
				       "unknown operation \"%s\" (add, del, flush or set)",
				       argv[1]);
	count = argc - 2;
	if (op == VNL_MACADDR_OP_FLUSH && count)
		return vnl_usage_error(ctx, "flush takes no address");
	if ((op == VNL_MACADDR_OP_ADD || op == VNL_MACADDR_OP_DEL) && !count)
		return vnl_usage_error(ctx, "%s needs at least one address",
				       argv[1]);
	macs = vnl_realloc_array(NULL, count ? count : 1, sizeof(*macs));
	status = vnl_macaddr_parse_list(ctx, count, argv + 2, macs);
	if (!status)
		status = vnl_macaddr_send(ctx, ifname, op, count, macs);
	free(macs);
	return status;
}
