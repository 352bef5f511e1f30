/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnlctl: what the subcommand files share.
 *
 * The tool is a table of subcommands (main.c); each group of subcommands has
 * its own file (version.c, link.c, monitor.c) and runs on a struct vnl_ctx,
 * which carries the one generic netlink socket of the process.  batch.c runs
 * many subcommands on that same context, so the socket is opened and the
 * family resolved once, however many lines a batch file has.  nl.c is the
 * only file that talks libnl's receive machinery; extack.c the only one that
 * reads what a kernel refusal points at; output.c the only one that prints
 * devices; netns.c the only one that opens network namespaces; tuntap.c the
 * only one that opens /dev/vnl; macvlan.c the only one that knows the
 * macvlan modes and source lists.
 */
#ifndef VNLCTL_H
#define VNLCTL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/vnl.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The longest kernel error message kept, with its explanation. */
#define VNL_EXTACK_MAX	256

/* "02:00:00:00:00:01" and its NUL. */
#define VNL_MAC_STRLEN	sizeof("00:00:00:00:00:00")

struct nlattr;
struct nl_msg;
struct nl_sock;

/* What the process, or one batch line, ends with. */
enum vnl_exit_status {
	VNL_EXIT_OK	= 0,
	VNL_EXIT_FAIL	= 1,	/* the kernel or the system refused */
	VNL_EXIT_USAGE	= 2,	/* bad command line: nothing was sent */
};

struct vnl_ctx;

struct vnl_command {
	const char *name;
	int (*run)(struct vnl_ctx *ctx, int argc, char **argv);
	const char *help;	/* one line, for the list of subcommands */
	const char *usage;	/* the arguments, for "SUBCOMMAND --help" */
};

/* The "vnl" family as the genl controller describes it. */
struct vnl_family {
	int id;			/* 0 until resolved */
	uint32_t version;	/* the module's VNL_GENL_VERSION */
	uint32_t monitor_group;	/* id of the "monitor" group, 0 if none */
};

struct vnl_ctx {
	bool json;
	unsigned long line;		/* batch line being run; 0 outside a batch */
	const struct vnl_command *cmd;	/* subcommand being run, for its usage */
	struct nl_sock *genl;		/* opened on first need, then kept */
	struct vnl_family family;
	struct nl_sock *rtnl;		/* for RTM_GETNSID, opened on first need */
	char extack[VNL_EXTACK_MAX];	/* the last kernel error, explained */
	const char *netns;		/* -n, as given; NULL without */
};

/* A netns argument: a name under /run/netns, or "pid:N". */
struct vnl_netns_arg {
	const char *spec;	/* as typed; NULL when not given */
	uint32_t pid;		/* N of "pid:N", else 0 */
	int fd;			/* open /run/netns/NAME while sending, else -1 */
};

/*
 * A device's counters.  `have` has bit VNL_STATS_A_x set when attribute
 * VNL_STATS_A_x was present; `drops` holds the VNL_STATS_A_DROPS nest,
 * indexed by enum vnl_drop_reason, with bit `reason` of `drops_have` set
 * for each reason the kernel reported (those the device's kind can have).
 */
struct vnl_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, rx_drops, tx_drops;
	uint32_t have;
	uint32_t drops_have;
	uint64_t drops[__VNL_DROP_MAX];
};

/*
 * One device as VNL_CMD_LINK_GET describes it.  `have` has bit VNL_A_x set
 * when attribute VNL_A_x was present, `peer.have` bit VNL_PEER_A_x likewise,
 * so that output can leave out what the kernel did not say.  A pair has
 * `peer`; a tun or tap device has `tun` instead; a macvlan child `macvlan`,
 * and `tun` too when it has a tap face (VNL_A_TAP_FACE).
 * `macvlan.source` is allocated: vnl_link_release() frees it.
 */
struct vnl_link {
	uint32_t have;
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t kind;
	uint32_t mtu;
	uint8_t address[ETH_ALEN];
	bool up;
	bool carrier;
	struct {
		uint32_t have;
		uint32_t ifindex;
		char ifname[IFNAMSIZ];
		int32_t netnsid;
		char netns[NAME_MAX + 1];	/* its /run/netns name, or "" */
	} peer;
	struct {
		uint32_t flags;		/* IFF_* of linux/if_tun.h */
		uint32_t queues;	/* /dev/vnl files attached */
		uint32_t owner;		/* uid, if VNL_A_TUN_OWNER came */
		uint32_t group;		/* gid, if VNL_A_TUN_GROUP came */
	} tun;
	struct {
		uint32_t parent_ifindex;
		char parent_ifname[IFNAMSIZ];
		int32_t parent_netnsid;	/* if the parent is in another netns */
		uint32_t mode;		/* enum vnl_macvlan_mode */
		uint64_t bc_drops;
		uint32_t bc_queue_len;		/* what the child asks for */
		uint32_t bc_queue_len_used;	/* what its parent uses */
		uint8_t (*source)[ETH_ALEN];	/* VNL_A_MACADDR_LIST, in order */
		size_t source_count;
		uint32_t tap_face;	/* VNL_A_TAP_FACE: IFF_TAP [| IFF_MULTI_QUEUE] */
	} macvlan;
	struct vnl_stats stats;
};

/* Free with vnl_link_list_free(). */
struct vnl_link_list {
	struct vnl_link *links;
	size_t count;
	size_t capacity;
};

static inline bool vnl_link_has(const struct vnl_link *link, int attr)
{
	return link->have & (1u << attr);
}

static inline bool vnl_peer_has(const struct vnl_link *link, int attr)
{
	return link->peer.have & (1u << attr);
}

