// SPDX-License-Identifier: GPL-2.0
/*
 * The "vnl" generic netlink family as any client finds it: registered with
 * its version and its "monitor" group, strict about what it accepts, and
 * open to anyone for reading but only to CAP_NET_ADMIN (in the user
 * namespace owning the netns) for creating and deleting devices.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vnl.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "vnl_genl.h"

#define NOBODY	65534

/* What a test's child process saw; lives in shared memory. */
struct child_result {
	int ran;		/* the child got to its request */
	int skip;		/* the environment cannot run this check */
	int err;		/* 0 or -errno from the kernel */
	int err2;		/* a second request's result, when there is one */
	char msg[256];		/* extack message of the first request */
	char what[128];		/* what failed, when ran is 0 */
};

typedef void (*child_fn)(struct child_result *r, void *arg);

/* Runs @fn in a forked child, so that it may drop privileges or change
 * namespaces without affecting the test process.
 */
static void run_in_child(struct __test_metadata *_metadata, child_fn fn,
			 void *arg, struct child_result *out)
{
	struct child_result *r;
	int status;
	pid_t pid;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fn(r, arg);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*out = *r;
	munmap(r, sizeof(*r));
}

static int drop_to_nobody(struct child_result *r)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		snprintf(r->what, sizeof(r->what), "dropping to uid %d: %s",
			 NOBODY, strerror(errno));
		return -1;
	}
	return 0;
}

/* Stays uid 0 but gives up CAP_NET_ADMIN for good. */
static int drop_cap_net_admin(struct child_result *r)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_NET_ADMIN);

	if (syscall(SYS_capget, &hdr, data))
		goto fail;
	data[i].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	data[i].permitted &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	data[i].inheritable &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		goto fail;
	return 0;
fail:
	snprintf(r->what, sizeof(r->what), "dropping CAP_NET_ADMIN: %s",
		 strerror(errno));
	return -1;
}

static int child_connect(struct child_result *r, struct vnl_nl *nl)
{
	int err = vnl_nl_open(nl);

	if (!err)
		err = vnl_nl_resolve(nl, VNL_GENL_NAME, &nl->family);
	if (err)
		snprintf(r->what, sizeof(r->what), "resolving \"vnl\": %s",
			 strerror(-err));
	return err;
}

static void names_for(char *name, char *peer, const char *tag)
{
	snprintf(name, IFNAMSIZ, "%s%da", tag, getpid() % 100000);
	snprintf(peer, IFNAMSIZ, "%s%db", tag, getpid() % 100000);
}

FIXTURE(family)
{
	struct vnl_nl nl;
	char name[IFNAMSIZ];	/* a pair a test created, deleted in teardown */
};

FIXTURE_SETUP(family)
{
	int err;

	ASSERT_EQ(0, vnl_nl_open(&self->nl));
	err = vnl_nl_resolve(&self->nl, VNL_GENL_NAME, &self->nl.family);
	ASSERT_EQ(0, err) {
		TH_LOG("genl family \"%s\" not found (%s): is vnl.ko loaded?",
		       VNL_GENL_NAME, strerror(-err));
	}
}

FIXTURE_TEARDOWN(family)
{
	struct vnl_msg req;

	if (self->name[0]) {
		vnl_msg_init(&req, self->nl.family.id,
			     NLM_F_REQUEST | NLM_F_ACK, VNL_CMD_LINK_DEL,
			     VNL_GENL_VERSION);
		vnl_msg_put_str(&req, VNL_A_IFNAME, self->name);
		vnl_nl_transact(&self->nl, &req, NULL, NULL, NULL);
	}
	vnl_nl_close(&self->nl);
}

TEST_F(family, resolves_with_version_1_and_monitor_group)
{
	const struct vnl_family *f = &self->nl.family;
	int i, monitor = -1;

	EXPECT_NE(0, f->id);
	EXPECT_EQ((uint32_t)VNL_GENL_VERSION, f->version);
	EXPECT_EQ(1, VNL_GENL_VERSION);
	EXPECT_EQ((uint32_t)VNL_A_MAX, f->maxattr);
	for (i = 0; i < f->n_groups; i++)
		if (!strcmp(f->groups[i].name, VNL_MCGRP_MONITOR))
			monitor = i;
	ASSERT_LE(0, monitor) {
		TH_LOG("no multicast group \"%s\" among %d group(s)",
		       VNL_MCGRP_MONITOR, f->n_groups);
	}
	EXPECT_NE(0U, f->groups[monitor].id);
	EXPECT_EQ(0, vnl_nl_join_group(&self->nl, f->groups[monitor].id));
}

