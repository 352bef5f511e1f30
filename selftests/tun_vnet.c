// SPDX-License-Identifier: GPL-2.0
/*
 * vnet headers on /dev/vnl (IFF_VNET_HDR), as a VM's backend uses them:
 * the ioctls (TUN{GET,SET}VNETHDRSZ, VNETLE, VNETBE, TUNSETOFFLOAD and
 * what `ethtool -k` then shows), a struct virtio_net_hdr before every
 * frame read and written, checksum offload both ways, GSO super-packets
 * both ways, and the headers that are refused.
 *
 * The device is vnl0, 10.1.0.1, the far end 10.1.0.2, as in tun_io.c.
 * The forwarding tests add a veth pair, vv0 here (10.2.0.1) and vv1 in a
 * second netns, where a packet socket sees what the stack sent out.
 *
 * Each test runs in a network namespace of its own, with IPv6 off, so the
 * queue only ever holds what the test sent (see tun_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <netinet/tcp.h>
#include <sys/mount.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"

#define DEV		"vnl0"
#define LOCAL		"10.1.0.1"
#define PEER		"10.1.0.2"
#define FWD_LOCAL	"10.2.0.1"
#define FAR		"10.2.0.2"
#define PI_LEN		((int)sizeof(struct tun_pi))
#define VHDR_LEN	((int)sizeof(struct virtio_net_hdr))
#define TCP_HLEN	20
#define MSS		1000
/* The forwarded super-packet's: 3 segments of it are more than a page. */
#define FWD_MSS		1400
#define BUF_LEN		70000

static const unsigned char peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0x01, 0, 0x02 };

FIXTURE(vnet)
{
	int fd;
	unsigned char mac[ETH_ALEN];	/* the tap's own */
	int pi;				/* bytes of packet information */
	int eth;			/* bytes of link-layer header */
	uint8_t *buf;			/* BUF_LEN bytes */
};

FIXTURE_VARIANT(vnet)
{
	unsigned short type;
	bool pi;
};

/* What QEMU asks for. */
FIXTURE_VARIANT_ADD(vnet, tap)
{
	.type = IFF_TAP, .pi = false,
};

/* The packet information comes first, then the vnet header. */
FIXTURE_VARIANT_ADD(vnet, tun_pi)
{
	.type = IFF_TUN, .pi = true,
};

FIXTURE_SETUP(vnet)
{
	char name[IFNAMSIZ] = DEV;
	bool tap = variant->type == IFF_TAP;
	int err;

	self->buf = malloc(BUF_LEN);
	ASSERT_TRUE(self->buf != NULL);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->fd = tun_alloc(name, variant->type | IFF_VNET_HDR |
				   (variant->pi ? 0 : IFF_NO_PI));
	ASSERT_LE(0, self->fd) TH_LOG("TUNSETIFF: %s", strerror(-self->fd));
	if (tap) {
		err = if_addr4(DEV, LOCAL, 24);
		if (!err)
			err = if_up(DEV);
		if (!err)
			err = if_neigh4(DEV, PEER, peer_mac);
		ASSERT_EQ(0, if_get_hwaddr(DEV, self->mac, NULL));
	} else {
		err = if_addr4_peer(DEV, LOCAL, PEER);
		if (!err)
			err = if_up(DEV);
	}
	ASSERT_EQ(0, err) TH_LOG("configuring %s: %s", DEV, strerror(-err));
	self->pi = variant->pi ? PI_LEN : 0;
	self->eth = tap ? ETH_HLEN : 0;
}

FIXTURE_TEARDOWN(vnet)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->buf);
}

/* --- helpers ---------------------------------------------------------------- */

static int vnet_ioctl_int(int fd, unsigned long cmd, int *val)
{
	return ioctl(fd, cmd, val) ? -errno : 0;
}

/* What write() takes: packet information, the vnet header @vh, then (tap)
 * an Ethernet header from the far end to us, then the L3 packet already
 * at @out + vnet_l3_off().  Returns the length written.
 */
static size_t vnet_l3_off(FIXTURE_DATA(vnet) *self)
{
	return self->pi + VHDR_LEN + self->eth;
}

static size_t vnet_wrap(FIXTURE_DATA(vnet) *self, uint8_t *out,
			const struct virtio_net_hdr *vh, size_t l3len)
{
	if (self->pi) {
		struct tun_pi pi = { .flags = 0, .proto = htons(ETH_P_IP) };

		memcpy(out, &pi, PI_LEN);
	}
	memcpy(out + self->pi, vh, VHDR_LEN);
	if (self->eth)
		build_eth(out + self->pi + VHDR_LEN, self->mac, peer_mac, ETH_P_IP);
	return vnet_l3_off(self) + l3len;
}

