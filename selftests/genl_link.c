// SPDX-License-Identifier: GPL-2.0
/*
 * LINK_NEW, LINK_GET (doit and dump), LINK_SET and LINK_DEL of the "vnl"
 * family, byte by byte: what a request must carry, that an attribute its
 * command does not take is refused and changes nothing, what a refusal
 * says, and that a dump lists every device of the caller's netns exactly
 * once however many messages it takes.
 *
 * Every test runs in a network namespace of its own (the harness forks
 * each test; setup unshares), so a dump sees only that test's devices and
 * the namespace takes them all when the test's process ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/vnl.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "vnl_genl.h"

/* Pairs for the dump test: 2 * DUMP_PAIRS devices; a fifth as many on
 * the debug kernel (VNL_KERNEL=debug), where each costs ten times as much
 * and 400 devices still take several messages to dump.
 */
#define DUMP_PAIRS	1000
#define DUMP_PAIRS_DEBUG	200

static int dump_pairs(void)
{
	const char *k = getenv("VNL_KERNEL");

	return k && !strcmp(k, "debug") ? DUMP_PAIRS_DEBUG : DUMP_PAIRS;
}

FIXTURE(link)
{
	struct vnl_nl nl;
};

FIXTURE_SETUP(link)
{
	int err;

	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	ASSERT_EQ(0, vnl_nl_open(&self->nl));
	err = vnl_nl_resolve(&self->nl, VNL_GENL_NAME, &self->nl.family);
	ASSERT_EQ(0, err) {
		TH_LOG("genl family \"%s\" not found (%s): is vnl.ko loaded?",
		       VNL_GENL_NAME, strerror(-err));
	}
}

FIXTURE_TEARDOWN(link)
{
	vnl_nl_close(&self->nl);
}

/* A dump of LINK_GET, into a growing array. */
struct dump {
	struct vnl_link *links;
	size_t n, cap;
	int bad;		/* messages that did not parse */
};

static int dump_cb(const struct genlmsghdr *genl, const void *attrs,
		   size_t len, void *arg)
{
	struct dump *d = arg;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->links = realloc(d->links, d->cap * sizeof(*d->links));
		if (!d->links)
			return -ENOMEM;
	}
	if (genl->cmd != VNL_CMD_LINK_GET ||
	    vnl_link_parse(genl, attrs, len, &d->links[d->n])) {
		d->bad++;
		return 0;
	}
	d->n++;
	return 0;
}

static int dump_links(struct vnl_nl *nl, struct dump *d)
{
	struct vnl_msg req;

	memset(d, 0, sizeof(*d));
	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	return vnl_nl_transact(nl, &req, dump_cb, d, NULL);
}

static size_t count_links(struct __test_metadata *_metadata, struct vnl_nl *nl)
{
	struct dump d;
	size_t n;

	EXPECT_EQ(0, dump_links(nl, &d));
	EXPECT_EQ(0, d.bad);
	n = d.n;
	free(d.links);
	return n;
}

static int link_get_cb(const struct genlmsghdr *genl, const void *attrs,
		       size_t len, void *arg)
{
	return vnl_link_parse(genl, attrs, len, arg);
}

static int link_get_by_ifindex(struct vnl_nl *nl, uint32_t ifindex,
			       struct vnl_link *link, struct vnl_ack *ack)
{
	struct vnl_msg req;

	memset(link, 0, sizeof(*link));
	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_IFINDEX, ifindex);
	return vnl_nl_transact(nl, &req, link_get_cb, link, ack);
}

static int link_del(struct vnl_nl *nl, uint16_t attr, const void *key,
		    struct vnl_ack *ack)
{
	struct vnl_msg req;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_DEL, VNL_GENL_VERSION);
	if (attr == VNL_A_IFNAME)
		vnl_msg_put_str(&req, attr, key);
	else
		vnl_msg_put_u32(&req, attr, *(const uint32_t *)key);
	return vnl_nl_transact(nl, &req, NULL, NULL, ack);
}

/* A LINK_NEW request with only the parts asked for. */
enum { WITH_KIND = 1, WITH_IFNAME = 2, WITH_PEER = 4, WITH_PEER_IFNAME = 8 };

