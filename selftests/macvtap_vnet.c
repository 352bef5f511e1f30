// SPDX-License-Identifier: GPL-2.0
/*
 * vnet headers on a macvlan child's tap face (IFF_VNET_HDR on a file
 * attached to a child made with VNL_A_TAP_FACE), as a VM behind macvtap
 * uses them: what the face's receive handler hands the program
 * (kmod/macvtap.c:vnl_macvtap_fit) and what a written super-packet
 * becomes on the wire.
 *
 * In the test's netns: vv0, a veth whose peer vv1 lives in a second
 * netns (the "wire", where a packet socket sees what arrives), and on vv0
 * two bridge-mode children: mt0 with a tap face, whose file the test
 * holds, and ms (10.3.0.1), a plain child whose stack talks to the
 * program behind mt0 (10.3.0.2, mt0's MAC).  The test plays that
 * program: it answers ms's TCP handshake through the file, then reads
 * what ms sends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <netinet/tcp.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"
#include "vnl_genl.h"

#define FACE		"mt0"
#define SIB		"ms"
#define SIB_IP		"10.3.0.1"
#define PROG_IP		"10.3.0.2"	/* the program behind the face */
#define FAR_IP		"10.3.0.9"	/* vv1, on the wire */
#define VHDR_LEN	((int)sizeof(struct virtio_net_hdr))
#define TCP_HLEN	20
#define MSS		1000UL
#define BUF_LEN		70000

FIXTURE(face)
{
	int fd;				/* the face's file */
	int ps;				/* packet socket on vv1 */
	int far;			/* vv1's netns */
	unsigned char mac[ETH_ALEN];	/* mt0's */
	unsigned char sib_mac[ETH_ALEN];
	unsigned char far_mac[ETH_ALEN];
	uint8_t *buf;
};

/* A bridge-mode child of vv0, with a tap face or not. */
static int new_child(const char *name, uint32_t face)
{
	struct vnl_ack ack;
	struct vnl_msg m;
	struct vnl_nl nl;
	int err;

	err = vnl_nl_open(&nl);
	if (err)
		return err;
	err = vnl_nl_resolve(&nl, VNL_GENL_NAME, &nl.family);
	if (err) {
		vnl_nl_close(&nl);
		return err;
	}
	vnl_msg_init(&m, nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&m, VNL_A_KIND, VNL_KIND_MACVLAN);
	vnl_msg_put_str(&m, VNL_A_IFNAME, name);
	vnl_msg_put_str(&m, VNL_A_PARENT_IFNAME, "vv0");
	vnl_msg_put_u32(&m, VNL_A_MACVLAN_MODE, VNL_MACVLAN_MODE_BRIDGE);
	if (face)
		vnl_msg_put_u32(&m, VNL_A_TAP_FACE, face);
	err = vnl_nl_transact(&nl, &m, NULL, NULL, &ack);
	vnl_nl_close(&nl);
	return err;
}

/* vv1 in a netns of its own, up, with a packet socket on it: returns
 * the socket.  Called from the test's netns, which it returns to.
 */
static int wire_side(struct __test_metadata *_metadata, unsigned char *mac,
		     int *farp)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int here, far, ps;

	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0 || unshare(CLONE_NEWNET))
		return -errno;
	far = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	EXPECT_EQ(0, tun_write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"));
	EXPECT_EQ(0, setns(here, CLONE_NEWNET));
	EXPECT_EQ(0, system("ip link add vv0 type veth peer name vv1"));
	EXPECT_EQ(0, link_set_netns("vv1", far));
	/* No checksum offload, so no TSO: a super-packet the program
	 * writes reaches the wire cut by the stack, as a NIC's would be.
	 */
	EXPECT_EQ(0, system("ethtool -K vv0 tx off >/dev/null"));

	EXPECT_EQ(0, setns(far, CLONE_NEWNET));
	EXPECT_EQ(0, if_up("vv1"));
	EXPECT_EQ(0, if_get_hwaddr("vv1", mac, NULL));
	ps = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = if_nametoindex("vv1");
	EXPECT_EQ(0, bind(ps, (struct sockaddr *)&sll, sizeof(sll)));
	EXPECT_EQ(0, setns(here, CLONE_NEWNET));
	EXPECT_EQ(0, if_up("vv0"));
	close(here);
	*farp = far;
	return ps;
}

