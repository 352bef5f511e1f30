// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: the link subcommands, add, del, show and stats, and the parsing
 * of the device description that LINK_GET, LINK_NEW and events share.
 * `add pair` is a LINK_NEW request; `add tun` and `add tap` go through
 * /dev/vnl instead, in tuntap.c; `add macvlan` is in macvlan.c.
 *
 * vnlctl checks syntax only: a value that parses (mtu 10, a multicast MAC,
 * a 40-character name) is sent, so that the kernel's policy rejects it and
 * says why.  That is where the rules live; repeating them here would let
 * the two drift apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <linux/vnl.h>

#include "vnlctl.h"

/* A dump that keeps being interrupted by changes is given up after this. */
#define VNL_DUMP_ATTEMPTS	10

static const char *const vnl_kind_names[] = {
	[VNL_KIND_PAIR] = "pair",
	[VNL_KIND_TUN] = "tun",
	[VNL_KIND_TAP] = "tap",
	[VNL_KIND_MACVLAN] = "macvlan",
};

const char *vnl_kind_name(uint32_t kind)
{
	if (kind >= ARRAY_SIZE(vnl_kind_names))
		return NULL;
	return vnl_kind_names[kind];
}

static bool vnl_kind_from_name(const char *name, uint32_t *kind)
{
	uint32_t k;

	for (k = VNL_KIND_UNSPEC + 1; k <= VNL_KIND_MAX; k++) {
		if (vnl_kind_name(k) && !strcmp(vnl_kind_name(k), name)) {
			*kind = k;
			return true;
		}
	}
	return false;
}

/* libnl's policies take no const; they are never written. */
static struct nla_policy vnl_link_policy[VNL_A_MAX + 1] = {
	[VNL_A_IFINDEX]	= { .type = NLA_U32 },
	[VNL_A_IFNAME]	= { .type = NLA_STRING },
	[VNL_A_KIND]	= { .type = NLA_U32 },
	[VNL_A_MTU]	= { .type = NLA_U32 },
	[VNL_A_ADDRESS]	= { .minlen = ETH_ALEN, .maxlen = ETH_ALEN },
	[VNL_A_PEER]	= { .type = NLA_NESTED },
	[VNL_A_UP]	= { .type = NLA_U8 },
	[VNL_A_CARRIER]	= { .type = NLA_U8 },
	[VNL_A_STATS]	= { .type = NLA_NESTED },
	[VNL_A_TUN_FLAGS]	= { .type = NLA_U32 },
	[VNL_A_TUN_QUEUES]	= { .type = NLA_U32 },
	[VNL_A_TUN_OWNER]	= { .type = NLA_U32 },
	[VNL_A_TUN_GROUP]	= { .type = NLA_U32 },
	[VNL_A_PARENT_IFINDEX]	= { .type = NLA_U32 },
	[VNL_A_PARENT_IFNAME]	= { .type = NLA_STRING },
	[VNL_A_PARENT_NETNSID]	= { .type = NLA_S32 },
	[VNL_A_MACVLAN_MODE]	= { .type = NLA_U32 },
	[VNL_A_MACADDR_LIST]	= { .type = NLA_NESTED },
	[VNL_A_BC_DROPS]	= { .type = NLA_U64 },
	[VNL_A_BC_QUEUE_LEN]	= { .type = NLA_U32 },
	[VNL_A_BC_QUEUE_LEN_USED] = { .type = NLA_U32 },
	[VNL_A_TAP_FACE]	= { .type = NLA_U32 },
};

/* struct vnl_link's `have` holds one bit per attribute. */
_Static_assert(VNL_A_MAX < 32, "vnl_link.have is too small for VNL_A_*");

static struct nla_policy vnl_peer_policy[VNL_PEER_A_MAX + 1] = {
	[VNL_PEER_A_IFINDEX]	= { .type = NLA_U32 },
	[VNL_PEER_A_IFNAME]	= { .type = NLA_STRING },
	[VNL_PEER_A_NETNSID]	= { .type = NLA_S32 },
};

static struct nla_policy vnl_stats_policy[VNL_STATS_A_MAX + 1] = {
	[VNL_STATS_A_RX_PACKETS]	= { .type = NLA_U64 },
	[VNL_STATS_A_RX_BYTES]		= { .type = NLA_U64 },
	[VNL_STATS_A_TX_PACKETS]	= { .type = NLA_U64 },
	[VNL_STATS_A_TX_BYTES]		= { .type = NLA_U64 },
	[VNL_STATS_A_RX_DROPS]		= { .type = NLA_U64 },
	[VNL_STATS_A_TX_DROPS]		= { .type = NLA_U64 },
	[VNL_STATS_A_DROPS]		= { .type = NLA_NESTED },
};

