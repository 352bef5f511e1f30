// SPDX-License-Identifier: GPL-2.0
/*
 * tun_pps: packets per second through a tun device, vnl's (/dev/vnl) next
 * to the kernel's (/dev/net/tun), in the guest of tools/bench.
 *
 * For each device: a tun (IFF_TUN | IFF_NO_PI) with 10.200.N.1 peer
 * 10.200.N.2 and a route to 10.201.N.0/24 through it, IPv4 forwarding on,
 * rp_filter and redirects off.  A UDP packet from 10.201.N.9 to 10.200.N.2
 * written into the device comes in on it, is forwarded, and goes straight
 * back out of the same device, where read() gets it.  One packet in
 * flight: each write() is followed by the read() of that packet, and the
 * round trips over SECONDS (default 2) give the rate.  The two devices take
 * turns in ten slices of that time, to share the host's slow spells.
 *
 *   tun_pps [-t SECONDS]      (root, in a throwaway guest: it changes sysctls)
 *
 * Prints a table of IP packet size, vnl pps, tun pps and vnl/tun.  Exit 0
 * once every rate was measured, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct dev {
	const char *label;	/* "vnl" or "tun" */
	const char *path;	/* the character device */
	const char *ifname;
	int n;			/* the third octet of its addresses */
};

static const struct dev devs[] = {
	{ "vnl", "/dev/vnl", "vnlbench0", 1 },
	{ "tun", "/dev/net/tun", "tunbench0", 2 },
};

static const int sizes[] = { 64, 1500 };

#define NDEVS (int)(sizeof(devs) / sizeof(devs[0]))
#define NSIZES (int)(sizeof(sizes) / sizeof(sizes[0]))
#define SLICES 10

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "tun_pps: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val)) {
		fprintf(stderr, "tun_pps: write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int sysctl_set(const char *fmt, const char *ifname, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), fmt, ifname);
	return write_file(path, val);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0) {
		fprintf(stderr, "tun_pps: `%s` failed (%d)\n", cmd, rc);
		return -1;
	}
	return 0;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* An IPv4 + UDP packet of SIZE bytes with valid checksums. */
static void build_packet(uint8_t *pkt, int size, int n)
{
	const uint8_t src[4] = { 10, 201, n, 9 }, dst[4] = { 10, 200, n, 2 };
	uint8_t *udp = pkt + 20;
	int ulen = size - 20, i;
	uint32_t sum;

	memset(pkt, 0, size);
	pkt[0] = 0x45;
	put16(pkt + 2, size);
	put16(pkt + 4, 0x1234);
	put16(pkt + 6, 0x4000);		/* DF */
	pkt[8] = 64;
	pkt[9] = IPPROTO_UDP;
	memcpy(pkt + 12, src, 4);
	memcpy(pkt + 16, dst, 4);
	put16(pkt + 10, csum_fold(csum_add(0, pkt, 20)));

	put16(udp + 0, 40000);
	put16(udp + 2, 9);		/* discard */
	put16(udp + 4, ulen);
	for (i = 8; i < ulen; i++)
		udp[i] = (uint8_t)i;
	sum = csum_add(0, pkt + 12, 8);	/* pseudo header: addresses, */
	sum += IPPROTO_UDP + ulen;	/* protocol, UDP length */
	sum = csum_add(sum, udp, ulen);
	put16(udp + 6, csum_fold(sum) ?: 0xffff);
}

static int open_tun(const struct dev *d)
{
	struct ifreq ifr;
	int fd = open(d->path, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "tun_pps: open %s: %s\n", d->path, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", d->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tun_pps: TUNSETIFF %s on %s: %s\n", d->ifname, d->path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int setup(const struct dev *d)
{
	const char *i = d->ifname;

	if (sysctl_set("/proc/sys/net/ipv6/conf/%s/disable_ipv6", i, "1") ||
	    sysctl_set("/proc/sys/net/ipv4/conf/%s/rp_filter", i, "0") ||
	    sysctl_set("/proc/sys/net/ipv4/conf/%s/send_redirects", i, "0"))
		return -1;
	if (run("ip link set dev %s mtu 1500", i) ||
	    run("ip addr add 10.200.%d.1 peer 10.200.%d.2 dev %s", d->n, d->n, i) ||
	    run("ip link set dev %s up", i) ||
	    run("ip route add 10.201.%d.0/24 dev %s", d->n, i))
		return -1;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Reads until the packet written comes back: anything else the stack
 * sends out of the device is skipped.  0 on success, -1 on error or after
 * a second without it.
 */
static int read_back(int fd, uint8_t *buf, int size, const uint8_t *want_dst)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		n = read(fd, buf, 65536);
		if (n < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, 1000) <= 0) {
				fprintf(stderr, "tun_pps: nothing read back within 1 s\n");
				return -1;
			}
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "tun_pps: read: %s\n", strerror(errno));
			return -1;
		}
		if (n == size && buf[0] == 0x45 && buf[9] == IPPROTO_UDP &&
		    !memcmp(buf + 16, want_dst, 4))
			return 0;
	}
}

