// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP on a pair end, in copy mode: what a program that reads and
 * writes raw frames through an XDP socket sees.  The same tests run on a
 * vnl pair and on the kernel's veth, the reference.
 *
 * Each test has a netns of its own with one end, xa (10.77.0.1), and a
 * second netns, the "far" side, with its peer xb (10.77.0.2), which knows
 * xa's MAC (a permanent neighbour: no ARP).  The socket is bound to
 * queue 0 of xa in copy mode (XDP_COPY) through libxdp's xsk API, which
 * also attaches its default program to xa in native mode: an XSKMAP
 * redirect of every frame that arrives on a queue with a socket.
 *
 *   udp_from_peer_lands_in_socket   datagrams a UDP socket on the far side
 *                                   sends to xa are read off the socket's
 *                                   RX ring, byte for byte, and none
 *                                   reaches xa's own stack
 *   tx_ring_frames_reach_peer       frames put on the TX ring arrive on xb,
 *                                   byte for byte (a packet socket there),
 *                                   and their buffers come back on the
 *                                   completion ring
 *   zerocopy_bind_refused           a bind with XDP_ZEROCOPY fails with
 *                                   EOPNOTSUPP (neither device can put
 *                                   frames straight into user memory), and
 *                                   leaves the queue free for a copy-mode
 *                                   socket
 *
 * The first two need native XDP on the device (ndo_bpf): where attaching
 * a program in native mode says EOPNOTSUPP (a vnl.ko without XDP), they
 * are skipped with that reason.  The third needs none.
 *
 * libxdp keeps its program dispatcher in bpffs: each test mounts one at
 * /sys/fs/bpf in a mount namespace of its own, gone when it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define END		"xa"
#define PEER		"xb"
#define END_IP		"10.77.0.1"
#define PEER_IP		"10.77.0.2"
#define UDP_PORT	7777
#define NFRAMES		128		/* in the UMEM: half RX, half TX */
#define FRAME		XSK_UMEM__DEFAULT_FRAME_SIZE
#define RING		64
#define NPKTS		8U		/* frames sent each way */
#define TX_LEN		60		/* each TX frame, no FCS */

FIXTURE(xsk)
{
	int home, far;			/* the two netns */
	unsigned char end_mac[ETH_ALEN], peer_mac[ETH_ALEN];
	const char *no_native;		/* why native XDP is missing, or NULL */
	void *area;			/* the UMEM */
	struct xsk_umem *umem;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
};

FIXTURE_VARIANT(xsk)
{
	const char *make_pair;		/* makes END and PEER, in this netns */
};

FIXTURE_VARIANT_ADD(xsk, vnl)
{
	.make_pair = "vnlctl add pair " END " peer " PEER " >/dev/null",
};

FIXTURE_VARIANT_ADD(xsk, veth)
{
	.make_pair = "ip link add " END " type veth peer name " PEER,
};

/* Waits until NAME's link is RUNNING: its operational state is up, and
 * with it, its qdisc is active (until then it drops whatever is sent).
 */
static int wait_running(const char *name)
{
	struct link_state st;
	int i;

	for (i = 0; i < TUN_WAIT_MS / 10; i++) {
		if (link_get(name, &st) == 0 && (st.flags & IFF_RUNNING))
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

/* A socket of @type made in the far netns: it stays there. */
static int far_socket(FIXTURE_DATA(xsk) *self, int family, int type, int proto)
{
	int s, err = 0;

	if (setns(self->far, CLONE_NEWNET))
		return -errno;
	s = socket(family, type | SOCK_CLOEXEC, proto);
	if (s < 0)
		err = -errno;
	if (setns(self->home, CLONE_NEWNET))
		exit(1);
	return s < 0 ? err : s;
}

/* libbpf's and libxdp's warnings, without their notes on every ELF
 * section they skip; none at all while @quiet (the probe below, whose
 * refusal is an answer, not a problem).
 */
static bool quiet;

static int libbpf_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_WARN && !quiet ? vfprintf(stderr, fmt, args) : 0;
}

static int libxdp_warnings(enum libxdp_print_level level, const char *fmt, va_list args)
{
	return level == LIBXDP_WARN && !quiet ? vfprintf(stderr, fmt, args) : 0;
}

/* Attaching a program that passes everything, in native mode, and
 * detaching it: 0, or the error of the attach.
 */
static int native_xdp_probe(int ifindex)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdp_sock_probe", "GPL", pass, 2, NULL);
	if (fd < 0)
		return fd;
	quiet = true;
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	quiet = false;
	if (!err)
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	close(fd);
	return err;
}

