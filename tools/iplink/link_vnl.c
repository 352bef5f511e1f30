// SPDX-License-Identifier: GPL-2.0
/*
 * The iproute2 link plugin of vnl: ip(8) looks for a kind it does not
 * know in $IP_LIB_DIR/link_<kind>.so and uses <kind>_link_util.
 *
 * "ip link add" (parse_opt) builds IFLA_INFO_DATA from vnl's words:
 *
 *   ip link add A type vnl kind pair peer B [netns NS] [address MAC] ...
 *   ip link add C link DEV type vnl kind macvlan [mode MODE] [bcqueuelen N]
 *                                               [tap [multi-queue]]
 *
 * as VNL_A_KIND, VNL_A_MACVLAN_MODE, VNL_A_BC_QUEUE_LEN, VNL_A_TAP_FACE
 * (a child's tap face: IFF_TAP, and IFF_MULTI_QUEUE) and, for a pair,
 * VNL_A_PEER_INFO: a struct ifinfomsg and the peer's IFLA_* attributes,
 * which ip's own iplink_parse() writes from everything after "peer", as
 * veth's plugin does (kmod/rtnl.c:vnl_link_newlink reads them).
 *
 * "ip -d link show" (print_opt) names the vnl kind of a device ("vnl kind
 * pair"), and the mode and broadcast queue lengths of a macvlan child
 * ("vnl kind macvlan mode bridge bcqueuelen 1000 bcqueuelen_used 1000",
 * vnlctl's words, then "tap" or "tap multi-queue" for a tap face), from
 * what kmod/rtnl.c:vnl_link_fill_info puts in IFLA_INFO_DATA.  With "ip
 * -j" they are "vnl_kind", "vnl_mode", "vnl_bcqueuelen",
 * "vnl_bcqueuelen_used" and "vnl_tap_face" ("tap", "tap multi-queue") of
 * "info_data".
 *
 * ip exports what its own plugins use (the JSON-aware printer, the
 * attribute builders, iplink_parse), so the same code works with "ip -j".
 * The declarations below restate iproute2's plugin interface as Debian 12
 * ships it (ip/ip_common.h, include/libnetlink.h, include/json_print.h,
 * include/color.h).
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <linux/vnl.h>

enum output_type { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };
enum color_attr { COLOR_NONE = 6 };

int print_color_string(enum output_type type, enum color_attr color,
		       const char *key, const char *fmt, const char *value);
int print_color_uint(enum output_type type, enum color_attr color,
		     const char *key, const char *fmt, unsigned int value);

/* The request ip builds; parse_opt's nlmsghdr is its first member. */
struct iplink_req {
	struct nlmsghdr n;
	struct ifinfomsg i;
	char buf[1024];
};

int iplink_parse(int argc, char **argv, struct iplink_req *req, char **type);
int addattr32(struct nlmsghdr *n, int maxlen, int type, uint32_t data);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);

struct link_util {
	struct link_util *next;
	const char *id;
	int maxattr;
	int (*parse_opt)(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n);
	void (*print_opt)(struct link_util *lu, FILE *f, struct rtattr *tb[]);
	void (*print_xstats)(struct link_util *lu, FILE *f, struct rtattr *xs);
	void (*print_help)(struct link_util *lu, int argc, char **argv,
			   FILE *f);
	int (*parse_ifla_xstats)(struct link_util *lu, int argc, char **argv);
	int (*print_ifla_xstats)(struct nlmsghdr *n, void *arg);
};

/* The number of @name in @names (indexed by value), or 0. */
static uint32_t vnl_lookup(const char *const *names, uint32_t max,
			   const char *name)
{
	uint32_t i;

	for (i = 1; i <= max; i++)
		if (names[i] && !strcmp(names[i], name))
			return i;
	return 0;
}

static const char *const vnl_kind_words[VNL_KIND_MAX + 1] = {
	[VNL_KIND_PAIR] = "pair",
	[VNL_KIND_TUN] = "tun",
	[VNL_KIND_TAP] = "tap",
	[VNL_KIND_MACVLAN] = "macvlan",
};

