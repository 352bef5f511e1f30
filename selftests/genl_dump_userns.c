// SPDX-License-Identifier: GPL-2.0
/*
 * genl_dump_userns: a LINK_GET dump gives owner and group ids as the
 * user namespace of the socket's opener sees them, in every part of the
 * dump, whoever reads it.
 *
 * The kernel fills the first part of a dump while the request is sent,
 * and each later part while someone calls recv(): a process that moves
 * into a new user namespace after sending (or a process that was handed
 * the socket) would otherwise see the ids of the later parts through its
 * own namespace, where uid 1000 is unmapped (65534), while the first part
 * says 1000 (genl.c:vnl_genl_reply_ns).
 *
 * 64 persistent taps owned by uid 1000 and gid 1000, in a netns of the
 * test's own; a 4 KiB receive buffer, so that the dump comes in parts of
 * about 18 devices; the reader moves into a new user namespace after the
 * first part.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vnl.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "vnl_genl.h"

#define TAPS	64
#define OWNER	1000

/* The payload of @nla as a u32. */
static uint32_t attr_u32(const struct nlattr *nla)
{
	uint32_t v;

	memcpy(&v, (const char *)nla + NLA_HDRLEN, sizeof(v));
	return v;
}

/* Persistent taps ud0..ud63 owned by OWNER:OWNER in the current netns. */
static int make_taps(void)
{
	struct ifreq ifr;
	int i, fd;

	for (i = 0; i < TAPS; i++) {
		fd = open("/dev/vnl", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "ud%d", i);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
		if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETOWNER, OWNER) ||
		    ioctl(fd, TUNSETGROUP, OWNER) || ioctl(fd, TUNSETPERSIST, 1)) {
			int err = -errno;

			close(fd);
			return err;
		}
		close(fd);
	}
	return 0;
}

struct ids {
	int msgs;		/* dump messages about our taps */
	int right;		/* ... whose owner and group are OWNER */
	int first_wrong;	/* the index of the first that is not, or -1 */
	int owner, group;	/* the first wrong one's ids */
	bool moved;		/* the reader is in its new user namespace */
};

/* After the first message the reader leaves for a new user namespace:
 * the rest of the dump is made while it calls recv() from there.
 */
static int ids_cb(const struct genlmsghdr *genl, const void *attrs,
		  size_t len, void *arg)
{
	const struct nlattr *name, *owner, *group;
	struct ids *ids = arg;
	uint32_t o, g;

	(void)genl;
	name = vnl_attr_find(attrs, len, VNL_A_IFNAME);
	owner = vnl_attr_find(attrs, len, VNL_A_TUN_OWNER);
	group = vnl_attr_find(attrs, len, VNL_A_TUN_GROUP);
	if (name && !strncmp((const char *)name + NLA_HDRLEN, "ud", 2)) {
		o = owner ? attr_u32(owner) : 0;
		g = group ? attr_u32(group) : 0;
		if (owner && group && o == OWNER && g == OWNER) {
			ids->right++;
		} else if (ids->first_wrong < 0) {
			ids->first_wrong = ids->msgs;
			ids->owner = owner ? (int)o : -1;
			ids->group = group ? (int)g : -1;
		}
		ids->msgs++;
	}
	if (!ids->moved) {
		if (unshare(CLONE_NEWUSER))
			return -errno;
		ids->moved = true;
	}
	return 0;
}

/* In a child, since a user namespace cannot be left: 0 when every part
 * of the dump gave OWNER, else 1 (2: the dump itself failed).
 */
static int read_dump_elsewhere(const struct vnl_family *family)
{
	struct ids ids = { .first_wrong = -1 };
	struct vnl_msg req;
	struct vnl_nl nl;
	int err;

	if (vnl_nl_open(&nl))
		return 2;
	nl.family = *family;
	nl.recv_size = 4096;
	vnl_msg_init(&req, family->id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	err = vnl_nl_transact(&nl, &req, ids_cb, &ids, NULL);
	fprintf(stderr, "# dump: %d of our taps in %u parts, %d with owner and group %d%s\n",
		ids.msgs, nl.recv_calls, ids.right, OWNER, ids.moved ?
		"; the reader moved to a new user namespace after the first" : "");
	if (ids.first_wrong >= 0)
		fprintf(stderr, "# the first wrong one, #%d: owner %d, group %d\n",
			ids.first_wrong, ids.owner, ids.group);
	vnl_nl_close(&nl);
	if (err) {
		fprintf(stderr, "# the dump failed: %s\n", strerror(-err));
		return 2;
	}
	/* Enough parts that some were made after the move. */
	if (nl.recv_calls < 3 || !ids.moved)
		return 2;
	return ids.msgs == TAPS && ids.right == TAPS ? 0 : 1;
}

/* TEST()'s expansion has an unused parameter too. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

TEST(dump_ids_are_those_of_the_sockets_opener_in_every_part)
{
	struct vnl_family family;
	struct vnl_nl nl;
	int status;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, make_taps());
	ASSERT_EQ(0, vnl_nl_open(&nl));
	ASSERT_EQ(0, vnl_nl_resolve(&nl, VNL_GENL_NAME, &family));
	vnl_nl_close(&nl);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(read_dump_elsewhere(&family));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(2, WEXITSTATUS(status))
		TH_LOG("the dump did not come in parts read from a new user namespace");
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("a later part gave the reader's ids, not the opener's");
}

TEST_HARNESS_MAIN
