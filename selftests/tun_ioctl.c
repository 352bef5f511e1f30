// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctls of /dev/vnl, as linux/if_tun.h defines them: TUNSETIFF
 * (create or attach, names, flags, and every refusal), TUNGETIFF,
 * TUNGETFEATURES, TUNSETPERSIST, TUNSETOWNER, TUNSETGROUP, TUNSETCARRIER,
 * TUNSETOFFLOAD's refusals, TUNSETQUEUE's refusals, and the ioctls vnl
 * does not implement (tun_vnet.c has the vnet-header ones); and vnl's
 * own, VNL_IOC_GET_FEATURES, VNL_IOC_SET_BATCH and VNL_IOC_GET_BATCH
 * (tun_batch.c has the batches they set).  What is checked is what a tun client sees: return values,
 * errno, the names written back, and the device as "ip link" shows it.
 *
 * Each test runs in a network namespace of its own (see tun_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"
#include <linux/vnl.h>

FIXTURE(tun)
{
	int fd;			/* an open, unattached /dev/vnl */
	char name[IFNAMSIZ];
};

FIXTURE_SETUP(tun)
{
	int err = tun_enter_new_netns();

	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VNL_DEV, strerror(errno));
	memset(self->name, 0, sizeof(self->name));
}

FIXTURE_TEARDOWN(tun)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* --- creating: names ------------------------------------------------------ */

TEST_F(tun, empty_name_gives_tun0_and_tap0)
{
	char tap[IFNAMSIZ] = "";
	int fd2;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	EXPECT_STREQ("tun0", self->name);
	EXPECT_TRUE(link_exists("tun0"));

	fd2 = tun_alloc(tap, IFF_TAP);
	ASSERT_LE(0, fd2) TH_LOG("tap: %s", strerror(-fd2));
	EXPECT_STREQ("tap0", tap);
	EXPECT_TRUE(link_exists("tap0"));
	close(fd2);
}

TEST_F(tun, percent_d_name_takes_the_next_free_number)
{
	char n1[IFNAMSIZ] = "vt%d", n2[IFNAMSIZ] = "vt%d";
	int fd1, fd2;

	strcpy(self->name, "vt%d");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	EXPECT_STREQ("vt0", self->name);
	fd1 = tun_alloc(n1, IFF_TAP);
	ASSERT_LE(0, fd1);
	EXPECT_STREQ("vt1", n1);
	/* vt1 freed: the next one reuses the lowest free number. */
	close(fd1);
	EXPECT_FALSE(link_exists("vt1"));
	fd2 = tun_alloc(n2, IFF_TUN);
	ASSERT_LE(0, fd2);
	EXPECT_STREQ("vt1", n2);
	close(fd2);
}

TEST_F(tun, second_empty_name_gives_tun1)
{
	char n2[IFNAMSIZ] = "";
	int fd2;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_NO_PI));
	fd2 = tun_alloc(n2, IFF_TUN);
	ASSERT_LE(0, fd2);
	EXPECT_STREQ("tun0", self->name);
	EXPECT_STREQ("tun1", n2);
	close(fd2);
}

TEST_F(tun, given_name_is_kept_and_written_back)
{
	strcpy(self->name, "mytun");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	EXPECT_STREQ("mytun", self->name);
	EXPECT_TRUE(link_exists("mytun"));
	EXPECT_FALSE(link_exists("tun0"));
}

TEST_F(tun, invalid_names_are_einval)
{
	/* The last one passes the name check and fails at registration. */
	static const char *const bad[] = { "a/b", "a b", "a:b", ".", "..", "x%d%d" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char name[IFNAMSIZ];

		strcpy(name, bad[i]);
		EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, name, IFF_TUN)) {
			TH_LOG("name \"%s\" was accepted", bad[i]);
		}
	}
	/* The file is still unattached: a good name works. */
	strcpy(self->name, "good");
	EXPECT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
}

/* --- creating: what the device is ------------------------------------------ */

