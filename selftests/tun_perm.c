// SPDX-License-Identifier: GPL-2.0
/*
 * Who may create a tun/tap device through /dev/vnl, and who may attach to
 * one, by tun's rules:
 *
 *   - creating needs CAP_NET_ADMIN in the user namespace that owns the
 *     network namespace (so root of a user namespace may create devices
 *     in a network namespace it made, and nowhere else);
 *   - attaching to an existing device is allowed when its owner
 *     (TUNSETOWNER) is unset or is the caller's euid, and its group
 *     (TUNSETGROUP) is unset or is one of the caller's groups; or to
 *     anyone with CAP_NET_ADMIN.
 *
 * Root prepares the devices; each check runs in a child that dropped to
 * another uid (and so lost every capability) before opening /dev/vnl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define OTHER_UID	65533
#define GROUP		4242
/* Exit codes of a child that could not even become who it should be. */
#define EXIT_SETUP	200
#define EXIT_NO_USERNS	201

/* Who a child becomes: uids, gids, supplementary groups, and whether it
 * keeps CAP_NET_ADMIN (and nothing else) across the change of uid.
 */
struct who {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
	bool net_admin;
};

static int keep_only_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	data[0].effective = 1U << CAP_NET_ADMIN;
	data[0].permitted = 1U << CAP_NET_ADMIN;
	return syscall(SYS_capset, &hdr, data);
}

static int become(const struct who *w)
{
	if (setgroups(w->ngroups, w->groups))
		return -1;
	if (w->net_admin && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return -1;
	if (setresgid(w->gid, w->gid, w->gid) || setresuid(w->uid, w->uid, w->uid))
		return -1;
	if (w->net_admin && keep_only_net_admin())
		return -1;
	return 0;
}

/* Run @fn as @w in a child; its result: 0 or an errno value, or one of
 * the EXIT_* codes.
 */
static int as(const struct who *w, int (*fn)(const char *), const char *name)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return EXIT_SETUP;
	if (pid == 0) {
		int err;

		if (become(w))
			_exit(EXIT_SETUP);
		err = fn(name);
		_exit(err < 0 ? -err : err);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return EXIT_SETUP;
	return WEXITSTATUS(status);
}

/* What the children try.  Each returns 0 or -errno. */

/* TUNSETIFF(@name, IFF_TAP | IFF_NO_PI): attaches to @name if it exists,
 * creates it otherwise.  On success the device must also answer TUNGETIFF
 * with its name.
 */
static int try_setiff(const char *name)
{
	char n[IFNAMSIZ], got[IFNAMSIZ];
	int fd, err;

	snprintf(n, sizeof(n), "%s", name);
	fd = tun_alloc(n, IFF_TAP | IFF_NO_PI);
	if (fd < 0)
		return fd;
	err = tun_get_iff(fd, got, NULL);
	if (!err && strcmp(got, name))
		err = -EPROTO;
	close(fd);
	return err;
}

/* A user namespace, and a network namespace of its own: its root may
 * create there.
 */
static int try_create_in_own_userns_netns(const char *name)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -EXIT_NO_USERNS;
	return try_setiff(name);
}

/* A user namespace alone: the netns still belongs to the initial one. */
static int try_create_in_own_userns_only(const char *name)
{
	if (unshare(CLONE_NEWUSER))
		return -EXIT_NO_USERNS;
	return try_setiff(name);
}

FIXTURE(perm)
{
	char name[IFNAMSIZ];
};

/* A persistent tap "ptap", with no file attached, owned as asked. */
static int make_device(const char *name, long owner, long group)
{
	char n[IFNAMSIZ];
	int fd, err = 0;

	snprintf(n, sizeof(n), "%s", name);
	fd = tun_alloc(n, IFF_TAP | IFF_NO_PI);
	if (fd < 0)
		return fd;
	if (owner >= 0)
		err = tun_ioctl_val(fd, TUNSETOWNER, owner);
	if (!err && group >= 0)
		err = tun_ioctl_val(fd, TUNSETGROUP, group);
	if (!err)
		err = tun_ioctl_val(fd, TUNSETPERSIST, 1);
	close(fd);
	return err;
}

FIXTURE_SETUP(perm)
{
	int err = tun_enter_new_netns();

	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	strcpy(self->name, "ptap");
}

FIXTURE_TEARDOWN(perm)
{
}

static const struct who nobody = { .uid = NOBODY, .gid = NOBODY };

static const struct who other = { .uid = OTHER_UID, .gid = OTHER_UID };