/* One counter of `ethtool -S DEV`, or -1. */
static long long ethtool_stat(const char *dev, const char *stat)
{
	char cmd[128], line[256], *p;
	long long ret = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ethtool -S %s 2>/dev/null", dev);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " ");
		if (!strncmp(p, stat, strlen(stat)) && p[strlen(stat)] == ':') {
			ret = strtoll(p + strlen(stat) + 1, NULL, 10);
			break;
		}
	}
	pclose(f);
	return ret;
}

/* The offloads as `ethtool -k` shows them, one bit each. */
enum { OFF_CSUM = 1, OFF_TSO4 = 2, OFF_TSO6 = 4, OFF_ECN = 8, OFF_USO = 16 };

/* The offloads `ethtool -k DEV` shows on, one bit each, from one run of
 * ethtool: a process start costs more than the rest of a check in a TCG
 * guest, and this is called thirty times a test.  -1 when ethtool lists
 * none of them (no ethtool).
 */
static int vnet_offloads_shown(void)
{
	static const struct {
		const char *name;
		int bit;
	} f[] = {
		{ "tx-checksum-ip-generic", OFF_CSUM },
		{ "tx-tcp-segmentation", OFF_TSO4 },
		{ "tx-tcp6-segmentation", OFF_TSO6 },
		{ "tx-tcp-ecn-segmentation", OFF_ECN },
		{ "tx-udp-segmentation", OFF_USO },
	};
	int shown = 0, listed = 0;
	char line[256];
	size_t i;
	FILE *p;

	p = popen("ethtool -k " DEV " 2>/dev/null", "r");
	if (!p)
		return -1;
	/* "feature: on", indented under its group ("\ttx-tcp-...: on"). */
	while (fgets(line, sizeof(line), p)) {
		char *l = line + strspn(line, " \t");

		for (i = 0; i < ARRAY_SIZE(f); i++) {
			size_t n = strlen(f[i].name);

			if (strncmp(l, f[i].name, n) || l[n] != ':')
				continue;
			listed = 1;
			if (!strncmp(l + n + 1, " on", 3))
				shown |= f[i].bit;
		}
	}
	pclose(p);
	return listed ? shown : -1;
}

/* TUNSETOFFLOAD @arg on a tap of the kernel's own tun: its answer, or 1
 * if there is no /dev/net/tun to ask.
 */
static int kernel_tun_setoffload(unsigned long arg)
{
	struct ifreq ifr;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "ktap0");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		return 1;
	}
	ret = ioctl(fd, TUNSETOFFLOAD, arg) ? -errno : 0;
	close(fd);
	return ret;
}

/* /sys/class/net/@dev/tun_flags, or -1. */
static int sysfs_tun_flags(const char *dev)
{
	char path[64], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (int)strtol(buf, NULL, 16);
}

/* --- the ioctls ------------------------------------------------------------- */

TEST_F(vnet, features_and_flags_report_vnet_hdr)
{
	unsigned short flags = 0;
	unsigned int features;
	char name[IFNAMSIZ] = DEV;
	int fd, sysfs_flags;

	ASSERT_EQ(0, ioctl(self->fd, TUNGETFEATURES, &features));
	EXPECT_TRUE(!!(features & IFF_VNET_HDR));
	ASSERT_EQ(0, tun_get_iff(self->fd, NULL, &flags));
	EXPECT_TRUE(!!(flags & IFF_VNET_HDR));
	/* sysfs shows the devices of the netns that mounted it: a fresh one,
	 * in a mount namespace of this test's own.
	 */
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("sysfs", "/sys", "sysfs", 0, NULL));
	sysfs_flags = sysfs_tun_flags(DEV);
	ASSERT_LE(0, sysfs_flags);
	EXPECT_EQ(IFF_VNET_HDR, sysfs_flags & IFF_VNET_HDR);

	/* The device keeps it; the latest TUNSETIFF decides it, as tun. */
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 1));
	close(self->fd);
	fd = tun_alloc(name, variant->type | (variant->pi ? 0 : IFF_NO_PI));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, tun_get_iff(fd, NULL, &flags));
	EXPECT_FALSE(!!(flags & IFF_VNET_HDR));
	close(fd);
	self->fd = tun_alloc(name, variant->type | IFF_VNET_HDR |
				   (variant->pi ? 0 : IFF_NO_PI));
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, tun_get_iff(self->fd, NULL, &flags));
	EXPECT_TRUE(!!(flags & IFF_VNET_HDR));
	EXPECT_EQ(0, tun_ioctl_val(self->fd, TUNSETPERSIST, 0));
}