static const char *const vnl_mode_words[VNL_MACVLAN_MODE_MAX + 1] = {
	[VNL_MACVLAN_MODE_PRIVATE] = "private",
	[VNL_MACVLAN_MODE_VEPA] = "vepa",
	[VNL_MACVLAN_MODE_BRIDGE] = "bridge",
	[VNL_MACVLAN_MODE_PASSTHRU] = "passthru",
	[VNL_MACVLAN_MODE_SOURCE] = "source",
};

static void vnl_print_help(struct link_util *lu, int argc, char **argv,
			   FILE *f)
{
	(void)lu;
	(void)argc;
	(void)argv;
	fprintf(f,
		"Usage: ip link add NAME type vnl kind pair peer PEER [ OPTIONS ]\n"
		"       ip link add NAME link DEV type vnl kind macvlan\n"
		"                [ mode { private | vepa | bridge | passthru | source } ]\n"
		"                [ bcqueuelen N ] [ tap [ multi-queue ] ]\n"
		"\n"
		"PEER [ OPTIONS ]: the peer's name, then what ip link add takes for a\n"
		"device: netns NS, address MAC, mtu MTU, up...  tun and tap devices come\n"
		"from /dev/vnl (ip tuntap, vnlctl add tun|tap); vnlctl does the rest.\n"
		"tap: the child's frames go to /dev/vnl files attached to it by name\n"
		"(TUNSETIFF IFF_TAP), as macvtap's go to /dev/tapN.\n");
}

static int vnl_bad_word(const char *what, const char *word, const char *want)
{
	fprintf(stderr, "vnl: %s \"%s\" is not one of %s\n", what, word, want);
	return -1;
}

/* "peer PEER ...": VNL_A_PEER_INFO, a struct ifinfomsg and the peer's
 * IFLA_* attributes.  iplink_parse() writes the attributes at the end of
 * the request, inside the nest, but the peer's flags ("up") and index in
 * the request's own ifinfomsg: they are moved into the nest's, and the
 * request's put back.
 */
static int vnl_parse_peer(int argc, char **argv, struct nlmsghdr *n)
{
	struct iplink_req *req = (struct iplink_req *)n;
	struct ifinfomsg saved = req->i, *peer_ifm;
	struct rtattr *peer;
	char *type = NULL;
	int used;

	if (argc < 1) {
		fprintf(stderr, "vnl: \"peer\" needs the peer's name\n");
		return -1;
	}
	peer = addattr_nest(n, sizeof(*req), VNL_A_PEER_INFO);
	if (NLMSG_ALIGN(n->nlmsg_len) + sizeof(*peer_ifm) > sizeof(*req))
		return -1;
	peer_ifm = RTA_DATA(peer);
	memset(peer_ifm, 0, sizeof(*peer_ifm));
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + sizeof(*peer_ifm);

	req->i.ifi_flags = 0;
	req->i.ifi_change = 0;
	req->i.ifi_index = 0;
	used = iplink_parse(argc, argv, req, &type);
	if (used < 0)
		return used;
	if (type) {
		fprintf(stderr, "vnl: the peer takes no \"type\"\n");
		return -1;
	}

	peer_ifm->ifi_flags = req->i.ifi_flags;
	peer_ifm->ifi_change = req->i.ifi_change;
	peer_ifm->ifi_index = req->i.ifi_index;
	req->i = saved;
	addattr_nest_end(n, peer);
	return 0;
}

/* "tap [multi-queue]": VNL_A_TAP_FACE, once the words are all read. */
static int vnl_put_face(struct nlmsghdr *n, uint32_t face)
{
	if (face == IFF_MULTI_QUEUE) {
		fprintf(stderr, "vnl: \"multi-queue\" is a tap face's; say \"tap multi-queue\"\n");
		return -1;
	}
	if (face)
		addattr32(n, sizeof(struct iplink_req), VNL_A_TAP_FACE, face);
	return 0;
}

static int vnl_parse_opt(struct link_util *lu, int argc, char **argv,
			 struct nlmsghdr *n)
{
	const int max = sizeof(struct iplink_req);
	unsigned long number;
	uint32_t value, face = 0;
	char *end;

