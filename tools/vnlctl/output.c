// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: everything printed on stdout, for people (text) and for scripts
 * (-j, JSON).
 *
 * Text puts one device in a block of lines, `ip link` style, with words
 * before values so that a test can grep "mtu 1400" or "carrier off":
 *
 *	7: a: kind pair mtu 1500 state up carrier on
 *	    address 02:00:00:00:00:01
 *	    peer b ifindex 8 netns blue
 *	9: t0: kind tap mtu 1500 state down carrier off
 *	    address 02:5e:11:22:33:44
 *	    queues 0 pi multi-queue persist owner 1000 (ana) group 27 (sudo)
 *	11: m0: kind macvlan mtu 1500 state up carrier on
 *	    address 02:00:00:00:00:0a
 *	    parent eth0 mode source bc_drops 0 bcqueuelen 1000 bcqueuelen_used 1000
 *	    source 02:00:00:00:00:01 02:00:00:00:00:02
 *	12: mt0: kind macvlan mtu 1500 state up carrier on
 *	    address 02:00:00:00:00:0b
 *	    parent eth0 mode bridge bc_drops 0 bcqueuelen 1000 bcqueuelen_used 1000
 *	    tap queues 2 multi-queue owner 1000 (ana)
 *
 * where pi, multi-queue, bcqueuelen and tap are the words `add` takes (pi
 * and multi-queue shown when on); a macvlan child's tap face has its
 * line, which says what a tap's does but the flags a file chooses for
 * itself when it attaches (pi, vnet-hdr) and persist, which a face does
 * not have: it lives as long as the child; bcqueuelen is what the child asks for,
 * bcqueuelen_used what its parent uses, the largest of its children's
 * requests.  A macvlan child whose parent lives in another netns shows
 * "parent ifindex 2 netnsid 0" instead of the parent's name, which means
 * nothing here; the source line is there in source mode, when the list is
 * not empty.
 * monitor prints the same words on one line, after the event name.  JSON
 * has the same facts under fixed keys; an attribute the kernel did not send
 * is null, never left out, so that `jq .mtu` always finds its key.
 *
 * `stats` prints a small table, and the drops by reason that the device's
 * kind can have, named as ethtool -S names them (without "drop_"):
 *
 *	s0:
 *	            packets          bytes      drops
 *	    rx            5            398          0
 *	    tx            7            558          3
 *	    drops: peer_down 0 too_big 3 backlog_full 0
 *
 * In JSON the same reasons are an object, "drops", inside "stats"; only
 * there is a key left out when the kernel did not send it (a kernel
 * without drop reasons has no "drops"), as the reasons differ by kind.
 */
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <linux/if_tun.h>
#include <linux/vnl.h>

#include "vnlctl.h"