TEST_F(vnet, hdr_size_is_10_by_default_and_never_less)
{
	int sz = 0;

	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNGETVNETHDRSZ, &sz));
	EXPECT_EQ(VHDR_LEN, sz);
	sz = 12;
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNSETVNETHDRSZ, &sz));
	sz = 0;
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNGETVNETHDRSZ, &sz));
	EXPECT_EQ(12, sz);
	sz = VHDR_LEN - 1;
	EXPECT_EQ(-EINVAL, vnet_ioctl_int(self->fd, TUNSETVNETHDRSZ, &sz));
	sz = -1;
	EXPECT_EQ(-EINVAL, vnet_ioctl_int(self->fd, TUNSETVNETHDRSZ, &sz));
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNGETVNETHDRSZ, &sz));
	EXPECT_EQ(12, sz);
	EXPECT_EQ(-1, ioctl(self->fd, TUNSETVNETHDRSZ, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* Debian's kernels have no CONFIG_TUN_VNET_CROSS_LE: tun refuses VNETBE. */
TEST_F(vnet, vnet_le_is_kept_and_vnet_be_is_einval)
{
	int v = -1;

	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNGETVNETLE, &v));
	EXPECT_EQ(0, v);
	v = 5;
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNSETVNETLE, &v));
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNGETVNETLE, &v));
	EXPECT_EQ(1, v);
	v = 0;
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNSETVNETLE, &v));
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNGETVNETLE, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(-EINVAL, vnet_ioctl_int(self->fd, TUNGETVNETBE, &v));
	v = 1;
	EXPECT_EQ(-EINVAL, vnet_ioctl_int(self->fd, TUNSETVNETBE, &v));
	v = 0;
	EXPECT_EQ(-EINVAL, vnet_ioctl_int(self->fd, TUNSETVNETBE, &v));
}

TEST_F(vnet, setoffload_takes_tuns_combinations_and_ethtool_shows_them)
{
	static const struct {
		unsigned long arg;
		int ok;		/* 1 accepted, 0 refused, -1 as the kernel's tun */
		int shown;	/* what ethtool -k then shows, if accepted */
	} c[] = {
		{ 0, 1, 0 },
		{ TUN_F_CSUM, 1, OFF_CSUM },
		{ TUN_F_CSUM | TUN_F_TSO4, 1, OFF_CSUM | OFF_TSO4 },
		{ TUN_F_CSUM | TUN_F_TSO6, 1, OFF_CSUM | OFF_TSO6 },
		{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN, 1,
		  OFF_CSUM | OFF_TSO4 | OFF_TSO6 | OFF_ECN },
		{ TUN_F_CSUM | TUN_F_UFO, 1, OFF_CSUM },
		{ TUN_F_TSO4, 0, 0 },
		{ TUN_F_CSUM | TUN_F_TSO_ECN, 0, 0 },
		{ TUN_F_UFO, 0, 0 },
		{ TUN_F_CSUM | 0x20, 0, 0 },		/* USO4 alone */
		{ TUN_F_CSUM | 0x80, 0, 0 },		/* 7.2's UDP tunnel GSO */
		{ TUN_F_CSUM | 0x200, 0, 0 },
		{ TUN_F_CSUM | 0x20 | 0x40, -1, OFF_CSUM | OFF_USO },
	};
	int before, ok;
	size_t i;

	ASSERT_NE(-1, vnet_offloads_shown()) TH_LOG("no ethtool");
	EXPECT_EQ(0, vnet_offloads_shown());
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		before = vnet_offloads_shown();
		ok = tun_ioctl_val(self->fd, TUNSETOFFLOAD, c[i].arg);
		if (c[i].ok >= 0) {
			EXPECT_EQ(c[i].ok ? 0 : -EINVAL, ok)
				TH_LOG("TUNSETOFFLOAD 0x%lx", c[i].arg);
		} else {
			int k = kernel_tun_setoffload(c[i].arg);

			if (k != 1) {
				EXPECT_EQ(k, ok) TH_LOG("TUNSETOFFLOAD 0x%lx: tun says %d",
							c[i].arg, k);
			}
			TH_LOG("TUNSETOFFLOAD 0x%lx (USO): %s", c[i].arg,
			       ok ? "refused, as on a kernel before 6.2" : "accepted");
		}
		if (!ok) {
			EXPECT_EQ(c[i].shown, vnet_offloads_shown())
				TH_LOG("after TUNSETOFFLOAD 0x%lx", c[i].arg);
		} else {
			EXPECT_EQ(before, vnet_offloads_shown())
				TH_LOG("a refused 0x%lx changed something", c[i].arg);
		}
	}

	/* ethtool -K turns off what the program allowed, never more on. */
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4));
	EXPECT_EQ(0, system("ethtool -K " DEV " tx-tcp-segmentation off 2>/dev/null"));
	EXPECT_EQ(OFF_CSUM, vnet_offloads_shown());
	if (system("ethtool -K " DEV " tx-tcp-segmentation on tx-tcp6-segmentation on >/dev/null 2>&1"))
		TH_LOG("ethtool -K ... on: refused in part, as it may be");
	EXPECT_EQ(OFF_CSUM | OFF_TSO4, vnet_offloads_shown());
	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD, 0));
	EXPECT_EQ(0, vnet_offloads_shown());
}

/* --- from the stack to read() --------------------------------------------- */