static int version_cb(const struct genlmsghdr *genl, const void *attrs,
		      size_t len, void *arg)
{
	const struct nlattr *nla = vnl_attr_find(attrs, len, VNL_A_VERSION);
	char *version = arg;
	size_t n;

	if (genl->cmd != VNL_CMD_GET_VERSION || !nla)
		return -EBADMSG;
	n = nla->nla_len - NLA_HDRLEN;
	/* A string attribute ends with its NUL. */
	if (n == 0 || ((const char *)nla + NLA_HDRLEN)[n - 1] != '\0')
		return -EBADMSG;
	snprintf(version, 64, "%s", (const char *)nla + NLA_HDRLEN);
	return 0;
}

static int get_version(struct vnl_nl *nl, char version[64],
		       struct vnl_ack *ack)
{
	struct vnl_msg req;

	version[0] = '\0';
	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_GET_VERSION, VNL_GENL_VERSION);
	return vnl_nl_transact(nl, &req, version_cb, version, ack);
}

TEST_F(family, get_version_returns_the_module_version)
{
	char version[64], sysfs[64] = "";
	FILE *f;

	ASSERT_EQ(0, get_version(&self->nl, version, NULL));
	EXPECT_LT(0U, strlen(version));
	TH_LOG("module version \"%s\"", version);

	/* The same string the module declares with MODULE_VERSION(). */
	f = fopen("/sys/module/vnl/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(sysfs, sizeof(sysfs), f));
	fclose(f);
	sysfs[strcspn(sysfs, "\n")] = '\0';
	EXPECT_STREQ(sysfs, version);
}

TEST_F(family, unknown_attribute_is_rejected_with_einval)
{
	struct vnl_msg req;
	struct vnl_ack ack;

	/* The same request is accepted without the stray attribute. */
	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_GET_VERSION, VNL_GENL_VERSION);
	EXPECT_EQ(0, vnl_nl_transact(&self->nl, &req, NULL, NULL, &ack));

	vnl_msg_put_u32(&req, VNL_A_MAX + 1, 0);
	EXPECT_EQ(-EINVAL, vnl_nl_transact(&self->nl, &req, NULL, NULL, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	TH_LOG("GET_VERSION + attribute %d: \"%s\"", VNL_A_MAX + 1, ack.msg);

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "lo");
	vnl_msg_put_u32(&req, 200, 0);
	EXPECT_EQ(-EINVAL, vnl_nl_transact(&self->nl, &req, NULL, NULL, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
}

/* Known attributes too are refused where the command does not take them. */
TEST_F(family, get_version_with_an_attribute_is_einval)
{
	struct vnl_msg req;
	struct vnl_ack ack;
	uint32_t offs;

	vnl_msg_init(&req, self->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_GET_VERSION, VNL_GENL_VERSION);
	offs = NLMSG_ALIGN(req.nlh.nlmsg_len);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "lo");
	EXPECT_EQ(-EINVAL, vnl_nl_transact(&self->nl, &req, NULL, NULL, &ack));
	EXPECT_NE('\0', ack.msg[0]) TH_LOG("no extack message");
	EXPECT_TRUE(ack.has_offs) TH_LOG("no NLMSGERR_ATTR_OFFS");
	EXPECT_EQ(offs, ack.offs);
	TH_LOG("GET_VERSION + VNL_A_IFNAME: \"%s\"", ack.msg);
}

TEST_F(family, unknown_command_is_eopnotsupp)
{
	static const uint8_t cmds[] = {
		VNL_CMD_UNSPEC, VNL_CMD_LINK_CHANGE, VNL_CMD_MAX + 1, 200,
	};
	struct vnl_msg req;
	size_t i;

	for (i = 0; i < sizeof(cmds); i++) {
		vnl_msg_init(&req, self->nl.family.id,
			     NLM_F_REQUEST | NLM_F_ACK, cmds[i],
			     VNL_GENL_VERSION);
		EXPECT_EQ(-EOPNOTSUPP,
			  vnl_nl_transact(&self->nl, &req, NULL, NULL, NULL)) {
			TH_LOG("command %u", cmds[i]);
		}
	}
}

struct new_pair_arg {
	char name[IFNAMSIZ];
	char peer[IFNAMSIZ];
	int peer_netns_fd;	/* -1: the child's own netns */
};

static void new_pair_in_child(struct child_result *r, struct vnl_nl *nl,
			      const struct new_pair_arg *a)
{
	struct vnl_msg req;
	struct vnl_ack ack;
	struct nlattr *nest;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(&req, VNL_A_IFNAME, a->name);
	nest = vnl_msg_nest_start(&req, VNL_A_PEER);
	vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, a->peer);
	if (a->peer_netns_fd >= 0)
		vnl_msg_put_u32(&req, VNL_PEER_A_NETNS_FD, a->peer_netns_fd);
	vnl_msg_nest_end(&req, nest);
	r->err = vnl_nl_transact(nl, &req, NULL, NULL, &ack);
	snprintf(r->msg, sizeof(r->msg), "%s", ack.msg);
	r->ran = 1;
}

static void link_new_as_nobody(struct child_result *r, void *arg)
{
	struct vnl_nl nl;

	if (drop_to_nobody(r) || child_connect(r, &nl))
		return;
	new_pair_in_child(r, &nl, arg);
}

static void link_new_without_cap(struct child_result *r, void *arg)
{
	struct vnl_nl nl;

	if (drop_cap_net_admin(r) || child_connect(r, &nl))
		return;
	new_pair_in_child(r, &nl, arg);
}

static void expect_no_device(struct __test_metadata *_metadata,
			     struct vnl_nl *nl, const char *name)
{
	struct vnl_link link;

	EXPECT_EQ(-ENODEV, vnl_link_get_by_name(nl, name, &link, NULL)) {
		TH_LOG("%s exists but should not", name);
	}
	EXPECT_EQ(0U, if_nametoindex(name));
}

TEST_F(family, link_new_as_uid_65534_is_eperm)
{
	struct new_pair_arg a = { .peer_netns_fd = -1 };
	struct child_result r;

	names_for(a.name, a.peer, "gfu");
	run_in_child(_metadata, link_new_as_nobody, &a, &r);
	ASSERT_TRUE(r.ran) TH_LOG("%s", r.what);
	EXPECT_EQ(-EPERM, r.err) TH_LOG("LINK_NEW said %s", strerror(-r.err));
	expect_no_device(_metadata, &self->nl, a.name);
	expect_no_device(_metadata, &self->nl, a.peer);
}

TEST_F(family, link_new_as_root_without_cap_net_admin_is_eperm)
{
	struct new_pair_arg a = { .peer_netns_fd = -1 };
	struct child_result r;

	names_for(a.name, a.peer, "gfc");
	run_in_child(_metadata, link_new_without_cap, &a, &r);
	ASSERT_TRUE(r.ran) TH_LOG("%s", r.what);
	EXPECT_EQ(-EPERM, r.err) TH_LOG("LINK_NEW said %s", strerror(-r.err));
	expect_no_device(_metadata, &self->nl, a.name);
	expect_no_device(_metadata, &self->nl, a.peer);
}

static void link_del_as_nobody(struct child_result *r, void *arg)
{
	struct vnl_msg req;
	struct vnl_nl nl;
	struct vnl_ack ack;

	if (drop_to_nobody(r) || child_connect(r, &nl))
		return;
	vnl_msg_init(&req, nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_DEL, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, arg);
	r->err = vnl_nl_transact(&nl, &req, NULL, NULL, &ack);
	snprintf(r->msg, sizeof(r->msg), "%s", ack.msg);
	r->ran = 1;
}

TEST_F(family, link_del_as_uid_65534_is_eperm)
{
	char peer[IFNAMSIZ];
	struct vnl_link link;
	struct child_result r;

	names_for(self->name, peer, "gfd");
	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, self->name, peer, NULL));
	run_in_child(_metadata, link_del_as_nobody, self->name, &r);
	ASSERT_TRUE(r.ran) TH_LOG("%s", r.what);
	EXPECT_EQ(-EPERM, r.err) TH_LOG("LINK_DEL said %s", strerror(-r.err));
	EXPECT_EQ(0, vnl_link_get_by_name(&self->nl, self->name, &link, NULL));
	EXPECT_EQ(0, vnl_link_get_by_name(&self->nl, peer, &link, NULL));
}

