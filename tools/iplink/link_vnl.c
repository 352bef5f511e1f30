// SPDX-License-Identifier: GPL-2.0
/*
 * An iproute2 link plugin, so that "ip -d link show" names the vnl kind of
 * a device ("vnl kind pair").  ip(8) looks for a kind it does not know in
 * $IP_LIB_DIR/link_<kind>.so and calls <kind>_link_util.print_opt with
 * the device's IFLA_INFO_DATA, which vnl fills with VNL_A_KIND
 * (kmod/dev.c:vnl_link_fill_info).
 *
 * ip exports its JSON-aware printer, so the same line works with "ip -j".
 * The declarations below restate iproute2's plugin interface as Debian 12
 * ships it (ip/ip_common.h, include/json_print.h, include/color.h); only
 * .id, .maxattr and .print_opt are used.
 */
#include <stdio.h>
#include <stdint.h>
#include <linux/rtnetlink.h>
#include <linux/vnl.h>

enum output_type { PRINT_FP = 1, PRINT_JSON = 2, PRINT_ANY = 4 };
enum color_attr { COLOR_NONE = 6 };

int print_color_string(enum output_type type, enum color_attr color,
		       const char *key, const char *fmt, const char *value);

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

static const char *vnl_kind_name(uint32_t kind)
{
	switch (kind) {
	case VNL_KIND_PAIR:
		return "pair";
	default:
		return "unknown";
	}
}

static void vnl_print_opt(struct link_util *lu, FILE *f, struct rtattr *tb[])
{
	uint32_t kind;

	(void)lu;
	(void)f;
	if (!tb || !tb[VNL_A_KIND] || RTA_PAYLOAD(tb[VNL_A_KIND]) < sizeof(kind))
		return;
	kind = *(uint32_t *)RTA_DATA(tb[VNL_A_KIND]);
	print_color_string(PRINT_ANY, COLOR_NONE, "vnl_kind", "kind %s ",
			   vnl_kind_name(kind));
}

struct link_util vnl_link_util = {
	.id		= "vnl",
	.maxattr	= VNL_A_MAX,
	.print_opt	= vnl_print_opt,
};