static int link_new_partial(struct vnl_nl *nl, int parts, struct vnl_ack *ack)
{
	struct vnl_msg req;
	struct nlattr *nest;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	if (parts & WITH_KIND)
		vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_PAIR);
	if (parts & WITH_IFNAME)
		vnl_msg_put_str(&req, VNL_A_IFNAME, "part0");
	if (parts & WITH_PEER) {
		nest = vnl_msg_nest_start(&req, VNL_A_PEER);
		if (parts & WITH_PEER_IFNAME)
			vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, "part1");
		vnl_msg_nest_end(&req, nest);
	}
	return vnl_nl_transact(nl, &req, NULL, NULL, ack);
}

/* Refused with EINVAL, an extack message naming the missing attribute,
 * and nothing created.
 */
static void expect_missing(struct __test_metadata *_metadata,
			   struct vnl_nl *nl, int parts, uint32_t missing)
{
	struct vnl_ack ack;

	EXPECT_EQ(-EINVAL, link_new_partial(nl, parts, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	/* The kernel reports which attribute is missing since 6.0; before,
	 * the message alone says it (kmod/compat.h).
	 */
	if (vnl_kernel_at_least(6, 0)) {
		EXPECT_TRUE(ack.has_miss_type) TH_LOG("no NLMSGERR_ATTR_MISS_TYPE");
		EXPECT_EQ(missing, ack.miss_type);
	} else {
		EXPECT_FALSE(ack.has_miss_type);
	}
	TH_LOG("extack: \"%s\"", ack.msg);
	EXPECT_EQ(0U, count_links(_metadata, nl));
	EXPECT_EQ(0U, if_nametoindex("part0"));
	EXPECT_EQ(0U, if_nametoindex("part1"));
}

TEST_F(link, link_new_without_ifname_is_einval_with_extack)
{
	expect_missing(_metadata, &self->nl,
		       WITH_KIND | WITH_PEER | WITH_PEER_IFNAME, VNL_A_IFNAME);
}

TEST_F(link, link_new_without_peer_is_einval_with_extack)
{
	expect_missing(_metadata, &self->nl, WITH_KIND | WITH_IFNAME,
		       VNL_A_PEER);
}

TEST_F(link, link_new_without_kind_is_einval_with_extack)
{
	expect_missing(_metadata, &self->nl,
		       WITH_IFNAME | WITH_PEER | WITH_PEER_IFNAME, VNL_A_KIND);
}

TEST_F(link, link_new_without_peer_ifname_is_einval_with_extack)
{
	expect_missing(_metadata, &self->nl,
		       WITH_KIND | WITH_IFNAME | WITH_PEER, VNL_PEER_A_IFNAME);
}

TEST_F(link, link_new_with_unknown_kind_is_refused_with_extack)
{
	struct vnl_msg req;
	struct vnl_ack ack;
	struct nlattr *nest;

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_MAX + 1);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "part0");
	nest = vnl_msg_nest_start(&req, VNL_A_PEER);
	vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, "part1");
	vnl_msg_nest_end(&req, nest);
	EXPECT_GT(0, vnl_nl_transact(&self->nl, &req, NULL, NULL, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	EXPECT_EQ(0U, count_links(_metadata, &self->nl));
}

static int new_link_cb(const struct genlmsghdr *genl, const void *attrs,
		       size_t len, void *arg)
{
	return vnl_link_parse(genl, attrs, len, arg);
}

TEST_F(link, link_new_replies_with_the_device_it_made)
{
	static const uint8_t mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x0a, 0x01 };
	static const uint8_t peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x0b, 0x01 };
	struct vnl_link reply, got;
	struct vnl_msg req;
	struct nlattr *nest;

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "new0");
	vnl_msg_put_u32(&req, VNL_A_MTU, 1400);
	vnl_msg_put(&req, VNL_A_ADDRESS, mac, ETH_ALEN);
	nest = vnl_msg_nest_start(&req, VNL_A_PEER);
	vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, "new1");
	vnl_msg_put(&req, VNL_PEER_A_ADDRESS, peer_mac, ETH_ALEN);
	vnl_msg_nest_end(&req, nest);
	memset(&reply, 0, sizeof(reply));
	ASSERT_EQ(0, vnl_nl_transact(&self->nl, &req, new_link_cb, &reply, NULL));

	ASSERT_TRUE(reply.has_ifindex) TH_LOG("no device in LINK_NEW's reply");
	EXPECT_STREQ("new0", reply.ifname);
	EXPECT_EQ(if_nametoindex("new0"), reply.ifindex);
	EXPECT_EQ((uint32_t)VNL_KIND_PAIR, reply.kind);
	EXPECT_EQ(1400U, reply.mtu);
	EXPECT_EQ(0, memcmp(mac, reply.address, ETH_ALEN));
	EXPECT_STREQ("new1", reply.peer.ifname);
	EXPECT_EQ(if_nametoindex("new1"), reply.peer.ifindex);

	/* The peer got its own address and the same MTU. */
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "new1", &got, NULL));
	EXPECT_EQ(0, memcmp(peer_mac, got.address, ETH_ALEN));
	EXPECT_EQ(1400U, got.mtu);
}