FIXTURE_SETUP(xsk)
{
	int err;

	self->home = self->far = -1;
	libbpf_set_print(libbpf_warnings);
	libxdp_set_print(libxdp_warnings);
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL))
		TH_LOG("mount bpffs: %s", strerror(errno));

	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("far netns: %s", strerror(-err));
	self->far = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->far);
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));

	ASSERT_EQ(0, system(variant->make_pair));
	ASSERT_EQ(0, if_get_hwaddr(END, self->end_mac, NULL));
	ASSERT_EQ(0, if_get_hwaddr(PEER, self->peer_mac, NULL));
	ASSERT_EQ(0, link_set_netns(PEER, self->far));
	ASSERT_EQ(0, if_addr4(END, END_IP, 24));
	ASSERT_EQ(0, if_up(END));

	ASSERT_EQ(0, setns(self->far, CLONE_NEWNET));
	ASSERT_EQ(0, if_addr4(PEER, PEER_IP, 24));
	ASSERT_EQ(0, if_up(PEER));
	ASSERT_EQ(0, if_neigh4(PEER, END_IP, self->end_mac));
	ASSERT_EQ(0, wait_running(PEER)) TH_LOG(PEER " never came up");
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));
	ASSERT_EQ(0, wait_running(END)) TH_LOG(END " never came up");

	err = native_xdp_probe(if_nametoindex(END));
	if (err == -EOPNOTSUPP)
		self->no_native = "no native XDP on " END " (attach: EOPNOTSUPP)";
	else
		ASSERT_EQ(0, err) TH_LOG("native XDP on " END ": %s", strerror(-err));

	self->area = mmap(NULL, NFRAMES * FRAME, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->area);
}

FIXTURE_TEARDOWN(xsk)
{
	if (self->xsk)
		xsk_socket__delete(self->xsk);
	if (self->umem)
		xsk_umem__delete(self->umem);
	if (self->area && self->area != MAP_FAILED)
		munmap(self->area, NFRAMES * FRAME);
	if (self->far >= 0)
		close(self->far);
	if (self->home >= 0)
		close(self->home);
}

/* A UMEM over the whole area, then a socket on queue 0 of END bound with
 * @bind_flags; with @prog, libxdp attaches its XSKMAP program in native
 * mode.  0 or -errno.
 */
static int xsk_open(FIXTURE_DATA(xsk) *self, __u16 bind_flags, bool prog)
{
	const struct xsk_umem_config ucfg = {
		.fill_size = RING,
		.comp_size = RING,
		.frame_size = FRAME,
	};
	const struct xsk_socket_config scfg = {
		.rx_size = RING,
		.tx_size = RING,
		.libxdp_flags = prog ? 0 : XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = bind_flags,
	};
	int err;

	err = xsk_umem__create(&self->umem, self->area, NFRAMES * FRAME,
			       &self->fill, &self->comp, &ucfg);
	if (err) {
		self->umem = NULL;
		return err;
	}
	err = xsk_socket__create(&self->xsk, END, 0, self->umem, &self->rx,
				 &self->tx, &scfg);
	if (err)
		self->xsk = NULL;
	return err;
}

static void xsk_close(FIXTURE_DATA(xsk) *self)
{
	xsk_socket__delete(self->xsk);
	self->xsk = NULL;
	xsk_umem__delete(self->umem);
	self->umem = NULL;
}

/* The socket's XDP_OPTIONS: is it zero-copy? */
static int xsk_is_zerocopy(FIXTURE_DATA(xsk) *self)
{
	struct xdp_options opts;
	socklen_t len = sizeof(opts);

	if (getsockopt(xsk_socket__fd(self->xsk), SOL_XDP, XDP_OPTIONS, &opts, &len))
		return -errno;
	return !!(opts.flags & XDP_OPTIONS_ZEROCOPY);
}

/* Hands the first @n frames of the UMEM to the kernel, for RX. */
static int fill_frames(FIXTURE_DATA(xsk) *self, unsigned int n)
{
	__u32 idx, i;

	if (xsk_ring_prod__reserve(&self->fill, n, &idx) != n)
		return -ENOSPC;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&self->fill, idx + i) = (__u64)i * FRAME;
	xsk_ring_prod__submit(&self->fill, n);
	return 0;
}

