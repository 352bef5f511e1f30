// SPDX-License-Identifier: GPL-2.0
/*
 * Batches on /dev/vnl (include/uapi/linux/vnl.h, "/dev/vnl: batches"):
 * VNL_IOC_GET_FEATURES, VNL_IOC_SET_BATCH and VNL_IOC_GET_BATCH, then
 * read() and write() of many packets at once, each a record (a struct
 * vnl_batch_hdr, the payload one read() or write() would carry, padding
 * to 8 bytes).
 *
 * The device gets an address (10.3.0.1, the far end being 10.3.0.2), so
 * the stack is the other party, as in tun_io: what a socket sends to
 * 10.3.0.2 is queued for read(), what the test writes as if from
 * 10.3.0.2 reaches a socket, and the device's counters say what was
 * received.  Tun and tap, with and without packet information, vnet
 * headers and IFF_NAPI; and a multi-queue device whose queues all read
 * and write batches.
 *
 * Each test runs in a network namespace of its own, with IPv6 off, so the
 * queue only ever holds what the test sent (see tun_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <linux/virtio_net.h>
#include <linux/vnl.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define DEV		"vb0"
#define LOCAL		"10.3.0.1"
#define PEER		"10.3.0.2"
#define PORT_OUT	9000	/* what the stack sends to the far end */
#define PORT_IN		9001	/* what the test writes to the stack */
#define PI_LEN		((int)sizeof(struct tun_pi))
#define VHDR_LEN	((int)sizeof(struct virtio_net_hdr))
#define BHDR_LEN	((int)sizeof(struct vnl_batch_hdr))
#define BUF_LEN		(256 * 1024)

static const unsigned char peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0x03, 0, 0x02 };

/* Where the record after one of @len payload bytes at @off starts. */
static size_t rec_next(size_t off, size_t len)
{
	return off + BHDR_LEN + ((len + VNL_BATCH_ALIGN - 1) & ~(size_t)(VNL_BATCH_ALIGN - 1));
}

/* A record at @off of @buf: header, payload, zeroed padding.  Returns
 * where the next record starts.
 */
static size_t put_record(uint8_t *buf, size_t off, const void *payload,
			 uint32_t len)
{
	struct vnl_batch_hdr h = { .len = len, .reserved = 0 };
	size_t next = rec_next(off, len);

	memset(buf + off, 0, next - off);
	memcpy(buf + off, &h, BHDR_LEN);
	memcpy(buf + off + BHDR_LEN, payload, len);
	return next;
}

static int set_batch(int fd, uint32_t mode)
{
	return ioctl(fd, VNL_IOC_SET_BATCH, &mode) ? -errno : 0;
}

static int get_batch(int fd, uint32_t *mode)
{
	return ioctl(fd, VNL_IOC_GET_BATCH, mode) ? -errno : 0;
}

/* The records of a batch read() of @n bytes: each header's length into
 * @lens (at most @max), checked as the contract says (reserved 0, padding
 * zeroed, nothing past the last payload).  The number of records, or -1
 * if the framing is wrong.
 */
static int parse_read(const uint8_t *buf, size_t n, uint32_t *lens, int max,
		      size_t *offs)
{
	size_t off = 0, end;
	int i = 0;

	while (off < n) {
		struct vnl_batch_hdr h;
		size_t p;

		if (i == max || n - off < (size_t)BHDR_LEN)
			return -1;
		memcpy(&h, buf + off, BHDR_LEN);
		if (!h.len || h.reserved || h.len > n - off - BHDR_LEN)
			return -1;
		lens[i] = h.len;
		offs[i++] = off + BHDR_LEN;
		end = off + BHDR_LEN + h.len;
		if (end == n)
			break;
		off = rec_next(off, h.len);
		if (off > n)
			return -1;
		for (p = end; p < off; p++)
			if (buf[p])
				return -1;
	}
	return i;
}

/* --- the fixture: one queue, tun or tap, every framing -------------------- */

FIXTURE(batch)
{
	int fd;
	unsigned char mac[ETH_ALEN];	/* the tap's own */
	int pre;	/* payload bytes before the frame: PI, vnet header */
	int hdr;	/* payload bytes before the IP header */
	uint8_t *buf;
};

FIXTURE_VARIANT(batch)
{
	unsigned short type;
	bool pi;
	bool vnet;
	bool napi;
};

FIXTURE_VARIANT_ADD(batch, tun)
{
	.type = IFF_TUN,
};

FIXTURE_VARIANT_ADD(batch, tap)
{
	.type = IFF_TAP,
};

