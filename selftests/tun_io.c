// SPDX-License-Identifier: GPL-2.0
/*
 * read(), write() and poll() on /dev/vnl, in the four modes a tun client
 * can ask for: tun or tap, with or without packet information; and twice
 * more with IFF_NAPI.
 *
 * The device gets an address (10.1.0.1, the far end being 10.1.0.2), so
 * the stack is the other party: what a socket sends to 10.1.0.2 must come
 * out of read() whole, and what the test writes, as if it came from
 * 10.1.0.2, must reach a socket.  On a tap the far end is a permanent ARP
 * entry, so that nothing waits for an ARP reply.
 *
 * Each test runs in a network namespace of its own, with IPv6 off, so the
 * queue only ever holds what the test sent (see tun_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/wait.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define DEV		"vnl0"
#define LOCAL		"10.1.0.1"
#define PEER		"10.1.0.2"
#define LOCAL6		"fd00:1::1"
#define PEER6		"fd00:1::2"
#define PI_LEN		((int)sizeof(struct tun_pi))

static const unsigned char peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0x01, 0, 0x02 };

/* Configure an attached device as described above, and bring it up. */
static int io_setup_dev(const char *name, bool tap)
{
	int err;

	if (tap) {
		err = if_addr4(name, LOCAL, 24);
		if (!err)
			err = if_up(name);
		if (!err)
			err = if_neigh4(name, PEER, peer_mac);
		return err;
	}
	err = if_addr4_peer(name, LOCAL, PEER);
	return err ? err : if_up(name);
}

/* A child's exit code, or -1 if it did not exit normally. */
static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* An epoll instance watching @fd for @events: its descriptor or -errno. */
static int io_epoll_add(int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0)
		return -errno;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		close(epfd);
		return err;
	}
	return epfd;
}

/* epoll_wait() for the one descriptor @epfd watches: the events it
 * reports, 0 on timeout, -errno on error.
 */
static int io_epoll_wait(int epfd, int timeout_ms)
{
	struct epoll_event ev;
	int n;

	n = epoll_wait(epfd, &ev, 1, timeout_ms);
	if (n < 0)
		return -errno;
	return n ? (int)ev.events : 0;
}

FIXTURE(io)
{
	int fd;
	unsigned char mac[ETH_ALEN];	/* the tap's own */
	int hdr;			/* bytes before the IP header in a frame */
};

FIXTURE_VARIANT(io)
{
	unsigned short type;
	bool pi;
	bool napi;
};

FIXTURE_VARIANT_ADD(io, tun_pi)
{
	.type = IFF_TUN, .pi = true,
};

FIXTURE_VARIANT_ADD(io, tun_no_pi)
{
	.type = IFF_TUN, .pi = false,
};

FIXTURE_VARIANT_ADD(io, tap_pi)
{
	.type = IFF_TAP, .pi = true,
};

FIXTURE_VARIANT_ADD(io, tap_no_pi)
{
	.type = IFF_TAP, .pi = false,
};

/* Written frames reach the stack through a NAPI context and GRO. */
FIXTURE_VARIANT_ADD(io, tun_napi)
{
	.type = IFF_TUN, .pi = false, .napi = true,
};

FIXTURE_VARIANT_ADD(io, tap_pi_napi)
{
	.type = IFF_TAP, .pi = true, .napi = true,
};

FIXTURE_SETUP(io)
{
	char name[IFNAMSIZ] = DEV;
	bool tap = variant->type == IFF_TAP;
	int err;

	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->fd = tun_alloc(name, variant->type | (variant->pi ? 0 : IFF_NO_PI) |
				   (variant->napi ? IFF_NAPI : 0));
	ASSERT_LE(0, self->fd) TH_LOG("TUNSETIFF: %s", strerror(-self->fd));
	err = io_setup_dev(DEV, tap);
	ASSERT_EQ(0, err) TH_LOG("configuring %s: %s", DEV, strerror(-err));
	if (tap)
		ASSERT_EQ(0, if_get_hwaddr(DEV, self->mac, NULL));
	self->hdr = (variant->pi ? PI_LEN : 0) + (tap ? ETH_HLEN : 0);
}

FIXTURE_TEARDOWN(io)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Wrap the L3 packet @l3 into what write() takes in this mode: packet
 * information, then (tap) an Ethernet header from the far end to us.
 */
static size_t io_frame(FIXTURE_DATA(io) *self,
		       const FIXTURE_VARIANT(io) *variant, uint8_t *out,
		       const uint8_t *l3, size_t len, uint16_t proto)
{
	size_t off = 0;

	if (variant->pi) {
		struct tun_pi pi = { .flags = 0, .proto = htons(proto) };

		memcpy(out, &pi, PI_LEN);
		off = PI_LEN;
	}
	if (variant->type == IFF_TAP)
		off += build_eth(out + off, self->mac, peer_mac, proto);
	memcpy(out + off, l3, len);
	return off + len;
}