static const struct who nobody_in_group = {
	.uid = NOBODY, .gid = NOBODY, .ngroups = 1, .groups = { GROUP },
};

static const struct who nobody_gid_group = { .uid = NOBODY, .gid = GROUP };

static const struct who other_in_group = {
	.uid = OTHER_UID, .gid = OTHER_UID, .ngroups = 1, .groups = { GROUP },
};

static const struct who other_net_admin = {
	.uid = OTHER_UID, .gid = OTHER_UID, .net_admin = true,
};

static const struct who root = { .uid = 0, .gid = 0 };

TEST_F(perm, unprivileged_user_cannot_create)
{
	EXPECT_EQ(EPERM, as(&nobody, try_setiff, "u0"));
	EXPECT_FALSE(link_exists("u0"));
}

TEST_F(perm, unprivileged_user_with_net_admin_can_create)
{
	EXPECT_EQ(0, as(&other_net_admin, try_setiff, "u0"));
}

TEST_F(perm, capability_counts_at_setiff_not_at_open)
{
	int fd, status;
	pid_t pid;

	/* Opened by root, handed to a child that then drops root. */
	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char n[IFNAMSIZ] = "u0";

		if (become(&nobody))
			_exit(EXIT_SETUP);
		_exit(-tun_set_iff(fd, n, IFF_TUN));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status));
	EXPECT_FALSE(link_exists("u0"));
	close(fd);
}

TEST_F(perm, anyone_attaches_to_a_device_without_owner_or_group)
{
	ASSERT_EQ(0, make_device(self->name, -1, -1));
	EXPECT_EQ(0, as(&nobody, try_setiff, self->name));
	EXPECT_EQ(0, as(&other, try_setiff, self->name));
}

TEST_F(perm, owner_attaches_without_privilege)
{
	ASSERT_EQ(0, make_device(self->name, NOBODY, -1));
	EXPECT_EQ(0, as(&nobody, try_setiff, self->name));
}

TEST_F(perm, another_user_cannot_attach_to_an_owned_device)
{
	ASSERT_EQ(0, make_device(self->name, NOBODY, -1));
	EXPECT_EQ(EPERM, as(&other, try_setiff, self->name));
	/* Not even as a member of some group. */
	EXPECT_EQ(EPERM, as(&other_in_group, try_setiff, self->name));
}

TEST_F(perm, group_member_attaches_without_privilege)
{
	ASSERT_EQ(0, make_device(self->name, -1, GROUP));
	EXPECT_EQ(0, as(&nobody_in_group, try_setiff, self->name));
	/* The effective gid counts as a group too. */
	EXPECT_EQ(0, as(&nobody_gid_group, try_setiff, self->name));
}

TEST_F(perm, non_member_cannot_attach_to_a_device_with_a_group)
{
	ASSERT_EQ(0, make_device(self->name, -1, GROUP));
	EXPECT_EQ(EPERM, as(&nobody, try_setiff, self->name));
}

TEST_F(perm, owner_and_group_must_both_match)
{
	ASSERT_EQ(0, make_device(self->name, NOBODY, GROUP));
	EXPECT_EQ(EPERM, as(&nobody, try_setiff, self->name));
	EXPECT_EQ(EPERM, as(&other_in_group, try_setiff, self->name));
	EXPECT_EQ(0, as(&nobody_in_group, try_setiff, self->name));
}

TEST_F(perm, net_admin_attaches_whatever_the_owner_and_group)
{
	ASSERT_EQ(0, make_device(self->name, NOBODY, GROUP));
	EXPECT_EQ(0, as(&root, try_setiff, self->name));
	EXPECT_EQ(0, as(&other_net_admin, try_setiff, self->name));
}

TEST_F(perm, user_namespace_root_creates_in_its_own_netns)
{
	int ret = as(&nobody, try_create_in_own_userns_netns, "u0");

	if (ret == EXIT_NO_USERNS)
		SKIP(return, "unprivileged user namespaces are not allowed here");
	EXPECT_EQ(0, ret) TH_LOG("TUNSETIFF: %s", strerror(ret));
}

TEST_F(perm, user_namespace_root_cannot_create_in_the_initial_netns_owner)
{
	int ret = as(&nobody, try_create_in_own_userns_only, "u0");

	if (ret == EXIT_NO_USERNS)
		SKIP(return, "unprivileged user namespaces are not allowed here");
	EXPECT_EQ(EPERM, ret);
	EXPECT_FALSE(link_exists("u0"));
}

TEST_HARNESS_MAIN