FIXTURE_VARIANT_ADD(batch, tun_pi)
{
	.type = IFF_TUN, .pi = true,
};

FIXTURE_VARIANT_ADD(batch, tap_vnet)
{
	.type = IFF_TAP, .vnet = true,
};

FIXTURE_VARIANT_ADD(batch, tun_pi_vnet)
{
	.type = IFF_TUN, .pi = true, .vnet = true,
};

/* Written batches join the file's NAPI queue in one go. */
FIXTURE_VARIANT_ADD(batch, tap_napi)
{
	.type = IFF_TAP, .napi = true,
};

FIXTURE_SETUP(batch)
{
	char name[IFNAMSIZ] = DEV;
	bool tap = variant->type == IFF_TAP;
	int err;

	self->fd = -1;
	self->buf = calloc(1, BUF_LEN);
	ASSERT_TRUE(self->buf != NULL);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->fd = tun_alloc(name, variant->type | (variant->pi ? 0 : IFF_NO_PI) |
				   (variant->vnet ? IFF_VNET_HDR : 0) |
				   (variant->napi ? IFF_NAPI : 0));
	ASSERT_LE(0, self->fd) TH_LOG("TUNSETIFF: %s", strerror(-self->fd));
	if (tap) {
		err = if_addr4(DEV, LOCAL, 24);
		if (!err)
			err = if_up(DEV);
		if (!err)
			err = if_neigh4(DEV, PEER, peer_mac);
		ASSERT_EQ(0, err) TH_LOG("configuring %s: %s", DEV, strerror(-err));
		ASSERT_EQ(0, if_get_hwaddr(DEV, self->mac, NULL));
	} else {
		ASSERT_EQ(0, if_addr4_peer(DEV, LOCAL, PEER));
		ASSERT_EQ(0, if_up(DEV));
	}
	self->pre = (variant->pi ? PI_LEN : 0) + (variant->vnet ? VHDR_LEN : 0);
	self->hdr = self->pre + (tap ? ETH_HLEN : 0);
	ASSERT_EQ(0, tun_set_nonblock(self->fd));
}

FIXTURE_TEARDOWN(batch)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->buf);
}

/* The payload write() takes for the L3 packet @l3: packet information,
 * an empty vnet header, then (tap) an Ethernet header from the far end.
 */
static size_t payload(FIXTURE_DATA(batch) *self,
		      const FIXTURE_VARIANT(batch) *variant, uint8_t *out,
		      const uint8_t *l3, size_t len)
{
	size_t off = 0;

	if (variant->pi) {
		struct tun_pi pi = { .flags = 0, .proto = htons(ETH_P_IP) };

		memcpy(out, &pi, PI_LEN);
		off = PI_LEN;
	}
	if (variant->vnet) {
		memset(out + off, 0, VHDR_LEN);
		off += VHDR_LEN;
	}
	if (variant->type == IFF_TAP)
		off += build_eth(out + off, self->mac, peer_mac, ETH_P_IP);
	memcpy(out + off, l3, len);
	return off + len;
}

/* A datagram from the far end to PORT_IN, carrying @tag @dlen times. */
static size_t udp_payload(FIXTURE_DATA(batch) *self,
			  const FIXTURE_VARIANT(batch) *variant, uint8_t *out,
			  char tag, size_t dlen)
{
	uint8_t l3[2048];
	char data[1500];
	size_t len;

	memset(data, tag, dlen);
	len = build_udp4(l3, PEER, LOCAL, 5555, PORT_IN, data, dlen);
	return payload(self, variant, out, l3, len);
}

/* @n datagrams from the stack to the far end, the i-th of 10 + i bytes
 * of 'a' + i, queued for read() when this returns (the device has no
 * qdisc: the transmit runs inside sendto()).
 */
static int send_n(int n)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int i, err = 0;

	if (s < 0)
		return -errno;
	for (i = 0; i < n && !err; i++) {
		char msg[128];

		memset(msg, 'a' + i % 26, sizeof(msg));
		err = udp_send4(s, PEER, PORT_OUT, msg, 10 + i % 100);
	}
	close(s);
	return err;
}

/* The payload length of the i-th datagram send_n() sent. */
static uint32_t sent_len(FIXTURE_DATA(batch) *self, int i)
{
	return self->hdr + IP4_HLEN + UDP_HLEN + 10 + i % 100;
}

