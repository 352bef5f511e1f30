// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-queue tun devices: several /dev/vnl files attached to one device,
 * each a queue.  The stack spreads flows over the attached queues by flow
 * hash (one flow always on one queue); TUNSETQUEUE takes a queue out
 * (IFF_DETACH_QUEUE: no more packets, read/write EBADFD) and back in
 * (IFF_ATTACH_QUEUE); and detach, reattach, delete and close may come in
 * any order.  Every test runs with and without IFF_NAPI (written packets
 * then reach the stack through a NAPI context and GRO).
 *
 * Each test runs in a network namespace of its own (see tun_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define DEV		"mq0"
#define LOCAL		"10.2.0.1"
#define PEER		"10.2.0.2"
#define NQ		4
/* Flows sent to see them spread: with 4 queues (or 3), the chance that
 * all of them hash to one queue is below 1e-14.
 */
#define FLOWS		32
#define PER_FLOW	3

FIXTURE(mq)
{
	int fd[NQ];
};

FIXTURE_VARIANT(mq)
{
	bool napi;
};

FIXTURE_VARIANT_ADD(mq, plain)
{
	.napi = false,
};

FIXTURE_VARIANT_ADD(mq, napi)
{
	.napi = true,
};

static unsigned short mq_flags(const FIXTURE_VARIANT(mq) *variant)
{
	return IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | (variant->napi ? IFF_NAPI : 0);
}

FIXTURE_SETUP(mq)
{
	int i, err;

	for (i = 0; i < NQ; i++)
		self->fd[i] = -1;
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	for (i = 0; i < NQ; i++) {
		char name[IFNAMSIZ] = DEV;

		self->fd[i] = tun_alloc(name, mq_flags(variant));
		ASSERT_LE(0, self->fd[i]) TH_LOG("queue %d: %s", i, strerror(-self->fd[i]));
		ASSERT_EQ(0, tun_set_nonblock(self->fd[i]));
	}
	ASSERT_EQ(0, if_addr4_peer(DEV, LOCAL, PEER));
	ASSERT_EQ(0, if_up(DEV));
}

FIXTURE_TEARDOWN(mq)
{
	int i;

	for (i = 0; i < NQ; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
}

static void mq_close(FIXTURE_DATA(mq) *self, int q)
{
	close(self->fd[q]);
	self->fd[q] = -1;
}

/* Send PER_FLOW datagrams on each of FLOWS sockets (one flow each: its
 * own source port); 0 or -errno.
 */
static int send_flows(void)
{
	int s[FLOWS], i, j, err = 0;

	for (i = 0; i < FLOWS; i++)
		s[i] = -1;
	for (i = 0; i < FLOWS && !err; i++) {
		s[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (s[i] < 0)
			err = -errno;
		for (j = 0; j < PER_FLOW && !err; j++)
			err = udp_send4(s[i], PEER, 9000, &j, sizeof(j));
	}
	for (i = 0; i < FLOWS; i++)
		if (s[i] >= 0)
			close(s[i]);
	return err;
}

/* Read every queue dry.  @count[q]: packets read on queue q; @queue_of:
 * for each source port seen, the queue it was seen on, or -2 if seen on
 * more than one.  Returns the total.
 */
static int drain(FIXTURE_DATA(mq) *self, int count[NQ], int *queue_of, int nports)
{
	uint8_t buf[2048];
	int q, total = 0;
	ssize_t n;

	for (q = 0; q < NQ; q++) {
		count[q] = 0;
		if (self->fd[q] < 0)
			continue;
		while ((n = read(self->fd[q], buf, sizeof(buf))) > 0) {
			uint16_t sport = get16(buf + IP4_HLEN);

			count[q]++;
			total++;
			if (queue_of && sport < nports) {
				if (queue_of[sport] == -1)
					queue_of[sport] = q;
				else if (queue_of[sport] != q)
					queue_of[sport] = -2;
			}
		}
	}
	return total;
}

static int queues_used(const int count[NQ])
{
	int q, used = 0;

	for (q = 0; q < NQ; q++)
		used += count[q] > 0;
	return used;
}

TEST_F(mq, flows_spread_over_queues_and_each_stays_on_one)
{
	static int queue_of[65536];
	int count[NQ], p, used;

	memset(queue_of, 0xff, sizeof(queue_of));
	ASSERT_EQ(0, send_flows());
	EXPECT_EQ(FLOWS * PER_FLOW, drain(self, count, queue_of, 65536));
	used = queues_used(count);
	EXPECT_LT(1, used) {
		TH_LOG("all %d flows on one queue: %d %d %d %d", FLOWS,
		       count[0], count[1], count[2], count[3]);
	}
	for (p = 0; p < 65536; p++)
		EXPECT_NE(-2, queue_of[p]) TH_LOG("flow from port %d on two queues", p);
}

TEST_F(mq, written_packets_reach_the_stack_from_every_queue)
{
	uint8_t pkt[128];
	char got[16];
	size_t len;
	int q, s;

	s = udp_bind(LOCAL, 9001);
	ASSERT_LE(0, s);
	for (q = 0; q < NQ; q++) {
		char msg = '0' + q;

		len = build_udp4(pkt, PEER, LOCAL, 5000 + q, 9001, &msg, 1);
		EXPECT_EQ((ssize_t)len, write(self->fd[q], pkt, len)) {
			TH_LOG("queue %d: %s", q, strerror(errno));
		}
	}
	for (q = 0; q < NQ; q++)
		EXPECT_EQ(1, recv_wait(s, got, sizeof(got), TUN_WAIT_MS)) {
			TH_LOG("datagram %d of %d not received", q + 1, NQ);
		}
	close(s);
}

TEST_F(mq, detached_queue_gets_nothing_and_answers_ebadfd)
{
	struct ifreq ifr;
	uint8_t buf[128];
	int count[NQ];

	ASSERT_EQ(0, tun_set_queue(self->fd[1], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, send_flows());
	EXPECT_EQ(FLOWS * PER_FLOW, drain(self, count, NULL, 0));
	EXPECT_EQ(0, count[1]);

	EXPECT_EQ(-1, read(self->fd[1], buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	build_udp4(buf, PEER, LOCAL, 1, 2, "", 0);
	EXPECT_EQ(-1, write(self->fd[1], buf, IP4_HLEN + UDP_HLEN));
	EXPECT_EQ(EBADFD, errno);
	/* An error, but not a hang-up: the device is still there. */
	EXPECT_EQ(POLLERR, tun_poll(self->fd[1], POLLIN | POLLOUT, 0));
	memset(&ifr, 0, sizeof(ifr));
	EXPECT_EQ(-1, ioctl(self->fd[1], TUNGETIFF, &ifr));
	EXPECT_EQ(EBADFD, errno);
	/* A detached file still belongs to its device. */
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "other");
	ifr.ifr_flags = IFF_TUN;
	EXPECT_EQ(-1, ioctl(self->fd[1], TUNSETIFF, &ifr));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mq, reattached_queue_reads_and_writes_again)
{
	static int queue_of[65536];
	uint8_t pkt[128];
	int count[NQ];
	size_t len;
	int s;

	ASSERT_EQ(0, tun_set_queue(self->fd[2], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, tun_set_queue(self->fd[2], IFF_ATTACH_QUEUE));
	EXPECT_EQ(POLLOUT, tun_poll(self->fd[2], POLLIN | POLLOUT, 0));

	memset(queue_of, 0xff, sizeof(queue_of));
	ASSERT_EQ(0, send_flows());
	EXPECT_EQ(FLOWS * PER_FLOW, drain(self, count, queue_of, 65536));
	EXPECT_LT(1, queues_used(count));

	s = udp_bind(LOCAL, 9001);
	ASSERT_LE(0, s);
	len = build_udp4(pkt, PEER, LOCAL, 5000, 9001, "r", 1);
	EXPECT_EQ((ssize_t)len, write(self->fd[2], pkt, len));
	EXPECT_EQ(1, recv_wait(s, pkt, sizeof(pkt), TUN_WAIT_MS));
	close(s);
}

TEST_F(mq, detach_wakes_a_blocked_reader_with_ebadfd)
{
	int status;
	pid_t pid;

	/* Blocking reads on this queue (the flag belongs to the file, which
	 * the child shares).
	 */
	ASSERT_EQ(0, fcntl(self->fd[0], F_SETFL, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t buf[64];

		alarm(TUN_WAIT_MS / 1000);
		_exit(read(self->fd[0], buf, sizeof(buf)) < 0 ? errno : 0);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_read)) TH_LOG("the reader never slept in read()");
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EBADFD, WEXITSTATUS(status));
}

TEST_F(mq, carrier_follows_the_attached_queues)
{
	struct link_state st;
	int q;

	for (q = 0; q < NQ; q++)
		ASSERT_EQ(0, tun_set_queue(self->fd[q], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(0, st.carrier);
	ASSERT_EQ(0, tun_set_queue(self->fd[3], IFF_ATTACH_QUEUE));
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(1, st.carrier);
}

TEST_F(mq, carrier_turned_off_stays_off_when_another_queue_leaves)
{
	struct link_state st;

	ASSERT_EQ(0, tun_set_carrier(self->fd[0], 0));
	ASSERT_EQ(0, link_get(DEV, &st));
	ASSERT_EQ(0, st.carrier);
	/* Queues 0, 1 and 2 are still attached; nobody asked for carrier. */
	ASSERT_EQ(0, tun_set_queue(self->fd[3], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(0, st.carrier) TH_LOG("detaching queue 3 turned the carrier back on");
	mq_close(self, 2);
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(0, st.carrier) TH_LOG("closing queue 2 turned the carrier back on");
	/* Down to the last queue: still nobody asked. */
	mq_close(self, 1);
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(0, st.carrier) TH_LOG("closing queue 1 (queue 0 left) turned the carrier back on");
}

TEST_F(mq, frames_left_on_a_detached_queue_are_dropped_and_counted)
{
	struct link_state before, after;
	uint8_t buf[2048];
	int count[NQ], kept;

	ASSERT_EQ(0, send_flows());
	ASSERT_EQ(0, link_get(DEV, &before));
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_ATTACH_QUEUE));
	ASSERT_EQ(0, link_get(DEV, &after));

	/* Queue 0 comes back empty... */
	EXPECT_EQ(-1, read(self->fd[0], buf, sizeof(buf))) TH_LOG("a frame survived the detach");
	EXPECT_EQ(EAGAIN, errno);
	/* ...and what it held was counted as dropped: with what the other
	 * queues still hold, every frame sent is accounted for.
	 */
	kept = drain(self, count, NULL, 0);
	EXPECT_EQ(FLOWS * PER_FLOW,
		  kept + (int)(after.stats.tx_dropped - before.stats.tx_dropped));
}

TEST_F(mq, all_detached_nothing_is_queued_for_later)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int q, count[NQ];

	ASSERT_LE(0, s);
	for (q = 0; q < NQ; q++)
		ASSERT_EQ(0, tun_set_queue(self->fd[q], IFF_DETACH_QUEUE));
	/* Dropped, by the device (tx_dropped) or, once the carrier loss
	 * has gone through linkwatch, by the core in front of it.
	 */
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "x", 1));
	for (q = 0; q < NQ; q++)
		ASSERT_EQ(0, tun_set_queue(self->fd[q], IFF_ATTACH_QUEUE));
	EXPECT_EQ(0, drain(self, count, NULL, 0));
	close(s);
}

/* --- every order of detach, reattach, delete and close ------------------- */

/* After the device is deleted, what each of its files says. */
static void expect_orphaned(struct __test_metadata *_metadata, int fd)
{
	uint8_t buf[64];

	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(POLLERR | POLLHUP, tun_poll(fd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(-EINVAL, tun_set_queue(fd, IFF_DETACH_QUEUE));
	EXPECT_EQ(-EINVAL, tun_set_queue(fd, IFF_ATTACH_QUEUE));
}

TEST_F(mq, delete_detach_close)
{
	int q;

	ASSERT_EQ(0, link_del(DEV));
	EXPECT_FALSE(link_exists(DEV));
	EXPECT_EQ(-EINVAL, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	for (q = 0; q < NQ; q++)
		expect_orphaned(_metadata, self->fd[q]);
}

TEST_F(mq, detach_delete_close)
{
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_FALSE(link_exists(DEV));
	expect_orphaned(_metadata, self->fd[0]);
	expect_orphaned(_metadata, self->fd[1]);
}

TEST_F(mq, detach_close_delete)
{
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	mq_close(self, 0);
	EXPECT_TRUE(link_exists(DEV));
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_FALSE(link_exists(DEV));
}

TEST_F(mq, reattach_delete_close)
{
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_ATTACH_QUEUE));
	ASSERT_EQ(0, link_del(DEV));
	expect_orphaned(_metadata, self->fd[0]);
}

TEST_F(mq, reattach_close_delete)
{
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_ATTACH_QUEUE));
	mq_close(self, 0);
	EXPECT_TRUE(link_exists(DEV));
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_FALSE(link_exists(DEV));
}

TEST_F(mq, closing_every_file_deletes_the_device)
{
	int q;

	for (q = 0; q < NQ; q++) {
		EXPECT_TRUE(link_exists(DEV)) TH_LOG("gone before file %d closed", q);
		mq_close(self, q);
	}
	EXPECT_FALSE(link_exists(DEV));
}

TEST_F(mq, detached_file_keeps_the_device_until_it_is_closed)
{
	struct link_state st;
	int q;

	ASSERT_EQ(0, tun_set_queue(self->fd[0], IFF_DETACH_QUEUE));
	for (q = 1; q < NQ; q++)
		mq_close(self, q);
	ASSERT_EQ(0, link_get(DEV, &st)) TH_LOG("deleted with a detached file left");
	EXPECT_EQ(0, st.carrier);
	mq_close(self, 0);
	EXPECT_FALSE(link_exists(DEV));
}

TEST_F(mq, last_detached_file_closed_after_the_attached_ones)
{
	int q;

	for (q = 0; q < NQ; q++)
		ASSERT_EQ(0, tun_set_queue(self->fd[q], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, tun_set_queue(self->fd[2], IFF_ATTACH_QUEUE));
	mq_close(self, 2);
	mq_close(self, 0);
	EXPECT_TRUE(link_exists(DEV));
	mq_close(self, 3);
	mq_close(self, 1);
	EXPECT_FALSE(link_exists(DEV));
}

TEST_F(mq, delete_with_packets_queued_everywhere)
{
	struct link_state before;
	uint8_t pkt[128];
	size_t len;
	int q;

	ASSERT_EQ(0, link_get(DEV, &before));
	ASSERT_EQ(0, send_flows());
	/* Written packets too, in flight towards the stack. */
	len = build_udp4(pkt, PEER, LOCAL, 5000, 9009, "w", 1);
	for (q = 0; q < NQ; q++)
		EXPECT_EQ((ssize_t)len, write(self->fd[q], pkt, len));
	ASSERT_EQ(0, tun_set_queue(self->fd[1], IFF_DETACH_QUEUE));
	ASSERT_EQ(0, link_del(DEV));
	for (q = 0; q < NQ; q++)
		expect_orphaned(_metadata, self->fd[q]);
}

TEST_F(mq, persistent_device_survives_every_order_of_close)
{
	struct link_state st;
	char name[IFNAMSIZ] = DEV;
	int fd;

	ASSERT_EQ(0, tun_ioctl_val(self->fd[0], TUNSETPERSIST, 1));
	ASSERT_EQ(0, tun_set_queue(self->fd[1], IFF_DETACH_QUEUE));
	mq_close(self, 1);
	mq_close(self, 3);
	mq_close(self, 0);
	mq_close(self, 2);
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(0, st.carrier);

	/* Queues come back to it. */
	fd = tun_alloc(name, mq_flags(variant));
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	ASSERT_EQ(0, link_get(DEV, &st));
	EXPECT_EQ(1, st.carrier);
	close(fd);
	EXPECT_EQ(0, link_del(DEV));
}

/* --- under traffic ---------------------------------------------------------- */

/* A child that sends flows to the device until it is killed, or its
 * parent (the test) ends whichever way.
 */
static pid_t start_sender(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(300);
		for (;;)
			send_flows();
	}
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_F(mq, detach_and_reattach_while_the_stack_sends)
{
	int count[NQ], i, q;
	pid_t sender;

	sender = start_sender();
	ASSERT_LE(0, sender);
	for (i = 0; i < 50; i++) {
		for (q = 1; q < NQ; q++)
			EXPECT_EQ(0, tun_set_queue(self->fd[q], IFF_DETACH_QUEUE));
		drain(self, count, NULL, 0);
		for (q = 1; q < NQ; q++)
			EXPECT_EQ(0, tun_set_queue(self->fd[q], IFF_ATTACH_QUEUE));
		drain(self, count, NULL, 0);
	}
	ASSERT_EQ(0, link_del(DEV));
	stop(sender);
	for (q = 0; q < NQ; q++)
		expect_orphaned(_metadata, self->fd[q]);
}

TEST_F(mq, writers_and_readers_see_the_device_deleted_under_them)
{
	pid_t sender, writer[NQ];
	int q, status, ready[2];
	char c;

	ASSERT_EQ(0, pipe(ready));
	sender = start_sender();
	ASSERT_LE(0, sender);
	for (q = 0; q < NQ; q++) {
		writer[q] = fork();
		ASSERT_LE(0, writer[q]);
		if (writer[q] == 0) {
			uint8_t pkt[128], buf[2048];
			size_t len = build_udp4(pkt, PEER, LOCAL, 5000 + q, 9009, "w", 1);

			/* Write and read on this queue until the device goes:
			 * nothing but success may come before EBADFD, except
			 * EIO from writes in the moment the deletion has
			 * taken the device down but not yet away.
			 */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			alarm(240);
			for (c = 0;; c = 1) {
				if (write(self->fd[q], pkt, len) < 0 && errno != EIO)
					_exit(errno == EBADFD ? 0 : errno);
				if (!c && write(ready[1], "r", 1) != 1)
					_exit(EPIPE);
				if (read(self->fd[q], buf, sizeof(buf)) < 0 &&
				    errno != EAGAIN)
					_exit(errno == EBADFD ? 0 : errno);
			}
		}
	}
	/* Once each has written a frame, pull the device away. */
	for (q = 0; q < NQ; q++)
		EXPECT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ(0, link_del(DEV));
	for (q = 0; q < NQ; q++) {
		ASSERT_EQ(writer[q], waitpid(writer[q], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("queue %d: %s", q, strerror(WEXITSTATUS(status)));
		}
	}
	stop(sender);
	close(ready[0]);
	close(ready[1]);
}

TEST_HARNESS_MAIN