	for (; argc > 0; argc--, argv++) {
		/* Asked for with a pair, the face goes to the kernel, which
		 * says why not.
		 */
		if (!strcmp(*argv, "peer"))
			return vnl_put_face(n, face) ?:
			       vnl_parse_peer(argc - 1, argv + 1, n);
		if (!strcmp(*argv, "tap")) {
			face |= IFF_TAP;
			continue;
		}
		if (!strcmp(*argv, "multi-queue")) {
			face |= IFF_MULTI_QUEUE;
			continue;
		}
		if (!strcmp(*argv, "help")) {
			vnl_print_help(lu, 0, NULL, stderr);
			return -1;
		}
		if (argc < 2) {
			fprintf(stderr, "vnl: \"%s\" needs a value; try \"ip link help vnl\"\n",
				*argv);
			return -1;
		}
		if (!strcmp(*argv, "kind")) {
			value = vnl_lookup(vnl_kind_words, VNL_KIND_MAX, argv[1]);
			if (!value)
				return vnl_bad_word("kind", argv[1],
						    "pair, macvlan, tun, tap");
			addattr32(n, max, VNL_A_KIND, value);
		} else if (!strcmp(*argv, "mode")) {
			value = vnl_lookup(vnl_mode_words, VNL_MACVLAN_MODE_MAX,
					   argv[1]);
			if (!value)
				return vnl_bad_word("mode", argv[1],
						    "private, vepa, bridge, passthru, source");
			addattr32(n, max, VNL_A_MACVLAN_MODE, value);
		} else if (!strcmp(*argv, "bcqueuelen")) {
			/* The kernel says what it takes (0 to 65535). */
			number = strtoul(argv[1], &end, 10);
			if (!*argv[1] || *end || argv[1][0] == '-' ||
			    number > UINT32_MAX)
				return vnl_bad_word("bcqueuelen", argv[1],
						    "the numbers 0 to 65535");
			addattr32(n, max, VNL_A_BC_QUEUE_LEN, number);
		} else {
			fprintf(stderr, "vnl: unknown word \"%s\"; try \"ip link help vnl\"\n",
				*argv);
			return -1;
		}
		argc--;
		argv++;
	}
	return vnl_put_face(n, face);
}

/* The name of @value in @names, for printing. */
static const char *vnl_word(const char *const *names, uint32_t max,
			    uint32_t value)
{
	return value && value <= max && names[value] ? names[value] : "unknown";
}

/* A u32 attribute of IFLA_INFO_DATA, if it is there and long enough. */
static int vnl_get_u32(struct rtattr *tb[], int type, uint32_t *value)
{
	if (!tb[type] || RTA_PAYLOAD(tb[type]) < sizeof(*value))
		return 0;
	*value = *(uint32_t *)RTA_DATA(tb[type]);
	return 1;
}

static void vnl_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	uint32_t kind, mode, len, face;

	(void)lu;
	(void)f;
	if (!tb || !vnl_get_u32(tb, VNL_A_KIND, &kind))
		return;
	print_color_string(PRINT_ANY, COLOR_NONE, "vnl_kind", "kind %s ",
			   vnl_word(vnl_kind_words, VNL_KIND_MAX, kind));
	if (vnl_get_u32(tb, VNL_A_MACVLAN_MODE, &mode))
		print_color_string(PRINT_ANY, COLOR_NONE, "vnl_mode",
				   "mode %s ",
				   vnl_word(vnl_mode_words, VNL_MACVLAN_MODE_MAX,
					    mode));
	if (vnl_get_u32(tb, VNL_A_BC_QUEUE_LEN, &len))
		print_color_uint(PRINT_ANY, COLOR_NONE, "vnl_bcqueuelen",
				 "bcqueuelen %u ", len);
	if (vnl_get_u32(tb, VNL_A_BC_QUEUE_LEN_USED, &len))
		print_color_uint(PRINT_ANY, COLOR_NONE, "vnl_bcqueuelen_used",
				 "bcqueuelen_used %u ", len);
	if (vnl_get_u32(tb, VNL_A_TAP_FACE, &face))
		print_color_string(PRINT_ANY, COLOR_NONE, "vnl_tap_face", "%s ",
				   face & IFF_MULTI_QUEUE ? "tap multi-queue" :
							    "tap");
}

struct link_util vnl_link_util = {
	.id		= "vnl",
	.maxattr	= VNL_A_MAX,
	.parse_opt	= vnl_parse_opt,
	.print_opt	= vnl_print_opt,
	.print_help	= vnl_print_help,
};