/* vnl_stats.have and .drops_have hold one bit per attribute. */
_Static_assert(VNL_STATS_A_MAX < 32, "vnl_stats.have is too small");
_Static_assert(VNL_DROP_MAX < 32, "vnl_stats.drops_have is too small");

/* A set bit for each attribute present in `tb`. */
static uint32_t vnl_attrs_present(struct nlattr **tb, int max)
{
	uint32_t have = 0;
	int i;

	for (i = 0; i <= max; i++)
		if (tb[i])
			have |= 1u << i;
	return have;
}

static uint64_t vnl_get_u64(struct nlattr *attr)
{
	return attr ? nla_get_u64(attr) : 0;
}

static uint32_t vnl_get_u32(struct nlattr *attr)
{
	return attr ? nla_get_u32(attr) : 0;
}

static int vnl_peer_parse(struct nlattr *nest, struct vnl_link *link)
{
	struct nlattr *tb[VNL_PEER_A_MAX + 1];

	if (nla_parse_nested(tb, VNL_PEER_A_MAX, nest, vnl_peer_policy))
		return -EBADMSG;
	link->peer.have = vnl_attrs_present(tb, VNL_PEER_A_MAX);
	if (tb[VNL_PEER_A_IFINDEX])
		link->peer.ifindex = nla_get_u32(tb[VNL_PEER_A_IFINDEX]);
	if (tb[VNL_PEER_A_IFNAME])
		nla_strlcpy(link->peer.ifname, tb[VNL_PEER_A_IFNAME],
			    sizeof(link->peer.ifname));
	if (tb[VNL_PEER_A_NETNSID])
		link->peer.netnsid = nla_get_s32(tb[VNL_PEER_A_NETNSID]);
	return 0;
}

/*
 * The drop counters: a u64 typed by its enum vnl_drop_reason each.  The
 * padding, and reasons newer than this vnlctl, are skipped.
 */
static int vnl_drops_parse(struct nlattr *nest, struct vnl_stats *stats)
{
	struct nlattr *attr;
	int rem, why;

	nla_for_each_nested(attr, nest, rem) {
		why = nla_type(attr);
		if (why == VNL_DROP_PAD || why > VNL_DROP_MAX)
			continue;
		if (nla_len(attr) != sizeof(uint64_t))
			return -EBADMSG;
		stats->drops[why] = nla_get_u64(attr);
		stats->drops_have |= 1u << why;
	}
	return 0;
}

static int vnl_stats_parse(struct nlattr *nest, struct vnl_stats *stats)
{
	struct nlattr *tb[VNL_STATS_A_MAX + 1];

	if (nla_parse_nested(tb, VNL_STATS_A_MAX, nest, vnl_stats_policy))
		return -EBADMSG;
	stats->have = vnl_attrs_present(tb, VNL_STATS_A_MAX);
	stats->rx_packets = vnl_get_u64(tb[VNL_STATS_A_RX_PACKETS]);
	stats->rx_bytes = vnl_get_u64(tb[VNL_STATS_A_RX_BYTES]);
	stats->tx_packets = vnl_get_u64(tb[VNL_STATS_A_TX_PACKETS]);
	stats->tx_bytes = vnl_get_u64(tb[VNL_STATS_A_TX_BYTES]);
	stats->rx_drops = vnl_get_u64(tb[VNL_STATS_A_RX_DROPS]);
	stats->tx_drops = vnl_get_u64(tb[VNL_STATS_A_TX_DROPS]);
	if (tb[VNL_STATS_A_DROPS])
		return vnl_drops_parse(tb[VNL_STATS_A_DROPS], stats);
	return 0;
}

/*
 * A source-mode child's addresses: one VNL_MACADDR_A_ADDRESS each, in the
 * kernel's order.  Other attributes in the nest are not ours to know.
 */
static int vnl_source_parse(struct nlattr *nest, struct vnl_link *link)
{
	struct nlattr *attr;
	size_t count = 0;
	int rem;

	nla_for_each_nested(attr, nest, rem)
		if (nla_type(attr) == VNL_MACADDR_A_ADDRESS)
			count++;
	link->macvlan.source = vnl_realloc_array(NULL, count ? count : 1,
						 sizeof(*link->macvlan.source));
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != VNL_MACADDR_A_ADDRESS)
			continue;
		if (nla_len(attr) != ETH_ALEN)
			return -EBADMSG;
		memcpy(link->macvlan.source[link->macvlan.source_count++],
		       nla_data(attr), ETH_ALEN);
	}
	return 0;
}

