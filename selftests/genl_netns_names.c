// SPDX-License-Identifier: GPL-2.0
/*
 * genl_netns_names: a description of a vnl device names the device it is
 * wired to (a pair's peer, a macvlan child's parent) in another netns
 * only to a requester with CAP_NET_ADMIN over that netns, and never in an
 * event, which every listener of the device's netns gets
 * (genl.c:vnl_genl_may_name).  The ifindex and the netnsid are always
 * there, as rtnetlink gives IFLA_LINK and IFLA_LINK_NETNSID.
 *
 * Root, in a netns H of the test's own (the host), makes for a container
 * (a new user namespace and its netns C, whose root has CAP_NET_ADMIN over
 * C and nothing else):
 *
 *   nn0 in C  <-- pair -->  nn1 in H
 *   nnm0 in C, a macvlan child of nnd0 (a dummy in H)
 *
 * Root, asking from H and from C, gets the names; the container's root,
 * asking from C (LINK_GET, the dump) and listening there, does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vnl.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "vnl_genl.h"

static int write_file(const char *path, const char *val)
{
	int fd, n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (int)strlen(val) ? 0 : -EIO;
}

/* What `unshare -rn` does: root of a new user namespace, in a new netns. */
static int enter_container(void)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -errno;
	if (write_file("/proc/self/uid_map", "0 0 1") ||
	    write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/gid_map", "0 0 1"))
		return -EIO;
	return 0;
}

static int open_family(struct vnl_nl *nl)
{
	int err = vnl_nl_open(nl);

	if (!err)
		err = vnl_nl_resolve(nl, VNL_GENL_NAME, &nl->family);
	return err;
}

static int join_monitor(struct vnl_nl *nl)
{
	int i;

	for (i = 0; i < nl->family.n_groups; i++)
		if (!strcmp(nl->family.groups[i].name, VNL_MCGRP_MONITOR))
			return vnl_nl_join_group(nl, nl->family.groups[i].id);
	return -ENOENT;
}

/* What a reader learnt of nn0's peer and nnm0's parent. */
struct seen {
	int descriptions;	/* of nn0 or nnm0 */
	int named;		/* ... naming the device in H */
	int unnamed;		/* ... with its ifindex and netnsid only */
};

static void note(struct seen *s, const struct vnl_link *l)
{
	if (!strcmp(l->ifname, "nn0") && l->has_peer) {
		s->descriptions++;
		if (l->peer.has_ifname && !strcmp(l->peer.ifname, "nn1"))
			s->named++;
		else if (!l->peer.has_ifname && l->peer.has_ifindex &&
			 l->peer.has_netnsid)
			s->unnamed++;
	} else if (!strcmp(l->ifname, "nnm0")) {
		s->descriptions++;
		if (l->parent.has_ifname && !strcmp(l->parent.ifname, "nnd0"))
			s->named++;
		else if (!l->parent.has_ifname && l->parent.has_ifindex &&
			 l->parent.has_netnsid)
			s->unnamed++;
	}
}

static int seen_cb(const struct genlmsghdr *genl, const void *attrs,
		   size_t len, void *arg)
{
	struct vnl_link l;

	if (vnl_link_parse(genl, attrs, len, &l))
		return -EBADMSG;
	note(arg, &l);
	return 0;
}

static int get(struct vnl_nl *nl, const char *name, struct seen *s)
{
	struct vnl_link l;
	int err;

	err = vnl_link_get_by_name(nl, name, &l, NULL);
	if (!err)
		note(s, &l);
	return err;
}

static int dump(struct vnl_nl *nl, struct seen *s)
{
	struct vnl_msg req;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	return vnl_nl_transact(nl, &req, seen_cb, s, NULL);
}

