// SPDX-License-Identifier: GPL-2.0
/*
 * tun/tap devices and network namespaces:
 *
 *   - TUNSETIFF creates the device in the netns of whoever opened
 *     /dev/vnl, wherever the ioctl is issued from;
 *   - "ip link set X netns Y" moves a device, and its file keeps reading
 *     what the stack of Y sends and writing into the stack of Y;
 *   - when a netns goes away, its tun devices are deleted (persistent or
 *     not; never handed back to the initial netns), and a reader blocked
 *     on one of them wakes with EBADFD.
 *
 * Each test starts in a network namespace of its own ("A"), and makes
 * others as it needs them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define LOCAL	"10.3.0.1"
#define PEER	"10.3.0.2"
/* Tearing a netns down is work for a kernel thread, and slow on the debug
 * kernel: the bound of the waits that depend on it.
 */
#define NETNS_GONE_MS	60000

static int netns_fd(void)
{
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

/* A new netns "beside" the current one, which stays current: its fd, the
 * only thing that keeps it alive.
 */
static int netns_new(void)
{
	int here = netns_fd(), there = -1;

	if (here < 0)
		return -errno;
	if (!unshare(CLONE_NEWNET)) {
		there = netns_fd();
		if (setns(here, CLONE_NEWNET))
			there = -1;
	}
	close(here);
	return there;
}

FIXTURE(ns)
{
	int a;		/* this test's own netns */
	char name[IFNAMSIZ];
};

FIXTURE_SETUP(ns)
{
	int err = tun_enter_new_netns();

	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->a = netns_fd();
	ASSERT_LE(0, self->a);
	strcpy(self->name, "nstun");
}

FIXTURE_TEARDOWN(ns)
{
	close(self->a);
}

TEST_F(ns, device_is_created_in_the_netns_of_the_opener)
{
	int fd;

	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* TUNSETIFF from another netns... */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, tun_set_iff(fd, self->name, IFF_TUN));
	EXPECT_FALSE(link_exists(self->name));
	/* ...creates in the opener's. */
	ASSERT_EQ(0, setns(self->a, CLONE_NEWNET));
	EXPECT_TRUE(link_exists(self->name));
	close(fd);
	EXPECT_FALSE(link_exists(self->name));
}

TEST_F(ns, same_name_in_two_netns_is_two_devices)
{
	char n2[IFNAMSIZ];
	int fd1, fd2;

	fd1 = tun_alloc(self->name, IFF_TAP);
	ASSERT_LE(0, fd1);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	strcpy(n2, self->name);
	/* Not EBUSY: this netns has no such device yet. */
	fd2 = tun_alloc(n2, IFF_TAP);
	ASSERT_LE(0, fd2) TH_LOG("%s", strerror(-fd2));
	EXPECT_STREQ(self->name, n2);
	close(fd2);
	close(fd1);
}

TEST_F(ns, moved_device_keeps_working_in_its_new_netns)
{
	uint8_t buf[2048], pkt[128];
	int fd, b, s, s2;
	size_t len;
	ssize_t n;

	fd = tun_alloc(self->name, IFF_TUN | IFF_NO_PI);
	ASSERT_LE(0, fd);
	b = netns_new();
	ASSERT_LE(0, b);
	ASSERT_EQ(0, link_set_netns(self->name, b));
	EXPECT_FALSE(link_exists(self->name));

	ASSERT_EQ(0, setns(b, CLONE_NEWNET));
	ASSERT_TRUE(link_exists(self->name));
	ASSERT_EQ(0, if_set_flag("lo", IFF_UP, true));
	ASSERT_EQ(0, if_addr4_peer(self->name, LOCAL, PEER));
	ASSERT_EQ(0, if_up(self->name));

	/* From the stack of B to read()... */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "moved", 5));
	for (;;) {
		n = read_wait(fd, buf, sizeof(buf), TUN_WAIT_MS);
		ASSERT_LT(0, n) TH_LOG("read: %s", strerror(-n));
		/* IPv6 is on in B: skip what it says. */
		if ((buf[0] >> 4) == 4)
			break;
	}
	ASSERT_EQ(IP4_HLEN + UDP_HLEN + 5, n);
	EXPECT_EQ(0, memcmp(buf + IP4_HLEN + UDP_HLEN, "moved", 5));

	/* ...and from write() to a socket of B. */
	s2 = udp_bind(LOCAL, 9001);
	ASSERT_LE(0, s2);
	len = build_udp4(pkt, PEER, LOCAL, 5000, 9001, "back", 4);
	EXPECT_EQ((ssize_t)len, write(fd, pkt, len));
	EXPECT_EQ(4, recv_wait(s2, buf, sizeof(buf), TUN_WAIT_MS));

	/* Closing the last file deletes it there. */
	close(fd);
	EXPECT_FALSE(link_exists(self->name));
	close(s);
	close(s2);
	close(b);
}