static int io_link(struct link_state *st)
{
	return link_get(DEV, st);
}

/* --- from the stack to read() --------------------------------------------- */

TEST_F(io, udp_sent_by_a_socket_is_read_whole)
{
	static const char msg[] = "hello through vnl";
	struct link_state before, after;
	uint8_t buf[2048], *ip, *udp;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, io_link(&before));
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, msg, sizeof(msg)));
	n = read_wait(self->fd, buf, sizeof(buf), TUN_WAIT_MS);
	ASSERT_EQ(self->hdr + IP4_HLEN + UDP_HLEN + (ssize_t)sizeof(msg), n);

	if (variant->pi) {
		struct tun_pi pi;

		memcpy(&pi, buf, PI_LEN);
		EXPECT_EQ(0, pi.flags);
		EXPECT_EQ(htons(ETH_P_IP), pi.proto);
	}
	if (variant->type == IFF_TAP) {
		uint8_t *eth = buf + (variant->pi ? PI_LEN : 0);

		EXPECT_EQ(0, memcmp(eth, peer_mac, ETH_ALEN));
		EXPECT_EQ(0, memcmp(eth + ETH_ALEN, self->mac, ETH_ALEN));
		EXPECT_EQ(ETH_P_IP, get16(eth + 2 * ETH_ALEN));
	}
	ip = buf + self->hdr;
	udp = ip + IP4_HLEN;
	EXPECT_EQ(0x45, ip[0]);
	EXPECT_EQ(IPPROTO_UDP, ip[9]);
	EXPECT_EQ(htonl(0x0a010001), *(uint32_t *)(ip + 12));
	EXPECT_EQ(htonl(0x0a010002), *(uint32_t *)(ip + 16));
	EXPECT_EQ(9000, get16(udp + 2));
	EXPECT_EQ(0, memcmp(udp + UDP_HLEN, msg, sizeof(msg)));
	/* No offload left anything for userspace to finish: both checksums
	 * are complete (they sum to 0xffff, i.e. fold to 0).
	 */
	EXPECT_EQ(0, csum_fold(csum_add(0, ip, IP4_HLEN)));
	EXPECT_EQ(0, csum_fold(csum_add(IPPROTO_UDP + UDP_HLEN + sizeof(msg), ip + 12, 8) +
			       csum_add(0, udp, UDP_HLEN + sizeof(msg))));

	/* Counted as sent by the device, PI not included. */
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.tx_packets + 1, after.stats.tx_packets);
	EXPECT_EQ(before.stats.tx_bytes + n - (variant->pi ? PI_LEN : 0),
		  after.stats.tx_bytes);
	close(s);
}

TEST_F(io, packets_are_read_one_per_read_in_order)
{
	uint8_t buf[2048];
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;
	int i;

	ASSERT_LE(0, s);
	for (i = 0; i < 5; i++) {
		char msg[32];

		memset(msg, 'a' + i, sizeof(msg));
		ASSERT_EQ(0, udp_send4(s, PEER, 9000, msg, 10 + i));
	}
	for (i = 0; i < 5; i++) {
		n = read_wait(self->fd, buf, sizeof(buf), TUN_WAIT_MS);
		ASSERT_EQ(self->hdr + IP4_HLEN + UDP_HLEN + 10 + i, n);
		EXPECT_EQ('a' + i, buf[self->hdr + IP4_HLEN + UDP_HLEN]);
	}
	ASSERT_EQ(0, tun_set_nonblock(self->fd));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(s);
}

TEST_F(io, short_buffer_gets_the_frame_truncated)
{
	uint8_t big[400], buf[2048];
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	size_t want = self->hdr + IP4_HLEN + 10;
	ssize_t n;

	ASSERT_LE(0, s);
	memset(big, 0x5a, sizeof(big));
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, big, sizeof(big)));
	ASSERT_EQ(0, udp_send4(s, PEER, 9001, "next", 4));

	n = read(self->fd, buf, want);
	ASSERT_EQ((ssize_t)want, n);
	if (variant->pi) {
		struct tun_pi pi;

		memcpy(&pi, buf, PI_LEN);
		EXPECT_EQ(TUN_PKT_STRIP, pi.flags & TUN_PKT_STRIP);
		EXPECT_EQ(htons(ETH_P_IP), pi.proto);
	}
	EXPECT_EQ(0x45, buf[self->hdr]);

	/* The rest of that frame is gone: the next read is the next frame,
	 * whole and not marked.
	 */
	n = read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(self->hdr + IP4_HLEN + UDP_HLEN + 4, n);
	EXPECT_EQ(9001, get16(buf + self->hdr + IP4_HLEN + 2));
	if (variant->pi) {
		struct tun_pi pi;

		memcpy(&pi, buf, PI_LEN);
		EXPECT_EQ(0, pi.flags);
	}
	close(s);
}