/* The events waiting on @mon, until it stays quiet for 500 ms. */
static int read_events(struct vnl_nl *mon, struct seen *s)
{
	struct pollfd pfd = { .fd = mon->fd, .events = POLLIN };
	char buf[32768];

	while (poll(&pfd, 1, 500) == 1) {
		ssize_t n = recv(mon->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (n < 0)
			return -errno;
		for (; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			const struct genlmsghdr *genl = NLMSG_DATA(nlh);
			size_t hdr = NLMSG_LENGTH(GENL_HDRLEN);

			if (nlh->nlmsg_type != mon->family.id ||
			    nlh->nlmsg_len < hdr)
				continue;
			if (seen_cb(genl, (const char *)nlh + hdr,
				    nlh->nlmsg_len - hdr, s))
				return -EBADMSG;
		}
	}
	return 0;
}

static int set_mode(struct vnl_nl *nl, const char *name, uint32_t mode)
{
	struct vnl_msg req;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_SET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	vnl_msg_put_u32(&req, VNL_A_MACVLAN_MODE, mode);
	return vnl_nl_transact(nl, &req, NULL, NULL, NULL);
}

static void report(const char *who, const struct seen *s)
{
	fprintf(stderr, "# %s: %d descriptions, %d named the device in H, %d gave only its ifindex and netnsid\n",
		who, s->descriptions, s->named, s->unnamed);
}

/* The container's side, in a child: its socket opened, its monitor
 * listening before root makes the devices (so it hears their creation),
 * then what it asks and hears.  Exit status: 0 when no description named
 * a device of H and each gave the ifindex and netnsid, 1 when one did
 * name it, 2 when something else failed.
 */
static int container(int ready, int go)
{
	struct seen got = { 0 }, dumped = { 0 }, heard = { 0 };
	struct vnl_nl nl, mon;
	char c = 'r';

	if (enter_container() || open_family(&nl) || open_family(&mon) ||
	    join_monitor(&mon) || write(ready, &c, 1) != 1 ||
	    read(go, &c, 1) != 1)
		return 2;

	if (get(&nl, "nn0", &got) || get(&nl, "nnm0", &got) ||
	    dump(&nl, &dumped) ||
	    set_mode(&nl, "nnm0", VNL_MACVLAN_MODE_VEPA) ||
	    read_events(&mon, &heard))
		return 2;
	report("the container's LINK_GET", &got);
	report("the container's dump", &dumped);
	report("events in C", &heard);
	/* LINK_NEW of both, LINK_CHANGE of nnm0 at least. */
	if (got.descriptions != 2 || dumped.descriptions != 2 ||
	    heard.descriptions < 3)
		return 2;
	if (got.named || dumped.named || heard.named)
		return 1;
	return got.unnamed == 2 && dumped.unnamed == 2 &&
	       heard.unnamed == heard.descriptions ? 0 : 2;
}

static void make_devices(struct __test_metadata *_metadata, struct vnl_nl *nl,
			 int c_fd, int h_fd)
{
	struct nlattr *nest;
	struct vnl_msg req;

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "nn0");
	vnl_msg_put_u32(&req, VNL_A_NETNS_FD, c_fd);
	nest = vnl_msg_nest_start(&req, VNL_A_PEER);
	vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, "nn1");
	vnl_msg_put_u32(&req, VNL_PEER_A_NETNS_FD, h_fd);
	vnl_msg_nest_end(&req, nest);
	ASSERT_EQ(0, vnl_nl_transact(nl, &req, NULL, NULL, NULL));

	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_MACVLAN);
	vnl_msg_put_str(&req, VNL_A_IFNAME, "nnm0");
	vnl_msg_put_str(&req, VNL_A_PARENT_IFNAME, "nnd0");
	vnl_msg_put_u32(&req, VNL_A_MACVLAN_MODE, VNL_MACVLAN_MODE_BRIDGE);
	vnl_msg_put_u32(&req, VNL_A_NETNS_FD, c_fd);
	ASSERT_EQ(0, vnl_nl_transact(nl, &req, NULL, NULL, NULL));
}

/* TEST()'s expansion has an unused parameter too. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

TEST(names_of_another_netns_only_for_its_admins_and_never_in_events)
{
	struct seen root_c = { 0 };
	int ready[2], go[2], status, h_fd, c_fd;
	struct vnl_nl nl, nl_c;
	struct vnl_link l;
	char path[64], c;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	h_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, h_fd);
	ASSERT_EQ(0, system("ip link add nnd0 type dummy && ip link set nnd0 up"));
	ASSERT_EQ(0, open_family(&nl));

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(container(ready[1], go[0]));
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the container did not start");
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	c_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, c_fd);

	make_devices(_metadata, &nl, c_fd, h_fd);

	/* Root has CAP_NET_ADMIN over both: from C, and from H. */
	EXPECT_EQ(0, setns(c_fd, CLONE_NEWNET));
	EXPECT_EQ(0, open_family(&nl_c));
	EXPECT_EQ(0, setns(h_fd, CLONE_NEWNET));
	EXPECT_EQ(0, get(&nl_c, "nn0", &root_c));
	EXPECT_EQ(0, get(&nl_c, "nnm0", &root_c));
	vnl_nl_close(&nl_c);
	report("root's LINK_GET of nn0 and nnm0, from C", &root_c);
	EXPECT_EQ(2, root_c.named);

	/* nn1 in H: its peer nn0 is in C, which root administers too. */
	EXPECT_EQ(0, vnl_link_get_by_name(&nl, "nn1", &l, NULL));
	EXPECT_TRUE(l.peer.has_ifname && !strcmp(l.peer.ifname, "nn0"))
		TH_LOG("root's LINK_GET of nn1 does not name its peer nn0 in C");
	EXPECT_TRUE(l.peer.has_netnsid);

	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(2, WEXITSTATUS(status))
		TH_LOG("the container could not ask, or heard nothing");
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("the container learnt the name of a device in H");

	close(c_fd);
	close(h_fd);
	vnl_nl_close(&nl);
}

TEST_HARNESS_MAIN