static void vnl_macvlan_parse(struct nlattr **tb, struct vnl_link *link)
{
	link->macvlan.parent_ifindex = vnl_get_u32(tb[VNL_A_PARENT_IFINDEX]);
	if (tb[VNL_A_PARENT_IFNAME])
		nla_strlcpy(link->macvlan.parent_ifname,
			    tb[VNL_A_PARENT_IFNAME],
			    sizeof(link->macvlan.parent_ifname));
	if (tb[VNL_A_PARENT_NETNSID])
		link->macvlan.parent_netnsid =
			nla_get_s32(tb[VNL_A_PARENT_NETNSID]);
	link->macvlan.mode = vnl_get_u32(tb[VNL_A_MACVLAN_MODE]);
	link->macvlan.bc_drops = vnl_get_u64(tb[VNL_A_BC_DROPS]);
	link->macvlan.bc_queue_len = vnl_get_u32(tb[VNL_A_BC_QUEUE_LEN]);
	link->macvlan.bc_queue_len_used =
		vnl_get_u32(tb[VNL_A_BC_QUEUE_LEN_USED]);
	link->macvlan.tap_face = vnl_get_u32(tb[VNL_A_TAP_FACE]);
}

/* What vnl_link_parse() allocated; `link` may then be parsed into again. */
void vnl_link_release(struct vnl_link *link)
{
	free(link->macvlan.source);
	link->macvlan.source = NULL;
	link->macvlan.source_count = 0;
}

/*
 * Fills `link` from a device description; 0 or -EBADMSG.  On success the
 * caller owes a vnl_link_release(); on failure nothing is left allocated.
 */
int vnl_link_parse(struct nl_msg *msg, struct vnl_link *link)
{
	struct nlattr *tb[VNL_A_MAX + 1];

	memset(link, 0, sizeof(*link));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VNL_A_MAX, vnl_link_policy))
		return -EBADMSG;
	link->have = vnl_attrs_present(tb, VNL_A_MAX);
	if (tb[VNL_A_IFINDEX])
		link->ifindex = nla_get_u32(tb[VNL_A_IFINDEX]);
	if (tb[VNL_A_IFNAME])
		nla_strlcpy(link->ifname, tb[VNL_A_IFNAME],
			    sizeof(link->ifname));
	if (tb[VNL_A_KIND])
		link->kind = nla_get_u32(tb[VNL_A_KIND]);
	if (tb[VNL_A_MTU])
		link->mtu = nla_get_u32(tb[VNL_A_MTU]);
	if (tb[VNL_A_ADDRESS])
		memcpy(link->address, nla_data(tb[VNL_A_ADDRESS]), ETH_ALEN);
	if (tb[VNL_A_UP])
		link->up = nla_get_u8(tb[VNL_A_UP]);
	if (tb[VNL_A_CARRIER])
		link->carrier = nla_get_u8(tb[VNL_A_CARRIER]);
	link->tun.flags = vnl_get_u32(tb[VNL_A_TUN_FLAGS]);
	link->tun.queues = vnl_get_u32(tb[VNL_A_TUN_QUEUES]);
	link->tun.owner = vnl_get_u32(tb[VNL_A_TUN_OWNER]);
	link->tun.group = vnl_get_u32(tb[VNL_A_TUN_GROUP]);
	if (tb[VNL_A_PEER] && vnl_peer_parse(tb[VNL_A_PEER], link))
		return -EBADMSG;
	if (tb[VNL_A_STATS] && vnl_stats_parse(tb[VNL_A_STATS], &link->stats))
		return -EBADMSG;
	vnl_macvlan_parse(tb, link);
	if (tb[VNL_A_MACADDR_LIST] &&
	    vnl_source_parse(tb[VNL_A_MACADDR_LIST], link)) {
		vnl_link_release(link);
		return -EBADMSG;
	}
	return 0;
}

/* A vnl_parse_fn: appends each described device to a vnl_link_list. */
int vnl_link_list_add(struct nl_msg *msg, void *arg)
{
	struct vnl_link_list *list = arg;
	int err;

	if (list->count == list->capacity) {
		list->capacity = list->capacity ? 2 * list->capacity : 16;
		list->links = vnl_realloc_array(list->links, list->capacity,
						sizeof(*list->links));
	}
	err = vnl_link_parse(msg, &list->links[list->count]);
	if (!err)
		list->count++;
	return err;
}

/* Empties `list`, keeping its array for more. */
static void vnl_link_list_clear(struct vnl_link_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		vnl_link_release(&list->links[i]);
	list->count = 0;
}

void vnl_link_list_free(struct vnl_link_list *list)
{
	vnl_link_list_clear(list);
	free(list->links);
	list->links = NULL;
	list->capacity = 0;
}

/* A doit reply that described no device is a broken reply. */
int vnl_expect_one_link(const struct vnl_ctx *ctx,
			const struct vnl_link_list *list)
{
	if (list->count == 1)
		return VNL_EXIT_OK;
	vnl_error(ctx, "the kernel described %zu devices instead of one",
		  list->count);
	return VNL_EXIT_FAIL;
}