/* Writes SIZE-byte packets into D and reads them back: N round trips. */
static int round_trips(int fd, const struct dev *d, int size, unsigned long n)
{
	static uint8_t pkt[65536], buf[65536];
	uint8_t dst[4] = { 10, 200, d->n, 2 };
	unsigned long i;

	build_packet(pkt, size, d->n);
	for (i = 0; i < n; i++) {
		if (write(fd, pkt, size) != size) {
			fprintf(stderr, "tun_pps: write: %s\n", strerror(errno));
			return -1;
		}
		if (read_back(fd, buf, size, dst))
			return -1;
	}
	return 0;
}

/*
 * Round trips for SLICE seconds (at least 64): adds their number and the
 * time they took to *count and *secs.
 */
static int measure_slice(int fd, const struct dev *d, int size, double slice,
			 unsigned long *count, double *secs)
{
	double t0 = now(), t;

	do {
		if (round_trips(fd, d, size, 64))
			return -1;
		*count += 64;
		t = now();
	} while (t - t0 < slice);
	*secs += t - t0;
	return 0;
}
int main(int argc, char **argv)
{
	double pps[NDEVS][NSIZES], duration = 2.0;
	int fds[NDEVS], di, si, opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't' && atof(optarg) > 0) {
			duration = atof(optarg);
		} else {
			fprintf(stderr, "usage: tun_pps [-t SECONDS]\n");
			return 2;
		}
	}

	if (access("/dev/net/tun", F_OK) != 0)
		run("modprobe tun");
	if (write_file("/proc/sys/net/ipv4/ip_forward", "1") ||
	    write_file("/proc/sys/net/ipv4/conf/all/rp_filter", "0") ||
	    write_file("/proc/sys/net/ipv4/conf/default/rp_filter", "0") ||
	    write_file("/proc/sys/net/ipv4/conf/all/send_redirects", "0"))
		return 1;

	for (di = 0; di < NDEVS; di++) {
		fds[di] = open_tun(&devs[di]);
		if (fds[di] < 0 || setup(&devs[di]))
			return 1;
		fcntl(fds[di], F_SETFL, O_NONBLOCK);
	}

	/*
	 * Each size: the devices take turns in slices of DURATION / SLICES,
	 * so that a slow spell of the (busy, emulated) host hits both alike.
	 */
	for (si = 0; si < NSIZES; si++) {
		unsigned long count[NDEVS] = { 0 };
		double secs[NDEVS] = { 0 };
		int s, failed[NDEVS] = { 0 };

		for (di = 0; di < NDEVS; di++)	/* warm up: routes, caches */
			failed[di] = round_trips(fds[di], &devs[di], sizes[si], 100);
		for (s = 0; s < SLICES; s++)
			for (di = 0; di < NDEVS; di++)
				if (!failed[di])
					failed[di] = measure_slice(fds[di], &devs[di], sizes[si],
								   duration / SLICES,
								   &count[di], &secs[di]);
		for (di = 0; di < NDEVS; di++) {
			pps[di][si] = failed[di] ? -1 : count[di] / secs[di];
			if (failed[di]) {
				fprintf(stderr, "tun_pps: %s, %d bytes: not measured\n",
					devs[di].label, sizes[si]);
				rc = 1;
			}
		}
	}

	printf("tun round trips (write, forward, read), one packet in flight, %.1f s per device\n"
	       "and size in %d alternating slices\n", duration, SLICES);
	printf("%-10s %12s %12s %10s\n", "size (B)", "vnl pps", "tun pps", "vnl/tun");
	for (si = 0; si < NSIZES; si++) {
		double v = pps[0][si], k = pps[1][si];

		if (v < 0 || k < 0) {
			char vs[32] = "n/a", ks[32] = "n/a";

			if (v >= 0)
				snprintf(vs, sizeof(vs), "%.0f", v);
			if (k >= 0)
				snprintf(ks, sizeof(ks), "%.0f", k);
			printf("%-10d %12s %12s %10s\n", sizes[si], vs, ks, "n/a");
			continue;
		}
		printf("%-10d %12.0f %12.0f %10.2f\n", sizes[si], v, k, v / k);
	}
	for (di = 0; di < NDEVS; di++)
		close(fds[di]);
	return rc;
}