FIXTURE_SETUP(face)
{
	char name[IFNAMSIZ] = FACE;
	int err;

	self->fd = -1;
	self->far = -1;
	self->buf = malloc(BUF_LEN);
	ASSERT_TRUE(self->buf != NULL);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->ps = wire_side(_metadata, self->far_mac, &self->far);
	ASSERT_LE(0, self->ps);

	ASSERT_EQ(0, new_child(FACE, IFF_TAP));
	ASSERT_EQ(0, new_child(SIB, 0));
	self->fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	err = tun_set_iff(self->fd, name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	ASSERT_EQ(0, err) TH_LOG("TUNSETIFF %s: %s", FACE, strerror(-err));
	ASSERT_EQ(0, if_get_hwaddr(FACE, self->mac, NULL));
	ASSERT_EQ(0, if_get_hwaddr(SIB, self->sib_mac, NULL));
	ASSERT_EQ(0, if_up(FACE));
	ASSERT_EQ(0, if_addr4(SIB, SIB_IP, 24));
	ASSERT_EQ(0, if_up(SIB));
	/* The program answers no ARP: ms knows its address. */
	ASSERT_EQ(0, if_neigh4(SIB, PROG_IP, self->mac));
}

FIXTURE_TEARDOWN(face)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->ps >= 0)
		close(self->ps);
	if (self->far >= 0)
		close(self->far);
	free(self->buf);
}

/* The frame offsets in a buffer read or written on the face. */
#define L2_OFF	VHDR_LEN
#define L3_OFF	(VHDR_LEN + ETH_HLEN)

/* ms connects to PROG_IP:7000; the test plays the program: the SYN read
 * off the face, a SYN-ACK (MSS @mss) written to it, the ACK read.
 * Returns the connected socket; *@seq is its next sequence number.
 */
static int face_tcp_connect(struct __test_metadata *_metadata,
			    FIXTURE_DATA(face) *self, uint32_t *seq)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7000) };
	uint8_t *ip = self->buf + L3_OFF, *t = ip + IP4_HLEN;
	struct virtio_net_hdr vh, none = { 0 };
	socklen_t elen = sizeof(int);
	int s, err = 0;
	uint16_t sport, c;
	uint32_t isn;
	size_t len;
	ssize_t n;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	inet_pton(AF_INET, PROG_IP, &sin.sin_addr);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0 || errno != EINPROGRESS)
		goto fail;

	n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
	if (n < (ssize_t)(L3_OFF + IP4_HLEN + TCP_HLEN))
		goto fail;
	EXPECT_EQ(0, memcmp(self->buf + L2_OFF, self->mac, ETH_ALEN))
		TH_LOG("the SYN is not addressed to the face");
	EXPECT_EQ(TH_SYN, t[13]);
	/* ms left its checksum partial; without TUN_F_CSUM the face
	 * finished it (kmod/macvtap.c:vnl_macvtap_fit).
	 */
	memcpy(&vh, self->buf, VHDR_LEN);
	if (!(vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		EXPECT_TRUE(l4_csum_ok4(ip)) TH_LOG("SYN checksum");
	sport = get16(t);
	isn = get32(t + 4);

	/* The SYN-ACK: from the face's MAC to ms's, checksummed. */
	build_eth(self->buf + L2_OFF, self->sib_mac, self->mac, ETH_P_IP);
	build_ip4(ip, PROG_IP, SIB_IP, IPPROTO_TCP, TCP_HLEN + 4);
	build_tcp(t, 7000, sport, 1000000, isn + 1, TH_SYN | TH_ACK, 6);
	t[20] = TCPOPT_MAXSEG;
	t[21] = TCPOLEN_MAXSEG;
	put16(t + 22, MSS);
	c = csum_fold(csum_add(IPPROTO_TCP + TCP_HLEN + 4, ip + 12, 8) +
		      csum_add(0, t, TCP_HLEN + 4));
	memcpy(t + 16, &c, 2);
	memcpy(self->buf, &none, VHDR_LEN);
	len = L3_OFF + IP4_HLEN + TCP_HLEN + 4;
	EXPECT_EQ((ssize_t)len, write(self->fd, self->buf, len));

	EXPECT_EQ(POLLOUT, tun_poll(s, POLLOUT, TUN_WAIT_MS) & POLLOUT);
	EXPECT_EQ(0, getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &elen));
	EXPECT_EQ(0, err);
	n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
	EXPECT_EQ((ssize_t)(L3_OFF + IP4_HLEN + TCP_HLEN), n) TH_LOG("the ACK");
	*seq = isn + 1;
	return s;
fail:
	close(s);
	return -EPROTO;
}