TEST_F(io, zero_length_read_returns_0_and_leaves_the_frame_queued)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct link_state before, after;
	uint8_t buf[2048];
	ssize_t n;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "abc", 3));
	ASSERT_EQ(POLLIN, tun_poll(self->fd, POLLIN, TUN_WAIT_MS));
	ASSERT_EQ(0, io_link(&before));

	/* As tun: 0 at once, even with packet information on, and the
	 * frame neither sent nor dropped.
	 */
	EXPECT_EQ(0, read(self->fd, buf, 0)) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.tx_packets, after.stats.tx_packets);
	EXPECT_EQ(before.stats.tx_dropped, after.stats.tx_dropped);

	/* The next read gets that frame, whole, and it was the only one. */
	ASSERT_EQ(0, tun_set_nonblock(self->fd));
	n = read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(self->hdr + IP4_HLEN + UDP_HLEN + 3, n) TH_LOG("read: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(buf + self->hdr + IP4_HLEN + UDP_HLEN, "abc", 3));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(s);
}

TEST_F(io, zero_length_read_of_an_empty_queue_returns_0_at_once)
{
	uint8_t buf[64];
	pid_t pid;

	/* On the blocking descriptor, in a child: if the read blocked, the
	 * alarm would kill it, since nothing is sent to the device.
	 */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		alarm(TUN_WAIT_MS / 1000);
		_exit(read(self->fd, buf, 0) == 0 ? 0 : 1);
	}
	EXPECT_EQ(0, child_status(pid)) TH_LOG("read of 0 bytes blocked or failed");

	/* A file that is not a queue still fails, whatever the size. */
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_EQ(-1, read(self->fd, buf, 0));
	EXPECT_EQ(EBADFD, errno);
}

/* --- from write() to the stack -------------------------------------------- */

TEST_F(io, written_udp_reaches_a_socket)
{
	static const char msg[] = "from the far end";
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	struct link_state before, after;
	uint8_t l3[256], frame[300];
	char got[64];
	size_t len, flen_bytes;
	ssize_t n;
	int s;

	s = udp_bind(LOCAL, 9001);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, io_link(&before));
	len = build_udp4(l3, PEER, LOCAL, 5555, 9001, msg, sizeof(msg));
	flen_bytes = io_frame(self, variant, frame, l3, len, ETH_P_IP);
	EXPECT_EQ((ssize_t)flen_bytes, write(self->fd, frame, flen_bytes)) {
		TH_LOG("write: %s", strerror(errno));
	}

	ASSERT_EQ(0, tun_poll(s, POLLIN, TUN_WAIT_MS) & POLLIN ? 0 : -1) {
		TH_LOG("the socket received nothing");
	}
	n = recvfrom(s, got, sizeof(got), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
	ASSERT_EQ((ssize_t)sizeof(msg), n);
	EXPECT_EQ(0, memcmp(got, msg, sizeof(msg)));
	EXPECT_EQ(htonl(0x0a010002), from.sin_addr.s_addr);
	EXPECT_EQ(5555, ntohs(from.sin_port));

	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.rx_packets + 1, after.stats.rx_packets);
	EXPECT_EQ(before.stats.rx_bytes + flen_bytes - (variant->pi ? PI_LEN : 0),
		  after.stats.rx_bytes);
	EXPECT_EQ(before.stats.rx_dropped, after.stats.rx_dropped);
	close(s);
}

TEST_F(io, written_echo_request_is_answered_through_read)
{
	static const char data[] = "ping payload 0123456789";
	uint8_t l3[256], frame[300], buf[2048], *ic;
	size_t len;
	ssize_t n;

	len = build_icmp4_echo(l3, PEER, LOCAL, 0x4242, 7, data, sizeof(data));
	len = io_frame(self, variant, frame, l3, len, ETH_P_IP);
	ASSERT_EQ((ssize_t)len, write(self->fd, frame, len));

	n = read_wait(self->fd, buf, sizeof(buf), TUN_WAIT_MS);
	ASSERT_EQ(self->hdr + IP4_HLEN + ICMP_HLEN + (ssize_t)sizeof(data), n);
	ic = buf + self->hdr + IP4_HLEN;
	EXPECT_EQ(IPPROTO_ICMP, buf[self->hdr + 9]);
	EXPECT_EQ(htonl(0x0a010001), *(uint32_t *)(buf + self->hdr + 12));
	EXPECT_EQ(htonl(0x0a010002), *(uint32_t *)(buf + self->hdr + 16));
	EXPECT_EQ(0, ic[0]);	/* echo reply */
	EXPECT_EQ(0x4242, get16(ic + 4));
	EXPECT_EQ(7, get16(ic + 6));
	EXPECT_EQ(0, memcmp(ic + ICMP_HLEN, data, sizeof(data)));
}