/* Check that the @n records at @offs are send_n()'s datagrams @first.. */
static void check_sent(struct __test_metadata *_metadata,
		       FIXTURE_DATA(batch) *self, const uint8_t *buf,
		       const uint32_t *lens, const size_t *offs, int n, int first)
{
	int i;

	for (i = 0; i < n; i++) {
		const uint8_t *ip = buf + offs[i] + self->hdr;

		EXPECT_EQ(sent_len(self, first + i), lens[i]);
		EXPECT_EQ(0x45, ip[0]);
		EXPECT_EQ(PORT_OUT, get16(ip + IP4_HLEN + 2));
		EXPECT_EQ('a' + (first + i) % 26, ip[IP4_HLEN + UDP_HLEN]) {
			TH_LOG("record %d holds datagram %c, not %c", i,
			       ip[IP4_HLEN + UDP_HLEN], 'a' + (first + i) % 26);
		}
	}
}

/* --- the ioctls ----------------------------------------------------------- */

TEST_F(batch, features_offer_batches_on_any_file)
{
	uint32_t f = 0;
	int fd;

	ASSERT_EQ(0, ioctl(self->fd, VNL_IOC_GET_FEATURES, &f));
	EXPECT_EQ(VNL_FEATURE_BATCH, f & VNL_FEATURE_BATCH);
	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	f = 0;
	EXPECT_EQ(0, ioctl(fd, VNL_IOC_GET_FEATURES, &f));
	EXPECT_EQ(VNL_FEATURE_BATCH, f & VNL_FEATURE_BATCH);
	close(fd);
}

TEST_F(batch, mode_is_per_file_and_read_back)
{
	uint32_t mode = 0xdead;
	int fd;

	ASSERT_EQ(0, get_batch(self->fd, &mode));
	EXPECT_EQ(0U, mode);
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ | VNL_BATCH_WRITE));
	ASSERT_EQ(0, get_batch(self->fd, &mode));
	EXPECT_EQ(VNL_BATCH_READ | VNL_BATCH_WRITE, mode);
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	ASSERT_EQ(0, get_batch(self->fd, &mode));
	EXPECT_EQ(VNL_BATCH_WRITE, mode);

	/* Another file, unattached: its own setting, which it may set. */
	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, get_batch(fd, &mode));
	EXPECT_EQ(0U, mode);
	EXPECT_EQ(0, set_batch(fd, VNL_BATCH_READ));
	ASSERT_EQ(0, get_batch(self->fd, &mode));
	EXPECT_EQ(VNL_BATCH_WRITE, mode);
	close(fd);
}

TEST_F(batch, unknown_bits_are_einval_and_change_nothing)
{
	static const uint32_t bad[] = {
		1U << 2, 1U << 31, VNL_BATCH_READ | 1U << 5, ~0U,
	};
	uint32_t mode;
	size_t i;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, set_batch(self->fd, bad[i])) {
			TH_LOG("mode 0x%x was taken", bad[i]);
		}
		ASSERT_EQ(0, get_batch(self->fd, &mode));
		EXPECT_EQ(VNL_BATCH_READ, mode);
	}
	EXPECT_EQ(-EFAULT, ioctl(self->fd, VNL_IOC_SET_BATCH, NULL) ? -errno : 0);
}

/* --- read() --------------------------------------------------------------- */

TEST_F(batch, read_returns_every_queued_packet_whole_and_in_order)
{
	struct link_state before, after;
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	const int n = 10;
	ssize_t got;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	ASSERT_EQ(0, link_get(DEV, &before));
	ASSERT_EQ(0, send_n(n));
	got = read(self->fd, self->buf, BUF_LEN);
	ASSERT_LT(0, got) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(n, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	/* The value returned ends at the last payload: no padding after it. */
	EXPECT_EQ(offs[n - 1] + lens[n - 1], (size_t)got);
	check_sent(_metadata, self, self->buf, lens, offs, n, 0);
	if (variant->vnet) {
		struct virtio_net_hdr vh;

		memcpy(&vh, self->buf + offs[0] + (variant->pi ? PI_LEN : 0), VHDR_LEN);
		EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, vh.gso_type);
	}
	EXPECT_EQ(-1, read(self->fd, self->buf, BUF_LEN));
	EXPECT_EQ(EAGAIN, errno);

	/* Counted as n reads would be. */
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.tx_packets + n, after.stats.tx_packets);
}