static int count_cb(const struct genlmsghdr *genl, const void *attrs,
		    size_t len, void *arg)
{
	(void)genl;
	(void)attrs;
	(void)len;
	++*(int *)arg;
	return 0;
}

/* GET_VERSION in r->err, a LINK_GET dump in r->err2. */
static void read_as_nobody(struct child_result *r, void *arg)
{
	struct vnl_msg req;
	struct vnl_nl nl;
	char version[64];
	int *count = arg;

	if (drop_to_nobody(r) || child_connect(r, &nl))
		return;
	r->err = get_version(&nl, version, NULL);
	vnl_msg_init(&req, nl.family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	*count = 0;
	r->err2 = vnl_nl_transact(&nl, &req, count_cb, count, NULL);
	r->ran = 1;
}

TEST_F(family, get_version_and_link_get_are_allowed_to_anyone)
{
	char peer[IFNAMSIZ];
	struct child_result r;
	int *count;

	count = mmap(NULL, sizeof(*count), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, count);
	names_for(self->name, peer, "gfr");
	ASSERT_EQ(0, vnl_link_new_pair(&self->nl, self->name, peer, NULL));

	run_in_child(_metadata, read_as_nobody, count, &r);
	ASSERT_TRUE(r.ran) TH_LOG("%s", r.what);
	EXPECT_EQ(0, r.err) TH_LOG("GET_VERSION said %s", strerror(-r.err));
	EXPECT_EQ(0, r.err2) TH_LOG("LINK_GET dump said %s", strerror(-r.err2));
	/* At least the pair just made; other tests may have left none. */
	EXPECT_LE(2, *count);
	munmap(count, sizeof(*count));
}

/* uid 65534 in a user namespace of its own, which owns a new netns. */
static int enter_own_userns(struct child_result *r)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		snprintf(r->what, sizeof(r->what),
			 "unprivileged user namespaces unavailable: %s",
			 strerror(errno));
		r->skip = 1;
		return -1;
	}
	return 0;
}