TEST_F(io, frame_of_exactly_the_mtu_is_received)
{
	uint8_t l3[1600], frame[1700], payload[1500];
	char got[1600];
	size_t len;
	int mtu, s;

	ASSERT_EQ(0, if_get_mtu(DEV, &mtu));
	ASSERT_EQ(1500, mtu);
	s = udp_bind(LOCAL, 9002);
	ASSERT_LE(0, s);
	memset(payload, 0xa5, sizeof(payload));
	len = build_udp4(l3, PEER, LOCAL, 5555, 9002, payload,
			 mtu - IP4_HLEN - UDP_HLEN);
	ASSERT_EQ((size_t)mtu, len);
	len = io_frame(self, variant, frame, l3, len, ETH_P_IP);
	EXPECT_EQ((ssize_t)len, write(self->fd, frame, len)) {
		TH_LOG("write: %s", strerror(errno));
	}
	EXPECT_EQ(mtu - IP4_HLEN - UDP_HLEN, recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	close(s);
}

/* As on tun: the MTU bounds what the stack sends, not what a write may
 * deliver; IP takes a longer datagram.
 */
TEST_F(io, frame_longer_than_the_mtu_is_received_as_on_tun)
{
	uint8_t l3[1600], frame[1700], payload[1500];
	size_t len, dlen = 1500 - IP4_HLEN - UDP_HLEN + 1;
	char got[1600];
	int s;

	memset(payload, 0xa5, sizeof(payload));
	s = udp_bind(LOCAL, 9002);
	ASSERT_LE(0, s);
	len = build_udp4(l3, PEER, LOCAL, 5555, 9002, payload, dlen);
	len = io_frame(self, variant, frame, l3, len, ETH_P_IP);
	EXPECT_EQ((ssize_t)len, write(self->fd, frame, len)) {
		TH_LOG("write of %zu bytes at MTU 1500: %s", len, strerror(errno));
	}
	EXPECT_EQ((ssize_t)dlen, recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	close(s);
}

/* The limit is the largest MTU plus the link-layer header, 64 KiB, whatever
 * the MTU; such a frame is built from pages (tun.c:vnl_tun_alloc_skb) and
 * reaches a socket whole.  One byte more is EINVAL, and counted.
 */
TEST_F(io, write_limit_is_64k_whatever_the_mtu)
{
	static uint8_t l3[65536], frame[65600], payload[65536];
	size_t l3_max = 65535 - (variant->type == IFF_TAP ? ETH_HLEN : 0);
	size_t dlen = l3_max - IP4_HLEN - UDP_HLEN, len;
	struct link_state before, after;
	static char got[65536];
	struct ifreq ifr;
	int s;

	memset(payload, 0x3c, sizeof(payload));
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, DEV);
	ifr.ifr_mtu = 1400;
	ASSERT_EQ(0, if_ioctl(SIOCSIFMTU, &ifr));

	s = udp_bind(LOCAL, 9004);
	ASSERT_LE(0, s);
	len = build_udp4(l3, PEER, LOCAL, 5555, 9004, payload, dlen);
	ASSERT_EQ(l3_max, len);
	len = io_frame(self, variant, frame, l3, len, ETH_P_IP);
	EXPECT_EQ((ssize_t)len, write(self->fd, frame, len)) {
		TH_LOG("write of %zu bytes: %s", len, strerror(errno));
	}
	EXPECT_EQ((ssize_t)dlen, recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	close(s);

	/* One byte more than the largest frame. */
	ASSERT_EQ(0, io_link(&before));
	EXPECT_EQ(-1, write(self->fd, frame, len + 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.rx_dropped + 1, after.stats.rx_dropped);
	EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets);
}

/* A NIC with MTU 1500 takes a 1518-byte 802.1Q-tagged frame; so does a
 * tap.
 */
TEST_F(io, tap_takes_a_vlan_tagged_frame_of_the_mtu)
{
	uint8_t frame[1600], payload[1500], *p = frame;
	struct link_state before, after;
	size_t len;

	memset(payload, 0x5a, sizeof(payload));
	if (variant->type != IFF_TAP)
		SKIP(return, "a tun has no link-layer header to tag");
	if (variant->pi) {
		struct tun_pi pi = { .flags = 0, .proto = htons(ETH_P_8021Q) };

		memcpy(p, &pi, PI_LEN);
		p += PI_LEN;
	}
	p += build_eth(p, self->mac, peer_mac, ETH_P_8021Q);
	put16(p, 7);			/* VLAN id 7 */
	put16(p + 2, ETH_P_IP);
	p += 4;
	p += build_udp4(p, PEER, LOCAL, 5555, 9006, payload,
			1500 - IP4_HLEN - UDP_HLEN);
	len = p - frame;
	ASSERT_EQ((size_t)(variant->pi ? PI_LEN : 0) + 1518, len);

	ASSERT_EQ(0, io_link(&before));
	EXPECT_EQ((ssize_t)len, write(self->fd, frame, len)) {
		TH_LOG("write of a 1518-byte tagged frame: %s", strerror(errno));
	}
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.rx_packets + 1, after.stats.rx_packets);
}

TEST_F(io, frame_shorter_than_the_link_header_is_einval_and_counted)
{
	struct link_state before, after;
	uint8_t frame[64];
	/* tap: 13 bytes of Ethernet header; tun: nothing at all. */
	size_t len = (variant->pi ? PI_LEN : 0) +
		     (variant->type == IFF_TAP ? ETH_HLEN - 1 : 0);

	memset(frame, 0, sizeof(frame));
	if (variant->pi) {
		struct tun_pi pi = { .proto = htons(ETH_P_IP) };

		memcpy(frame, &pi, PI_LEN);
	}
	ASSERT_EQ(0, io_link(&before));
	EXPECT_EQ(-1, write(self->fd, frame, len));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.rx_dropped + 1, after.stats.rx_dropped);
	EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets);
}