/* A TCP connection from a socket here to PEER:7000, the test answering
 * for the far end through the device: SYN read, SYN-ACK (MSS @mss, no
 * other option) written, ACK read.  The SYN's header is checked: with
 * checksum offload the stack leaves the checksum to the reader.  Returns
 * the socket; *@seq is the next sequence number the socket sends.
 */
static int vnet_tcp_connect(struct __test_metadata *_metadata,
			    FIXTURE_DATA(vnet) *self, int mss, uint32_t *seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7000) };
	size_t l3 = self->pi + VHDR_LEN + self->eth;
	struct virtio_net_hdr vh, none = { 0 };
	uint8_t *ip = self->buf + l3, *t = ip + IP4_HLEN;
	uint8_t *oip, *ot;
	uint16_t sport, c;
	uint32_t isn;
	ssize_t n;
	size_t len;
	int s, err = 0;
	socklen_t elen = sizeof(err);

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	inet_pton(AF_INET, PEER, &sin.sin_addr);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 || errno != EINPROGRESS)
		goto fail;

	n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
	EXPECT_LT((ssize_t)l3 + IP4_HLEN + TCP_HLEN - 1, n);
	if (n < (ssize_t)(l3 + IP4_HLEN + TCP_HLEN))
		goto fail;
	EXPECT_EQ(IPPROTO_TCP, ip[9]);
	EXPECT_EQ(TH_SYN, t[13]);
	memcpy(&vh, self->buf + self->pi, VHDR_LEN);
	/* The checksum is left to us: where it starts, where it goes. */
	EXPECT_EQ(VIRTIO_NET_HDR_F_NEEDS_CSUM, vh.flags);
	EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, vh.gso_type);
	EXPECT_EQ(self->eth + IP4_HLEN, vh.csum_start);
	EXPECT_EQ(16, vh.csum_offset);
	/* Finished as virtio says: sum from csum_start, store at offset. */
	len = n - l3 - IP4_HLEN;
	c = csum_fold(csum_add(0, t, len));
	memcpy(t + vh.csum_offset, &c, 2);
	EXPECT_TRUE(l4_csum_ok4(ip)) TH_LOG("SYN checksum wrong once finished");
	sport = get16(t);
	isn = get32(t + 4);

	/* The SYN-ACK, fully checksummed, without flags in its header. */
	oip = self->buf + l3;
	ot = oip + IP4_HLEN;
	build_ip4(oip, PEER, LOCAL, IPPROTO_TCP, TCP_HLEN + 4);
	build_tcp(ot, 7000, sport, 1000000, isn + 1, TH_SYN | TH_ACK, 6);
	ot[20] = TCPOPT_MAXSEG;
	ot[21] = TCPOLEN_MAXSEG;
	put16(ot + 22, mss);
	c = csum_fold(csum_add(IPPROTO_TCP + TCP_HLEN + 4, oip + 12, 8) +
		      csum_add(0, ot, TCP_HLEN + 4));
	memcpy(ot + 16, &c, 2);
	len = vnet_wrap(self, self->buf, &none, IP4_HLEN + TCP_HLEN + 4);
	EXPECT_EQ((ssize_t)len, write(self->fd, self->buf, len));

	EXPECT_EQ(POLLOUT, tun_poll(s, POLLOUT, TUN_WAIT_MS) & POLLOUT);
	EXPECT_EQ(0, getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen));
	EXPECT_EQ(0, err);
	/* The handshake's ACK. */
	n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
	EXPECT_EQ((ssize_t)(l3 + IP4_HLEN + TCP_HLEN), n);
	*seq = isn + 1;
	return s;
fail:
	close(s);
	return -EPROTO;
}

TEST_F(vnet, stack_tcp_write_is_read_whole_as_tso_packets)
{
	size_t l3 = vnet_l3_off(self), total = 8 * MSS, got = 0;
	uint8_t *ip = self->buf + l3, *t = ip + IP4_HLEN;
	static uint8_t data[8 * MSS];
	struct virtio_net_hdr vh;
	int s, gso_packets = 0;
	uint32_t seq = 0;
	ssize_t n;

	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD,
				   TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
	s = vnet_tcp_connect(_metadata, self, MSS, &seq);
	ASSERT_LE(0, s);
	memset(data, 'v', sizeof(data));
	ASSERT_EQ((ssize_t)total, send(s, data, total, 0));

	/* Within the first window (10 segments), in as few packets as the
	 * stack likes: each read whole, its header saying how to cut it.
	 */
	while (got < total) {
		size_t plen;

		n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
		ASSERT_LE((ssize_t)(l3 + IP4_HLEN + TCP_HLEN), n)
			TH_LOG("read: %zd after %zu of %zu bytes", n, got, total);
		memcpy(&vh, self->buf + self->pi, VHDR_LEN);
		plen = n - l3 - IP4_HLEN - TCP_HLEN;
		if (!plen)
			continue;	/* not data: a window update, say */
		/* Read whole: the IP length is the whole super-packet's. */
		EXPECT_EQ(n - l3, get16(ip + 2));
		EXPECT_EQ(seq + got, get32(t + 4));
		EXPECT_EQ(VIRTIO_NET_HDR_F_NEEDS_CSUM, vh.flags);
		EXPECT_EQ(self->eth + IP4_HLEN, vh.csum_start);
		EXPECT_EQ(16, vh.csum_offset);
		if (plen > MSS) {
			EXPECT_EQ(VIRTIO_NET_HDR_GSO_TCPV4, vh.gso_type);
			EXPECT_EQ(MSS, vh.gso_size);
			gso_packets++;
		} else {
			EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, vh.gso_type);
		}
		got += plen;
	}
	EXPECT_EQ(total, got);
	EXPECT_LT(0, gso_packets) TH_LOG("no GSO packet among them");
	close(s);
}