/* "NAME" or "dev NAME", the only argument of show, del and stats. */
static int vnl_parse_dev(const struct vnl_ctx *ctx, int argc, char **argv,
			 const char **name)
{
	if (argc == 2 && !strcmp(argv[0], "dev")) {
		argv++;
		argc--;
	}
	if (argc != 1)
		return vnl_usage_error(ctx, argc ? "too many arguments" :
					     "missing device name");
	*name = argv[0];
	return VNL_EXIT_OK;
}

/* LINK_GET doit by name into `list` (which then holds that one device). */
int vnl_link_get(struct vnl_ctx *ctx, const char *name,
		 struct vnl_link_list *list)
{
	struct nl_msg *msg = vnl_msg_new(ctx, VNL_CMD_LINK_GET, 0);

	if (nla_put_string(msg, VNL_A_IFNAME, name)) {
		nlmsg_free(msg);
		vnl_error(ctx, "device name too long for a netlink message");
		return VNL_EXIT_FAIL;
	}
	if (vnl_request(ctx, msg, vnl_link_list_add, list))
		return VNL_EXIT_FAIL;
	return vnl_expect_one_link(ctx, list);
}

/*
 * LINK_GET dump.  libnl reads the parts until NLMSG_DONE.  If the device
 * list changed while the kernel was walking it, the kernel marks the dump
 * NLM_F_DUMP_INTR: a device may then be missing or listed twice, so the
 * partial result is thrown away and the dump started again.
 */