TEST_F(link, link_get_by_ifindex_and_by_name_describe_the_same_device)
{
	struct vnl_link by_name, by_index, peer;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "get0", "get1", NULL));
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "get0", &by_name, NULL));
	ASSERT_EQ(0, link_get_by_ifindex(&self->nl, by_name.ifindex,
					 &by_index, NULL));

	EXPECT_EQ((uint8_t)VNL_CMD_LINK_GET, by_name.cmd);
	EXPECT_EQ(if_nametoindex("get0"), by_name.ifindex);
	EXPECT_STREQ("get0", by_index.ifname);
	EXPECT_EQ(by_name.ifindex, by_index.ifindex);
	EXPECT_EQ(0, memcmp(by_name.address, by_index.address, ETH_ALEN));

	/* Every attribute the header lists, with the defaults. */
	EXPECT_TRUE(by_name.has_kind && by_name.has_mtu && by_name.has_address &&
		    by_name.has_up && by_name.has_carrier && by_name.has_peer &&
		    by_name.has_stats);
	EXPECT_EQ((uint32_t)VNL_KIND_PAIR, by_name.kind);
	EXPECT_EQ(1500U, by_name.mtu);
	EXPECT_EQ(0, by_name.up);
	EXPECT_EQ(0, by_name.carrier);
	EXPECT_EQ(0U, by_name.stats.tx_packets + by_name.stats.rx_packets);
	/* A random unicast, locally administered address. */
	EXPECT_EQ(0x02, by_name.address[0] & 0x03);

	EXPECT_STREQ("get1", by_name.peer.ifname);
	EXPECT_EQ(if_nametoindex("get1"), by_name.peer.ifindex);
	EXPECT_FALSE(by_name.peer.has_netnsid) TH_LOG("same netns, yet a netnsid");

	ASSERT_EQ(0, link_get_by_ifindex(&self->nl, by_name.peer.ifindex,
					 &peer, NULL));
	EXPECT_STREQ("get1", peer.ifname);
	EXPECT_STREQ("get0", peer.peer.ifname);
	EXPECT_EQ(by_name.ifindex, peer.peer.ifindex);
	EXPECT_NE(0, memcmp(by_name.address, peer.address, ETH_ALEN));
}