void vnl_format_mac(char buf[VNL_MAC_STRLEN], const uint8_t *mac)
{
	snprintf(buf, VNL_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* The reasons of enum vnl_drop_reason, in kmod/drop.c's words. */
static const char *const vnl_drop_names[] = {
	[VNL_DROP_PEER_DOWN]	 = "peer_down",
	[VNL_DROP_TOO_BIG]	 = "too_big",
	[VNL_DROP_BACKLOG_FULL]	 = "backlog_full",
	[VNL_DROP_NO_READER]	 = "no_reader",
	[VNL_DROP_QUEUE_FULL]	 = "queue_full",
	[VNL_DROP_UNREAD]	 = "unread",
	[VNL_DROP_BAD_WRITE]	 = "bad_write",
	[VNL_DROP_CHILD_DOWN]	 = "child_down",
	[VNL_DROP_MODE]		 = "mode",
	[VNL_DROP_PARENT]	 = "parent",
	[VNL_DROP_BC_QUEUE_FULL] = "bc_queue_full",
	[VNL_DROP_NOMEM]	 = "nomem",
	[VNL_DROP_RING_FULL]	 = "ring_full",
	[VNL_DROP_XDP_DROP]	 = "xdp_drop",
	[VNL_DROP_XDP_ABORTED]	 = "xdp_aborted",
	[VNL_DROP_XDP_TX_ERR]	 = "xdp_tx_err",
	[VNL_DROP_XDP_REDIRECT_ERR] = "xdp_redirect_err",
};

/* A reason added to the header must be named here too. */
_Static_assert(ARRAY_SIZE(vnl_drop_names) == __VNL_DROP_MAX,
	       "a drop reason has no name");

/* A JSON string: quotes, backslashes and control bytes escaped. */
void vnl_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void vnl_json_key(const char *key)
{
	vnl_json_string(key);
	putchar(':');
}

static void vnl_json_bool(bool value)
{
	fputs(value ? "true" : "false", stdout);
}

/* The kind's name, for text and JSON alike. */
static const char *vnl_link_kind(const struct vnl_link *link)
{
	const char *name = vnl_kind_name(link->kind);

	return name ? name : "unknown";
}

/* The peer's name comes only when it means something to us: in our netns,
 * or in one we administer; else its ifindex and netnsid say where it is.
 */
static void vnl_print_peer_text(const struct vnl_link *link)
{
	fputs("peer", stdout);
	if (vnl_peer_has(link, VNL_PEER_A_IFNAME))
		printf(" %s", link->peer.ifname);
	if (vnl_peer_has(link, VNL_PEER_A_IFINDEX))
		printf(" ifindex %" PRIu32, link->peer.ifindex);
	if (link->peer.netns[0])
		printf(" netns %s", link->peer.netns);
	else if (vnl_peer_has(link, VNL_PEER_A_NETNSID))
		printf(" netnsid %" PRId32, link->peer.netnsid);
}

static bool vnl_has_tun(const struct vnl_link *link)
{
	return vnl_link_has(link, VNL_A_TUN_FLAGS) ||
	       vnl_link_has(link, VNL_A_TUN_QUEUES);
}

/* Prints `word` after `*sep`, which becomes a space once used. */
static void vnl_print_word(const char **sep, const char *word)
{
	printf("%s%s", *sep, word);
	*sep = " ";
}

/* "owner 1000 (ana) group 27 (sudo)", each when the kernel sent it. */
static void vnl_print_owner_text(const struct vnl_link *link, const char **sep)
{
	const struct passwd *pw;
	const struct group *gr;

	if (vnl_link_has(link, VNL_A_TUN_OWNER)) {
		vnl_print_word(sep, "owner");
		printf(" %" PRIu32, link->tun.owner);
		pw = getpwuid(link->tun.owner);
		if (pw)
			printf(" (%s)", pw->pw_name);
	}
	if (vnl_link_has(link, VNL_A_TUN_GROUP)) {
		vnl_print_word(sep, "group");
		printf(" %" PRIu32, link->tun.group);
		gr = getgrgid(link->tun.group);
		if (gr)
			printf(" (%s)", gr->gr_name);
	}
}

/* The tun/tap line: "queues 1 pi persist owner 0 (root)", what is known. */
static void vnl_print_tun_text(const struct vnl_link *link, const char *sep)
{
	uint32_t flags = link->tun.flags;

	if (vnl_link_has(link, VNL_A_TUN_QUEUES)) {
		vnl_print_word(&sep, "queues");
		printf(" %" PRIu32, link->tun.queues);
	}
	if (vnl_link_has(link, VNL_A_TUN_FLAGS)) {
		if (!(flags & IFF_NO_PI))
			vnl_print_word(&sep, "pi");
		if (flags & IFF_MULTI_QUEUE)
			vnl_print_word(&sep, "multi-queue");
		if (flags & IFF_VNET_HDR)
			vnl_print_word(&sep, "vnet-hdr");
		if (flags & IFF_PERSIST)
			vnl_print_word(&sep, "persist");
	}
	vnl_print_owner_text(link, &sep);
}

/*
 * A macvlan child's tap face: "tap queues 2 multi-queue owner 1000 (ana)".
 * multi-queue is the face's own (VNL_A_TAP_FACE), which files must match.
 */
static void vnl_print_tap_face_text(const struct vnl_link *link,
				    const char *sep)
{
	vnl_print_word(&sep, "tap");
	if (vnl_link_has(link, VNL_A_TUN_QUEUES)) {
		vnl_print_word(&sep, "queues");
		printf(" %" PRIu32, link->tun.queues);
	}
	if (link->macvlan.tap_face & IFF_MULTI_QUEUE)
		vnl_print_word(&sep, "multi-queue");
	vnl_print_owner_text(link, &sep);
}

static bool vnl_has_macvlan(const struct vnl_link *link)
{
	return vnl_link_has(link, VNL_A_PARENT_IFINDEX) ||
	       vnl_link_has(link, VNL_A_PARENT_IFNAME) ||
	       vnl_link_has(link, VNL_A_MACVLAN_MODE);
}

static const char *vnl_link_mode(const struct vnl_link *link)
{
	const char *name = vnl_macvlan_mode_name(link->macvlan.mode);

	return name ? name : "unknown";
}

/* The parent is named only when its name means something from here. */
static void vnl_print_parent_text(const struct vnl_link *link,
				  const char **sep)
{
	const char *name = link->macvlan.parent_ifname;

	if (vnl_link_has(link, VNL_A_PARENT_IFNAME) &&
	    !vnl_link_has(link, VNL_A_PARENT_NETNSID)) {
		vnl_print_word(sep, "parent");
		printf(" %s", name);
	} else if (vnl_link_has(link, VNL_A_PARENT_IFINDEX)) {
		vnl_print_word(sep, "parent");
		printf(" ifindex %" PRIu32, link->macvlan.parent_ifindex);
		if (vnl_link_has(link, VNL_A_PARENT_NETNSID))
			printf(" netnsid %" PRId32,
			       link->macvlan.parent_netnsid);
	}
}

/*
 * The macvlan lines: "parent eth0 mode bridge bc_drops 0 bcqueuelen 1000
 * bcqueuelen_used 1000" and, when the child has source addresses, "source
 * MAC MAC...".
 */
static void vnl_print_macvlan_text(const struct vnl_link *link,
				   const char *line_sep)
{
	const char *sep = line_sep;
	char mac[VNL_MAC_STRLEN];
	size_t i;

	vnl_print_parent_text(link, &sep);
	if (vnl_link_has(link, VNL_A_MACVLAN_MODE)) {
		vnl_print_word(&sep, "mode");
		printf(" %s", vnl_link_mode(link));
	}
	if (vnl_link_has(link, VNL_A_BC_DROPS)) {
		vnl_print_word(&sep, "bc_drops");
		printf(" %" PRIu64, link->macvlan.bc_drops);
	}
	if (vnl_link_has(link, VNL_A_BC_QUEUE_LEN)) {
		vnl_print_word(&sep, "bcqueuelen");
		printf(" %" PRIu32, link->macvlan.bc_queue_len);
	}
	if (vnl_link_has(link, VNL_A_BC_QUEUE_LEN_USED)) {
		vnl_print_word(&sep, "bcqueuelen_used");
		printf(" %" PRIu32, link->macvlan.bc_queue_len_used);
	}
	if (!link->macvlan.source_count)
		return;
	printf("%ssource", line_sep);
	for (i = 0; i < link->macvlan.source_count; i++) {
		vnl_format_mac(mac, link->macvlan.source[i]);
		printf(" %s", mac);
	}
}

/* `sep` is "\n    " for a block, " " for monitor's single line. */
static void vnl_print_link_text(const struct vnl_link *link, const char *sep)
{
	char mac[VNL_MAC_STRLEN];

	printf("%" PRIu32 ": %s:", link->ifindex, link->ifname);
	if (vnl_link_has(link, VNL_A_KIND))
		printf(" kind %s", vnl_link_kind(link));
	if (vnl_link_has(link, VNL_A_MTU))
		printf(" mtu %" PRIu32, link->mtu);
	if (vnl_link_has(link, VNL_A_UP))
		printf(" state %s", link->up ? "up" : "down");
	if (vnl_link_has(link, VNL_A_CARRIER))
		printf(" carrier %s", link->carrier ? "on" : "off");
	if (vnl_link_has(link, VNL_A_ADDRESS)) {
		vnl_format_mac(mac, link->address);
		printf("%saddress %s", sep, mac);
	}
	if (link->peer.have) {
		fputs(sep, stdout);
		vnl_print_peer_text(link);
	}
	if (vnl_has_tun(link) && !vnl_link_has(link, VNL_A_TAP_FACE))
		vnl_print_tun_text(link, sep);
	if (vnl_has_macvlan(link))
		vnl_print_macvlan_text(link, sep);
	if (vnl_link_has(link, VNL_A_TAP_FACE))
		vnl_print_tap_face_text(link, sep);
	putchar('\n');
}

/* ,"drops":{"peer_down":0,...}: the reasons the kernel reported. */
static void vnl_print_drops_json(const struct vnl_stats *stats)
{
	const char *sep = "";
	int why;

	fputs(",\"drops\":{", stdout);
	for (why = VNL_DROP_PAD + 1; why <= VNL_DROP_MAX; why++) {
		if (!vnl_stats_has_drop(stats, why))
			continue;
		fputs(sep, stdout);
		vnl_json_key(vnl_drop_names[why]);
		printf("%" PRIu64, stats->drops[why]);
		sep = ",";
	}
	putchar('}');
}

static void vnl_print_stats_json(const struct vnl_stats *stats)
{
	printf("{\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
	       ",\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
	       ",\"rx_drops\":%" PRIu64 ",\"tx_drops\":%" PRIu64,
	       stats->rx_packets, stats->rx_bytes, stats->tx_packets,
	       stats->tx_bytes, stats->rx_drops, stats->tx_drops);
	if (vnl_stats_has(stats, VNL_STATS_A_DROPS))
		vnl_print_drops_json(stats);
	putchar('}');
}

static void vnl_print_peer_json(const struct vnl_link *link)
{
	if (!link->peer.have) {
		fputs("null", stdout);
		return;
	}
	putchar('{');
	vnl_json_key("ifname");
	if (vnl_peer_has(link, VNL_PEER_A_IFNAME))
		vnl_json_string(link->peer.ifname);
	else
		fputs("null", stdout);
	if (vnl_peer_has(link, VNL_PEER_A_IFINDEX))
		printf(",\"ifindex\":%" PRIu32, link->peer.ifindex);
	else
		fputs(",\"ifindex\":null", stdout);
	if (vnl_peer_has(link, VNL_PEER_A_NETNSID))
		printf(",\"netnsid\":%" PRId32, link->peer.netnsid);
	else
		fputs(",\"netnsid\":null", stdout);
	fputs(",\"netns\":", stdout);
	if (link->peer.netns[0])
		vnl_json_string(link->peer.netns);
	else
		fputs("null", stdout);
	putchar('}');
}

/* u32 attributes that may be absent: a number or null. */
static void vnl_print_u32_json(const char *key, const struct vnl_link *link,
			       int attr, uint32_t value)
{
	putchar(',');
	vnl_json_key(key);
	if (vnl_link_has(link, attr))
		printf("%" PRIu32, value);
	else
		fputs("null", stdout);
}

static void vnl_print_bool_json(const char *key, const struct vnl_link *link,
				int attr, bool value)
{
	putchar(',');
	vnl_json_key(key);
	if (vnl_link_has(link, attr))
		vnl_json_bool(value);
	else
		fputs("null", stdout);
}

/*
 * "tun": a tun or tap device's settings, and those of a macvlan child's tap
 * face (its files, owner and group); null for a pair.
 */
static void vnl_print_tun_json(const struct vnl_link *link)
{
	uint32_t flags = link->tun.flags;

	if (!vnl_has_tun(link)) {
		fputs("null", stdout);
		return;
	}
	putchar('{');
	vnl_json_key("flags");
	if (vnl_link_has(link, VNL_A_TUN_FLAGS))
		printf("%" PRIu32, flags);
	else
		fputs("null", stdout);
	vnl_print_bool_json("pi", link, VNL_A_TUN_FLAGS, !(flags & IFF_NO_PI));
	vnl_print_bool_json("persist", link, VNL_A_TUN_FLAGS,
			    flags & IFF_PERSIST);
	vnl_print_bool_json("multi_queue", link, VNL_A_TUN_FLAGS,
			    flags & IFF_MULTI_QUEUE);
	vnl_print_bool_json("vnet_hdr", link, VNL_A_TUN_FLAGS,
			    flags & IFF_VNET_HDR);
	vnl_print_u32_json("queues", link, VNL_A_TUN_QUEUES, link->tun.queues);
	vnl_print_u32_json("owner", link, VNL_A_TUN_OWNER, link->tun.owner);
	vnl_print_u32_json("group", link, VNL_A_TUN_GROUP, link->tun.group);
	putchar('}');
}

/* "source": the addresses in the kernel's order, or null if not sent. */
static void vnl_print_source_json(const struct vnl_link *link)
{
	char mac[VNL_MAC_STRLEN];
	size_t i;

	fputs(",\"source\":", stdout);
	if (!vnl_link_has(link, VNL_A_MACADDR_LIST)) {
		fputs("null", stdout);
		return;
	}
	putchar('[');
	for (i = 0; i < link->macvlan.source_count; i++) {
		if (i)
			putchar(',');
		vnl_format_mac(mac, link->macvlan.source[i]);
		vnl_json_string(mac);
	}
	putchar(']');
}

/*
 * "tap_face": a macvlan child's tap face, {"flags":N,"multi_queue":B}, or
 * null.  What it shares with a tap (queues, owner, group) is under "tun",
 * where a script finds a tap's.
 */
static void vnl_print_tap_face_json(const struct vnl_link *link)
{
	uint32_t face = link->macvlan.tap_face;

	if (!vnl_link_has(link, VNL_A_TAP_FACE)) {
		fputs("null", stdout);
		return;
	}
	putchar('{');
	vnl_json_key("flags");
	printf("%" PRIu32, face);
	vnl_print_bool_json("multi_queue", link, VNL_A_TAP_FACE,
			    face & IFF_MULTI_QUEUE);
	putchar('}');
}

/*
 * A macvlan child's members, null for other kinds.  "parent" is the name
 * the kernel sent, which belongs to the parent's netns: "parent_netnsid"
 * says which one, when it is not the device's own.
 */
static void vnl_print_macvlan_json(const struct vnl_link *link)
{
	fputs(",\"parent\":", stdout);
	if (vnl_link_has(link, VNL_A_PARENT_IFNAME))
		vnl_json_string(link->macvlan.parent_ifname);
	else
		fputs("null", stdout);
	vnl_print_u32_json("parent_ifindex", link, VNL_A_PARENT_IFINDEX,
			   link->macvlan.parent_ifindex);
	putchar(',');
	vnl_json_key("parent_netnsid");
	if (vnl_link_has(link, VNL_A_PARENT_NETNSID))
		printf("%" PRId32, link->macvlan.parent_netnsid);
	else
		fputs("null", stdout);
	fputs(",\"mode\":", stdout);
	if (vnl_link_has(link, VNL_A_MACVLAN_MODE))
		vnl_json_string(vnl_link_mode(link));
	else
		fputs("null", stdout);
	putchar(',');
	vnl_json_key("bc_drops");
	if (vnl_link_has(link, VNL_A_BC_DROPS))
		printf("%" PRIu64, link->macvlan.bc_drops);
	else
		fputs("null", stdout);
	vnl_print_u32_json("bc_queue_len", link, VNL_A_BC_QUEUE_LEN,
			   link->macvlan.bc_queue_len);
	vnl_print_u32_json("bc_queue_len_used", link, VNL_A_BC_QUEUE_LEN_USED,
			   link->macvlan.bc_queue_len_used);
	vnl_print_source_json(link);
	fputs(",\"tap_face\":", stdout);
	vnl_print_tap_face_json(link);
}

/* The members of a device object, without braces: events add "event". */
static void vnl_print_link_json_members(const struct vnl_link *link)
{
	char mac[VNL_MAC_STRLEN];

	vnl_json_key("ifname");
	vnl_json_string(link->ifname);
	vnl_print_u32_json("ifindex", link, VNL_A_IFINDEX, link->ifindex);
	fputs(",\"kind\":", stdout);
	if (vnl_link_has(link, VNL_A_KIND))
		vnl_json_string(vnl_link_kind(link));
	else
		fputs("null", stdout);
	vnl_print_u32_json("mtu", link, VNL_A_MTU, link->mtu);
	fputs(",\"address\":", stdout);
	if (vnl_link_has(link, VNL_A_ADDRESS)) {
		vnl_format_mac(mac, link->address);
		vnl_json_string(mac);
	} else {
		fputs("null", stdout);
	}
	vnl_print_bool_json("up", link, VNL_A_UP, link->up);
	vnl_print_bool_json("carrier", link, VNL_A_CARRIER, link->carrier);
	fputs(",\"peer\":", stdout);
	vnl_print_peer_json(link);
	fputs(",\"tun\":", stdout);
	vnl_print_tun_json(link);
	vnl_print_macvlan_json(link);
	fputs(",\"stats\":", stdout);
	if (vnl_link_has(link, VNL_A_STATS))
		vnl_print_stats_json(&link->stats);
	else
		fputs("null", stdout);
}

/* One device: a block of text, or one JSON object on its own line. */
void vnl_print_link(const struct vnl_ctx *ctx, const struct vnl_link *link)
{
	if (!ctx->json) {
		vnl_print_link_text(link, "\n    ");
		return;
	}
	putchar('{');
	vnl_print_link_json_members(link);
	puts("}");
}

/* show: text blocks, or one JSON array with one device per line. */
void vnl_print_links(const struct vnl_ctx *ctx, const struct vnl_link *links,
		     size_t count)
{
	size_t i;

	if (!ctx->json) {
		for (i = 0; i < count; i++)
			vnl_print_link_text(&links[i], "\n    ");
		return;
	}
	putchar('[');
	for (i = 0; i < count; i++) {
		fputs(i ? ",\n{" : "\n{", stdout);
		vnl_print_link_json_members(&links[i]);
		putchar('}');
	}
	puts(count ? "\n]" : "]");
}

/* "    drops: peer_down 0 too_big 3": the reasons the kernel reported. */
static void vnl_print_drops_text(const struct vnl_stats *stats)
{
	int why;

	fputs("    drops:", stdout);
	for (why = VNL_DROP_PAD + 1; why <= VNL_DROP_MAX; why++)
		if (vnl_stats_has_drop(stats, why))
			printf(" %s %" PRIu64, vnl_drop_names[why],
			       stats->drops[why]);
	putchar('\n');
}

/* stats: a small table, or an object with the device's name and index. */
void vnl_print_stats(const struct vnl_ctx *ctx, const struct vnl_link *link)
{
	const struct vnl_stats *s = &link->stats;

	if (ctx->json) {
		putchar('{');
		vnl_json_key("ifname");
		vnl_json_string(link->ifname);
		vnl_print_u32_json("ifindex", link, VNL_A_IFINDEX,
				   link->ifindex);
		fputs(",\"stats\":", stdout);
		vnl_print_stats_json(s);
		puts("}");
		return;
	}
	printf("%s:\n", link->ifname);
	printf("    %-2s %12s %14s %10s\n", "", "packets", "bytes", "drops");
	printf("    %-2s %12" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n", "rx",
	       s->rx_packets, s->rx_bytes, s->rx_drops);
	printf("    %-2s %12" PRIu64 " %14" PRIu64 " %10" PRIu64 "\n", "tx",
	       s->tx_packets, s->tx_bytes, s->tx_drops);
	if (vnl_stats_has(s, VNL_STATS_A_DROPS))
		vnl_print_drops_text(s);
}

/* monitor: one line per event, flushed so a pipe sees it at once. */
void vnl_print_event(const struct vnl_ctx *ctx, const char *event,
		     const struct vnl_link *link)
{
	if (ctx->json) {
		putchar('{');
		vnl_json_key("event");
		vnl_json_string(event);
		putchar(',');
		vnl_print_link_json_members(link);
		puts("}");
	} else {
		printf("%s ", event);
		vnl_print_link_text(link, " ");
	}
	fflush(stdout);
}

/* Text shows the tool's version first, even if the module is not there. */
void vnl_print_tool_version(const struct vnl_ctx *ctx)
{
	if (!ctx->json)
		printf("vnlctl %s\n", VNLCTL_VERSION);
}

/* `module_version` NULL: the module is not loaded (-V only). */
void vnl_print_version(const struct vnl_ctx *ctx, const char *module_version)
{
	if (!module_version) {
		if (ctx->json)
			printf("{\"vnlctl\":\"%s\",\"module\":null,\"genl_family\":\"%s\",\"genl_version\":null}\n",
			       VNLCTL_VERSION, VNL_GENL_NAME);
		else
			puts("vnl module not loaded");
		return;
	}
	if (!ctx->json) {
		printf("vnl module %s (genl family %s version %" PRIu32 ")\n",
		       module_version, VNL_GENL_NAME, ctx->family.version);
		return;
	}
	putchar('{');
	vnl_json_key("vnlctl");
	vnl_json_string(VNLCTL_VERSION);
	putchar(',');
	vnl_json_key("module");
	vnl_json_string(module_version);
	putchar(',');
	vnl_json_key("genl_family");
	vnl_json_string(VNL_GENL_NAME);
	printf(",\"genl_version\":%" PRIu32 "}\n", ctx->family.version);
}