TEST_F(tun, tun_is_point_to_point_noarp_without_link_address)
{
	struct link_state st;
	unsigned int flags;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(ARPHRD_NONE, st.type);
	ASSERT_EQ(0, if_get_flags(self->name, &flags));
	EXPECT_TRUE(!!(flags & IFF_POINTOPOINT));
	EXPECT_TRUE(!!(flags & IFF_NOARP));
	EXPECT_FALSE(!!(flags & IFF_BROADCAST));
	EXPECT_STREQ("vnl", st.kind);
	EXPECT_EQ(1500U, st.mtu);
}

TEST_F(tun, tap_is_ethernet_with_random_locally_administered_mac)
{
	unsigned char mac1[ETH_ALEN], mac2[ETH_ALEN];
	static const unsigned char zero[ETH_ALEN];
	char n2[IFNAMSIZ] = "";
	struct link_state st;
	unsigned short type;
	unsigned int flags;
	int fd2;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(ARPHRD_ETHER, st.type);
	EXPECT_STREQ("vnl", st.kind);
	EXPECT_EQ(1500U, st.mtu);
	ASSERT_EQ(0, if_get_flags(self->name, &flags));
	EXPECT_TRUE(!!(flags & IFF_BROADCAST));
	EXPECT_FALSE(!!(flags & (IFF_POINTOPOINT | IFF_NOARP)));
	ASSERT_EQ(0, if_get_hwaddr(self->name, mac1, &type));
	EXPECT_EQ(ARPHRD_ETHER, type);
	EXPECT_NE(0, memcmp(mac1, zero, ETH_ALEN));
	EXPECT_EQ(0x02, mac1[0] & 0x03) TH_LOG("first byte 0x%02x", mac1[0]);

	fd2 = tun_alloc(n2, IFF_TAP);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, if_get_hwaddr(n2, mac2, NULL));
	EXPECT_EQ(0x02, mac2[0] & 0x03);
	EXPECT_NE(0, memcmp(mac1, mac2, ETH_ALEN)) TH_LOG("two taps, one MAC");
	close(fd2);
}

TEST_F(tun, default_txqueuelen_is_500)
{
	struct link_state st;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ((unsigned int)TUN_DEFAULT_QLEN, st.txqlen);
}

/* --- TUNSETIFF flags ------------------------------------------------------ */

TEST_F(tun, every_supported_flag_combination_is_accepted)
{
	static const unsigned short extra[] = {
		0, IFF_NO_PI, IFF_ONE_QUEUE, IFF_MULTI_QUEUE, IFF_TUN_EXCL,
		IFF_NAPI, IFF_NO_CARRIER, IFF_VNET_HDR,
		IFF_NO_PI | IFF_MULTI_QUEUE | IFF_NAPI | IFF_NO_CARRIER |
		IFF_ONE_QUEUE | IFF_TUN_EXCL | IFF_VNET_HDR,
	};
	static const unsigned short type[] = { IFF_TUN, IFF_TAP };
	size_t i, t;

	for (t = 0; t < 2; t++) {
		for (i = 0; i < ARRAY_SIZE(extra); i++) {
			char name[IFNAMSIZ] = "";
			int fd = tun_alloc(name, type[t] | extra[i]);

			EXPECT_LE(0, fd) {
				TH_LOG("flags 0x%04x: %s", type[t] | extra[i],
				       strerror(-fd));
			}
			if (fd >= 0)
				close(fd);
		}
	}
}

TEST_F(tun, every_other_flag_is_einval_and_creates_nothing)
{
	unsigned int bit;

	for (bit = 1; bit <= 0x8000; bit <<= 1) {
		char name[IFNAMSIZ] = "bad";

		if (bit & TUN_FEATURES_EXPECTED)
			continue;
		EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, name, IFF_TUN | bit)) {
			TH_LOG("flag 0x%04x was not refused", bit);
		}
		EXPECT_FALSE(link_exists("bad")) TH_LOG("flag 0x%04x", bit);
	}
	/* By name, the ones a tun client is most likely to try. */
	strcpy(self->name, "bad");
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name,
				       IFF_TAP | IFF_NAPI | IFF_NAPI_FRAGS));
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_PERSIST));
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_ATTACH_QUEUE));
	EXPECT_FALSE(link_exists("bad"));
}