TEST_F(io, write_while_down_is_eio)
{
	uint8_t l3[128], frame[200];
	size_t len;

	len = build_udp4(l3, PEER, LOCAL, 5555, 9003, "x", 1);
	len = io_frame(self, variant, frame, l3, len, ETH_P_IP);
	ASSERT_EQ(0, if_down(DEV));
	EXPECT_EQ(-1, write(self->fd, frame, len));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, if_up(DEV));
	EXPECT_EQ((ssize_t)len, write(self->fd, frame, len));
}

/* --- blocking, non-blocking, poll ------------------------------------------ */

TEST_F(io, nonblocking_read_of_an_empty_queue_is_eagain)
{
	uint8_t buf[2048];

	ASSERT_EQ(0, tun_set_nonblock(self->fd));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(io, poll_reports_in_while_queued_and_out_while_up)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t buf[2048];

	ASSERT_LE(0, s);
	EXPECT_EQ(POLLOUT, tun_poll(self->fd, POLLIN | POLLOUT, 0));
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "x", 1));
	EXPECT_EQ(POLLIN | POLLOUT, tun_poll(self->fd, POLLIN | POLLOUT, 0));
	ASSERT_LT(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(POLLOUT, tun_poll(self->fd, POLLIN | POLLOUT, 0));
	ASSERT_EQ(0, if_down(DEV));
	EXPECT_EQ(0, tun_poll(self->fd, POLLIN | POLLOUT, 0));
	ASSERT_EQ(0, if_up(DEV));
	EXPECT_EQ(POLLOUT, tun_poll(self->fd, POLLIN | POLLOUT, 0));
	close(s);
}

TEST_F(io, poller_is_woken_by_a_packet)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	ASSERT_LE(0, s);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(tun_poll(self->fd, POLLIN, TUN_WAIT_MS) == POLLIN ? 0 : 1);
	ASSERT_EQ(0, wait_sleeping(pid, SYS_poll)) TH_LOG("the poller never slept in poll()");
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "x", 1));
	EXPECT_EQ(0, child_status(pid)) TH_LOG("poll did not report POLLIN");
	close(s);
}

TEST_F(io, poller_is_woken_when_the_device_comes_up)
{
	pid_t pid;

	ASSERT_EQ(0, if_down(DEV));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(tun_poll(self->fd, POLLOUT, TUN_WAIT_MS) == POLLOUT ? 0 : 1);
	ASSERT_EQ(0, wait_sleeping(pid, SYS_poll)) TH_LOG("the poller never slept in poll()");
	ASSERT_EQ(0, if_up(DEV));
	EXPECT_EQ(0, child_status(pid)) TH_LOG("poll did not report POLLOUT");
}

TEST_F(io, blocked_reader_is_woken_by_a_packet)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	ASSERT_LE(0, s);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t buf[2048];

		alarm(TUN_WAIT_MS / 1000);
		_exit(read(self->fd, buf, sizeof(buf)) ==
		      self->hdr + IP4_HLEN + UDP_HLEN + 3 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_read)) TH_LOG("the reader never slept in read()");
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "abc", 3));
	EXPECT_EQ(0, child_status(pid));
	close(s);
}

TEST_F(io, blocked_reader_gets_ebadfd_when_the_device_is_deleted)
{
	uint8_t buf[64];
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		alarm(TUN_WAIT_MS / 1000);
		_exit(read(self->fd, buf, sizeof(buf)) < 0 ? errno : 0);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_read)) TH_LOG("the reader never slept in read()");
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_EQ(EBADFD, child_status(pid));

	/* The file outlives its device: errors, not hangs. */
	EXPECT_EQ(POLLERR | POLLHUP, tun_poll(self->fd, POLLIN | POLLOUT, 0));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
}