/* What is wrong with @f (@len bytes) as the far side's datagram @i on
 * END, or NULL.  The IP header's ID and checksum, and the UDP checksum
 * (left partial: both devices offload it), are the sender's business.
 */
static const char *bad_rx_frame(FIXTURE_DATA(xsk) *self, const uint8_t *f,
				size_t len, unsigned int i)
{
	const uint8_t *ip = f + ETH_HLEN, *udp = ip + IP4_HLEN;
	uint8_t want[ETH_HLEN], addrs[8];
	char payload[32];
	size_t n;

	n = snprintf(payload, sizeof(payload), "xdp_sock rx %u", i);
	if (len != ETH_HLEN + IP4_HLEN + UDP_HLEN + n)
		return "length";
	build_eth(want, self->end_mac, self->peer_mac, ETH_P_IP);
	if (memcmp(want, f, ETH_HLEN))
		return "Ethernet header: not from " PEER " to " END ", IPv4";
	inet_pton(AF_INET, PEER_IP, addrs);
	inet_pton(AF_INET, END_IP, addrs + 4);
	if (ip[0] != 0x45 || ip[9] != IPPROTO_UDP || memcmp(ip + 12, addrs, 8))
		return "IPv4 header: not UDP from " PEER_IP " to " END_IP;
	if (get16(udp + 2) != UDP_PORT || get16(udp + 4) != UDP_HLEN + n)
		return "UDP header: port or length";
	if (memcmp(udp + UDP_HLEN, payload, n))
		return "payload";
	return NULL;
}

TEST_F(xsk, udp_from_peer_lands_in_socket)
{
	struct xdp_statistics stats;
	socklen_t slen = sizeof(stats);
	unsigned int i, got = 0;
	int stack, s, err;
	char payload[32];
	__u32 idx, n, j;

	if (self->no_native)
		SKIP(return, "%s", self->no_native);
	err = xsk_open(self, XDP_COPY, true);
	ASSERT_EQ(0, err) TH_LOG("AF_XDP socket on " END " queue 0: %s", strerror(-err));
	ASSERT_EQ(0, xsk_is_zerocopy(self));
	ASSERT_EQ(0, fill_frames(self, RING));
	/* END's own stack listens too: it must hear nothing. */
	stack = udp_bind(END_IP, UDP_PORT);
	ASSERT_LE(0, stack);

	s = far_socket(self, AF_INET, SOCK_DGRAM, 0);
	ASSERT_LE(0, s);
	for (i = 0; i < NPKTS; i++) {
		n = snprintf(payload, sizeof(payload), "xdp_sock rx %u", i);
		ASSERT_EQ(0, udp_send4(s, END_IP, UDP_PORT, payload, n));
	}
	close(s);

	while (got < NPKTS) {
		if (!(tun_poll(xsk_socket__fd(self->xsk), POLLIN, TUN_WAIT_MS) & POLLIN))
			break;
		n = xsk_ring_cons__peek(&self->rx, RING, &idx);
		for (j = 0; j < n; j++, got++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&self->rx, idx + j);
			const char *bad = bad_rx_frame(self, xsk_umem__get_data(self->area, d->addr),
						       d->len, got);

			EXPECT_STREQ("ok", bad ? bad : "ok")
				TH_LOG("frame %u (%u bytes): its %s", got, d->len, bad);
		}
		xsk_ring_cons__release(&self->rx, n);
	}
	EXPECT_EQ(NPKTS, got) TH_LOG("frames read off the RX ring");

	ASSERT_EQ(0, getsockopt(xsk_socket__fd(self->xsk), SOL_XDP, XDP_STATISTICS,
				&stats, &slen));
	EXPECT_EQ(0ULL, stats.rx_dropped);
	EXPECT_EQ(0ULL, stats.rx_invalid_descs);
	EXPECT_EQ(-1, recv(stack, payload, sizeof(payload), MSG_DONTWAIT))
		TH_LOG("a datagram reached " END "'s stack past the program");
	EXPECT_EQ(EAGAIN, errno);
	close(stack);
}