TEST_F(tun, neither_or_both_types_is_einval)
{
	strcpy(self->name, "bad");
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, 0));
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, IFF_NO_PI));
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_TAP));
	EXPECT_FALSE(link_exists("bad"));
}

TEST_F(tun, setiff_on_an_attached_file_is_eexist)
{
	char other[IFNAMSIZ] = "other";

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	EXPECT_EQ(-EEXIST, tun_set_iff(self->fd, other, IFF_TUN));
	EXPECT_FALSE(link_exists("other"));
	/* Asking again for its own device is no different. */
	strcpy(other, self->name);
	EXPECT_EQ(-EEXIST, tun_set_iff(self->fd, other, IFF_TUN));
}

TEST_F(tun, tun_excl_is_ebusy_when_the_device_exists)
{
	char name[IFNAMSIZ];
	int fd2;

	strcpy(self->name, "ex0");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name,
				 IFF_TUN | IFF_TUN_EXCL | IFF_MULTI_QUEUE));
	/* Even a device that would take another queue. */
	strcpy(name, "ex0");
	fd2 = tun_alloc(name, IFF_TUN | IFF_TUN_EXCL | IFF_MULTI_QUEUE);
	EXPECT_EQ(-EBUSY, fd2);
	if (fd2 >= 0)
		close(fd2);
	/* Without it, the same request attaches. */
	fd2 = tun_alloc(name, IFF_TUN | IFF_MULTI_QUEUE);
	EXPECT_LE(0, fd2) TH_LOG("%s", strerror(-fd2));
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(tun, attach_to_a_tun_as_a_tap_is_einval)
{
	char name[IFNAMSIZ];
	int fd2;

	strcpy(self->name, "t0");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_MULTI_QUEUE));
	strcpy(name, "t0");
	fd2 = tun_alloc(name, IFF_TAP | IFF_MULTI_QUEUE);
	EXPECT_EQ(-EINVAL, fd2);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(tun, attach_to_a_tap_as_a_tun_is_einval)
{
	char name[IFNAMSIZ];
	int fd2;

	strcpy(self->name, "t1");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_MULTI_QUEUE));
	strcpy(name, "t1");
	fd2 = tun_alloc(name, IFF_TUN | IFF_MULTI_QUEUE);
	EXPECT_EQ(-EINVAL, fd2);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(tun, multi_queue_attach_to_a_single_queue_device_is_einval)
{
	char name[IFNAMSIZ];
	int fd2;

	strcpy(self->name, "sq0");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 1));
	close(self->fd);
	self->fd = -1;
	/* No queue left: only the setting can be the reason. */
	strcpy(name, "sq0");
	fd2 = tun_alloc(name, IFF_TAP | IFF_MULTI_QUEUE);
	EXPECT_EQ(-EINVAL, fd2);
	if (fd2 >= 0)
		close(fd2);

	EXPECT_EQ(0, link_del("sq0"));
}

TEST_F(tun, single_queue_attach_to_a_multi_queue_device_is_einval)
{
	char name[IFNAMSIZ];
	int fd2;

	strcpy(self->name, "mq0");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_MULTI_QUEUE));
	strcpy(name, "mq0");
	fd2 = tun_alloc(name, IFF_TAP);
	EXPECT_EQ(-EINVAL, fd2);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(tun, attach_by_the_name_of_a_non_tun_device_is_einval)
{
	strcpy(self->name, "lo");
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, IFF_TUN));
	strcpy(self->name, "lo");
	EXPECT_EQ(-EINVAL, tun_set_iff(self->fd, self->name, IFF_TAP));
}