TEST_F(io, poller_gets_hup_when_the_device_is_deleted)
{
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int ev = tun_poll(self->fd, POLLIN, TUN_WAIT_MS);

		_exit((ev & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP) ? 0 : 1);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_poll)) TH_LOG("the poller never slept in poll()");
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_EQ(0, child_status(pid));
}

/* The same through epoll, level-triggered: epoll_wait() reports what
 * vnl_chr_poll() says, and a descriptor that reported nothing comes back
 * only when the device wakes its wait queue.
 */
TEST_F(io, epoll_reports_out_while_up_and_in_only_while_a_frame_is_queued)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t buf[2048];
	int epfd;

	ASSERT_LE(0, s);
	epfd = io_epoll_add(self->fd, EPOLLIN | EPOLLOUT);
	ASSERT_LE(0, epfd) TH_LOG("epoll: %s", strerror(-epfd));
	EXPECT_EQ(EPOLLOUT, io_epoll_wait(epfd, 0));
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "x", 1));
	EXPECT_EQ(EPOLLIN | EPOLLOUT, io_epoll_wait(epfd, 0));
	ASSERT_LT(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EPOLLOUT, io_epoll_wait(epfd, 0));
	/* Down: nothing to report, so epoll forgets the descriptor until
	 * ndo_open wakes it.
	 */
	ASSERT_EQ(0, if_down(DEV));
	EXPECT_EQ(0, io_epoll_wait(epfd, 0));
	ASSERT_EQ(0, if_up(DEV));
	EXPECT_EQ(EPOLLOUT, io_epoll_wait(epfd, 0));
	close(epfd);
	close(s);
}

TEST_F(io, epoll_waiter_is_woken_by_a_packet)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int epfd, ev;
	pid_t pid;

	ASSERT_LE(0, s);
	epfd = io_epoll_add(self->fd, EPOLLIN);
	ASSERT_LE(0, epfd) TH_LOG("epoll: %s", strerror(-epfd));
	ASSERT_EQ(0, io_epoll_wait(epfd, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* The events are the exit code (they all fit in 8 bits). */
		ev = io_epoll_wait(epfd, TUN_WAIT_MS);
		_exit(ev < 0 ? 255 : ev);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_epoll_wait)) TH_LOG("the waiter never slept in epoll_wait()");
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "x", 1));
	EXPECT_EQ(EPOLLIN, child_status(pid)) TH_LOG("epoll_wait did not report EPOLLIN alone");
	/* Nobody read it: still reported. */
	EXPECT_EQ(EPOLLIN, io_epoll_wait(epfd, 0));
	close(epfd);
	close(s);
}

TEST_F(io, epoll_waiter_gets_err_and_hup_when_the_device_is_deleted)
{
	int epfd, ev;
	pid_t pid;

	epfd = io_epoll_add(self->fd, EPOLLIN);
	ASSERT_LE(0, epfd) TH_LOG("epoll: %s", strerror(-epfd));
	ASSERT_EQ(0, io_epoll_wait(epfd, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		ev = io_epoll_wait(epfd, TUN_WAIT_MS);
		_exit(ev < 0 ? 255 : ev);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_epoll_wait)) TH_LOG("the waiter never slept in epoll_wait()");
	ASSERT_EQ(0, link_del(DEV));
	/* Reported although only EPOLLIN was asked for, as always. */
	EXPECT_EQ(EPOLLERR | EPOLLHUP, child_status(pid));
	EXPECT_EQ(EPOLLERR | EPOLLHUP, io_epoll_wait(epfd, 0));
	close(epfd);
}

TEST_F(io, queued_frames_of_a_deleted_device_are_dropped)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t buf[64];

	ASSERT_LE(0, s);
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "x", 1));
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "y", 1));
	ASSERT_EQ(0, link_del(DEV));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	close(s);
}

/* --- the queue bound ------------------------------------------------------ */

TEST_F(io, queue_holds_txqueuelen_frames_and_counts_the_rest_as_tx_drops)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct link_state before, after;
	const int qlen = 4, sent = 10;
	uint8_t buf[2048];
	int i, got = 0;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, if_set_txqlen(DEV, qlen));
	ASSERT_EQ(0, io_link(&before));
	ASSERT_EQ((unsigned int)qlen, before.txqlen);
	for (i = 0; i < sent; i++)
		ASSERT_EQ(0, udp_send4(s, PEER, 9000, &i, sizeof(i)));
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.tx_dropped + sent - qlen, after.stats.tx_dropped);

	ASSERT_EQ(0, tun_set_nonblock(self->fd));
	while (read(self->fd, buf, sizeof(buf)) > 0)
		got++;
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(qlen, got);
	/* The first ones were kept. */
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, &i, sizeof(i)));
	ASSERT_LT(0, read(self->fd, buf, sizeof(buf)));
	close(s);
}

