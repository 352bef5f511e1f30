// SPDX-License-Identifier: GPL-2.0
/*
 * tun_pps: packets per second through a tun device, vnl's (/dev/vnl) next
 * to the kernel's (/dev/net/tun), in the guest of tools/bench.
 *
 * For each device: a tun (IFF_TUN | IFF_NO_PI) with 10.200.N.1 peer
 * 10.200.N.2 and a route to 10.201.N.0/24 through it, IPv4 forwarding on,
 * rp_filter and redirects off.  A UDP packet from 10.201.N.9 to 10.200.N.2
 * written into the device comes in on it, is forwarded, and goes straight
 * back out of the same device, where read() gets it: each packet crosses
 * the device both ways, write() to the stack and the stack to read().
 *
 * The first table has one packet in flight: each write() is followed by
 * the read() of that packet, and the round trips over SECONDS (default 2)
 * give the rate, for 64 and 1500 bytes.  The second has bursts of B
 * 64-byte packets in flight (B = 1, 8, 32, 64): vnl's file is in batch
 * mode (VNL_IOC_SET_BATCH, include/uapi/linux/vnl.h) and writes the B
 * packets in one write() and reads them back in as few read()s as they
 * come in; tun writes them one per write() and reads them one per read(),
 * as it must.  Each row also gives the system calls each device needed
 * per packet (read, write and poll).  In both tables the two devices take
 * turns in ten slices of that time, to share the host's slow spells.
 *
 *   tun_pps [-t SECONDS] [-b] [-B BURST] [-o vnl|tun]
 *
 * -b measures the batched table only, -B one burst size only (1 to 64),
 * -o one device only (the other's column says "-"): to profile one of
 * them alone, e.g. `perf record -a -g -- tun_pps -b -B 64 -o vnl`.  Root, in a throwaway guest:
 * it changes sysctls.  Exit 0 once every rate asked for was measured, 1
 * otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/vnl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
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

static const int sizes[] = { 64, 1500 };	/* one packet in flight */
static int bursts[] = { 1, 8, 32, 64 };	/* the batched table's */

#define NDEVS (int)(sizeof(devs) / sizeof(devs[0]))
#define NSIZES (int)(sizeof(sizes) / sizeof(sizes[0]))
static int nbursts = sizeof(bursts) / sizeof(bursts[0]);
#define SLICES 10
#define BURST_SIZE 64		/* bytes per packet of the batched table */
#define SIZE_MAX_PKT 1500
#define REC_ALIGN(len) (((len) + VNL_BATCH_ALIGN - 1) & ~(size_t)(VNL_BATCH_ALIGN - 1))
#define REC_SPAN(len) (sizeof(struct vnl_batch_hdr) + REC_ALIGN(len))

/* What a device is given to do in a measurement: bursts of @burst packets
 * of @size bytes, written and then read back, in batch mode or one packet
 * per call.
 */
struct load {
	int size;
	int burst;
	bool batched;
	uint8_t pkt[SIZE_MAX_PKT];
	uint8_t batch[VNL_BATCH_MAX * REC_SPAN(BURST_SIZE)];
	size_t batch_len;
};

/* What a device did in a measurement. */
struct tally {
	unsigned long packets;	/* written and read back */
	unsigned long calls;	/* read(), write() and poll() */
	double secs;
	int failed;
};

static unsigned long calls;	/* system calls of the data path so far */

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

/* One of the packets this program wrote to device @d, as read back. */
static bool is_ours(const uint8_t *p, size_t len, int size, const struct dev *d)
{
	const uint8_t dst[4] = { 10, 200, d->n, 2 };

	return len == (size_t)size && p[0] == 0x45 && p[9] == IPPROTO_UDP &&
	       !memcmp(p + 16, dst, 4);
}

/* In a batch read() of @len bytes, the records holding a packet of ours;
 * -1 if the framing is wrong.  The last record's padding is not there.
 */
static int count_records(const uint8_t *buf, size_t len, int size,
			 const struct dev *d)
{
	struct vnl_batch_hdr hdr;
	size_t off = 0;
	int n = 0;

	while (off + sizeof(hdr) <= len) {
		memcpy(&hdr, buf + off, sizeof(hdr));
		off += sizeof(hdr);
		if (!hdr.len || hdr.len > len - off || hdr.reserved)
			return -1;
		n += is_ours(buf + off, hdr.len, size, d);
		off += REC_ALIGN(hdr.len);
	}
	return off < len ? -1 : n;
}

static int wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	calls++;
	if (poll(&pfd, 1, 1000) <= 0) {
		fprintf(stderr, "tun_pps: nothing read back within 1 s\n");
		return -1;
	}
	return 0;
}