static int vnl_link_dump(struct vnl_ctx *ctx, struct vnl_link_list *list)
{
	int attempt;
	int err = 0;

	for (attempt = 0; attempt < VNL_DUMP_ATTEMPTS; attempt++) {
		vnl_link_list_clear(list);
		err = vnl_exchange(ctx, ctx->genl,
				   vnl_msg_new(ctx, VNL_CMD_LINK_GET, NLM_F_DUMP),
				   vnl_link_list_add, list);
		if (err != -EINTR)
			break;
	}
	if (err == -EINTR) {
		vnl_error(ctx, "devices kept changing during %d dumps",
			  VNL_DUMP_ATTEMPTS);
		return VNL_EXIT_FAIL;
	}
	if (err) {
		vnl_report_error(ctx, err);
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

int cmd_show(struct vnl_ctx *ctx, int argc, char **argv)
{
	struct vnl_link_list list = { 0 };
	const char *name = NULL;
	int status;

	if (argc) {
		status = vnl_parse_dev(ctx, argc, argv, &name);
		if (status)
			return status;
	}
	status = vnl_connect(ctx);
	if (status)
		return status;
	status = name ? vnl_link_get(ctx, name, &list) :
			vnl_link_dump(ctx, &list);
	if (!status) {
		vnl_netns_name_peers(ctx, list.links, list.count);
		vnl_print_links(ctx, list.links, list.count);
	}
	vnl_link_list_free(&list);
	return status;
}

int cmd_stats(struct vnl_ctx *ctx, int argc, char **argv)
{
	struct vnl_link_list list = { 0 };
	const char *name = NULL;
	int status;

	status = vnl_parse_dev(ctx, argc, argv, &name);
	if (status)
		return status;
	status = vnl_connect(ctx);
	if (status)
		return status;
	status = vnl_link_get(ctx, name, &list);
	if (!status && !vnl_link_has(&list.links[0], VNL_A_STATS)) {
		vnl_error(ctx, "the kernel sent no counters for \"%s\"", name);
		status = VNL_EXIT_FAIL;
	}
	if (!status)
		vnl_print_stats(ctx, &list.links[0]);
	vnl_link_list_free(&list);
	return status;
}

int cmd_del(struct vnl_ctx *ctx, int argc, char **argv)
{
	struct nl_msg *msg;
	const char *name = NULL;
	int status;

	status = vnl_parse_dev(ctx, argc, argv, &name);
	if (status)
		return status;
	status = vnl_connect(ctx);
	if (status)
		return status;
	msg = vnl_msg_new(ctx, VNL_CMD_LINK_DEL, 0);
	if (nla_put_string(msg, VNL_A_IFNAME, name)) {
		nlmsg_free(msg);
		vnl_error(ctx, "device name too long for a netlink message");
		return VNL_EXIT_FAIL;
	}
	return vnl_request(ctx, msg, NULL, NULL) ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

/* What `add pair` was asked for; has_* for the optional values. */
struct vnl_add_args {
	const char *ifname;
	const char *peer_ifname;
	bool has_mtu;
	uint32_t mtu;
	bool has_address;
	uint8_t address[ETH_ALEN];
	bool has_peer_address;
	uint8_t peer_address[ETH_ALEN];
	struct vnl_netns_arg netns;
	struct vnl_netns_arg peer_netns;
};

/* Decimal digits only: no sign, no spaces, no hex, fits in 32 bits. */
bool vnl_parse_u32(const char *s, uint32_t *value)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*value = v;
	return true;
}

static int vnl_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six colon-separated bytes of one or two hex digits: 2:0:0:aa:bb:cc. */
bool vnl_parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	int i, digits, d;

	for (i = 0; i < ETH_ALEN; i++) {
		mac[i] = 0;
		for (digits = 0; (d = vnl_hex_digit(*s)) >= 0; digits++, s++)
			mac[i] = mac[i] << 4 | d;
		if (digits < 1 || digits > 2)
			return false;
		if (*s != (i == ETH_ALEN - 1 ? '\0' : ':'))
			return false;
		s++;
	}
	return true;
}

static int vnl_add_parse_option(const struct vnl_ctx *ctx,
				struct vnl_add_args *args,
				const char *key, const char *value)
{
	if (!strcmp(key, "peer")) {
		if (args->peer_ifname)
			return vnl_usage_error(ctx, "\"peer\" given twice");
		args->peer_ifname = value;
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
	} else if (!strcmp(key, "peer-address")) {
		if (args->has_peer_address)
			return vnl_usage_error(ctx,
					       "\"peer-address\" given twice");
		if (!vnl_parse_mac(value, args->peer_address))
			return vnl_usage_error(ctx, "bad peer-address \"%s\"",
					       value);
		args->has_peer_address = true;
	} else if (!strcmp(key, "netns")) {
		if (args->netns.spec)
			return vnl_usage_error(ctx, "\"netns\" given twice");
		return vnl_netns_arg_set(ctx, &args->netns, value);
	} else if (!strcmp(key, "peer-netns")) {
		if (args->peer_netns.spec)
			return vnl_usage_error(ctx,
					       "\"peer-netns\" given twice");
		return vnl_netns_arg_set(ctx, &args->peer_netns, value);
	} else {
		return vnl_usage_error(ctx, "unknown argument \"%s\"", key);
	}
	return VNL_EXIT_OK;
}

/* NAME peer PEER [KEY VALUE]...: checks syntax, opens nothing. */
static int vnl_add_parse(const struct vnl_ctx *ctx, int argc,
			 const char *const *argv, struct vnl_add_args *args)
{
	int status;
	int i;

	if (argc < 1)
		return vnl_usage_error(ctx, "missing device name");
	args->ifname = argv[0];
	for (i = 1; i < argc; i += 2) {
		if (i + 1 == argc)
			return vnl_usage_error(ctx, "\"%s\" needs a value",
					       argv[i]);
		status = vnl_add_parse_option(ctx, args, argv[i], argv[i + 1]);
		if (status)
			return status;
	}
	if (!args->peer_ifname)
		return vnl_usage_error(ctx, "missing \"peer PEER\"");
	return VNL_EXIT_OK;
}

static int vnl_add_put_peer(struct nl_msg *msg, const struct vnl_add_args *args)
{
	struct nlattr *peer = nla_nest_start(msg, VNL_A_PEER);

	if (!peer ||
	    nla_put_string(msg, VNL_PEER_A_IFNAME, args->peer_ifname) ||
	    (args->has_peer_address &&
	     nla_put(msg, VNL_PEER_A_ADDRESS, ETH_ALEN, args->peer_address)) ||
	    vnl_netns_arg_put(msg, &args->peer_netns, VNL_PEER_A_NETNS_FD,
			      VNL_PEER_A_NETNS_PID))
		return -EMSGSIZE;
	nla_nest_end(msg, peer);
	return 0;
}

/* The LINK_NEW request; NULL if the arguments do not fit in a message. */
static struct nl_msg *vnl_add_msg(const struct vnl_ctx *ctx,
				  const struct vnl_add_args *args)
{
	struct nl_msg *msg = vnl_msg_new(ctx, VNL_CMD_LINK_NEW, 0);

	if (nla_put_u32(msg, VNL_A_KIND, VNL_KIND_PAIR) ||
	    nla_put_string(msg, VNL_A_IFNAME, args->ifname) ||
	    (args->has_mtu && nla_put_u32(msg, VNL_A_MTU, args->mtu)) ||
	    (args->has_address &&
	     nla_put(msg, VNL_A_ADDRESS, ETH_ALEN, args->address)) ||
	    vnl_netns_arg_put(msg, &args->netns, VNL_A_NETNS_FD,
			      VNL_A_NETNS_PID) ||
	    vnl_add_put_peer(msg, args)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * The reply's netnsid is seen from the new device's netns.  When the peer's
 * netns was given by name we already know what to call it; otherwise it can
 * be looked up only if the device is in our own netns.
 */
static void vnl_add_name_peer(struct vnl_ctx *ctx,
			      const struct vnl_add_args *args,
			      struct vnl_link *link)
{
	if (!vnl_peer_has(link, VNL_PEER_A_NETNSID))
		return;
	if (args->peer_netns.spec && !args->peer_netns.pid)
		snprintf(link->peer.netns, sizeof(link->peer.netns), "%s",
			 args->peer_netns.spec);
	else if (!args->netns.spec)
		vnl_netns_name_peers(ctx, link, 1);
}

static int vnl_add_send(struct vnl_ctx *ctx, const struct vnl_add_args *args)
{
	struct vnl_link_list list = { 0 };
	struct nl_msg *msg;
	int status;

	msg = vnl_add_msg(ctx, args);
	if (!msg) {
		vnl_error(ctx, "arguments too long for a netlink message");
		return VNL_EXIT_FAIL;
	}
	if (vnl_request(ctx, msg, vnl_link_list_add, &list)) {
		vnl_link_list_free(&list);
		return VNL_EXIT_FAIL;
	}
	status = VNL_EXIT_OK;
	if (ctx->json) {
		status = vnl_expect_one_link(ctx, &list);
		if (!status) {
			vnl_add_name_peer(ctx, args, &list.links[0]);
			vnl_print_link(ctx, &list.links[0]);
		}
	}
	vnl_link_list_free(&list);
	return status;
}

static int vnl_pair_add(struct vnl_ctx *ctx, int argc, const char *const *argv)
{
	struct vnl_add_args args = {
		.netns = { .fd = -1 },
		.peer_netns = { .fd = -1 },
	};
	int status;

	status = vnl_add_parse(ctx, argc, argv, &args);
	if (status)
		return status;
	status = vnl_netns_arg_open(ctx, &args.netns);
	if (!status)
		status = vnl_netns_arg_open(ctx, &args.peer_netns);
	if (!status)
		status = vnl_connect(ctx);
	if (!status)
		status = vnl_add_send(ctx, &args);
	vnl_netns_arg_close(&args.netns);
	vnl_netns_arg_close(&args.peer_netns);
	return status;
}

/*
 * `add` takes its own words (add KIND NAME [KEY VALUE]...) and ip's beside
 * them, in any order: `ip link add NAME type veth peer name PEER`, `ip
 * tuntap add dev NAME mode tap`, `ip link add link DEV name NAME type
 * macvlan mode MODE`.  vnl_add_scan() reads either into the kind, the name
 * and the kind's own words in vnlctl's spelling, which the kind's parser
 * then reads as if they had been typed so:
 *
 *	add a type veth peer name b netns n	-> pair a peer b peer-netns n
 *	add dev t0 mode tap multi_queue		-> tap t0 multi-queue
 *	add link eth0 name m0 type macvlan	-> macvlan m0 parent eth0
 *
 * The kind may be said more than once (the first word, type KIND, mode
 * tun|tap) and so may the name (the first free word, dev NAME, name
 * NAME), as long as they agree.  After ip's "peer name PEER", netns and
 * address are the peer's, as ip has them; after vnlctl's "peer PEER" they
 * stay the device's.
 */
#define VNL_KINDS_PAIR		(1u << VNL_KIND_PAIR)
#define VNL_KINDS_TUNTAP	(1u << VNL_KIND_TUN | 1u << VNL_KIND_TAP)
#define VNL_KINDS_MACVLAN	(1u << VNL_KIND_MACVLAN)

struct vnl_add_word {
	const char *word;	/* as typed */
	const char *canonical;	/* as the kind's parser knows it */
	bool takes_value;
	uint32_t kinds;		/* bit k set: kind k takes it */
};

static const struct vnl_add_word vnl_add_words[] = {
	{ "peer",	  "peer",	  true,  VNL_KINDS_PAIR },
	{ "peer-address", "peer-address", true,  VNL_KINDS_PAIR },
	{ "peer-netns",	  "peer-netns",	  true,  VNL_KINDS_PAIR },
	{ "mtu",	  "mtu",	  true,  VNL_KINDS_PAIR | VNL_KINDS_MACVLAN },
	{ "address",	  "address",	  true,  VNL_KINDS_PAIR | VNL_KINDS_MACVLAN },
	{ "netns",	  "netns",	  true,  VNL_KINDS_PAIR | VNL_KINDS_MACVLAN },
	{ "parent",	  "parent",	  true,  VNL_KINDS_MACVLAN },
	{ "link",	  "parent",	  true,  VNL_KINDS_MACVLAN },
	{ "mode",	  "mode",	  true,  VNL_KINDS_MACVLAN },
	{ "bcqueuelen",	  "bcqueuelen",	  true,  VNL_KINDS_MACVLAN },
	{ "tap",	  "tap",	  false, VNL_KINDS_MACVLAN },
	{ "user",	  "user",	  true,  VNL_KINDS_TUNTAP },
	{ "group",	  "group",	  true,  VNL_KINDS_TUNTAP },
	{ "pi",		  "pi",		  false, VNL_KINDS_TUNTAP },
	{ "multi-queue",  "multi-queue",  false, VNL_KINDS_TUNTAP | VNL_KINDS_MACVLAN },
	{ "multi_queue",  "multi-queue",  false, VNL_KINDS_TUNTAP | VNL_KINDS_MACVLAN },
	{ "vnet-hdr",	  "vnet-hdr",	  false, VNL_KINDS_TUNTAP },
	{ "vnet_hdr",	  "vnet-hdr",	  false, VNL_KINDS_TUNTAP },
};

/* One keyword of the command line, and its value if it takes one. */
struct vnl_add_item {
	const struct vnl_add_word *word;
	const char *typed;
	const char *value;
};

/* What vnl_add_scan() found. */
struct vnl_add_line {
	uint32_t kind;			/* VNL_KIND_UNSPEC until said */
	const char *kind_key;		/* "type", "mode", or NULL: first word */
	const char *kind_value;		/* the kind as said: "veth", "tap"... */
	const char *ifname;
	bool ifname_first;		/* the name was the first word, unkeyed */
	bool ip_peer;			/* after "peer name": ip's peer words */
	int count;
	struct vnl_add_item *items;	/* room for one per word */
};

static const struct vnl_add_word *vnl_add_word_find(const char *word)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vnl_add_words); i++)
		if (!strcmp(vnl_add_words[i].word, word))
			return &vnl_add_words[i];
	return NULL;
}