/* A buffer too short for packet information and vnet header: EINVAL, and
 * the frame is lost (counted), as with tun.  One with room for both but
 * not the whole frame: the frame truncated, the header whole.
 */
TEST_F(vnet, read_buffer_short_of_the_header_is_einval)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	size_t head = self->pi + VHDR_LEN;
	struct link_state before, after;
	char msg[100];
	ssize_t n;

	ASSERT_LE(0, s);
	memset(msg, 'x', sizeof(msg));
	ASSERT_EQ(0, link_get(DEV, &before));
	ASSERT_EQ(0, udp_send4(s, PEER, 9000, msg, sizeof(msg)));
	ASSERT_EQ(POLLIN, tun_poll(self->fd, POLLIN, TUN_WAIT_MS));
	EXPECT_EQ(-1, read(self->fd, self->buf, head - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.tx_dropped + 1, after.stats.tx_dropped);
	EXPECT_EQ(0, tun_poll(self->fd, POLLIN, 0));

	ASSERT_EQ(0, udp_send4(s, PEER, 9000, msg, sizeof(msg)));
	n = read_wait(self->fd, self->buf, head + self->eth + 10, TUN_WAIT_MS);
	EXPECT_EQ((ssize_t)(head + self->eth + 10), n);
	if (self->pi) {
		struct tun_pi pi;

		memcpy(&pi, self->buf, PI_LEN);
		EXPECT_EQ(TUN_PKT_STRIP, pi.flags);
	}
	EXPECT_EQ(0x45, self->buf[head + self->eth]);
	close(s);
}

TEST_F(vnet, larger_hdr_size_pads_both_ways)
{
	size_t l3 = self->pi + 12 + self->eth;
	int s = udp_bind(LOCAL, 9000), sz = 12, i;
	struct virtio_net_hdr vh;
	char msg[64], got[128];
	size_t len;
	ssize_t n;

	ASSERT_LE(0, s);
	ASSERT_EQ(0, vnet_ioctl_int(self->fd, TUNSETVNETHDRSZ, &sz));
	memset(msg, 'p', sizeof(msg));

	/* read: the header, two zero bytes, the frame. */
	ASSERT_EQ(0, udp_send4(s, PEER, 9001, msg, sizeof(msg)));
	memset(self->buf, 0xff, 256);
	n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
	ASSERT_EQ((ssize_t)(l3 + IP4_HLEN + UDP_HLEN + sizeof(msg)), n);
	memcpy(&vh, self->buf + self->pi, VHDR_LEN);
	EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, vh.gso_type);
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, self->buf[self->pi + VHDR_LEN + i]);
	EXPECT_EQ(0x45, self->buf[l3]);

	/* write: the two bytes after the header are skipped. */
	if (self->pi) {
		struct tun_pi pi = { .flags = 0, .proto = htons(ETH_P_IP) };

		memcpy(self->buf, &pi, PI_LEN);
	}
	memset(self->buf + self->pi, 0, VHDR_LEN);
	memset(self->buf + self->pi + VHDR_LEN, 0xaa, 2);
	if (self->eth)
		build_eth(self->buf + self->pi + 12, self->mac, peer_mac, ETH_P_IP);
	len = l3 + build_udp4(self->buf + l3, PEER, LOCAL, 9001, 9000, msg, sizeof(msg));
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	EXPECT_EQ((ssize_t)sizeof(msg), recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	close(s);
}

/* --- from write() to the stack ---------------------------------------------- */

/* A UDP datagram to LOCAL:9000 at vnet_l3_off(); its L3 length. */
static size_t vnet_udp(FIXTURE_DATA(vnet) *self, const char *msg, size_t len)
{
	return build_udp4(self->buf + vnet_l3_off(self), PEER, LOCAL, 9001, 9000,
			  msg, len);
}