/* ms sends @total bytes; the test reads them off the face until all have
 * come, checking each packet's header and its TCP checksum as it ends up
 * (finished as virtio says when the header asks for it).  Returns the
 * number of packets read; *@gso the gso_type of the largest.
 */
static int face_read_stream(struct __test_metadata *_metadata,
			    FIXTURE_DATA(face) *self, int s, uint32_t seq,
			    size_t total, int *gso, size_t *largest)
{
	static uint8_t data[8 * MSS];
	uint8_t *ip = self->buf + L3_OFF, *t = ip + IP4_HLEN;
	struct virtio_net_hdr vh;
	size_t got = 0, plen;
	int packets = 0;
	ssize_t n;

	memset(data, 's', sizeof(data));
	EXPECT_EQ((ssize_t)total, send(s, data, total, 0));
	*largest = 0;
	while (got < total) {
		n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
		if (n < (ssize_t)(L3_OFF + IP4_HLEN + TCP_HLEN))
			break;
		memcpy(&vh, self->buf, VHDR_LEN);
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
			uint16_t c;

			EXPECT_EQ(ETH_HLEN + IP4_HLEN, vh.csum_start);
			EXPECT_EQ(16, vh.csum_offset);
			c = csum_fold(csum_add(0, ip + IP4_HLEN,
					       n - L3_OFF - IP4_HLEN));
			memcpy(t + 16, &c, 2);
		}
		/* A super-packet's IP length is the whole packet's. */
		EXPECT_EQ(n - L3_OFF, get16(ip + 2));
		EXPECT_TRUE(l4_csum_ok4(ip)) TH_LOG("packet %d: TCP checksum", packets);
		EXPECT_EQ(seq + got, get32(t + 4));
		plen = n - L3_OFF - IP4_HLEN - TCP_HLEN;
		if (plen > *largest) {
			*largest = plen;
			*gso = vh.gso_type;
		}
		got += plen;
		packets++;
	}
	EXPECT_EQ(total, got);
	return packets;
}

/* Without offloads the program can take only whole, checksummed frames:
 * ms's TSO super-packets are cut and finished by the face.
 */
TEST_F(face, stack_gso_is_cut_for_a_program_without_offloads)
{
	size_t largest;
	uint32_t seq;
	int s, gso = -1;

	s = face_tcp_connect(_metadata, self, &seq);
	ASSERT_LE(0, s);
	EXPECT_LE(8, face_read_stream(_metadata, self, s, seq, 8 * MSS, &gso,
				      &largest));
	EXPECT_EQ(MSS, largest);
	EXPECT_EQ(VIRTIO_NET_HDR_GSO_NONE, gso);
	close(s);
}

/* With TUN_F_CSUM | TUN_F_TSO4 the super-packets are read whole, their
 * header saying how to cut them, as kernel macvtap hands them to a VM.
 */
TEST_F(face, stack_gso_is_read_whole_with_tso4)
{
	size_t largest;
	uint32_t seq;
	int s, gso = -1;

	ASSERT_EQ(0, tun_ioctl_val(self->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4));
	s = face_tcp_connect(_metadata, self, &seq);
	ASSERT_LE(0, s);
	EXPECT_GT(8, face_read_stream(_metadata, self, s, seq, 8 * MSS, &gso,
				      &largest));
	EXPECT_LT(MSS, largest) TH_LOG("no super-packet was read whole");
	EXPECT_EQ(VIRTIO_NET_HDR_GSO_TCPV4, gso);
	close(s);
}

/* A TCP super-packet the program writes (partial checksum, gso_size
 * 1400) leaves through the child, out of vv0, and reaches the wire as
 * three checksummed segments.
 */