TEST_F(link, link_get_unknown_device_is_enodev)
{
	struct vnl_link link;
	struct vnl_ack ack;

	EXPECT_EQ(-ENODEV, vnl_link_get_by_name(&self->nl, "nosuch0", &link, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	EXPECT_EQ(-ENODEV, link_get_by_ifindex(&self->nl, 999999, &link, &ack));
	/* lo exists, but is no vnl device. */
	EXPECT_EQ(-ENODEV, vnl_link_get_by_name(&self->nl, "lo", &link, &ack));
}

TEST_F(link, link_del_unknown_device_is_enodev)
{
	uint32_t ifindex = 999999, lo = 1;
	struct vnl_ack ack;

	EXPECT_EQ(-ENODEV, link_del(&self->nl, VNL_A_IFNAME, "nosuch0", &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	EXPECT_EQ(-ENODEV, link_del(&self->nl, VNL_A_IFINDEX, &ifindex, &ack));
	EXPECT_EQ(-ENODEV, link_del(&self->nl, VNL_A_IFINDEX, &lo, &ack));
	EXPECT_EQ(-ENODEV, link_del(&self->nl, VNL_A_IFNAME, "lo", &ack));
	EXPECT_EQ(1U, if_nametoindex("lo"));
}

TEST_F(link, link_del_of_the_peer_by_ifindex_deletes_both_ends)
{
	uint32_t peer;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "del0", "del1", NULL));
	peer = if_nametoindex("del1");
	ASSERT_NE(0U, peer);
	EXPECT_EQ(0, link_del(&self->nl, VNL_A_IFINDEX, &peer, NULL));
	EXPECT_EQ(0U, if_nametoindex("del0"));
	EXPECT_EQ(0U, if_nametoindex("del1"));
	EXPECT_EQ(0U, count_links(_metadata, &self->nl));
}

/* Appends a u32 attribute to @req; returns where it starts, which is the
 * offset NLMSGERR_ATTR_OFFS gives when the kernel blames it.
 */
static uint32_t put_u32_at(struct vnl_msg *req, uint16_t type, uint32_t value)
{
	uint32_t offs = NLMSG_ALIGN(req->nlh.nlmsg_len);

	vnl_msg_put_u32(req, type, value);
	return offs;
}

/* Refused with @err, an extack message, and the offset of the attribute
 * to blame.
 */
static void expect_blamed(struct __test_metadata *_metadata,
			  struct vnl_nl *nl, struct vnl_msg *req, int err,
			  uint32_t offs)
{
	struct vnl_ack ack;

	EXPECT_EQ(err, vnl_nl_transact(nl, req, NULL, NULL, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	EXPECT_TRUE(ack.has_offs) TH_LOG("no NLMSGERR_ATTR_OFFS");
	EXPECT_EQ(offs, ack.offs) TH_LOG("the extack points elsewhere");
	TH_LOG("extack: \"%s\" at offset %u", ack.msg, ack.offs);
}

/* Refused by the command's policy: EINVAL, an extack message, and the
 * offset of the attribute the command does not take.
 */
static void expect_attr_refused(struct __test_metadata *_metadata,
				struct vnl_nl *nl, struct vnl_msg *req,
				uint32_t offs)
{
	expect_blamed(_metadata, nl, req, -EINVAL, offs);
}

/* The device @before describes is still there, as it was: found by name
 * in @nl's netns, with the same ifindex (not a new device of that name),
 * MTU, peer and macvlan mode.
 */
static void expect_untouched(struct __test_metadata *_metadata,
			     struct vnl_nl *nl, const struct vnl_link *before)
{
	struct vnl_link after;

	ASSERT_EQ(0, vnl_link_get_by_name(nl, before->ifname, &after, NULL)) {
		TH_LOG("%s is gone", before->ifname);
	}
	EXPECT_EQ(before->ifindex, after.ifindex);
	EXPECT_EQ(before->mtu, after.mtu);
	EXPECT_STREQ(before->peer.ifname, after.peer.ifname);
	EXPECT_EQ(before->macvlan_mode, after.macvlan_mode);
}

/* A macvlan child of @parent; @bc_queue_len is sent when it is not -1. */
static int link_new_macvlan_bc(struct vnl_nl *nl, const char *name,
			       const char *parent, int64_t bc_queue_len,
			       struct vnl_ack *ack)
{
	struct vnl_msg req;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_MACVLAN);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	vnl_msg_put_str(&req, VNL_A_PARENT_IFNAME, parent);
	if (bc_queue_len >= 0)
		vnl_msg_put_u32(&req, VNL_A_BC_QUEUE_LEN, bc_queue_len);
	return vnl_nl_transact(nl, &req, NULL, NULL, ack);
}

static int link_new_macvlan(struct vnl_nl *nl, const char *name,
			    const char *parent)
{
	return link_new_macvlan_bc(nl, name, parent, -1, NULL);
}

/* LINK_DEL works in the caller's netns only: asked to delete x0 in
 * another netns, it must refuse, not delete the caller's x0.
 */
TEST_F(link, link_del_with_a_netns_fd_is_einval_and_deletes_nothing)
{
	struct vnl_link here, there;
	struct vnl_msg req;
	struct vnl_nl other;
	int here_fd, there_fd;
	uint32_t offs;

	/* A pair x0/x1 in the test's netns and one in a second netns. */
	here_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, here_fd);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	there_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, there_fd);
	ASSERT_EQ(0, vnl_nl_open(&other));
	ASSERT_EQ(0, vnl_nl_resolve(&other, VNL_GENL_NAME, &other.family));
	ASSERT_EQ(0, vnl_link_new_pair(&other, "x0", "x1", NULL));
	ASSERT_EQ(0, vnl_link_get_by_name(&other, "x0", &there, NULL));
	ASSERT_EQ(0, setns(here_fd, CLONE_NEWNET));
	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "x0", "x1", NULL));
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "x0", &here, NULL));

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_DEL, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "x0");
	offs = put_u32_at(&req, VNL_A_NETNS_FD, there_fd);
	expect_attr_refused(_metadata, &self->nl, &req, offs);

	expect_untouched(_metadata, &self->nl, &here);
	expect_untouched(_metadata, &other, &there);
	vnl_nl_close(&other);
	close(here_fd);
	close(there_fd);
}