/* After ip's "peer name PEER", netns and address are the peer's. */
static const struct vnl_add_word *vnl_add_word_lookup(const struct vnl_add_line *line,
						      const char *word)
{
	if (line->ip_peer && !strcmp(word, "netns"))
		return vnl_add_word_find("peer-netns");
	if (line->ip_peer && !strcmp(word, "address"))
		return vnl_add_word_find("peer-address");
	return vnl_add_word_find(word);
}

static bool vnl_is_tuntap_mode(const char *value)
{
	return !strcmp(value, "tun") || !strcmp(value, "tap");
}

/* KEY VALUE, or the bare first word, as the user typed it. */
static const char *vnl_add_said(char *buf, size_t size, const char *key,
				const char *value)
{
	snprintf(buf, size, "%s%s%s", key ? key : "", key ? " " : "", value);
	return buf;
}

/* The kind, said by the first word (key NULL), type KIND or mode tun|tap. */
static int vnl_add_set_kind(const struct vnl_ctx *ctx,
			    struct vnl_add_line *line, const char *key,
			    const char *value)
{
	char was[64], now[64];
	uint32_t kind;

	/* ip's veth is our pair; only after "type", where ip has it. */
	if (key && !strcmp(value, "veth"))
		kind = VNL_KIND_PAIR;
	else if (!vnl_kind_from_name(value, &kind))
		return vnl_usage_error(ctx,
				       "unknown device kind \"%s\" (pair, veth, tun, tap or macvlan)",
				       value);
	if (line->kind && line->kind != kind)
		return vnl_usage_error(ctx, "kind given twice: \"%s\" and \"%s\"",
				       vnl_add_said(was, sizeof(was),
						    line->kind_key,
						    line->kind_value),
				       vnl_add_said(now, sizeof(now), key, value));
	line->kind = kind;
	line->kind_key = key;
	line->kind_value = value;
	return VNL_EXIT_OK;
}