TEST_F(face, gso_tcp_written_reaches_the_wire_in_segments)
{
	size_t plen = 3 * 1400 - 100, l4len = TCP_HLEN + plen, len, got = 0;
	uint8_t *ip = self->buf + L3_OFF, *t = ip + IP4_HLEN;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = ETH_HLEN + IP4_HLEN + TCP_HLEN,
		.gso_size = 1400,
		.csum_start = ETH_HLEN + IP4_HLEN,
		.csum_offset = 16,
	};
	struct link_state before, after;
	uint8_t seg[2048];
	uint16_t c;
	ssize_t n;
	int i;

	memcpy(self->buf, &vh, VHDR_LEN);
	build_eth(self->buf + L2_OFF, self->far_mac, self->mac, ETH_P_IP);
	build_ip4(ip, PROG_IP, FAR_IP, IPPROTO_TCP, l4len);
	ip[6] = 0x40;			/* DF, as TCP sends it */
	ip[10] = ip[11] = 0;
	c = csum_fold(csum_add(0, ip, IP4_HLEN));
	memcpy(ip + 10, &c, 2);
	build_tcp(t, 5000, 80, 7000000, 1, TH_ACK | TH_PUSH, 5);
	for (i = 0; i < (int)plen; i++)
		t[TCP_HLEN + i] = i * 7;
	c = pseudo_partial4(ip, IPPROTO_TCP, l4len);
	memcpy(t + 16, &c, 2);
	len = L3_OFF + IP4_HLEN + l4len;

	ASSERT_EQ(0, link_get(FACE, &before));
	ASSERT_EQ((ssize_t)len, write(self->fd, self->buf, len));
	ASSERT_EQ(0, link_get(FACE, &after));
	/* The child sent it: a transmit of the child, not a receive. */
	EXPECT_EQ(before.stats.tx_packets + 1, after.stats.tx_packets);
	EXPECT_EQ(before.stats.rx_packets, after.stats.rx_packets);

	for (i = 0; i < 3; i++) {
		size_t seglen = i < 2 ? 1400 : plen - 2 * 1400;

		n = recv_wait(self->ps, seg, sizeof(seg), TUN_WAIT_MS);
		ASSERT_EQ((ssize_t)(IP4_HLEN + TCP_HLEN + seglen), n)
			TH_LOG("segment %d", i);
		EXPECT_EQ(0, csum_fold(csum_add(0, seg, IP4_HLEN)))
			TH_LOG("segment %d: IP checksum", i);
		EXPECT_TRUE(l4_csum_ok4(seg)) TH_LOG("segment %d: TCP checksum", i);
		EXPECT_EQ(7000000 + got, get32(seg + IP4_HLEN + 4));
		EXPECT_EQ(0, memcmp(seg + IP4_HLEN + TCP_HLEN, t + TCP_HLEN + got, seglen))
			TH_LOG("segment %d: payload", i);
		got += seglen;
	}
	EXPECT_EQ(-ETIMEDOUT, recv_wait(self->ps, seg, sizeof(seg), 200));
}

/* A frame from the wire with a VLAN tag reaches the program tagged: the
 * core moved the tag out of the frame on the way in (skb_vlan_untag),
 * the face puts it back (macvtap.c:vnl_macvtap_handle_frame).
 */
TEST_F(face, vlan_tagged_frame_is_read_with_its_tag)
{
	uint8_t *eth = self->buf + L2_OFF, payload[32];
	int here, s;
	ssize_t n;

	memset(payload, 'v', sizeof(payload));
	/* In vv1's netns: vv1.5, VLAN 5, sending to the program's address. */
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, here);
	ASSERT_EQ(0, setns(self->far, CLONE_NEWNET));
	if (system("ip link add link vv1 name vv1.5 type vlan id 5 2>/dev/null")) {
		ASSERT_EQ(0, setns(here, CLONE_NEWNET));
		close(here);
		SKIP(return, "no VLAN devices (8021q) in this kernel");
	}
	EXPECT_EQ(0, if_addr4("vv1.5", "10.5.0.9", 24));
	EXPECT_EQ(0, if_up("vv1.5"));
	EXPECT_EQ(0, if_neigh4("vv1.5", "10.5.0.2", self->mac));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	EXPECT_LE(0, s);
	EXPECT_EQ(0, udp_send4(s, "10.5.0.2", 4242, payload, sizeof(payload)));
	close(s);
	ASSERT_EQ(0, setns(here, CLONE_NEWNET));
	close(here);

	n = read_wait(self->fd, self->buf, BUF_LEN, TUN_WAIT_MS);
	ASSERT_LT(L2_OFF + ETH_HLEN + 4 + IP4_HLEN + UDP_HLEN, n);
	EXPECT_EQ(0, memcmp(eth, self->mac, ETH_ALEN));
	EXPECT_EQ(ETH_P_8021Q, get16(eth + 12));
	EXPECT_EQ(5, get16(eth + 14) & 0xfff);
	EXPECT_EQ(ETH_P_IP, get16(eth + 16));
	EXPECT_EQ(0, memcmp(self->buf + n - sizeof(payload), payload,
			    sizeof(payload)));
}

TEST_HARNESS_MAIN
