/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small raw generic netlink client for the vnl selftests.
 *
 * No libnl on purpose: a test must control every byte it sends (an
 * attribute the policy does not know, a missing attribute, a command that
 * does not exist) and see every byte that comes back (the error code, the
 * extack message, the missing-attribute type).
 *
 * Use:
 *	struct vnl_nl nl;
 *	struct vnl_msg req;
 *	struct vnl_ack ack;
 *
 *	vnl_nl_open(&nl);
 *	vnl_nl_resolve(&nl, VNL_GENL_NAME, &nl.family);
 *	vnl_msg_init(&req, nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
 *		     VNL_CMD_LINK_DEL, VNL_GENL_VERSION);
 *	vnl_msg_put_str(&req, VNL_A_IFNAME, "vnl0");
 *	err = vnl_nl_transact(&nl, &req, NULL, NULL, &ack);
 *	// err is 0 or -errno; ack.msg holds the kernel's extack message
 */
#ifndef VNL_GENL_H
#define VNL_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/vnl.h>
#include <net/if.h>

#define VNL_MSG_SIZE	8192

/* A request being built: one netlink message, genl header included. */
struct vnl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[VNL_MSG_SIZE];
	};
};

/* What the kernel said in its NLMSG_ERROR (or NLMSG_DONE) message. */
struct vnl_ack {
	int error;		/* 0 or -errno */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	bool has_offs;
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS */
	bool has_miss_type;
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE */
};

struct vnl_family {
	uint16_t id;
	uint32_t version;
	uint32_t maxattr;
	int n_groups;
	struct {
		uint32_t id;
		char name[GENL_NAMSIZ];
	} groups[8];
};

struct vnl_nl {
	int fd;
	uint32_t seq;
	uint32_t portid;
	size_t recv_size;	/* buffer handed to each recv(), default 32 KiB */
	unsigned int recv_calls; /* recv() calls of the last transaction */
	struct vnl_family family;
};

/* A device as LINK_GET, its dump and the monitor events describe it. */
struct vnl_link {
	uint8_t cmd;
	bool has_ifindex, has_ifname, has_kind, has_mtu, has_address;
	bool has_up, has_carrier, has_peer, has_stats, has_macvlan_mode;
	bool has_bc_queue_len, has_bc_queue_len_used;
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t kind;
	uint32_t mtu;
	uint8_t address[ETH_ALEN];
	uint8_t up;
	uint8_t carrier;
	uint32_t macvlan_mode;
	uint32_t bc_queue_len;		/* what a macvlan child asks for */
	uint32_t bc_queue_len_used;	/* what its parent's port uses */
	struct {
		bool has_ifindex, has_ifname, has_netnsid;
		uint32_t ifindex;
		char ifname[IFNAMSIZ];
		int32_t netnsid;
	} peer;
	struct {
		bool has_ifindex, has_ifname, has_netnsid;
		uint32_t ifindex;
		char ifname[IFNAMSIZ];
		int32_t netnsid;
	} parent;
	struct {
		uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
		uint64_t rx_drops, tx_drops;
		/* VNL_STATS_A_DROPS, by enum vnl_drop_reason; bit `reason`
		 * of drops_mask set for each reason the kernel reported.
		 */
		uint64_t drops[__VNL_DROP_MAX];
		uint32_t drops_mask;
	} stats;
};

/*
 * Called for each data message of a transaction with its genl header and
 * attributes.  A non-zero return stops nothing: the first one is returned
 * by vnl_nl_transact() when the kernel itself reported success.
 */
typedef int (*vnl_msg_cb)(const struct genlmsghdr *genl, const void *attrs,
			  size_t len, void *arg);

int vnl_nl_open(struct vnl_nl *nl);
void vnl_nl_close(struct vnl_nl *nl);
int vnl_nl_resolve(struct vnl_nl *nl, const char *name,
		   struct vnl_family *family);
int vnl_nl_join_group(struct vnl_nl *nl, uint32_t group);

void vnl_msg_init(struct vnl_msg *m, uint16_t type, uint16_t flags,
		  uint8_t cmd, uint8_t version);
void vnl_msg_put(struct vnl_msg *m, uint16_t type, const void *data,
		 size_t len);
void vnl_msg_put_u32(struct vnl_msg *m, uint16_t type, uint32_t value);
void vnl_msg_put_str(struct vnl_msg *m, uint16_t type, const char *s);
struct nlattr *vnl_msg_nest_start(struct vnl_msg *m, uint16_t type);
void vnl_msg_nest_end(struct vnl_msg *m, struct nlattr *nest);

/* Send @m, read until the ack or the end of the dump; 0 or -errno. */
int vnl_nl_transact(struct vnl_nl *nl, struct vnl_msg *m, vnl_msg_cb cb,
		    void *arg, struct vnl_ack *ack);

/* The first attribute of @type in a run of attributes, or NULL. */
const struct nlattr *vnl_attr_find(const void *attrs, size_t len,
				   uint16_t type);
int vnl_link_parse(const struct genlmsghdr *genl, const void *attrs,
		   size_t len, struct vnl_link *link);

/* Builders of the requests the tests send most. */
void vnl_req_link_new_pair(struct vnl_nl *nl, struct vnl_msg *m,
			   const char *name, const char *peer);
int vnl_link_new_pair(struct vnl_nl *nl, const char *name, const char *peer,
		      struct vnl_ack *ack);
int vnl_link_get_by_name(struct vnl_nl *nl, const char *name,
			 struct vnl_link *link, struct vnl_ack *ack);

/* True when the running kernel is Linux MAJOR.MINOR or newer: for the few
 * answers that depend on the core, not on vnl (kmod/compat.h lists them).
 */
bool vnl_kernel_at_least(int major, int minor);

#endif /* VNL_GENL_H */