static int vnl_add_set_name(const struct vnl_ctx *ctx,
			    struct vnl_add_line *line, const char *name)
{
	if (line->ifname && strcmp(line->ifname, name))
		return vnl_usage_error(ctx,
				       "device name given twice: \"%s\" and \"%s\"",
				       line->ifname, name);
	line->ifname = name;
	return VNL_EXIT_OK;
}

/* A word that is no keyword: the name, if none came yet. */
static int vnl_add_free_word(const struct vnl_ctx *ctx,
			     struct vnl_add_line *line, const char *word,
			     bool first)
{
	if (!line->ifname) {
		line->ifname = word;
		line->ifname_first = first;
		return VNL_EXIT_OK;
	}
	/* "add veth a ...": the first word was meant as a kind. */
	if (line->ifname_first && !line->kind)
		return vnl_usage_error(ctx,
				       "unknown device kind \"%s\" (pair, tun, tap or macvlan; or type KIND)",
				       line->ifname);
	return vnl_usage_error(ctx, "unknown argument \"%s\"", word);
}

static void vnl_add_push(struct vnl_add_line *line,
			 const struct vnl_add_word *word, const char *typed,
			 const char *value)
{
	struct vnl_add_item *item = &line->items[line->count++];

	item->word = word;
	item->typed = typed;
	item->value = value;
}