TEST_F(tun, second_file_on_a_single_queue_device_is_ebusy)
{
	char name[IFNAMSIZ];
	int fd2;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_PI));
	strcpy(name, self->name);
	fd2 = tun_alloc(name, IFF_TAP | IFF_NO_PI);
	EXPECT_EQ(-EBUSY, fd2);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(tun, ninth_queue_is_e2big)
{
	int fds[TUN_MAX_QUEUES] = { self->fd };
	char name[IFNAMSIZ];
	int i, fd;

	strcpy(self->name, "mq0");
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_MULTI_QUEUE));
	for (i = 1; i < TUN_MAX_QUEUES; i++) {
		strcpy(name, "mq0");
		fds[i] = tun_alloc(name, IFF_TUN | IFF_MULTI_QUEUE);
		ASSERT_LE(0, fds[i]) TH_LOG("queue %d: %s", i, strerror(-fds[i]));
	}
	strcpy(name, "mq0");
	fd = tun_alloc(name, IFF_TUN | IFF_MULTI_QUEUE);
	EXPECT_EQ(-E2BIG, fd);
	if (fd >= 0)
		close(fd);

	/* A detached queue still belongs to the device: still 8. */
	ASSERT_EQ(0, tun_set_queue(fds[3], IFF_DETACH_QUEUE));
	fd = tun_alloc(name, IFF_TUN | IFF_MULTI_QUEUE);
	EXPECT_EQ(-E2BIG, fd);
	if (fd >= 0)
		close(fd);

	/* Closing one frees its place. */
	close(fds[3]);
	fd = tun_alloc(name, IFF_TUN | IFF_MULTI_QUEUE);
	EXPECT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	if (fd >= 0)
		close(fd);
	for (i = 1; i < TUN_MAX_QUEUES; i++)
		if (i != 3)
			close(fds[i]);
}

/* --- TUNGETIFF, TUNGETFEATURES -------------------------------------------- */

TEST_F(tun, getiff_reports_name_and_device_flags)
{
	static const struct {
		unsigned short set, get;
	} cases[] = {
		{ IFF_TUN, IFF_TUN },
		{ IFF_TAP, IFF_TAP },
		{ IFF_TUN | IFF_NO_PI, IFF_TUN | IFF_NO_PI },
		{ IFF_TAP | IFF_MULTI_QUEUE, IFF_TAP | IFF_MULTI_QUEUE },
		{ IFF_TAP | IFF_NAPI, IFF_TAP | IFF_NAPI },
		/* Not properties of the device: not reported. */
		{ IFF_TUN | IFF_ONE_QUEUE | IFF_TUN_EXCL | IFF_NO_CARRIER, IFF_TUN },
		{ IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_NAPI,
		  IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_NAPI },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char name[IFNAMSIZ] = "g%d", got[IFNAMSIZ];
		unsigned short flags = 0;
		int fd = tun_alloc(name, cases[i].set);

		ASSERT_LE(0, fd) TH_LOG("0x%04x: %s", cases[i].set, strerror(-fd));
		ASSERT_EQ(0, tun_get_iff(fd, got, &flags));
		EXPECT_STREQ(name, got);
		EXPECT_EQ(cases[i].get, flags) {
			TH_LOG("set 0x%04x: TUNGETIFF gave 0x%04x, expected 0x%04x",
			       cases[i].set, flags, cases[i].get);
		}
		close(fd);
	}
}

TEST_F(tun, getiff_reports_persist)
{
	unsigned short flags = 0;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_PI));
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 1));
	ASSERT_EQ(0, tun_get_iff(self->fd, NULL, &flags));
	EXPECT_EQ(IFF_TAP | IFF_NO_PI | IFF_PERSIST, flags);
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 0));
	ASSERT_EQ(0, tun_get_iff(self->fd, NULL, &flags));
	EXPECT_EQ(IFF_TAP | IFF_NO_PI, flags);
}

TEST_F(tun, getfeatures_lists_exactly_what_is_implemented)
{
	unsigned int features = 0;

	/* Before attaching... */
	ASSERT_EQ(0, ioctl(self->fd, TUNGETFEATURES, &features));
	EXPECT_EQ((unsigned int)TUN_FEATURES_EXPECTED, features) {
		TH_LOG("got 0x%04x, expected 0x%04x", features, TUN_FEATURES_EXPECTED);
	}
	/* ...and after. */
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	features = 0;
	ASSERT_EQ(0, ioctl(self->fd, TUNGETFEATURES, &features));
	EXPECT_EQ((unsigned int)TUN_FEATURES_EXPECTED, features);
}