TEST_F(batch, read_takes_at_most_64_packets)
{
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	ssize_t got;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	ASSERT_EQ(0, send_n(VNL_BATCH_MAX + 6));
	got = read(self->fd, self->buf, BUF_LEN);
	ASSERT_LT(0, got) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(VNL_BATCH_MAX, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, VNL_BATCH_MAX, 0);
	got = read(self->fd, self->buf, BUF_LEN);
	ASSERT_LT(0, got) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(6, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, 6, VNL_BATCH_MAX);
}

TEST_F(batch, read_takes_only_the_packets_that_fit)
{
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX], room;
	ssize_t got;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	ASSERT_EQ(0, send_n(3));
	/* Two whole records, and all but one byte of the third. */
	room = rec_next(rec_next(0, sent_len(self, 0)), sent_len(self, 1)) +
	       BHDR_LEN + sent_len(self, 2) - 1;
	got = read(self->fd, self->buf, room);
	ASSERT_LT(0, got) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(2, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, 2, 0);
	/* The third, whole, in a buffer of exactly its record. */
	got = read(self->fd, self->buf, BHDR_LEN + sent_len(self, 2));
	ASSERT_EQ(BHDR_LEN + (ssize_t)sent_len(self, 2), got);
	ASSERT_EQ(1, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, 1, 2);
}

TEST_F(batch, buffer_too_small_for_the_first_packet_is_emsgsize_and_keeps_it)
{
	struct link_state before, after;
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	ssize_t got;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	ASSERT_EQ(0, send_n(1));
	ASSERT_EQ(0, link_get(DEV, &before));
	EXPECT_EQ(-1, read(self->fd, self->buf, BHDR_LEN + sent_len(self, 0) - 1));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, read(self->fd, self->buf, 4));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(POLLIN, tun_poll(self->fd, POLLIN, 0) & POLLIN);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.tx_dropped, after.stats.tx_dropped);

	got = read(self->fd, self->buf, BUF_LEN);
	ASSERT_LT(0, got) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(1, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, 1, 0);
}

/* A buffer that runs into a page the program cannot write: the records
 * before the hole are returned; a frame whose header falls in the hole
 * stays queued, untouched; a frame whose payload does is lost, counted
 * as a drop, as a single read's would be; the frames after it stay
 * queued.
 */
TEST_F(batch, read_into_a_hole_returns_what_fit_and_keeps_the_rest)
{
	size_t pg = sysconf(_SC_PAGESIZE), first, room;
	struct link_state before, after;
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	uint8_t *map, *buf;
	ssize_t got;

	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	ASSERT_EQ(0, mprotect(map + pg, pg, PROT_NONE));
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	ASSERT_EQ(0, send_n(3));
	first = BHDR_LEN + sent_len(self, 0);
	room = rec_next(0, sent_len(self, 0));

	/* The second header in the hole: the second frame stays queued. */
	ASSERT_EQ(0, link_get(DEV, &before));
	buf = map + pg - room;
	got = read(self->fd, buf, BUF_LEN);
	ASSERT_EQ((ssize_t)first, got) TH_LOG("read: %s", got < 0 ? strerror(errno) : "");
	ASSERT_EQ(1, parse_read(buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, buf, lens, offs, 1, 0);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.tx_dropped, after.stats.tx_dropped);
	EXPECT_EQ(before.stats.tx_packets + 1, after.stats.tx_packets);

	/* Now the third goes first, its header before the hole and its
	 * payload in it: lost and counted; the last one stays queued.
	 */
	ASSERT_EQ(0, send_n(1));
	buf = map + pg - BHDR_LEN - rec_next(0, sent_len(self, 1));
	got = read(self->fd, buf, BUF_LEN);
	ASSERT_EQ(BHDR_LEN + (ssize_t)sent_len(self, 1), got) {
		TH_LOG("read: %s", got < 0 ? strerror(errno) : "");
	}
	ASSERT_EQ(1, parse_read(buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, buf, lens, offs, 1, 1);
	before = after;
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.tx_dropped + 1, after.stats.tx_dropped);

	got = read(self->fd, self->buf, BUF_LEN);
	ASSERT_LT(0, got) TH_LOG("read: %s", strerror(errno));
	ASSERT_EQ(1, parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, 1, 0);
	EXPECT_EQ(-1, read(self->fd, self->buf, BUF_LEN));
	EXPECT_EQ(EAGAIN, errno);
	munmap(map, 2 * pg);
}