static inline bool vnl_stats_has(const struct vnl_stats *stats, int attr)
{
	return stats->have & (1u << attr);
}

static inline bool vnl_stats_has_drop(const struct vnl_stats *stats,
				      int reason)
{
	return stats->drops_have & (1u << reason);
}

/* Parses one reply message; returns 0 or a negative errno. */
typedef int (*vnl_parse_fn)(struct nl_msg *msg, void *arg);

/* Handles one multicast event; returns libnl's NL_OK or NL_SKIP. */
typedef int (*vnl_event_fn)(struct nl_msg *msg, void *arg);

/* main.c */
int vnl_run_command(struct vnl_ctx *ctx, int argc, char **argv);
void vnl_error(const struct vnl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int vnl_usage_error(const struct vnl_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vnl_print_not_loaded(const struct vnl_ctx *ctx);
void vnl_out_of_memory(void) __attribute__((noreturn));
void *vnl_realloc_array(void *ptr, size_t nmemb, size_t size);

/* batch.c */
int vnl_run_batch(struct vnl_ctx *ctx, const char *path);

/* version.c */
int cmd_version(struct vnl_ctx *ctx, int argc, char **argv);
int vnl_show_versions(struct vnl_ctx *ctx);

/* link.c */
int cmd_add(struct vnl_ctx *ctx, int argc, char **argv);
int cmd_del(struct vnl_ctx *ctx, int argc, char **argv);
int cmd_show(struct vnl_ctx *ctx, int argc, char **argv);
int cmd_stats(struct vnl_ctx *ctx, int argc, char **argv);
int vnl_link_parse(struct nl_msg *msg, struct vnl_link *link);
void vnl_link_release(struct vnl_link *link);
int vnl_link_list_add(struct nl_msg *msg, void *arg);
void vnl_link_list_free(struct vnl_link_list *list);
int vnl_expect_one_link(const struct vnl_ctx *ctx,
			const struct vnl_link_list *list);
int vnl_link_get(struct vnl_ctx *ctx, const char *name,
		 struct vnl_link_list *list);
const char *vnl_kind_name(uint32_t kind);
bool vnl_parse_u32(const char *s, uint32_t *value);
bool vnl_parse_mac(const char *s, uint8_t mac[ETH_ALEN]);

/* tuntap.c */
int vnl_tuntap_add(struct vnl_ctx *ctx, uint32_t kind, int argc,
		   const char *const *argv);

/* macvlan.c */
int vnl_macvlan_add(struct vnl_ctx *ctx, int argc, const char *const *argv);
int cmd_set(struct vnl_ctx *ctx, int argc, char **argv);
int cmd_macaddr(struct vnl_ctx *ctx, int argc, char **argv);
const char *vnl_macvlan_mode_name(uint32_t mode);

/* monitor.c */
int cmd_monitor(struct vnl_ctx *ctx, int argc, char **argv);

/* trace.c */
int cmd_trace(struct vnl_ctx *ctx, int argc, char **argv);

/* nl.c */
int vnl_connect(struct vnl_ctx *ctx);
int vnl_connect_if_loaded(struct vnl_ctx *ctx, bool *loaded);
void vnl_disconnect(struct vnl_ctx *ctx);
struct nl_sock *vnl_rtnl_socket(struct vnl_ctx *ctx);
struct nl_msg *vnl_msg_new(const struct vnl_ctx *ctx, uint8_t cmd, int flags);
struct nl_msg *vnl_msg_new_size(const struct vnl_ctx *ctx, uint8_t cmd,
				int flags, size_t size);
int vnl_exchange(struct vnl_ctx *ctx, struct nl_sock *sk, struct nl_msg *msg,
		 vnl_parse_fn parse, void *arg);
int vnl_request(struct vnl_ctx *ctx, struct nl_msg *msg,
		vnl_parse_fn parse, void *arg);
void vnl_report_error(const struct vnl_ctx *ctx, int err);
int vnl_listen(struct vnl_ctx *ctx, vnl_event_fn on_event, void *arg);

/* extack.c */
void vnl_extack_explain(int family, struct nl_msg *request,
			struct nlattr **tb, char *buf, size_t size);

/* netns.c */
int vnl_netns_enter(const struct vnl_ctx *ctx, const char *spec);
int vnl_netns_arg_set(const struct vnl_ctx *ctx, struct vnl_netns_arg *arg,
		      const char *spec);
int vnl_netns_arg_open(const struct vnl_ctx *ctx, struct vnl_netns_arg *arg);
int vnl_netns_arg_put(struct nl_msg *msg, const struct vnl_netns_arg *arg,
		      int fd_attr, int pid_attr);
void vnl_netns_arg_close(struct vnl_netns_arg *arg);
void vnl_netns_name_peers(struct vnl_ctx *ctx, struct vnl_link *links,
			  size_t count);

/* output.c */
void vnl_format_mac(char buf[VNL_MAC_STRLEN], const uint8_t *mac);
void vnl_json_string(const char *s);
void vnl_print_links(const struct vnl_ctx *ctx, const struct vnl_link *links,
		     size_t count);
void vnl_print_link(const struct vnl_ctx *ctx, const struct vnl_link *link);
void vnl_print_stats(const struct vnl_ctx *ctx, const struct vnl_link *link);
void vnl_print_event(const struct vnl_ctx *ctx, const char *event,
		     const struct vnl_link *link);
void vnl_print_tool_version(const struct vnl_ctx *ctx);
void vnl_print_version(const struct vnl_ctx *ctx, const char *module_version);

#endif /* VNLCTL_H */