TEST_F(xsk, tx_ring_frames_reach_peer)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t want[TX_LEN], buf[2048];
	__u32 idx, done = 0, n, j;
	unsigned int i, got;
	int ps, err;
	ssize_t len;

	if (self->no_native)
		SKIP(return, "%s", self->no_native);
	ps = far_socket(self, AF_PACKET, SOCK_RAW, htons(ETH_P_802_EX1));
	ASSERT_LE(0, ps);
	ASSERT_EQ(0, setns(self->far, CLONE_NEWNET));
	sll.sll_protocol = htons(ETH_P_802_EX1);
	sll.sll_ifindex = if_nametoindex(PEER);
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));
	ASSERT_EQ(0, bind(ps, (struct sockaddr *)&sll, sizeof(sll)));

	err = xsk_open(self, XDP_COPY, true);
	ASSERT_EQ(0, err) TH_LOG("AF_XDP socket on " END " queue 0: %s", strerror(-err));

	/* The second half of the UMEM holds the frames to send. */
	ASSERT_EQ(NPKTS, xsk_ring_prod__reserve(&self->tx, NPKTS, &idx));
	for (i = 0; i < NPKTS; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&self->tx, idx + i);
		uint8_t *f;

		d->addr = (__u64)(RING + i) * FRAME;
		d->len = TX_LEN;
		f = xsk_umem__get_data(self->area, d->addr);
		memset(f, 0, TX_LEN);
		build_eth(f, self->peer_mac, self->end_mac, ETH_P_802_EX1);
		snprintf((char *)f + ETH_HLEN, TX_LEN - ETH_HLEN, "xdp_sock tx %u", i);
	}
	xsk_ring_prod__submit(&self->tx, NPKTS);

	/* Copy mode sends on sendto(); each buffer comes back once the
	 * frame made from it is freed.
	 */
	for (i = 0; i < TUN_WAIT_MS / 10 && done < NPKTS; i++) {
		if (sendto(xsk_socket__fd(self->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0)
			ASSERT_TRUE(errno == EAGAIN || errno == EBUSY || errno == ENOBUFS)
				TH_LOG("sendto: %s", strerror(errno));
		n = xsk_ring_cons__peek(&self->comp, RING, &idx);
		for (j = 0; j < n; j++, done++)
			EXPECT_EQ((__u64)(RING + done) * FRAME,
				  *xsk_ring_cons__comp_addr(&self->comp, idx + j));
		xsk_ring_cons__release(&self->comp, n);
		if (done < NPKTS)
			usleep(10000);
	}
	EXPECT_EQ(NPKTS, done) TH_LOG("buffers back on the completion ring");

	for (got = 0; got < NPKTS; got++) {
		len = recv_wait(ps, buf, sizeof(buf), TUN_WAIT_MS);
		if (len < 0)
			break;
		memset(want, 0, TX_LEN);
		build_eth(want, self->peer_mac, self->end_mac, ETH_P_802_EX1);
		snprintf((char *)want + ETH_HLEN, TX_LEN - ETH_HLEN, "xdp_sock tx %u", got);
		EXPECT_EQ((ssize_t)TX_LEN, len) TH_LOG("frame %u on " PEER ": length", got);
		EXPECT_EQ(0, memcmp(want, buf, TX_LEN))
			TH_LOG("frame %u on " PEER ": not the one sent", got);
	}
	EXPECT_EQ(NPKTS, got) TH_LOG("frames that reached " PEER);
	EXPECT_EQ((ssize_t)-ETIMEDOUT, recv_wait(ps, buf, sizeof(buf), 200))
		TH_LOG("more frames on " PEER " than were sent");
	close(ps);
}

TEST_F(xsk, zerocopy_bind_refused)
{
	int err;

	err = xsk_open(self, XDP_ZEROCOPY, false);
	ASSERT_EQ(-EOPNOTSUPP, err)
		TH_LOG("XDP_ZEROCOPY bind on " END ": %s", err ? strerror(-err) : "accepted");
	xsk_umem__delete(self->umem);
	self->umem = NULL;

	err = xsk_open(self, XDP_COPY, false);
	ASSERT_EQ(0, err) TH_LOG("XDP_COPY bind after the refusal: %s", strerror(-err));
	EXPECT_EQ(0, xsk_is_zerocopy(self));
	xsk_close(self);
}

TEST_HARNESS_MAIN