/* --- lifetime: close, persist --------------------------------------------- */

TEST_F(tun, closing_the_only_file_deletes_the_device)
{
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	ASSERT_TRUE(link_exists(self->name));
	close(self->fd);
	self->fd = -1;
	EXPECT_FALSE(link_exists(self->name));
}

TEST_F(tun, persistent_device_outlives_its_file_without_carrier)
{
	struct link_state st;
	unsigned short flags = 0;
	char name[IFNAMSIZ];
	int fd2;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_NO_PI));
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 1));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, link_get(self->name, &st)) TH_LOG("persistent device gone");
	EXPECT_EQ(0, st.carrier);

	/* A new file attaches to it (no EBUSY: no queue is left), and the
	 * carrier comes back.
	 */
	strcpy(name, self->name);
	fd2 = tun_alloc(name, IFF_TUN | IFF_NO_PI);
	ASSERT_LE(0, fd2) TH_LOG("%s", strerror(-fd2));
	EXPECT_STREQ(self->name, name);
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(1, st.carrier);
	ASSERT_EQ(0, tun_get_iff(fd2, NULL, &flags));
	EXPECT_TRUE(!!(flags & IFF_PERSIST));

	/* No longer persistent: closing deletes it. */
	ASSERT_EQ(0, tun_ioctl_val(fd2, TUNSETPERSIST, 0));
	close(fd2);
	EXPECT_FALSE(link_exists(self->name));
}

TEST_F(tun, persistent_device_is_deleted_by_ip_link_del)
{
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 1));
	close(self->fd);
	self->fd = -1;
	ASSERT_TRUE(link_exists(self->name));
	EXPECT_EQ(0, link_del(self->name));
	EXPECT_FALSE(link_exists(self->name));
}

TEST_F(tun, attached_device_is_deleted_by_ip_link_del)
{
	char buf[64];

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	EXPECT_EQ(0, link_del(self->name));
	EXPECT_FALSE(link_exists(self->name));
	/* The file stays open, attached to nothing. */
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, ioctl(self->fd, TUNGETIFF, buf));
	EXPECT_EQ(EBADFD, errno);
}

/* --- owner, group --------------------------------------------------------- */

TEST_F(tun, setowner_and_setgroup_take_ids_but_not_minus_one)
{
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETOWNER, NOBODY));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETGROUP, NOBODY));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETOWNER, 0));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETGROUP, 0));
	EXPECT_EQ(-EINVAL, tun_ioctl_val(self->fd, TUNSETOWNER, (uid_t)-1));
	EXPECT_EQ(-EINVAL, tun_ioctl_val(self->fd, TUNSETGROUP, (gid_t)-1));
}

/* --- carrier -------------------------------------------------------------- */

TEST_F(tun, carrier_is_on_once_attached)
{
	struct link_state st;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(1, st.carrier);
}

TEST_F(tun, no_carrier_flag_creates_without_carrier)
{
	struct link_state st;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_CARRIER));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(0, st.carrier);
	ASSERT_EQ(0, tun_set_carrier(self->fd, 1));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(1, st.carrier);
}

TEST_F(tun, setcarrier_turns_carrier_off_and_on)
{
	struct link_state st;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	ASSERT_EQ(0, tun_set_carrier(self->fd, 0));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(0, st.carrier);
	ASSERT_EQ(0, tun_set_carrier(self->fd, 1));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(1, st.carrier);
	/* Any non-zero value means on. */
	ASSERT_EQ(0, tun_set_carrier(self->fd, 0));
	ASSERT_EQ(0, tun_set_carrier(self->fd, 7));
	ASSERT_EQ(0, link_get(self->name, &st));
	EXPECT_EQ(1, st.carrier);
}