TEST_F(batch, blocking_read_waits_for_the_first_packet)
{
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	int status, fl;
	pid_t pid;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl & ~O_NONBLOCK));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		ssize_t got = read(self->fd, self->buf, BUF_LEN);

		_exit(got > 0 ? parse_read(self->buf, got, lens, VNL_BATCH_MAX, offs) : 100);
	}
	ASSERT_EQ(0, wait_sleeping(pid, SYS_read));
	ASSERT_EQ(0, send_n(1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(1, WEXITSTATUS(status));
}

TEST_F(batch, zero_length_read_returns_0_and_leaves_the_packet)
{
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	ASSERT_EQ(0, send_n(1));
	EXPECT_EQ(0, read(self->fd, self->buf, 0));
	EXPECT_EQ(POLLIN, tun_poll(self->fd, POLLIN, 0) & POLLIN);
}

/* --- write() -------------------------------------------------------------- */

/* A batch of @n datagrams tagged 'A'... of 20 + i bytes into self->buf;
 * its length (the last record's padding included if @pad_last).  The
 * bytes the device counts for them go to @bytes.
 */
static size_t build_batch(FIXTURE_DATA(batch) *self,
			  const FIXTURE_VARIANT(batch) *variant, int n,
			  bool pad_last, uint64_t *bytes)
{
	uint8_t p[2048];
	size_t off = 0, len = 0;
	int i;

	*bytes = 0;
	for (i = 0; i < n; i++) {
		len = udp_payload(self, variant, p, 'A' + i % 26, 20 + i % 50);
		off = put_record(self->buf, off, p, len);
		*bytes += len - self->pre;
	}
	if (!pad_last && n)
		off -= rec_next(0, len) - BHDR_LEN - len;
	return off;
}

/* Expect the socket @s to receive @n datagrams from build_batch(), in
 * order, then nothing.
 */
static void expect_batch(struct __test_metadata *_metadata, int s, int n)
{
	char got[256];
	ssize_t r;
	int i;

	for (i = 0; i < n; i++) {
		r = recv_wait(s, got, sizeof(got), TUN_WAIT_MS);
		ASSERT_EQ(20 + i % 50, r) TH_LOG("datagram %d of %d: %zd", i + 1, n, r);
		EXPECT_EQ('A' + i % 26, got[0]);
	}
	EXPECT_EQ(-EAGAIN, recv(s, got, sizeof(got), MSG_DONTWAIT) < 0 ? -errno : 0);
}

TEST_F(batch, write_of_n_packets_reaches_the_socket_and_counts_them)
{
	struct link_state before, after;
	const int n = 16;
	uint64_t bytes;
	size_t len;
	int s;

	s = udp_bind(LOCAL, PORT_IN);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	ASSERT_EQ(0, link_get(DEV, &before));
	len = build_batch(self, variant, n, true, &bytes);
	EXPECT_EQ((ssize_t)len, write(self->fd, self->buf, len)) {
		TH_LOG("write: %s", strerror(errno));
	}
	expect_batch(_metadata, s, n);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_packets + n, after.stats.rx_packets);
	EXPECT_EQ(before.stats.rx_bytes + bytes, after.stats.rx_bytes);
	EXPECT_EQ(before.stats.rx_dropped, after.stats.rx_dropped);
	close(s);
}

TEST_F(batch, write_of_64_packets_without_the_last_padding)
{
	struct link_state before, after;
	uint64_t bytes;
	size_t len;
	int s;

	s = udp_bind(LOCAL, PORT_IN);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	ASSERT_EQ(0, link_get(DEV, &before));
	len = build_batch(self, variant, VNL_BATCH_MAX, false, &bytes);
	EXPECT_EQ((ssize_t)len, write(self->fd, self->buf, len)) {
		TH_LOG("write: %s", strerror(errno));
	}
	expect_batch(_metadata, s, VNL_BATCH_MAX);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_packets + VNL_BATCH_MAX, after.stats.rx_packets);
	close(s);
}

TEST_F(batch, write_of_nothing_returns_0)
{
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	EXPECT_EQ(0, write(self->fd, self->buf, 0));
}

TEST_F(batch, write_while_down_is_eio)
{
	uint64_t bytes;
	size_t len;

	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	ASSERT_EQ(0, if_down(DEV));
	len = build_batch(self, variant, 2, true, &bytes);
	EXPECT_EQ(-1, write(self->fd, self->buf, len));
	EXPECT_EQ(EIO, errno);
}

enum bad_batch {
	BAD_LEN_0,
	BAD_LEN_PAST_END,
	BAD_RESERVED,
	BAD_65_RECORDS,
	BAD_TRAILING,
	BAD_FRAME,
	BAD_N
};