TEST_F(vnet, partial_checksum_written_is_finished_by_the_stack)
{
	uint8_t *ip = self->buf + vnet_l3_off(self), *u = ip + IP4_HLEN;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = self->eth + IP4_HLEN,
		.csum_offset = 6,
	};
	int s = udp_bind(LOCAL, 9000);
	char msg[300], got[512];
	uint16_t partial;
	size_t l3len, len;

	ASSERT_LE(0, s);
	memset(msg, 'c', sizeof(msg));
	l3len = vnet_udp(self, msg, sizeof(msg));
	partial = pseudo_partial4(ip, IPPROTO_UDP, UDP_HLEN + sizeof(msg));
	memcpy(u + 6, &partial, 2);
	ASSERT_FALSE(l4_csum_ok4(ip));

	len = vnet_wrap(self, self->buf, &vh, l3len);
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	EXPECT_EQ((ssize_t)sizeof(msg), recv_wait(s, got, sizeof(got), TUN_WAIT_MS));

	/* The same bytes without NEEDS_CSUM: a bad checksum, dropped. */
	vh.flags = 0;
	len = vnet_wrap(self, self->buf, &vh, l3len);
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	EXPECT_EQ(-ETIMEDOUT, recv_wait(s, got, sizeof(got), 300));
	close(s);
}

TEST_F(vnet, bad_headers_are_einval_counted_and_not_sent)
{
	struct {
		const char *what;
		struct virtio_net_hdr vh;
		bool tap_only;
	} bad[] = {
		{ "hdr_len past the frame", { .hdr_len = 0 }, false },
		{ "unknown gso_type", { .gso_type = 2, .gso_size = 100 }, false },
		{ "csum_start past the frame",
		  { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM }, false },
		{ "csum_offset past the frame",
		  { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_offset = 2000 }, false },
		{ "TCPV4 GSO of size 0", { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4 }, false },
		{ "hdr_len inside the Ethernet header", { .hdr_len = 10 }, true },
	};
	struct link_state before, after;
	long long drops0, drops1;
	int s = udp_bind(LOCAL, 9000);
	char msg[200], got[512];
	size_t i, l3len, len;

	ASSERT_LE(0, s);
	memset(msg, 'b', sizeof(msg));
	l3len = vnet_udp(self, msg, sizeof(msg));
	bad[0].vh.hdr_len = self->eth + l3len + 1;
	bad[2].vh.csum_start = self->eth + l3len;
	bad[4].vh.hdr_len = self->eth + IP4_HLEN + UDP_HLEN;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (bad[i].tap_only && !self->eth)
			continue;
		ASSERT_EQ(0, link_get(DEV, &before));
		drops0 = ethtool_stat(DEV, "drop_bad_write");
		len = vnet_wrap(self, self->buf, &bad[i].vh, l3len);
		EXPECT_EQ(-1, write(self->fd, self->buf, len)) TH_LOG("%s", bad[i].what);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i].what, strerror(errno));
		ASSERT_EQ(0, link_get(DEV, &after));
		drops1 = ethtool_stat(DEV, "drop_bad_write");
		EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets)
			TH_LOG("%s", bad[i].what);
		EXPECT_EQ(before.stats.rx_dropped + 1, after.stats.rx_dropped)
			TH_LOG("%s", bad[i].what);
		EXPECT_EQ(drops0 + 1, drops1) TH_LOG("%s: drop_bad_write", bad[i].what);
	}
	/* Shorter than the vnet header itself. */
	ASSERT_EQ(0, link_get(DEV, &before));
	EXPECT_EQ(-1, write(self->fd, self->buf, self->pi + VHDR_LEN - 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_dropped + 1, after.stats.rx_dropped);

	EXPECT_EQ(-ETIMEDOUT, recv_wait(s, got, sizeof(got), 200));
	/* The device still takes a good one. */
	len = vnet_wrap(self, self->buf, &(struct virtio_net_hdr){ 0 }, l3len);
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	EXPECT_EQ((ssize_t)sizeof(msg), recv_wait(s, got, sizeof(got), TUN_WAIT_MS));
	close(s);
}

/* vv0 here (FWD_LOCAL), vv1 in a netns of its own with nothing but a
 * packet socket for IPv4 on it, returned.  vv0 finishes checksums itself
 * (tx-checksumming off), so that what vv1 sees is what a wire would carry.
 */