TEST_F(io, default_queue_holds_500_frames)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct link_state before, after;
	const int sent = TUN_DEFAULT_QLEN + 5;
	uint8_t buf[2048];
	int i, got = 0;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, io_link(&before));
	for (i = 0; i < sent; i++)
		ASSERT_EQ(0, udp_send4(s, PEER, 9000, &i, sizeof(i)));
	ASSERT_EQ(0, io_link(&after));
	EXPECT_EQ(before.stats.tx_dropped + 5, after.stats.tx_dropped);
	ASSERT_EQ(0, tun_set_nonblock(self->fd));
	while (read(self->fd, buf, sizeof(buf)) > 0)
		got++;
	EXPECT_EQ(TUN_DEFAULT_QLEN, got);
	close(s);
}

/* --- mode-specific ---------------------------------------------------------- */

/* One device, a tun without packet information; a test that needs another
 * mode closes it (which deletes it) and makes its own.
 */
FIXTURE(single)
{
	int fd;
};

FIXTURE_SETUP(single)
{
	char name[IFNAMSIZ] = DEV;
	int err;

	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->fd = tun_alloc(name, IFF_TUN | IFF_NO_PI);
	ASSERT_LE(0, self->fd) TH_LOG("TUNSETIFF: %s", strerror(-self->fd));
	ASSERT_EQ(0, io_setup_dev(DEV, false));
}

FIXTURE_TEARDOWN(single)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(single, tun_without_pi_refuses_what_is_not_ip_and_counts_it)
{
	static const uint8_t firsts[] = { 0x00, 0x15, 0x50, 0x7f, 0xff };
	struct link_state before, after;
	uint8_t pkt[64];
	size_t i;

	ASSERT_EQ(0, link_get(DEV, &before));
	for (i = 0; i < sizeof(firsts); i++) {
		build_udp4(pkt, PEER, LOCAL, 1, 2, "", 0);
		pkt[0] = firsts[i];
		EXPECT_EQ(-1, write(self->fd, pkt, IP4_HLEN + UDP_HLEN));
		EXPECT_EQ(EINVAL, errno) TH_LOG("first byte 0x%02x", firsts[i]);
	}
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_dropped + sizeof(firsts), after.stats.rx_dropped);
	EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets);
}

/* Make the fixture's device again, as a tun with packet information. */
static int single_reopen_with_pi(FIXTURE_DATA(single) *self)
{
	char name[IFNAMSIZ] = DEV;

	close(self->fd);
	self->fd = tun_alloc(name, IFF_TUN);
	if (self->fd < 0)
		return self->fd;
	return io_setup_dev(DEV, false);
}

TEST_F(single, tun_with_pi_read_shorter_than_the_pi_is_einval_and_drops_the_frame)
{
	struct link_state before, after;
	uint8_t buf[2048];
	ssize_t n;
	int s;

	ASSERT_EQ(0, single_reopen_with_pi(self));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, "lost", 4));
	ASSERT_EQ(0, udp_send4(s, PEER, 9001, "next", 4));
	ASSERT_EQ(POLLIN, tun_poll(self->fd, POLLIN, TUN_WAIT_MS));
	ASSERT_EQ(0, link_get(DEV, &before));

	/* As tun: no room for struct tun_pi is EINVAL, and the frame is
	 * gone; vnl also counts it as a transmit drop.
	 */
	EXPECT_EQ(-1, read(self->fd, buf, PI_LEN - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.tx_dropped + 1, after.stats.tx_dropped);
	EXPECT_EQ(before.stats.tx_packets, after.stats.tx_packets);

	/* The next read is the second frame, whole, and the last one. */
	ASSERT_EQ(0, tun_set_nonblock(self->fd));
	n = read(self->fd, buf, sizeof(buf));
	ASSERT_EQ(PI_LEN + IP4_HLEN + UDP_HLEN + 4, n) TH_LOG("read: %s", strerror(errno));
	EXPECT_EQ(9001, get16(buf + PI_LEN + IP4_HLEN + 2));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(s);
}

TEST_F(single, tun_with_pi_write_shorter_than_the_pi_is_einval_and_counted)
{
	struct tun_pi pi = { .proto = htons(ETH_P_IP) };
	struct link_state before, after;
	int len;

	ASSERT_EQ(0, single_reopen_with_pi(self));
	ASSERT_EQ(0, link_get(DEV, &before));
	/* 1 to 3 bytes: the start of a valid struct tun_pi, never a whole
	 * one.  vnl counts each as a receive drop (tun does not).
	 */
	for (len = 1; len < PI_LEN; len++) {
		EXPECT_EQ(-1, write(self->fd, &pi, len));
		EXPECT_EQ(EINVAL, errno) TH_LOG("write of %d bytes", len);
	}
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_dropped + PI_LEN - 1, after.stats.rx_dropped);
	EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets);
}