/* --- offloads, queues, the rest ------------------------------------------- */

/* Segmentation without checksum offload, or unknown bits, are refused as
 * tun refuses them; tun_vnet.c checks every combination.
 */
TEST_F(tun, setoffload_refuses_what_tun_refuses)
{
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_PI));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD, 0));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4));
	EXPECT_EQ(-EINVAL, tun_ioctl_val(self->fd, TUNSETOFFLOAD, TUN_F_TSO4 | TUN_F_TSO6));
	EXPECT_EQ(-EINVAL, tun_ioctl_val(self->fd, TUNSETOFFLOAD, TUN_F_UFO));
	EXPECT_EQ(-EINVAL, tun_ioctl_val(self->fd, TUNSETOFFLOAD, TUN_F_CSUM | 0x8000));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD, 0));
}

/* --- SIOCGIFHWADDR, SIOCSIFHWADDR on the file ------------------------------ */

TEST_F(tun, getifhwaddr_on_a_tap_gives_its_address)
{
	unsigned char mac[ETH_ALEN];
	struct ifreq ifr;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_PI));
	ASSERT_EQ(0, if_get_hwaddr(self->name, mac, NULL));

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "whatever");
	ASSERT_EQ(0, ioctl(self->fd, SIOCGIFHWADDR, &ifr));
	EXPECT_EQ(ARPHRD_ETHER, ifr.ifr_hwaddr.sa_family);
	EXPECT_EQ(0, memcmp(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN));
}

TEST_F(tun, setifhwaddr_on_a_tap_changes_its_address)
{
	static const unsigned char want[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	unsigned char mac[ETH_ALEN];
	struct ifreq ifr;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_PI));

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, want, ETH_ALEN);
	ASSERT_EQ(0, ioctl(self->fd, SIOCSIFHWADDR, &ifr));
	ASSERT_EQ(0, if_get_hwaddr(self->name, mac, NULL));
	EXPECT_EQ(0, memcmp(want, mac, ETH_ALEN));

	/* A multicast address is refused and changes nothing. */
	ifr.ifr_hwaddr.sa_data[0] = 0x01;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCSIFHWADDR, &ifr));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	ASSERT_EQ(0, if_get_hwaddr(self->name, mac, NULL));
	EXPECT_EQ(0, memcmp(want, mac, ETH_ALEN));
}

TEST_F(tun, ifhwaddr_on_an_unattached_file_is_ebadfd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	EXPECT_EQ(-1, ioctl(self->fd, SIOCGIFHWADDR, &ifr));
	EXPECT_EQ(EBADFD, errno);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	ifr.ifr_hwaddr.sa_data[0] = 0x02;
	EXPECT_EQ(-1, ioctl(self->fd, SIOCSIFHWADDR, &ifr));
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(tun, getifhwaddr_on_a_tun_has_no_link_address)
{
	struct ifreq ifr;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TUN | IFF_NO_PI));
	memset(&ifr, 0xff, sizeof(ifr));
	ASSERT_EQ(0, ioctl(self->fd, SIOCGIFHWADDR, &ifr));
	EXPECT_EQ(ARPHRD_NONE, ifr.ifr_hwaddr.sa_family);
}

TEST_F(tun, setqueue_is_einval_on_single_queue_or_unattached_files)
{
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, IFF_DETACH_QUEUE));
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, IFF_ATTACH_QUEUE));
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP));
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, IFF_DETACH_QUEUE));
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, IFF_ATTACH_QUEUE));
}

TEST_F(tun, setqueue_refuses_what_does_not_change_anything)
{
	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_MULTI_QUEUE));
	/* Neither flag; attaching an attached queue; detaching twice. */
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, 0));
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, IFF_ATTACH_QUEUE));
	EXPECT_EQ(0, tun_set_queue(self->fd, IFF_DETACH_QUEUE));
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd, IFF_DETACH_QUEUE));
	EXPECT_EQ(0, tun_set_queue(self->fd, IFF_ATTACH_QUEUE));
}