static const char *const bad_name[BAD_N] = {
	"a record of length 0", "a length past the end", "reserved not 0",
	"65 records", "4 trailing bytes", "a frame a single write refuses",
};

/* Two good records, then the bad part: the batch's length. */
static size_t build_bad(FIXTURE_DATA(batch) *self,
			const FIXTURE_VARIANT(batch) *variant, enum bad_batch bad)
{
	struct vnl_batch_hdr h = { 0, 0 };
	uint8_t p[2048];
	uint64_t bytes;
	size_t off, len;

	off = build_batch(self, variant, bad == BAD_65_RECORDS ? VNL_BATCH_MAX : 2,
			  true, &bytes);
	switch (bad) {
	case BAD_LEN_0:
		memcpy(self->buf + off, &h, BHDR_LEN);
		return off + BHDR_LEN + 8;
	case BAD_LEN_PAST_END:
		len = udp_payload(self, variant, p, 'z', 20);
		put_record(self->buf, off, p, len);
		h.len = len + 1;
		memcpy(self->buf + off, &h, BHDR_LEN);
		return off + BHDR_LEN + len;
	case BAD_RESERVED:
		len = udp_payload(self, variant, p, 'z', 20);
		put_record(self->buf, off, p, len);
		h.len = len;
		h.reserved = 1;
		memcpy(self->buf + off, &h, BHDR_LEN);
		return rec_next(off, len);
	case BAD_65_RECORDS:
		len = udp_payload(self, variant, p, 'z', 20);
		return put_record(self->buf, off, p, len);
	case BAD_TRAILING:
		memset(self->buf + off, 0, 4);
		return off + 4;
	case BAD_FRAME:
		/* What a single write() refuses and counts, behind packet
		 * information and a vnet header that are fine: on a tap, 5
		 * bytes, shorter than an Ethernet header; on a tun with
		 * packet information, no packet; without, 5 bytes that are
		 * not IP (version 0).
		 */
		memset(p, 0, sizeof(p));
		if (variant->pi) {
			struct tun_pi pi = { .flags = 0, .proto = htons(ETH_P_IP) };

			memcpy(p, &pi, PI_LEN);
		}
		len = self->pre + (variant->type == IFF_TUN && variant->pi ? 0 : 5);
		return put_record(self->buf, off, p, len);
	default:
		return 0;
	}
}

TEST_F(batch, malformed_write_is_einval_and_sends_nothing)
{
	struct link_state before, after;
	uint64_t bytes;
	char got[256];
	size_t len;
	int bad, s;

	s = udp_bind(LOCAL, PORT_IN);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	for (bad = 0; bad < BAD_N; bad++) {
		ASSERT_EQ(0, link_get(DEV, &before));
		len = build_bad(self, variant, bad);
		EXPECT_EQ(-1, write(self->fd, self->buf, len)) {
			TH_LOG("%s: the batch was taken", bad_name[bad]);
		}
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad_name[bad], strerror(errno));
		ASSERT_EQ(0, link_get(DEV, &after));
		EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets) {
			TH_LOG("%s: packets were received", bad_name[bad]);
		}
		/* A frame refused is a bad_write drop, as alone; a framing
		 * error is no frame at all.
		 */
		EXPECT_EQ(before.stats.rx_dropped + (bad == BAD_FRAME),
			  after.stats.rx_dropped) TH_LOG("%s", bad_name[bad]);
	}
	/* Nothing of them reached the socket: the first datagram it gets is
	 * the first of a good batch written now.
	 */
	len = build_batch(self, variant, 1, true, &bytes);
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	ASSERT_EQ(20, recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	EXPECT_EQ('A', got[0]);
	EXPECT_EQ(-EAGAIN, recv(s, got, sizeof(got), MSG_DONTWAIT) < 0 ? -errno : 0);
	close(s);
}

TEST_F(batch, batch_and_single_reads_and_writes_mix)
{
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	uint64_t bytes;
	char got[256];
	ssize_t n;
	size_t len;
	int s;

	/* Batch writes, single reads: the stack answers nothing here, so
	 * read what it sends and write what it receives separately.
	 */
	s = udp_bind(LOCAL, PORT_IN);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));
	ASSERT_EQ(0, send_n(2));
	n = read(self->fd, self->buf, BUF_LEN);
	EXPECT_EQ((ssize_t)sent_len(self, 0), n);
	len = build_batch(self, variant, 1, false, &bytes);
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	ASSERT_EQ(20, recv_wait(s, got, sizeof(got), TUN_WAIT_MS));

	/* Batch reads, single writes: the second datagram comes framed. */
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_READ));
	n = read(self->fd, self->buf, BUF_LEN);
	ASSERT_EQ(1, parse_read(self->buf, n, lens, VNL_BATCH_MAX, offs));
	check_sent(_metadata, self, self->buf, lens, offs, 1, 1);
	len = udp_payload(self, variant, self->buf, 'Q', 30);
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	ASSERT_EQ(30, recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	EXPECT_EQ('Q', got[0]);
	close(s);
}