TEST_F(link, link_get_with_an_mtu_is_einval_and_changes_nothing)
{
	struct vnl_link before;
	struct vnl_msg req;
	uint32_t offs;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "g0", "g1", NULL));
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "g0", &before, NULL));

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "g0");
	offs = put_u32_at(&req, VNL_A_MTU, 1400);
	expect_attr_refused(_metadata, &self->nl, &req, offs);

	expect_untouched(_metadata, &self->nl, &before);
	EXPECT_EQ(1500U, before.mtu);
}

/* The dump shares LINK_GET's policy (one genl_ops entry per command). */
TEST_F(link, dump_with_an_mtu_is_einval)
{
	struct vnl_msg req;
	uint32_t offs;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "g0", "g1", NULL));
	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	offs = put_u32_at(&req, VNL_A_MTU, 1400);
	expect_attr_refused(_metadata, &self->nl, &req, offs);
}

TEST_F(link, link_set_with_a_peer_is_einval_and_changes_nothing)
{
	struct vnl_link before;
	struct nlattr *peer;
	struct vnl_msg req;
	uint32_t offs;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "s0", "s1", NULL));
	ASSERT_EQ(0, link_new_macvlan(&self->nl, "sm0", "s0"));
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "sm0", &before, NULL));
	ASSERT_EQ((uint32_t)VNL_MACVLAN_MODE_VEPA, before.macvlan_mode);

	/* A valid change of mode, but with a peer, which only pairs have. */
	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_SET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "sm0");
	vnl_msg_put_u32(&req, VNL_A_MACVLAN_MODE, VNL_MACVLAN_MODE_BRIDGE);
	peer = vnl_msg_nest_start(&req, VNL_A_PEER);
	vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, "s2");
	vnl_msg_nest_end(&req, peer);
	offs = (char *)peer - req.buf;
	expect_attr_refused(_metadata, &self->nl, &req, offs);

	expect_untouched(_metadata, &self->nl, &before);
	EXPECT_EQ(0U, if_nametoindex("s2"));
}

TEST_F(link, link_new_with_an_ifindex_is_einval_and_creates_nothing)
{
	struct vnl_msg req;
	uint32_t offs;

	vnl_req_link_new_pair(&self->nl, &req, "n0", "n1");
	offs = put_u32_at(&req, VNL_A_IFINDEX, 1);
	expect_attr_refused(_metadata, &self->nl, &req, offs);

	EXPECT_EQ(0U, count_links(_metadata, &self->nl));
	EXPECT_EQ(0U, if_nametoindex("n0"));
	EXPECT_EQ(0U, if_nametoindex("n1"));
}

/* LINK_SET of @name's broadcast queue length, and nothing else. */
static int link_set_bc(struct vnl_nl *nl, const char *name,
		       uint32_t bc_queue_len, struct vnl_ack *ack)
{
	struct vnl_msg req;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_SET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	vnl_msg_put_u32(&req, VNL_A_BC_QUEUE_LEN, bc_queue_len);
	return vnl_nl_transact(nl, &req, NULL, NULL, ack);
}

/* "asked/used" of a macvlan child, as LINK_GET describes it; "absent"
 * when either attribute is missing.
 */
static const char *bc_of(struct vnl_nl *nl, const char *name)
{
	static char buf[32];
	struct vnl_link l;

	if (vnl_link_get_by_name(nl, name, &l, NULL))
		return "gone";
	if (!l.has_bc_queue_len || !l.has_bc_queue_len_used)
		return "absent";
	snprintf(buf, sizeof(buf), "%u/%u", l.bc_queue_len, l.bc_queue_len_used);
	return buf;
}