TEST_F(ns, netns_teardown_wakes_a_blocked_reader_with_ebadfd)
{
	int fd, b, status;
	pid_t pid;

	fd = tun_alloc(self->name, IFF_TUN | IFF_NO_PI);
	ASSERT_LE(0, fd);
	b = netns_new();
	ASSERT_LE(0, b);
	ASSERT_EQ(0, link_set_netns(self->name, b));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t buf[64];

		close(b);
		alarm(NETNS_GONE_MS / 1000);
		_exit(read(fd, buf, sizeof(buf)) < 0 ? errno : 0);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_read)) TH_LOG("the reader never slept in read()");
	/* The last reference to B: it goes, and its devices with it. */
	close(b);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("reader not woken (killed by signal %d)",
					      WTERMSIG(status));
	EXPECT_EQ(EBADFD, WEXITSTATUS(status));
	EXPECT_EQ(POLLERR | POLLHUP, tun_poll(fd, POLLIN, 0));
	EXPECT_FALSE(link_exists(self->name));
	close(fd);
}

TEST_F(ns, persistent_device_goes_with_its_netns)
{
	char witness[IFNAMSIZ] = "witness";
	int fd, wfd, b, init, ev;

	/* Two devices moved to B: a persistent one with no file left, and a
	 * witness whose file stays open here, so that we see when B's
	 * devices are gone.
	 */
	snprintf(self->name, sizeof(self->name), "pt%d", getpid() % 100000);
	fd = tun_alloc(self->name, IFF_TAP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tun_ioctl_val(fd, TUNSETPERSIST, 1));
	close(fd);
	wfd = tun_alloc(witness, IFF_TAP);
	ASSERT_LE(0, wfd);
	b = netns_new();
	ASSERT_LE(0, b);
	ASSERT_EQ(0, link_set_netns(self->name, b));
	ASSERT_EQ(0, link_set_netns(witness, b));

	close(b);
	ev = tun_poll(wfd, POLLIN, NETNS_GONE_MS);
	ASSERT_EQ(POLLERR | POLLHUP, ev) TH_LOG("the witness was not deleted");

	/* Both went in the same teardown: the persistent one is nowhere,
	 * not here, not in the initial netns.
	 */
	EXPECT_FALSE(link_exists(self->name));
	init = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, init);
	ASSERT_EQ(0, setns(init, CLONE_NEWNET));
	EXPECT_FALSE(link_exists(self->name)) TH_LOG("%s moved to the initial netns",
						     self->name);
	close(init);
	close(wfd);
}

TEST_F(ns, file_keeps_the_netns_of_its_opener_alive)
{
	int fd, b, err;

	/* Open in B, then leave B and drop every handle on it but the
	 * file: TUNSETIFF still creates the device there, not here.  Once
	 * the file is closed B goes, and its persistent device with it.
	 */
	b = netns_new();
	ASSERT_LE(0, b);
	ASSERT_EQ(0, setns(b, CLONE_NEWNET));
	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setns(self->a, CLONE_NEWNET));
	close(b);
	err = tun_set_iff(fd, self->name, IFF_TUN);
	EXPECT_EQ(0, err) TH_LOG("%s", strerror(-err));
	EXPECT_FALSE(link_exists(self->name));
	EXPECT_EQ(0, tun_ioctl_val(fd, TUNSETPERSIST, 1));
	close(fd);
}

TEST_HARNESS_MAIN