static int vnet_far_side(struct __test_metadata *_metadata)
{
	int here, far, ps, ifindex;
	unsigned char mac[ETH_ALEN];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0)
		return -errno;
	if (unshare(CLONE_NEWNET))
		return -errno;
	far = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	EXPECT_EQ(0, tun_write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"));
	EXPECT_EQ(0, setns(here, CLONE_NEWNET));
	EXPECT_EQ(0, system("ip link add vv0 type veth peer name vv1"));
	EXPECT_EQ(0, link_set_netns("vv1", far));
	EXPECT_EQ(0, system("ethtool -K vv0 tx off >/dev/null"));
	EXPECT_EQ(0, tun_write_file("/proc/sys/net/ipv4/ip_forward", "1"));

	EXPECT_EQ(0, setns(far, CLONE_NEWNET));
	EXPECT_EQ(0, if_up("vv1"));
	EXPECT_EQ(0, if_get_hwaddr("vv1", mac, NULL));
	ifindex = if_nametoindex("vv1");
	ps = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = ifindex;
	EXPECT_EQ(0, bind(ps, (struct sockaddr *)&sll, sizeof(sll)));
	EXPECT_EQ(0, setns(here, CLONE_NEWNET));

	EXPECT_EQ(0, if_addr4("vv0", FWD_LOCAL, 24));
	EXPECT_EQ(0, if_up("vv0"));
	EXPECT_EQ(0, if_neigh4("vv0", FAR, mac));
	close(here);
	close(far);
	return ps;
}

TEST_F(vnet, gso_tcp_written_leaves_as_checksummed_segments)
{
	uint8_t *ip = self->buf + vnet_l3_off(self), *t = ip + IP4_HLEN;
	size_t plen = 3 * FWD_MSS - 100, l4len = TCP_HLEN + plen, len, got = 0;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = self->eth + IP4_HLEN + TCP_HLEN,
		.gso_size = FWD_MSS,
		.csum_start = self->eth + IP4_HLEN,
		.csum_offset = 16,
	};
	struct link_state before, after;
	uint8_t seg[2048];
	uint16_t partial;
	int ps, i;
	ssize_t n;

	ps = vnet_far_side(_metadata);
	ASSERT_LE(0, ps);

	/* One TCP packet of 2.93 segments' payload, PEER to FAR, its checksum
	 * partial over the whole: the segments' are the stack's to make.
	 */
	build_ip4(ip, PEER, FAR, IPPROTO_TCP, l4len);
	ip[6] = 0x40;			/* DF, as TCP sends it */
	ip[10] = ip[11] = 0;
	{
		uint16_t c = csum_fold(csum_add(0, ip, IP4_HLEN));

		memcpy(ip + 10, &c, 2);
	}
	build_tcp(t, 5000, 80, 7000000, 1, TH_ACK | TH_PUSH, 5);
	for (i = 0; i < (int)plen; i++)
		t[TCP_HLEN + i] = i * 7;
	partial = pseudo_partial4(ip, IPPROTO_TCP, l4len);
	memcpy(t + 16, &partial, 2);
	len = vnet_wrap(self, self->buf, &vh, IP4_HLEN + l4len);
	ASSERT_LT(4096, (int)len) TH_LOG("more than a page: a paged skb");

	ASSERT_EQ(0, link_get(DEV, &before));
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	ASSERT_EQ(0, link_get(DEV, &after));
	EXPECT_EQ(before.stats.rx_packets + 1, after.stats.rx_packets);

	for (i = 0; i < 3; i++) {
		size_t seglen = i < 2 ? FWD_MSS : plen - 2 * FWD_MSS;

		n = recv_wait(ps, seg, sizeof(seg), TUN_WAIT_MS);
		ASSERT_EQ((ssize_t)(IP4_HLEN + TCP_HLEN + seglen), n)
			TH_LOG("segment %d", i);
		EXPECT_EQ(n, get16(seg + 2));
		EXPECT_EQ(63, seg[8]);
		EXPECT_EQ(0, csum_fold(csum_add(0, seg, IP4_HLEN)))
			TH_LOG("segment %d: IP checksum", i);
		EXPECT_TRUE(l4_csum_ok4(seg)) TH_LOG("segment %d: TCP checksum", i);
		EXPECT_EQ(7000000 + got, get32(seg + IP4_HLEN + 4));
		EXPECT_EQ(0, memcmp(seg + IP4_HLEN + TCP_HLEN, t + TCP_HLEN + got, seglen))
			TH_LOG("segment %d: payload", i);
		got += seglen;
	}
	EXPECT_EQ(-ETIMEDOUT, recv_wait(ps, seg, sizeof(seg), 200));
	close(ps);
}

TEST_F(vnet, bad_gso_header_forwards_nothing)
{
	uint8_t *ip = self->buf + vnet_l3_off(self), *t = ip + IP4_HLEN;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = 2,			/* no such type */
		.gso_size = MSS,
		.csum_start = self->eth + IP4_HLEN,
		.csum_offset = 16,
	};
	uint8_t seg[2048];
	size_t len;
	int ps;

	ps = vnet_far_side(_metadata);
	ASSERT_LE(0, ps);
	build_ip4(ip, PEER, FAR, IPPROTO_TCP, TCP_HLEN + 2 * MSS);
	build_tcp(t, 5000, 80, 1, 1, TH_ACK, 5);
	memset(t + TCP_HLEN, 'g', 2 * MSS);
	len = vnet_wrap(self, self->buf, &vh, IP4_HLEN + TCP_HLEN + 2 * MSS);
	EXPECT_EQ(-1, write(self->fd, self->buf, len));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ETIMEDOUT, recv_wait(ps, seg, sizeof(seg), 300));
	close(ps);
}