TEST_F(link, macvlan_bc_queue_len_is_1000_by_default_and_the_port_uses_the_largest)
{
	struct vnl_link pair;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "bq0", "bq1", NULL));
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bqm0", "bq0", -1, NULL));
	EXPECT_STREQ("1000/1000", bc_of(&self->nl, "bqm0"));

	/* A longer request raises the port's length for every child. */
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bqm1", "bq0", 3000, NULL));
	EXPECT_STREQ("3000/3000", bc_of(&self->nl, "bqm1"));
	EXPECT_STREQ("1000/3000", bc_of(&self->nl, "bqm0"));
	/* A shorter one, 0 included, changes nothing but its own. */
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bqm2", "bq0", 0, NULL));
	EXPECT_STREQ("0/3000", bc_of(&self->nl, "bqm2"));
	/* The maximum is accepted. */
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bqm3", "bq1",
					 VNL_BC_QUEUE_LEN_MAX, NULL));
	EXPECT_STREQ("65535/65535", bc_of(&self->nl, "bqm3"));
	/* Another parent, another port. */
	EXPECT_STREQ("1000/3000", bc_of(&self->nl, "bqm0"));

	/* The largest request goes with its child. */
	EXPECT_EQ(0, link_del(&self->nl, VNL_A_IFNAME, "bqm1", NULL));
	EXPECT_STREQ("1000/1000", bc_of(&self->nl, "bqm0"));
	EXPECT_STREQ("0/1000", bc_of(&self->nl, "bqm2"));
	EXPECT_EQ(0, link_del(&self->nl, VNL_A_IFNAME, "bqm0", NULL));
	EXPECT_STREQ("0/0", bc_of(&self->nl, "bqm2"));

	/* A pair end is described without them. */
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "bq0", &pair, NULL));
	EXPECT_FALSE(pair.has_bc_queue_len || pair.has_bc_queue_len_used);
}

/* The next event of @mon about @name, parsed into @l; events about
 * other devices are passed over.  -ETIMEDOUT after 10 s without one.
 */
static int next_event(struct vnl_nl *mon, const char *name,
		      struct vnl_link *l)
{
	static char buf[32768];
	struct pollfd pfd = { .fd = mon->fd, .events = POLLIN };
	const struct nlmsghdr *nlh;
	ssize_t n;
	int err;

	for (;;) {
		if (poll(&pfd, 1, 10000) != 1)
			return -ETIMEDOUT;
		n = recv(mon->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		nlh = (const struct nlmsghdr *)buf;
		if (!NLMSG_OK(nlh, n) ||
		    nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
			return -EBADMSG;
		err = vnl_link_parse(NLMSG_DATA(nlh),
				     (const char *)nlh + NLMSG_LENGTH(GENL_HDRLEN),
				     nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), l);
		if (err || !strcmp(l->ifname, name))
			return err;
	}
}

TEST_F(link, link_set_of_bc_queue_len_alone_changes_it_and_sends_link_change)
{
	struct vnl_link ev;
	struct vnl_nl mon;
	int i, monitor = -1;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "bs0", "bs1", NULL));
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bsm0", "bs0", -1, NULL));
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bsm1", "bs0", -1, NULL));

	ASSERT_EQ(0, vnl_nl_open(&mon));
	ASSERT_EQ(0, vnl_nl_resolve(&mon, VNL_GENL_NAME, &mon.family));
	for (i = 0; i < mon.family.n_groups; i++)
		if (!strcmp(mon.family.groups[i].name, VNL_MCGRP_MONITOR))
			monitor = i;
	ASSERT_LE(0, monitor);
	ASSERT_EQ(0, vnl_nl_join_group(&mon, mon.family.groups[monitor].id));

	EXPECT_EQ(0, link_set_bc(&self->nl, "bsm0", 5000, NULL));
	EXPECT_STREQ("5000/5000", bc_of(&self->nl, "bsm0"));
	EXPECT_STREQ("1000/5000", bc_of(&self->nl, "bsm1"));
	ASSERT_EQ(0, next_event(&mon, "bsm0", &ev)) TH_LOG("no event after LINK_SET");
	EXPECT_EQ((uint8_t)VNL_CMD_LINK_CHANGE, ev.cmd);
	EXPECT_TRUE(ev.has_bc_queue_len && ev.has_bc_queue_len_used);
	EXPECT_EQ(5000U, ev.bc_queue_len);
	EXPECT_EQ(5000U, ev.bc_queue_len_used);
	/* The mode is as it was. */
	EXPECT_EQ((uint32_t)VNL_MACVLAN_MODE_VEPA, ev.macvlan_mode);

	/* Both at 0: the port queues nothing. */
	EXPECT_EQ(0, link_set_bc(&self->nl, "bsm0", 0, NULL));
	EXPECT_EQ(0, link_set_bc(&self->nl, "bsm1", 0, NULL));
	EXPECT_STREQ("0/0", bc_of(&self->nl, "bsm0"));
	EXPECT_STREQ("0/0", bc_of(&self->nl, "bsm1"));
	ASSERT_EQ(0, next_event(&mon, "bsm0", &ev));
	EXPECT_EQ((uint8_t)VNL_CMD_LINK_CHANGE, ev.cmd);
	EXPECT_EQ(0U, ev.bc_queue_len);
	EXPECT_EQ(1000U, ev.bc_queue_len_used);
	ASSERT_EQ(0, next_event(&mon, "bsm1", &ev));
	EXPECT_EQ((uint8_t)VNL_CMD_LINK_CHANGE, ev.cmd);
	EXPECT_EQ(0U, ev.bc_queue_len);
	EXPECT_EQ(0U, ev.bc_queue_len_used);
	vnl_nl_close(&mon);
}

