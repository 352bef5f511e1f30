// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_tun_io: the program behind a tun or tap device for xdp_tun.sh.
 *
 *   xdp_tun_io DEVNODE tun|tap NAME LOCAL PEER
 *
 * Opens DEVNODE (/dev/vnl, or the kernel's /dev/net/tun for the
 * reference), attaches to a new device NAME (IFF_NO_PI, non-blocking: the
 * kernel's tap runs a native XDP program only on frames written without
 * blocking) and prints "ready NAME".  The device lives as long as the
 * program.  Then it takes commands on stdin, one a line, and answers each
 * with one line (read's frames each on a line of their own first):
 *
 *   write N SEQ  N ICMP echo requests from PEER to LOCAL, sequence
 *                numbers SEQ to SEQ+N-1 (on a tap, in Ethernet frames to
 *                the tap's address from PEER_MAC below): "wrote N", or
 *                "write error ERRNO after K"
 *   read N       reads until N frames came or TUN_WAIT_MS passed; one
 *                line a frame: "request SEQ same" (an echo request
 *                byte for byte as written), "request SEQ changed",
 *                "reply SEQ" (an echo reply from LOCAL to PEER), or
 *                "other LEN"; then "done K"
 *
 * The shell gives NAME its address, a permanent neighbour entry for PEER
 * at PEER_MAC (a tap) and brings it up, after "ready".
 */
#define _GNU_SOURCE
#include "tun_util.h"

#define PEER_MAC	{ 0x02, 0x00, 0x00, 0x00, 0x0a, 0x02 }
#define ECHO_ID		0x7d7
#define FRAME_MAX	2048

static const char payload[] = "vnl xdp_tun_io echo";

struct tio {
	int fd;
	bool tap;
	const char *local, *peer;
	unsigned char local_mac[ETH_ALEN];
};

/* The frame of echo request @seq at @buf; its length. */
static size_t echo_frame(const struct tio *t, uint8_t *buf, uint16_t seq)
{
	static const unsigned char peer_mac[ETH_ALEN] = PEER_MAC;
	size_t off = 0;

	if (t->tap)
		off = build_eth(buf, t->local_mac, peer_mac, ETH_P_IP);
	return off + build_icmp4_echo(buf + off, t->peer, t->local, ECHO_ID, seq,
				      payload, sizeof(payload));
}

static void cmd_write(const struct tio *t, unsigned long n, unsigned long seq)
{
	uint8_t buf[FRAME_MAX];
	unsigned long i;
	size_t len;

	for (i = 0; i < n; i++) {
		len = echo_frame(t, buf, seq + i);
		if (write(t->fd, buf, len) != (ssize_t)len) {
			printf("write error %s after %lu\n", strerror(errno), i);
			return;
		}
	}
	printf("wrote %lu\n", n);
}

/* One line saying what the frame @buf of @len bytes is. */
static void describe(const struct tio *t, const uint8_t *buf, size_t len)
{
	uint8_t want[FRAME_MAX];
	const uint8_t *ip = buf;
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	uint16_t seq;

	if (t->tap) {
		if (len < ETH_HLEN || get16(buf + 2 * ETH_ALEN) != ETH_P_IP)
			goto other;
		ip += ETH_HLEN;
		len -= ETH_HLEN;
	}
	if (len < IP4_HLEN + ICMP_HLEN || ip[0] != 0x45 || ip[9] != IPPROTO_ICMP ||
	    get16(ip + IP4_HLEN + 4) != ECHO_ID)
		goto other;
	inet_ntop(AF_INET, ip + 12, src, sizeof(src));
	inet_ntop(AF_INET, ip + 16, dst, sizeof(dst));
	seq = get16(ip + IP4_HLEN + 6);
	if (ip[IP4_HLEN] == 8 && !strcmp(src, t->peer) && !strcmp(dst, t->local)) {
		size_t wlen = echo_frame(t, want, seq);

		printf("request %u %s\n", seq,
		       wlen == (size_t)(ip - buf) + len && !memcmp(want, buf, wlen) ?
		       "same" : "changed");
		return;
	}
	if (ip[IP4_HLEN] == 0 && !strcmp(src, t->local) && !strcmp(dst, t->peer)) {
		printf("reply %u\n", seq);
		return;
	}
other:
	printf("other %zu\n", (size_t)(ip - buf) + len);
}

static void cmd_read(const struct tio *t, unsigned long n)
{
	struct timespec start, now;
	uint8_t buf[FRAME_MAX];
	unsigned long got = 0;
	long left;
	ssize_t len;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < n) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = TUN_WAIT_MS - ((now.tv_sec - start.tv_sec) * 1000 +
				      (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || tun_poll(t->fd, POLLIN, left) <= 0)
			break;
		len = read(t->fd, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			printf("read error %s\n", strerror(errno));
			break;
		}
		describe(t, buf, len);
		got++;
	}
	printf("done %lu\n", got);
}

int main(int argc, char **argv)
{
	char name[IFNAMSIZ] = "", line[128];
	unsigned long n, seq;
	struct tio t = { 0 };
	int err;

	if (argc != 6 || (strcmp(argv[2], "tun") && strcmp(argv[2], "tap")) ||
	    strlen(argv[3]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: xdp_tun_io DEVNODE tun|tap NAME LOCAL PEER\n");
		return 2;
	}
	t.tap = !strcmp(argv[2], "tap");
	t.local = argv[4];
	t.peer = argv[5];
	strcpy(name, argv[3]);

	t.fd = open(argv[1], O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (t.fd < 0) {
		fprintf(stderr, "xdp_tun_io: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = tun_set_iff(t.fd, name, (t.tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
	if (!err && t.tap)
		err = if_get_hwaddr(name, t.local_mac, NULL);
	if (err) {
		fprintf(stderr, "xdp_tun_io: %s: %s\n", name, strerror(-err));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready %s\n", name);

	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "write %lu %lu", &n, &seq) == 2)
			cmd_write(&t, n, seq);
		else if (sscanf(line, "read %lu", &n) == 1)
			cmd_read(&t, n);
		else
			printf("unknown command\n");
	}
	return 0;
}