static void link_new_in_own_userns(struct child_result *r, void *arg)
{
	struct new_pair_arg *a = arg;
	struct vnl_link link;
	struct vnl_nl nl;

	if (drop_to_nobody(r) || enter_own_userns(r) || child_connect(r, &nl))
		return;
	new_pair_in_child(r, &nl, a);
	/* Whether the device's end exists in the child's netns. */
	r->err2 = vnl_link_get_by_name(&nl, a->name, &link, NULL);
}

TEST_F(family, link_new_in_a_netns_of_ones_own_user_namespace_is_allowed)
{
	struct new_pair_arg a = { .peer_netns_fd = -1 };
	struct child_result r;

	names_for(a.name, a.peer, "gfn");
	run_in_child(_metadata, link_new_in_own_userns, &a, &r);
	if (r.skip)
		SKIP(return, "%s", r.what);
	ASSERT_TRUE(r.ran) TH_LOG("%s", r.what);
	EXPECT_EQ(0, r.err) TH_LOG("LINK_NEW said %s: %s", strerror(-r.err), r.msg);
	EXPECT_EQ(0, r.err2) TH_LOG("LINK_GET in its netns said %s", strerror(-r.err2));
	/* Both ends went to the child's netns, none to ours. */
	expect_no_device(_metadata, &self->nl, a.name);
	expect_no_device(_metadata, &self->nl, a.peer);
}

TEST_F(family, link_new_with_peer_in_a_netns_not_owned_is_eperm)
{
	struct new_pair_arg a;
	struct child_result r;

	names_for(a.name, a.peer, "gfx");
	/* Opened as root; the child keeps the fd into its user namespace,
	 * where it has CAP_NET_ADMIN over its own netns only.
	 */
	a.peer_netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, a.peer_netns_fd);
	run_in_child(_metadata, link_new_in_own_userns, &a, &r);
	close(a.peer_netns_fd);
	if (r.skip)
		SKIP(return, "%s", r.what);
	ASSERT_TRUE(r.ran) TH_LOG("%s", r.what);
	EXPECT_EQ(-EPERM, r.err) TH_LOG("LINK_NEW said %s", strerror(-r.err));
	EXPECT_NE('\0', r.msg[0]) TH_LOG("no extack message");
	EXPECT_EQ(-ENODEV, r.err2) TH_LOG("the device's end was created anyway");
	expect_no_device(_metadata, &self->nl, a.peer);
}

TEST_F(family, family_is_reachable_from_a_new_netns)
{
	struct vnl_nl nl;
	char version[64];

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, vnl_nl_open(&nl));
	ASSERT_EQ(0, vnl_nl_resolve(&nl, VNL_GENL_NAME, &nl.family));
	EXPECT_EQ(0, get_version(&nl, version, NULL));
	EXPECT_LT(0U, strlen(version));
	vnl_nl_close(&nl);
}

TEST_HARNESS_MAIN