/* --- multi-queue ------------------------------------------------------------ */

/* A multi-queue tun with vnet headers, four queues: the header's size and
 * the offloads are the device's, set through any one queue, and every
 * queue reads and writes frames with a header, as a VM's backend with one
 * thread per queue does.
 */
#define NQ	4
#define FLOWS	16

FIXTURE(vnet_mq)
{
	int fd[NQ];
	uint8_t *buf;
};

FIXTURE_SETUP(vnet_mq)
{
	int i, err;

	for (i = 0; i < NQ; i++)
		self->fd[i] = -1;
	self->buf = malloc(BUF_LEN);
	ASSERT_TRUE(self->buf != NULL);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	for (i = 0; i < NQ; i++) {
		char name[IFNAMSIZ] = DEV;

		self->fd[i] = tun_alloc(name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR |
					      IFF_MULTI_QUEUE);
		ASSERT_LE(0, self->fd[i]) TH_LOG("queue %d: %s", i, strerror(-self->fd[i]));
		ASSERT_EQ(0, tun_set_nonblock(self->fd[i]));
	}
	/* Through the last queue: the device's, so every queue's. */
	ASSERT_EQ(0, tun_ioctl_val(self->fd[NQ - 1], TUNSETOFFLOAD, TUN_F_CSUM));
	ASSERT_EQ(0, if_addr4_peer(DEV, LOCAL, PEER));
	ASSERT_EQ(0, if_up(DEV));
}

FIXTURE_TEARDOWN(vnet_mq)
{
	int i;

	for (i = 0; i < NQ; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
	free(self->buf);
}

TEST_F(vnet_mq, every_queue_reads_its_flows_with_a_vnet_header)
{
	const size_t dlen = 100, want = VHDR_LEN + IP4_HLEN + UDP_HLEN + dlen;
	struct virtio_net_hdr vh;
	int q, i, total = 0, used = 0;
	char msg[100];
	int s[FLOWS];
	ssize_t n;

	memset(msg, 'm', sizeof(msg));
	for (i = 0; i < FLOWS; i++) {
		s[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ASSERT_LE(0, s[i]);
		ASSERT_EQ(0, udp_send4(s[i], PEER, 9000, msg, dlen));
	}
	for (q = 0; q < NQ; q++) {
		int here = 0;

		while ((n = read(self->fd[q], self->buf, BUF_LEN)) > 0) {
			EXPECT_EQ((ssize_t)want, n) TH_LOG("queue %d", q);
			memcpy(&vh, self->buf, VHDR_LEN);
			/* Checksum offload: the stack left the sum to us. */
			EXPECT_EQ(VIRTIO_NET_HDR_F_NEEDS_CSUM, vh.flags);
			EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, vh.gso_type);
			EXPECT_EQ(IP4_HLEN, vh.csum_start);
			EXPECT_EQ(6, vh.csum_offset);
			here++;
		}
		EXPECT_EQ(EAGAIN, errno);
		total += here;
		used += here > 0;
	}
	EXPECT_EQ(FLOWS, total);
	EXPECT_LT(1, used) TH_LOG("all %d flows on one queue", FLOWS);
	for (i = 0; i < FLOWS; i++)
		close(s[i]);
}

TEST_F(vnet_mq, every_queue_writes_partial_checksums_the_stack_finishes)
{
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = IP4_HLEN,
		.csum_offset = 6,
	};
	uint8_t *ip = self->buf + VHDR_LEN;
	char msg[64], got[128];
	int s = udp_bind(LOCAL, 9000);
	uint16_t partial;
	size_t l3len;
	int q;

	ASSERT_LE(0, s);
	for (q = 0; q < NQ; q++) {
		memset(msg, 'a' + q, sizeof(msg));
		l3len = build_udp4(ip, PEER, LOCAL, 6000 + q, 9000, msg, sizeof(msg));
		partial = pseudo_partial4(ip, IPPROTO_UDP, UDP_HLEN + sizeof(msg));
		memcpy(ip + IP4_HLEN + 6, &partial, 2);
		memcpy(self->buf, &vh, VHDR_LEN);
		EXPECT_EQ((ssize_t)(VHDR_LEN + l3len),
			  write(self->fd[q], self->buf, VHDR_LEN + l3len)) {
			TH_LOG("queue %d: %s", q, strerror(errno));
		}
		/* Finished by the stack, or UDP would have dropped it. */
		ASSERT_EQ((ssize_t)sizeof(msg), recv_wait(s, got, sizeof(got), TUN_WAIT_MS)) {
			TH_LOG("queue %d's datagram not received", q);
		}
		EXPECT_EQ('a' + q, got[0]);
	}
	close(s);
}

TEST_HARNESS_MAIN