/* The non-zero IPv6 and UDPv6 input error counters of this netns. */
static void log_ipv6_drops(struct __test_metadata *_metadata)
{
	char line[128], name[64];
	unsigned long val;
	FILE *f = fopen("/proc/net/snmp6", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu", name, &val) == 2 && val &&
		    (strstr(name, "Ip6In") || strstr(name, "Udp6")))
			TH_LOG("snmp6 %s %lu", name, val);
	fclose(f);
}

TEST_F(single, tun_without_pi_takes_ipv6_by_its_version)
{
	static const char msg[] = "over IPv6";
	uint8_t pkt[256];
	char got[64];
	size_t len;
	int s = -1;

	ASSERT_EQ(0, tun_enable_ipv6(DEV));
	ASSERT_EQ(0, if_addr6(DEV, LOCAL6, 64));
	ASSERT_EQ(RTN_LOCAL, wait_route_local(LOCAL6, TUN_WAIT_MS));
	s = udp_bind(LOCAL6, 9006);
	ASSERT_LE(0, s) TH_LOG("bind [%s]:9006: %s", LOCAL6, strerror(-s));
	len = build_udp6(pkt, PEER6, LOCAL6, 5555, 9006, msg, sizeof(msg));
	EXPECT_EQ((ssize_t)len, write(self->fd, pkt, len)) {
		TH_LOG("write: %s", strerror(errno));
	}
	EXPECT_EQ((ssize_t)sizeof(msg), recv_wait(s, got, sizeof(got), TUN_WAIT_MS)) {
		/* Where the stack lost it, if it did. */
		log_ipv6_drops(_metadata);
	}
	EXPECT_EQ(0, memcmp(got, msg, sizeof(msg)));
	close(s);
}

TEST_F(single, tun_with_pi_reports_ipv6_as_its_protocol)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_port = htons(9000) };
	char name[IFNAMSIZ] = DEV;
	uint8_t buf[2048];
	struct tun_pi pi;
	ssize_t n = 0;
	int s, i;

	/* The same device, with packet information this time. */
	close(self->fd);
	self->fd = tun_alloc(name, IFF_TUN);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tun_enable_ipv6(DEV));
	ASSERT_EQ(0, if_up(DEV));
	ASSERT_EQ(0, if_addr6(DEV, LOCAL6, 64));
	/* Else the kernel has no source address for PEER6: EADDRNOTAVAIL. */
	ASSERT_EQ(RTN_LOCAL, wait_route_local(LOCAL6, TUN_WAIT_MS));
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	inet_pton(AF_INET6, PEER6, &dst.sin6_addr);
	ASSERT_EQ(3, sendto(s, "six", 3, 0, (struct sockaddr *)&dst, sizeof(dst))) {
		TH_LOG("sendto: %s", strerror(errno));
	}
	/* IPv6 on: router solicitations and MLD reports may come first. */
	for (i = 0; i < 20; i++) {
		n = read_wait(self->fd, buf, sizeof(buf), TUN_WAIT_MS);
		ASSERT_LT(PI_LEN + IP6_HLEN, n);
		if (buf[PI_LEN + 6] == IPPROTO_UDP)
			break;
	}
	ASSERT_EQ(PI_LEN + IP6_HLEN + UDP_HLEN + 3, n);
	memcpy(&pi, buf, PI_LEN);
	EXPECT_EQ(htons(ETH_P_IPV6), pi.proto);
	EXPECT_EQ(0x60, buf[PI_LEN] & 0xf0);
	close(s);
}

TEST_F(single, tap_with_pi_reports_arp_as_its_protocol)
{
	char name[IFNAMSIZ] = DEV;
	uint8_t buf[2048];
	struct tun_pi pi;
	ssize_t n;
	int s, fd;

	/* A tap with packet information instead. */
	close(self->fd);
	self->fd = -1;
	fd = tun_alloc(name, IFF_TAP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, if_addr4(DEV, LOCAL, 24));
	ASSERT_EQ(0, if_up(DEV));
	/* No neighbour entry for .3: the stack asks for it first. */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, udp_send4(s, "10.1.0.3", 9000, "x", 1));
	n = read_wait(fd, buf, sizeof(buf), TUN_WAIT_MS);
	ASSERT_LE(PI_LEN + ETH_HLEN + 28, n);
	memcpy(&pi, buf, PI_LEN);
	EXPECT_EQ(htons(ETH_P_ARP), pi.proto);
	EXPECT_EQ(ETH_P_ARP, get16(buf + PI_LEN + 2 * ETH_ALEN));
	close(s);
	close(fd);
}

TEST_HARNESS_MAIN