/* A written batch's frames are carved from a page of the file's own,
 * which the next batch starts over once every frame of it is freed
 * (kmod/batch.c:vnl_batch_frag).  Two ways that could go wrong, both
 * seen as wrong bytes at the socket: a page reused while frames of it
 * are still queued, and two writers of one file carving the same bytes.
 */
#define TAG_LEN		32	/* each datagram: its id, then a pattern */
#define TAG_BATCHES	8	/* per writer */
#define TAG_IDS		(2 * TAG_BATCHES * VNL_BATCH_MAX)

static uint8_t tag_byte(uint32_t id, int j)
{
	return (id * 7 + j) & 0xff;
}

/* A batch of VNL_BATCH_MAX datagrams, ids @first.., into self->buf. */
static size_t build_tagged(FIXTURE_DATA(batch) *self,
			   const FIXTURE_VARIANT(batch) *variant, uint32_t first)
{
	uint8_t l3[256], p[512], data[TAG_LEN];
	size_t off = 0, len;
	uint32_t id;
	int i, j;

	for (i = 0; i < VNL_BATCH_MAX; i++) {
		id = first + i;
		memcpy(data, &id, sizeof(id));
		for (j = sizeof(id); j < TAG_LEN; j++)
			data[j] = tag_byte(id, j);
		len = build_udp4(l3, PEER, LOCAL, 5555, PORT_IN, data, TAG_LEN);
		off = put_record(self->buf, off, p,
				 payload(self, variant, p, l3, len));
	}
	return off;
}

/* Write the batches of ids @first.. (TAG_BATCHES of them); 0 or -errno. */
static int write_tagged(FIXTURE_DATA(batch) *self,
			const FIXTURE_VARIANT(batch) *variant, uint32_t first)
{
	int b;

	for (b = 0; b < TAG_BATCHES; b++) {
		size_t len = build_tagged(self, variant,
					  first + b * VNL_BATCH_MAX);

		if (write(self->fd, self->buf, len) != (ssize_t)len)
			return -errno;
	}
	return 0;
}

/* Receive @n tagged datagrams: each must hold its pattern whole and come
 * once.  The number of good ones.
 */
static int recv_tagged(int s, uint8_t *seen, int n)
{
	uint8_t got[TAG_LEN + 1];
	int i, j, good = 0;
	uint32_t id;

	for (i = 0; i < n; i++) {
		if (recv_wait(s, got, sizeof(got), TUN_WAIT_MS) != TAG_LEN)
			break;
		memcpy(&id, got, sizeof(id));
		if (id >= TAG_IDS || seen[id]++)
			continue;
		for (j = sizeof(id); j < TAG_LEN && got[j] == tag_byte(id, j); j++)
			;
		good += j == TAG_LEN;
	}
	return good;
}

TEST_F(batch, frames_keep_their_bytes_while_queued_and_between_two_writers)
{
	int s, one = 8 << 20, status, b;
	uint8_t seen[TAG_IDS] = {};
	pid_t pid;

	s = udp_bind(LOCAL, PORT_IN);
	ASSERT_LE(0, s);
	/* Room for every datagram: none is read until all are written. */
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &one, sizeof(one)));
	ASSERT_EQ(0, set_batch(self->fd, VNL_BATCH_WRITE));

	/* Two writers of the same file at once (the child shares it). */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(write_tagged(self, variant, TAG_IDS / 2) ? 1 : 0);
	EXPECT_EQ(0, write_tagged(self, variant, 0));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(TAG_IDS, recv_tagged(s, seen, TAG_IDS));

	/* One batch at a time, each read before the next: the page is
	 * reused, and each batch must still arrive as written.
	 */
	memset(seen, 0, sizeof(seen));
	for (b = 0; b < TAG_BATCHES; b++) {
		size_t len = build_tagged(self, variant, b * VNL_BATCH_MAX);

		ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
		ASSERT_EQ(VNL_BATCH_MAX, recv_tagged(s, seen, VNL_BATCH_MAX)) {
			TH_LOG("batch %d", b);
		}
	}
	close(s);
}