/*
 * Reads until the burst written came back: in batch mode as many packets
 * per read() as are queued, else one.  Anything else the stack sends out
 * of the device is skipped.  0 on success, -1 on error or after a second
 * without a packet.
 */
static int read_burst(int fd, const struct dev *d, const struct load *l)
{
	static uint8_t buf[65536];
	int left = l->burst, got;
	ssize_t n;

	while (left > 0) {
		calls++;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN) {
			if (wait_readable(fd))
				return -1;
			continue;
		}
		if (n < 0) {
			fprintf(stderr, "tun_pps: read: %s\n", strerror(errno));
			return -1;
		}
		if (!l->batched) {
			left -= is_ours(buf, n, l->size, d);
			continue;
		}
		got = count_records(buf, n, l->size, d);
		if (got < 0) {
			fprintf(stderr, "tun_pps: a batch read() of %zd bytes is not records\n", n);
			return -1;
		}
		left -= got;
	}
	return 0;
}

/* The packet of @l for device @d, and in batch mode the batch of them. */
static void prepare(struct load *l, const struct dev *d)
{
	struct vnl_batch_hdr hdr = { .len = l->size };
	size_t off = 0;
	int i;

	build_packet(l->pkt, l->size, d->n);
	if (!l->batched)
		return;
	memset(l->batch, 0, sizeof(l->batch));
	for (i = 0; i < l->burst; i++) {
		memcpy(l->batch + off, &hdr, sizeof(hdr));
		memcpy(l->batch + off + sizeof(hdr), l->pkt, l->size);
		off += REC_SPAN(l->size);
	}
	l->batch_len = off;
}

/* One burst: written (one write() in batch mode, else one per packet),
 * then read back.
 */
static int burst(int fd, const struct dev *d, const struct load *l)
{
	int i;

	if (l->batched) {
		calls++;
		if (write(fd, l->batch, l->batch_len) != (ssize_t)l->batch_len) {
			fprintf(stderr, "tun_pps: batch write: %s\n", strerror(errno));
			return -1;
		}
	} else {
		for (i = 0; i < l->burst; i++) {
			calls++;
			if (write(fd, l->pkt, l->size) != l->size) {
				fprintf(stderr, "tun_pps: write: %s\n", strerror(errno));
				return -1;
			}
		}
	}
	return read_burst(fd, d, l);
}

/* Bursts for @slice seconds (at least 64 packets' worth), added to @t. */
static int measure_slice(int fd, const struct dev *d, const struct load *l,
			 double slice, struct tally *t)
{
	double t0 = now(), t1;
	unsigned long calls0 = calls;
	int n;

	do {
		for (n = 0; n < 64; n += l->burst)
			if (burst(fd, d, l))
				return -1;
		t->packets += n;
		t1 = now();
	} while (t1 - t0 < slice);
	t->secs += t1 - t0;
	t->calls += calls - calls0;
	return 0;
}

/*
 * One measurement: the devices in @on take turns in SLICES slices of
 * @duration / SLICES each, so that a slow spell of the (busy, emulated)
 * host hits both alike, after 100 packets' warm-up (routes, caches).
 */
static void measure(const int *fds, const bool *on, struct load *loads,
		    double duration, struct tally *t)
{
	int di, s, i;

	for (di = 0; di < NDEVS; di++) {
		memset(&t[di], 0, sizeof(t[di]));
		if (!on[di])
			continue;
		prepare(&loads[di], &devs[di]);
		for (i = 0; i < 100 && !t[di].failed; i += loads[di].burst)
			t[di].failed = burst(fds[di], &devs[di], &loads[di]);
	}
	for (s = 0; s < SLICES; s++)
		for (di = 0; di < NDEVS; di++)
			if (on[di] && !t[di].failed)
				t[di].failed = measure_slice(fds[di], &devs[di], &loads[di],
							     duration / SLICES, &t[di]);
}

/* A rate, or "-" for a device not measured, "n/a" for one that failed. */
static const char *rate(char *buf, size_t len, bool on, const struct tally *t)
{
	if (!on)
		return "-";
	if (t->failed)
		return "n/a";
	snprintf(buf, len, "%.0f", t->packets / t->secs);
	return buf;
}

static const char *ratio(char *buf, size_t len, const bool *on,
			 const struct tally *t)
{
	if (!on[0] || !on[1])
		return "-";
	if (t[0].failed || t[1].failed)
		return "n/a";
	snprintf(buf, len, "%.2f", (t[0].packets / t[0].secs) / (t[1].packets / t[1].secs));
	return buf;
}

static const char *per_packet(char *buf, size_t len, bool on,
			      const struct tally *t)
{
	if (!on || t->failed)
		return on ? "n/a" : "-";
	snprintf(buf, len, "%.2f", (double)t->calls / t->packets);
	return buf;
}