TEST_F(tun, settxfilter_and_unimplemented_ioctls_are_einval)
{
	static const struct {
		unsigned long cmd;
		const char *name;
	} cmds[] = {
		{ TUNSETTXFILTER, "TUNSETTXFILTER" },
		{ TUNSETSNDBUF, "TUNSETSNDBUF" },
		{ TUNGETSNDBUF, "TUNGETSNDBUF" },
		{ TUNSETLINK, "TUNSETLINK" },
		{ TUNSETIFINDEX, "TUNSETIFINDEX" },
		{ TUNSETNOCSUM, "TUNSETNOCSUM" },
		{ TUNSETDEBUG, "TUNSETDEBUG" },
		{ TUNGETVNETBE, "TUNGETVNETBE" },
		{ TUNSETSTEERINGEBPF, "TUNSETSTEERINGEBPF" },
		{ _IOW('T', 0xf0, int), "_IOW('T', 0xf0, int)" },
	};
	int arg[64];
	size_t i;

	ASSERT_EQ(0, tun_set_iff(self->fd, self->name, IFF_TAP | IFF_NO_PI));
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(arg, 0, sizeof(arg));
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i].cmd, arg)) {
			TH_LOG("%s succeeded", cmds[i].name);
		}
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("%s: %s", cmds[i].name, strerror(errno));
		}
	}
	/* TUNSETTXFILTER on an unattached file too. */
	{
		int fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);

		ASSERT_LE(0, fd);
		memset(arg, 0, sizeof(arg));
		EXPECT_EQ(-1, ioctl(fd, TUNSETTXFILTER, arg));
		EXPECT_EQ(EINVAL, errno);
		close(fd);
	}
}

/* As a 32-bit program too (tun_ioctl32): a __u32 through a pointer. */
TEST_F(tun, vnl_batch_ioctls_answer_on_any_file)
{
	uint32_t f = 0, mode = VNL_BATCH_READ | 4;

	ASSERT_EQ(0, ioctl(self->fd, VNL_IOC_GET_FEATURES, &f));
	EXPECT_EQ(VNL_FEATURE_BATCH, f);
	ASSERT_EQ(0, ioctl(self->fd, VNL_IOC_GET_BATCH, &mode));
	EXPECT_EQ(0U, mode);
	mode = VNL_BATCH_READ | VNL_BATCH_WRITE;
	ASSERT_EQ(0, ioctl(self->fd, VNL_IOC_SET_BATCH, &mode));
	mode = VNL_BATCH_WRITE | 4;
	EXPECT_EQ(-1, ioctl(self->fd, VNL_IOC_SET_BATCH, &mode));
	EXPECT_EQ(EINVAL, errno);
	mode = 0;
	ASSERT_EQ(0, ioctl(self->fd, VNL_IOC_GET_BATCH, &mode));
	EXPECT_EQ(VNL_BATCH_READ | VNL_BATCH_WRITE, mode);
	EXPECT_EQ(-1, ioctl(self->fd, VNL_IOC_GET_BATCH, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(tun, unattached_file_polls_as_an_error)
{
	EXPECT_EQ(POLLERR, tun_poll(self->fd, POLLIN | POLLOUT, 0));
}

TEST_F(tun, device_ioctls_on_an_unattached_file_are_ebadfd)
{
	struct ifreq ifr;
	int on = 1;

	memset(&ifr, 0, sizeof(ifr));
	EXPECT_EQ(-1, ioctl(self->fd, TUNGETIFF, &ifr));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-EBADFD, tun_ioctl_val(self->fd, TUNSETPERSIST, 1));
	EXPECT_EQ(-EBADFD, tun_ioctl_val(self->fd, TUNSETOWNER, NOBODY));
	EXPECT_EQ(-EBADFD, tun_ioctl_val(self->fd, TUNSETGROUP, NOBODY));
	EXPECT_EQ(-1, ioctl(self->fd, TUNSETCARRIER, &on));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-EBADFD, tun_ioctl_val(self->fd, TUNSETOFFLOAD, 0));
}

TEST_HARNESS_MAIN