/* --- multi-queue ---------------------------------------------------------- */

#define NQ	4
#define FLOWS	32

FIXTURE(mq)
{
	int fd[NQ];
	uint8_t *buf;
};

FIXTURE_SETUP(mq)
{
	int i, err;

	for (i = 0; i < NQ; i++)
		self->fd[i] = -1;
	self->buf = calloc(1, BUF_LEN);
	ASSERT_TRUE(self->buf != NULL);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	for (i = 0; i < NQ; i++) {
		char name[IFNAMSIZ] = DEV;

		self->fd[i] = tun_alloc(name, IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE);
		ASSERT_LE(0, self->fd[i]) TH_LOG("queue %d: %s", i, strerror(-self->fd[i]));
		ASSERT_EQ(0, tun_set_nonblock(self->fd[i]));
		ASSERT_EQ(0, set_batch(self->fd[i], VNL_BATCH_READ | VNL_BATCH_WRITE));
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
	free(self->buf);
}

TEST_F(mq, every_queue_reads_its_flows_in_batches)
{
	uint32_t lens[VNL_BATCH_MAX];
	size_t offs[VNL_BATCH_MAX];
	int q, i, r, total = 0, used = 0;
	int s[FLOWS];
	ssize_t n;

	for (i = 0; i < FLOWS; i++) {
		s[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ASSERT_LE(0, s[i]);
		ASSERT_EQ(0, udp_send4(s[i], PEER, PORT_OUT, "xy", 2));
		ASSERT_EQ(0, udp_send4(s[i], PEER, PORT_OUT, "xy", 2));
	}
	for (q = 0; q < NQ; q++) {
		int here = 0;

		while ((n = read(self->fd[q], self->buf, BUF_LEN)) > 0) {
			r = parse_read(self->buf, n, lens, VNL_BATCH_MAX, offs);
			ASSERT_LT(0, r) TH_LOG("queue %d: bad framing", q);
			for (i = 0; i < r; i++)
				EXPECT_EQ((uint32_t)(IP4_HLEN + UDP_HLEN + 2), lens[i]);
			here += r;
		}
		EXPECT_EQ(EAGAIN, errno);
		total += here;
		used += here > 0;
	}
	EXPECT_EQ(2 * FLOWS, total);
	EXPECT_LT(1, used) TH_LOG("all %d flows on one queue", FLOWS);
	for (i = 0; i < FLOWS; i++)
		close(s[i]);
}

TEST_F(mq, every_queue_writes_batches_that_arrive)
{
	struct link_state before, after;
	uint8_t p[256];
	char got[64];
	int q, i, s;
	size_t off;

	s = udp_bind(LOCAL, PORT_IN);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, link_get(DEV, &before));
	for (q = 0; q < NQ; q++) {
		off = 0;
		for (i = 0; i < 8; i++) {
			char tag = 'a' + q;
			size_t len = build_udp4(p, PEER, LOCAL, 6000 + q, PORT_IN, &tag, 1);

			off = put_record(self->buf, off, p, len);
		}
		EXPECT_EQ((ssize_t)off, write(self->fd[q], self->buf, off)) {
			TH_LOG("queue %d: %s", q, strerror(errno));
		}
	}
	for (i = 0; i < 8 * NQ; i++)
		ASSERT_EQ(1, recv_wait(s, got, sizeof(got), TUN_WAIT_MS)) {
			TH_LOG("datagram %d of %d not received", i + 1, 8 * NQ);
		}
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_packets + 8 * NQ, after.stats.rx_packets);
	close(s);
}

TEST_F(mq, detached_queue_in_batch_mode_answers_ebadfd)
{
	uint8_t p[256];
	size_t len, off;

	ASSERT_EQ(0, tun_set_queue(self->fd[1], IFF_DETACH_QUEUE));
	EXPECT_EQ(-1, read(self->fd[1], self->buf, BUF_LEN));
	EXPECT_EQ(EBADFD, errno);
	len = build_udp4(p, PEER, LOCAL, 6000, PORT_IN, "x", 1);
	off = put_record(self->buf, 0, p, len);
	EXPECT_EQ(-1, write(self->fd[1], self->buf, off));
	EXPECT_EQ(EBADFD, errno);
	/* Back in, still in batch mode. */
	ASSERT_EQ(0, tun_set_queue(self->fd[1], IFF_ATTACH_QUEUE));
	EXPECT_EQ((ssize_t)off, write(self->fd[1], self->buf, off));
}

TEST_HARNESS_MAIN