/* Whether every device in @on measured; says which did not. */
static int verdict(const bool *on, const struct tally *t, const char *what, int n)
{
	int di, rc = 0;

	for (di = 0; di < NDEVS; di++) {
		if (on[di] && t[di].failed) {
			fprintf(stderr, "tun_pps: %s, %s %d: not measured\n",
				devs[di].label, what, n);
			rc = 1;
		}
	}
	return rc;
}

/* The first table: one packet in flight, one per call, each size. */
static int single_table(const int *fds, const bool *on, double duration)
{
	static struct load loads[NDEVS];
	struct tally t[NSIZES][NDEVS];
	char a[32], b[32], c[32];
	int di, si, rc = 0;

	for (si = 0; si < NSIZES; si++) {
		for (di = 0; di < NDEVS; di++)
			loads[di] = (struct load){ .size = sizes[si], .burst = 1 };
		measure(fds, on, loads, duration, t[si]);
		rc |= verdict(on, t[si], "bytes", sizes[si]);
	}

	printf("tun round trips (write, forward, read), one packet in flight, %.1f s per device\n"
	       "and size in %d alternating slices\n", duration, SLICES);
	printf("%-10s %12s %12s %10s\n", "size (B)", "vnl pps", "tun pps", "vnl/tun");
	for (si = 0; si < NSIZES; si++)
		printf("%-10d %12s %12s %10s\n", sizes[si],
		       rate(a, sizeof(a), on[0], &t[si][0]),
		       rate(b, sizeof(b), on[1], &t[si][1]),
		       ratio(c, sizeof(c), on, t[si]));
	return rc;
}

/* The second table: bursts of 64-byte packets, vnl in batch mode. */
static int batched_table(const int *fds, const bool *on, double duration)
{
	static struct load loads[NDEVS];
	struct tally t[sizeof(bursts) / sizeof(bursts[0])][NDEVS];
	char a[32], b[32], c[32], d[32], e[32];
	int bi, rc = 0;

	for (bi = 0; bi < nbursts; bi++) {
		loads[0] = (struct load){ .size = BURST_SIZE, .burst = bursts[bi],
					  .batched = true };
		loads[1] = (struct load){ .size = BURST_SIZE, .burst = bursts[bi] };
		measure(fds, on, loads, duration, t[bi]);
		rc |= verdict(on, t[bi], "burst", bursts[bi]);
	}

	printf("batched: bursts of B %d-byte packets written, forwarded and read back;\n"
	       "vnl in batch mode (the burst in one write(), read back in batches),\n"
	       "tun one packet per write() and per read(); %.1f s per device and B\n"
	       "in %d alternating slices; calls: read(), write() and poll() per packet\n",
	       BURST_SIZE, duration, SLICES);
	printf("%-6s %12s %12s %10s %10s %10s\n", "B", "vnl pps", "tun pps", "vnl/tun",
	       "vnl calls", "tun calls");
	for (bi = 0; bi < nbursts; bi++)
		printf("%-6d %12s %12s %10s %10s %10s\n", bursts[bi],
		       rate(a, sizeof(a), on[0], &t[bi][0]),
		       rate(b, sizeof(b), on[1], &t[bi][1]),
		       ratio(c, sizeof(c), on, t[bi]),
		       per_packet(d, sizeof(d), on[0], &t[bi][0]),
		       per_packet(e, sizeof(e), on[1], &t[bi][1]));
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: tun_pps [-t SECONDS] [-b] [-B BURST] [-o vnl|tun]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const unsigned int mode = VNL_BATCH_READ | VNL_BATCH_WRITE;
	bool on[NDEVS] = { true, true }, batched_only = false;
	double duration = 2.0;
	int fds[NDEVS], di, opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:bB:o:")) != -1) {
		if (opt == 't' && atof(optarg) > 0) {
			duration = atof(optarg);
		} else if (opt == 'b') {
			batched_only = true;
		} else if (opt == 'B' && atoi(optarg) > 0 && atoi(optarg) <= VNL_BATCH_MAX) {
			bursts[0] = atoi(optarg);
			nbursts = 1;
		} else if (opt == 'o' && !strcmp(optarg, devs[0].label)) {
			on[1] = false;
		} else if (opt == 'o' && !strcmp(optarg, devs[1].label)) {
			on[0] = false;
		} else {
			return usage();
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

	if (!batched_only) {
		rc |= single_table(fds, on, duration);
		printf("\n");
	}
	/* From here on vnl's file reads and writes records. */
	if (ioctl(fds[0], VNL_IOC_SET_BATCH, &mode) < 0) {
		fprintf(stderr, "tun_pps: VNL_IOC_SET_BATCH: %s\n", strerror(errno));
		return 1;
	}
	rc |= batched_table(fds, on, duration);

	for (di = 0; di < NDEVS; di++)
		close(fds[di]);
	return rc;
}
