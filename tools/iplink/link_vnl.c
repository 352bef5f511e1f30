// SPDX-License-Identifier: GPL-2.0
/*
 * An iproute2 link plugin, so that "ip -d link show" names the vnl kind of
 * a device ("vnl kind pair"), and the mode and broadcast queue lengths of
 * a macvlan child ("vnl kind macvlan mode bridge bcqueuelen 1000
 * bcqueuelen_used 1000", vnlctl's words).  ip(8) looks for a kind it does
 * not know in $IP_LIB_DIR/link_<kind>.so and calls
 * <kind>_link_util.print_opt with the device's IFLA_INFO_DATA, which vnl
 * fills with VNL_A_KIND and, for a macvlan child, VNL_A_MACVLAN_MODE,
 * VNL_A_BC_QUEUE_LEN and VNL_A_BC_QUEUE_LEN_USED
 * (kmod/dev.c:vnl_link_fill_info).  With "ip -j" they are "vnl_kind",
 * "vnl_mode", "vnl_bcqueuelen" and "vnl_bcqueuelen_used" of "info_data".
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
int print_color_uint(enum output_type type, enum color_attr color,
		     const char *key, const char *fmt, unsigned int value);

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
	case VNL_KIND_TUN:
		return "tun";
	case VNL_KIND_TAP:
		return "tap";
	case VNL_KIND_MACVLAN:
		return "macvlan";
	default:
		return "unknown";
	}
}

/* The words of `vnlctl add macvlan ... mode MODE`. */
static const char *vnl_mode_name(uint32_t mode)
{
	switch (mode) {
	case VNL_MACVLAN_MODE_PRIVATE:
		return "private";
	case VNL_MACVLAN_MODE_VEPA:
		return "vepa";
	case VNL_MACVLAN_MODE_BRIDGE:
		return "bridge";
	case VNL_MACVLAN_MODE_PASSTHRU:
		return "passthru";
	case VNL_MACVLAN_MODE_SOURCE:
		return "source";
	default:
		return "unknown";
	}
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
	uint32_t kind, mode, len;

	(void)lu;
	(void)f;
	if (!tb || !vnl_get_u32(tb, VNL_A_KIND, &kind))
		return;
	print_color_string(PRINT_ANY, COLOR_NONE, "vnl_kind", "kind %s ",
			   vnl_kind_name(kind));
	if (vnl_get_u32(tb, VNL_A_MACVLAN_MODE, &mode))
		print_color_string(PRINT_ANY, COLOR_NONE, "vnl_mode",
				   "mode %s ", vnl_mode_name(mode));
	if (vnl_get_u32(tb, VNL_A_BC_QUEUE_LEN, &len))
		print_color_uint(PRINT_ANY, COLOR_NONE, "vnl_bcqueuelen",
				 "bcqueuelen %u ", len);
	if (vnl_get_u32(tb, VNL_A_BC_QUEUE_LEN_USED, &len))
		print_color_uint(PRINT_ANY, COLOR_NONE, "vnl_bcqueuelen_used",
				 "bcqueuelen_used %u ", len);
}

struct link_util vnl_link_util = {
	.id		= "vnl",
	.maxattr	= VNL_A_MAX,
	.print_opt	= vnl_print_opt,
};