/* Above VNL_BC_QUEUE_LEN_MAX: out of the policy's range, ERANGE. */
TEST_F(link, bc_queue_len_above_the_max_is_erange_and_changes_nothing)
{
	struct vnl_link before;
	struct vnl_msg req;
	uint32_t offs;

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "bx0", "bx1", NULL));
	ASSERT_EQ(0, link_new_macvlan_bc(&self->nl, "bxm0", "bx0", 2000, NULL));
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "bxm0", &before, NULL));

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_MACVLAN);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "bxm1");
	vnl_msg_put_str(&req, VNL_A_PARENT_IFNAME, "bx0");
	offs = put_u32_at(&req, VNL_A_BC_QUEUE_LEN, VNL_BC_QUEUE_LEN_MAX + 1);
	expect_blamed(_metadata, &self->nl, &req, -ERANGE, offs);
	EXPECT_EQ(0U, if_nametoindex("bxm1"));

	/* A valid mode with it: all of LINK_SET is refused. */
	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_SET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "bxm0");
	vnl_msg_put_u32(&req, VNL_A_MACVLAN_MODE, VNL_MACVLAN_MODE_BRIDGE);
	offs = put_u32_at(&req, VNL_A_BC_QUEUE_LEN, UINT32_MAX);
	expect_blamed(_metadata, &self->nl, &req, -ERANGE, offs);

	expect_untouched(_metadata, &self->nl, &before);
	EXPECT_STREQ("2000/2000", bc_of(&self->nl, "bxm0"));
	EXPECT_EQ(3U, count_links(_metadata, &self->nl));
}