/* "peer name PEER", ip's; `i` is at "peer". */
static int vnl_add_ip_peer(const struct vnl_ctx *ctx,
			   struct vnl_add_line *line, int argc,
			   char **argv, int *i)
{
	if (*i + 2 >= argc)
		return vnl_usage_error(ctx, "\"peer name\" needs a value");
	vnl_add_push(line, vnl_add_word_find("peer"), "peer", argv[*i + 2]);
	line->ip_peer = true;
	*i += 2;
	return VNL_EXIT_OK;
}

/* argv[*i], and the value it takes; *i is left on the last word used. */
static int vnl_add_scan_word(const struct vnl_ctx *ctx,
			     struct vnl_add_line *line, int argc, char **argv,
			     int *i)
{
	const char *word = argv[*i];
	const char *value = *i + 1 < argc ? argv[*i + 1] : NULL;
	const struct vnl_add_word *w;
	uint32_t kind;

	if (*i == 0 && vnl_kind_from_name(word, &kind))
		return vnl_add_set_kind(ctx, line, NULL, word);
	if (!strcmp(word, "peer") && value && !strcmp(value, "name"))
		return vnl_add_ip_peer(ctx, line, argc, argv, i);
	w = vnl_add_word_lookup(line, word);
	if (!w && strcmp(word, "dev") && strcmp(word, "name") &&
	    strcmp(word, "type"))
		return vnl_add_free_word(ctx, line, word, *i == 0);
	if (w && !w->takes_value) {
		vnl_add_push(line, w, word, NULL);
		return VNL_EXIT_OK;
	}
	if (!value)
		return vnl_usage_error(ctx, "\"%s\" needs a value", word);
	++*i;
	if (!strcmp(word, "type") ||
	    (!strcmp(word, "mode") && vnl_is_tuntap_mode(value)))
		return vnl_add_set_kind(ctx, line, word, value);
	if (!w)
		return vnl_add_set_name(ctx, line, value);
	vnl_add_push(line, w, word, value);
	return VNL_EXIT_OK;
}

/* Does the kind take this word?  Say why not, in the user's words. */
static int vnl_add_check_item(const struct vnl_ctx *ctx,
			      const struct vnl_add_line *line,
			      const struct vnl_add_item *item)
{
	if (item->word->kinds & (1u << line->kind))
		return VNL_EXIT_OK;
	if (!strcmp(item->typed, "mode") &&
	    (1u << line->kind) & VNL_KINDS_TUNTAP)
		return vnl_usage_error(ctx, "unknown mode \"%s\" (tun or tap)",
				       item->value);
	return vnl_usage_error(ctx, "\"%s\" does not apply to a %s",
			       item->typed, vnl_kind_name(line->kind));
}

static int vnl_add_scan(const struct vnl_ctx *ctx, int argc, char **argv,
			struct vnl_add_line *line)
{
	int status;
	int i;

	if (argc < 1)
		return vnl_usage_error(ctx, "missing device kind and name");
	for (i = 0; i < argc; i++) {
		status = vnl_add_scan_word(ctx, line, argc, argv, &i);
		if (status)
			return status;
	}
	if (!line->kind)
		return vnl_usage_error(ctx,
				       "missing device kind: pair, tun, tap or macvlan first, or type KIND");
	if (!line->ifname)
		return vnl_usage_error(ctx, "missing device name");
	for (i = 0; i < line->count; i++) {
		status = vnl_add_check_item(ctx, line, &line->items[i]);
		if (status)
			return status;
	}
	return VNL_EXIT_OK;
}

/* NAME, then each keyword as the kind's parser spells it, and its value. */
static int vnl_add_words_of(const struct vnl_add_line *line, const char **words)
{
	int n = 0;
	int i;

	words[n++] = line->ifname;
	for (i = 0; i < line->count; i++) {
		words[n++] = line->items[i].word->canonical;
		if (line->items[i].value)
			words[n++] = line->items[i].value;
	}
	words[n] = NULL;
	return n;
}

/* add [KIND] ...: the kind decides the syntax that follows and the way in. */
int cmd_add(struct vnl_ctx *ctx, int argc, char **argv)
{
	struct vnl_add_line line = { 0 };
	const char **words;
	int status, n;

	line.items = vnl_realloc_array(NULL, argc + 1, sizeof(*line.items));
	words = vnl_realloc_array(NULL, argc + 2, sizeof(*words));
	status = vnl_add_scan(ctx, argc, argv, &line);
	if (!status) {
		n = vnl_add_words_of(&line, words);
		if (line.kind == VNL_KIND_PAIR)
			status = vnl_pair_add(ctx, n, words);
		else if (line.kind == VNL_KIND_MACVLAN)
			status = vnl_macvlan_add(ctx, n, words);
		else
			status = vnl_tuntap_add(ctx, line.kind, n, words);
	}
	free(words);
	free(line.items);
	return status;
}