TEST_F(link, bc_queue_len_on_a_pair_is_refused_and_changes_nothing)
{
	struct vnl_link before;
	struct vnl_msg req;
	struct vnl_ack ack;
	uint32_t offs;

	/* LINK_NEW of a pair: the pair's handler refuses it by name. */
	vnl_req_link_new_pair(&self->nl, &req, "bp0", "bp1");
	offs = put_u32_at(&req, VNL_A_BC_QUEUE_LEN, 10);
	expect_attr_refused(_metadata, &self->nl, &req, offs);
	EXPECT_EQ(0U, count_links(_metadata, &self->nl));

	/* LINK_SET of a pair end: only macvlan children change. */
	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "bp0", "bp1", NULL));
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "bp0", &before, NULL));
	EXPECT_EQ(-EOPNOTSUPP, link_set_bc(&self->nl, "bp0", 10, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	TH_LOG("extack: \"%s\"", ack.msg);
	expect_untouched(_metadata, &self->nl, &before);
	EXPECT_STREQ("absent", bc_of(&self->nl, "bp0"));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(link, dump_lists_each_of_thousands_of_devices_exactly_once, 600)
{
	static char seen[2][DUMP_PAIRS];
	int pairs = dump_pairs();
	char name[IFNAMSIZ], peer[IFNAMSIZ];
	uint32_t *ifindexes;
	struct vnl_nl small;
	struct vnl_ack ack;
	struct dump d;
	size_t i;
	int n, missing = 0;

	for (n = 0; n < pairs; n++) {
		snprintf(name, sizeof(name), "d%04d", n);
		snprintf(peer, sizeof(peer), "e%04d", n);
		ASSERT_EQ(0, vnl_link_new_pair(&self->nl, name, peer, &ack)) {
			TH_LOG("pair %d: %s", n, ack.msg);
		}
	}

	/* A socket that only ever reads with a small buffer: the kernel
	 * sizes dump messages by the largest read a socket has done, so it
	 * must split this dump in many parts.
	 */
	ASSERT_EQ(0, vnl_nl_open(&small));
	small.recv_size = 8192;
	ASSERT_EQ(0, vnl_nl_resolve(&small, VNL_GENL_NAME, &small.family));
	ASSERT_EQ(0, dump_links(&small, &d));
	TH_LOG("%zu devices in %u messages", d.n, small.recv_calls);
	vnl_nl_close(&small);
	EXPECT_EQ(0, d.bad);
	/* 2,000 devices came in 10 messages at least; 400 in 2. */
	EXPECT_LE((unsigned int)pairs / 100, small.recv_calls);
	ASSERT_EQ(2U * pairs, d.n);

	ifindexes = calloc(d.n, sizeof(*ifindexes));
	ASSERT_NE(NULL, ifindexes);
	for (i = 0; i < d.n; i++) {
		const struct vnl_link *l = &d.links[i];
		int side = l->ifname[0] == 'e';

		ifindexes[i] = l->ifindex;
		ASSERT_EQ(1, sscanf(l->ifname + 1, "%d", &n)) {
			TH_LOG("unexpected device %s", l->ifname);
		}
		ASSERT_TRUE(n >= 0 && n < pairs && (side || l->ifname[0] == 'd'));
		EXPECT_EQ(0, seen[side][n]) TH_LOG("%s listed twice", l->ifname);
		seen[side][n] = 1;
		/* Each end names its own peer. */
		snprintf(peer, sizeof(peer), "%c%04d", side ? 'd' : 'e', n);
		EXPECT_STREQ(peer, l->peer.ifname);
	}
	qsort(ifindexes, d.n, sizeof(*ifindexes), cmp_u32);
	for (i = 1; i < d.n; i++)
		EXPECT_NE(ifindexes[i - 1], ifindexes[i]) {
			TH_LOG("ifindex %u listed twice", ifindexes[i]);
		}
	for (n = 0; n < pairs; n++)
		missing += !seen[0][n] + !seen[1][n];
	EXPECT_EQ(0, missing);
	free(ifindexes);
	free(d.links);
}

TEST_F(link, dump_lists_only_devices_of_the_callers_netns)
{
	struct vnl_link link;
	struct vnl_msg req;
	struct vnl_nl other;
	struct nlattr *nest;
	struct dump d;
	int here, there;

	/* "here" is the test's netns; "there" a second one. */
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, here);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	there = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, there);
	ASSERT_EQ(0, setns(here, CLONE_NEWNET));

	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, "here0", "here1", NULL));
	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "cross0");
	nest = vnl_msg_nest_start(&req, VNL_A_PEER);
	vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, "cross1");
	vnl_msg_put_u32(&req, VNL_PEER_A_NETNS_FD, there);
	vnl_msg_nest_end(&req, nest);
	ASSERT_EQ(0, vnl_nl_transact(&self->nl, &req, NULL, NULL, NULL));

	ASSERT_EQ(0, dump_links(&self->nl, &d));
	EXPECT_EQ(3U, d.n);
	free(d.links);
	ASSERT_EQ(0, vnl_link_get_by_name(&self->nl, "cross0", &link, NULL));
	EXPECT_STREQ("cross1", link.peer.ifname);
	EXPECT_TRUE(link.peer.has_netnsid) TH_LOG("peer elsewhere, yet no netnsid");
	EXPECT_EQ(-ENODEV, vnl_link_get_by_name(&self->nl, "cross1", &link, NULL));

	/* The other netns sees its one end, and none of ours. */
	ASSERT_EQ(0, setns(there, CLONE_NEWNET));
	ASSERT_EQ(0, vnl_nl_open(&other));
	ASSERT_EQ(0, vnl_nl_resolve(&other, VNL_GENL_NAME, &other.family));
	ASSERT_EQ(0, dump_links(&other, &d));
	ASSERT_EQ(1U, d.n);
	EXPECT_STREQ("cross1", d.links[0].ifname);
	EXPECT_STREQ("cross0", d.links[0].peer.ifname);
	EXPECT_TRUE(d.links[0].peer.has_netnsid);
	free(d.links);
	EXPECT_EQ(-ENODEV, vnl_link_get_by_name(&other, "here0", &link, NULL));
	vnl_nl_close(&other);
	close(here);
	close(there);
}

TEST_HARNESS_MAIN
