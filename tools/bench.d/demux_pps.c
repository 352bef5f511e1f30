// SPDX-License-Identifier: GPL-2.0
/*
 * demux_pps: unicast packets per second through vnl's macvlan demux next to
 * the kernel's macvlan, with 1, 10, 100 and 1,000 children on one parent, in
 * the guest of tools/bench.
 *
 * For each kind (vnl, macvlan) and child count N, a cell: a kernel veth
 * pair, GEN <-> PAR, and N bridge-mode children on PAR (vnl's through one
 * `vnlctl -batch`, the kernel's through one `ip -batch`), every one up, each
 * with an address of its own.  All cells exist at once.  An AF_PACKET socket
 * on GEN sends 64-byte UDP/IPv4 frames addressed to the last child created
 * (the target) in sendmmsg() bursts; veth hands each to PAR's receive path,
 * where the parent's rx_handler (vnl's port, or macvlan's) finds the child
 * by destination MAC.  The target's rx_packets (sysfs) before and after
 * give the frames delivered; the frames sendmmsg() took give the rate sent.
 *
 * The cells take turns in fifty slices of SECONDS (default 2) each, so
 * that a slow spell of the (busy, emulated) host hits every cell alike; a
 * cell's rate is the median of its slices' rates, which a few slices the
 * host stalled in do not move.  Both the vnl/macvlan ratio and the trend
 * down a column thus compare numbers taken side by side.  Then the veth
 * pairs are deleted, and their children with them.
 *
 * The children have no IP address and IPv6 is off: a frame delivered ends
 * in the child's IPv4 input (not for this host, not forwarded), the same
 * work for both kinds; and a thousand children coming up send no IPv6
 * multicast to flood.  The per-frame cost of the demux must not grow with
 * N: a column falling with N is a bug.
 *
 *   demux_pps [-v] [-t SECONDS] [-n N[,N...]]   (root, in a throwaway
 *                                                guest: it changes sysctls)
 *
 * Prints a table of N, vnl pps, macvlan pps (both delivered to the target),
 * vnl/macvlan, and the rates sent; -v adds every slice's rate (stderr).  A
 * cell that fails says why on stderr and shows n/a; the others go on.  Exit
 * 0 once every rate was measured and every child went with its parent, 1
 * otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct kind {
	const char *label;	/* "vnl" or "macvlan" */
	const char *prefix;	/* of its device names */
	int id;			/* the third byte of its children's addresses */
};

static const struct kind kinds[] = {
	{ "vnl", "vnl", 1 },
	{ "macvlan", "mv", 2 },
};

#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))
#define MAXCOUNTS 8
#define MAXCHILDREN 1000
#define SLICES 50
#define BURST 64
#define FRAME 64		/* bytes, Ethernet header included, no FCS */
#define WARMUP 256

/* Per slice: frames sent and delivered, and the time it took. */
struct tally {
	unsigned long sent[SLICES];
	long long delivered[SLICES];
	double secs[SLICES];
	int slices;
};

/* One kind with N children on one veth parent, and its sender. */
struct cell {
	const struct kind *k;
	int n;
	int idx;		/* among the cells of its kind */
	char gen[IFNAMSIZ];	/* PREFIXgIDX, the veth end frames are sent from */
	char par[IFNAMSIZ];	/* PREFIXpIDX, the parent of the children */
	char target[IFNAMSIZ];	/* the last child */
	int made;		/* all N children were made */
	int fd;
	uint8_t frame[FRAME];
	struct iovec iov;
	struct mmsghdr msgs[BURST];
	int failed;
	struct tally tally;
};

static char scratch[] = "/tmp/demux_pps.XXXXXX";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "demux_pps: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val)) {
		fprintf(stderr, "demux_pps: write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
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
		fprintf(stderr, "demux_pps: `%s` failed (%d)\n", cmd, rc);
		return -1;
	}
	return 0;
}

static int dev_exists(const char *ifname)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	return stat(path, &st) == 0;
}

/* A counter of /sys/class/net/IFNAME/statistics; -1 on error. */
static long long read_stat(const char *ifname, const char *stat)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, stat);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "demux_pps: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fscanf(f, "%lld", &v) != 1) {
		fprintf(stderr, "demux_pps: read %s: bad contents\n", path);
		v = -1;
	}
	fclose(f);
	return v;
}

/* Child I (1..N) of cell C: PREFIX IDX c I, like vnl0c1 or mv3c1000. */
static void child_name(char *buf, size_t len, const struct cell *c, int i)
{
	snprintf(buf, len, "%s%dc%d", c->k->prefix, c->idx, i);
}

/* And its address: 02:00:ID:IDX:I>>8:I&0xff. */
static void child_mac(uint8_t *mac, const struct cell *c, int i)
{
	mac[0] = 0x02;
	mac[1] = 0;
	mac[2] = c->k->id;
	mac[3] = c->idx;
	mac[4] = (i >> 8) & 0xff;
	mac[5] = i & 0xff;
}

static void mac_str(char *buf, size_t len, const uint8_t *mac)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

static FILE *open_batch(char *path, size_t len, const char *name)
{
	FILE *f;

	snprintf(path, len, "%s/%s", scratch, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "demux_pps: create %s: %s\n", path, strerror(errno));
	return f;
}

static int close_batch(FILE *f, const char *path)
{
	int err = ferror(f);

	if (fclose(f) || err) {
		fprintf(stderr, "demux_pps: write %s failed\n", path);
		return -1;
	}
	return 0;
}

/*
 * C's veth pair and its N children on PAR, all up.  The children are made
 * in one batch (vnlctl or ip), brought up in another.
 */
static int setup(struct cell *c)
{
	char path[64], name[IFNAMSIZ], mac[32];
	uint8_t addr[6];
	int vnl = c->k->id == 1, i;
	FILE *f;

	if (run("ip link add %s type veth peer name %s", c->gen, c->par) ||
	    run("ip link set dev %s up", c->gen) ||
	    run("ip link set dev %s up", c->par))
		return -1;

	f = open_batch(path, sizeof(path), "add.batch");
	if (!f)
		return -1;
	for (i = 1; i <= c->n; i++) {
		child_name(name, sizeof(name), c, i);
		child_mac(addr, c, i);
		mac_str(mac, sizeof(mac), addr);
		if (vnl)
			fprintf(f, "add macvlan %s parent %s mode bridge address %s\n",
				name, c->par, mac);
		else
			fprintf(f, "link add link %s name %s address %s type macvlan mode bridge\n",
				c->par, name, mac);
	}
	if (close_batch(f, path))
		return -1;
	if (vnl ? run("vnlctl -batch %s >/dev/null", path) : run("ip -batch %s", path))
		return -1;
	c->made = 1;

	f = open_batch(path, sizeof(path), "up.batch");
	if (!f)
		return -1;
	for (i = 1; i <= c->n; i++) {
		child_name(name, sizeof(name), c, i);
		fprintf(f, "link set dev %s up\n", name);
	}
	if (close_batch(f, path) || run("ip -batch %s", path))
		return -1;
	return 0;
}

/* Deletes C's veth pair, and with its PAR end every child on it. */
static int teardown(const struct cell *c)
{
	char name[IFNAMSIZ];
	int i;

	if (dev_exists(c->gen) && run("ip link del dev %s", c->gen))
		return -1;
	/* Deleting a veth deletes both ends; a child left behind is a bug. */
	for (i = 1; c->made && i <= c->n; i++) {
		child_name(name, sizeof(name), c, i);
		if (dev_exists(name)) {
			fprintf(stderr, "demux_pps: %s is still there after its parent %s went\n",
				name, c->par);
			return -1;
		}
	}
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * A FRAME-byte Ethernet + IPv4 + UDP frame from SRC to DST, 10.202.0.1 to
 * 10.202.0.2 port 9 (UDP checksum 0: none).  No device here owns these
 * addresses.
 */
static void build_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	int i;

	memset(f, 0, FRAME);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, ETHERTYPE_IP);
	ip[0] = 0x45;
	put16(ip + 2, FRAME - 14);
	put16(ip + 6, 0x4000);		/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	ip[12] = 10; ip[13] = 202; ip[14] = 0; ip[15] = 1;
	ip[16] = 10; ip[17] = 202; ip[18] = 0; ip[19] = 2;
	put16(ip + 10, ip_csum(ip, 20));
	put16(udp, 40000);
	put16(udp + 2, 9);		/* discard */
	put16(udp + 4, FRAME - 14 - 20);
	for (i = 14 + 20 + 8; i < FRAME; i++)
		f[i] = (uint8_t)i;
}

/* An AF_PACKET socket on C's GEN and the burst it sends to the target. */
static int open_sender(struct cell *c)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t dst[6], src[6];
	struct ifreq ifr;
	int one = 1, i;

	c->fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: receives nothing */
	if (c->fd < 0) {
		fprintf(stderr, "demux_pps: socket(AF_PACKET): %s\n", strerror(errno));
		return -1;
	}
	sll.sll_ifindex = if_nametoindex(c->gen);
	if (!sll.sll_ifindex || bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "demux_pps: bind to %s: %s\n", c->gen, strerror(errno));
		return -1;
	}
	/* Straight to the driver: veth has no queue anyway. */
	setsockopt(c->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", c->gen);
	if (ioctl(c->fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "demux_pps: SIOCGIFHWADDR %s: %s\n", c->gen, strerror(errno));
		return -1;
	}
	memcpy(src, ifr.ifr_hwaddr.sa_data, 6);
	child_mac(dst, c, c->n);
	build_frame(c->frame, dst, src);

	c->iov.iov_base = c->frame;
	c->iov.iov_len = FRAME;
	memset(c->msgs, 0, sizeof(c->msgs));
	for (i = 0; i < BURST; i++) {
		c->msgs[i].msg_hdr.msg_iov = &c->iov;
		c->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

/* Sends COUNT frames (a multiple of BURST); adds them to *sent. */
static int send_frames(struct cell *c, unsigned long count, unsigned long *sent)
{
	unsigned long done = 0;
	double stuck = 0;
	int r;

	while (done < count) {
		r = sendmmsg(c->fd, c->msgs, BURST, 0);
		if (r < 0 && (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)) {
			/* A full queue for a moment; not for 5 s. */
			if (!stuck)
				stuck = now();
			if (now() - stuck < 5)
				continue;
		}
		if (r < 0) {
			fprintf(stderr, "demux_pps: sendmmsg to %s: %s\n", c->target,
				strerror(errno));
			return -1;
		}
		done += r;
		stuck = 0;
	}
	*sent += done;
	return 0;
}

/* Sends for SLICE seconds; notes what was sent, delivered and the time. */
static int measure_slice(struct cell *c, double slice)
{
	struct tally *t = &c->tally;
	long long before, after;
	unsigned long sent = 0;
	double t0, t1;

	before = read_stat(c->target, "rx_packets");
	if (before < 0)
		return -1;
	t0 = now();
	do {
		if (send_frames(c, BURST, &sent))
			return -1;
		t1 = now();
	} while (t1 - t0 < slice);
	/*
	 * Frames sent in the slice but still in the backlog (their softirq
	 * left to ksoftirqd, which our sleep lets run) belong to it: until
	 * all have arrived, or the count stands still.
	 */
	after = read_stat(c->target, "rx_packets");
	while (after >= 0 && after - before < (long long)sent) {
		long long prev = after;

		usleep(1000);
		after = read_stat(c->target, "rx_packets");
		if (after == prev)
			break;
	}
	if (after < 0)
		return -1;
	t->sent[t->slices] = sent;
	t->delivered[t->slices] = after - before;
	t->secs[t->slices++] = t1 - t0;
	return 0;
}

/*
 * Frames sent must reach the target: a first check, and a warm-up.  A
 * receive softirq pushed to ksoftirqd may still hold some: up to a second
 * for them.
 */
static int warm_up(struct cell *c)
{
	unsigned long sent = 0;
	long long before, after;
	double t0;

	before = read_stat(c->target, "rx_packets");
	if (before < 0 || send_frames(c, WARMUP, &sent))
		return -1;
	t0 = now();
	for (;;) {
		after = read_stat(c->target, "rx_packets");
		if (after < 0)
			return -1;
		if (after - before >= WARMUP / 2)
			return 0;
		if (now() - t0 > 1)
			break;
		usleep(10000);
	}
	fprintf(stderr, "demux_pps: %s received %lld of %d frames sent to it\n",
		c->target, after - before, WARMUP);
	return -1;
}

static void pin_last_cpu(void)
{
	long cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu > 0 ? cpu : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "demux_pps: sched_setaffinity: %s (not pinned)\n",
			strerror(errno));
}

static int parse_counts(const char *arg, int *counts)
{
	char *copy = strdup(arg), *tok, *save = NULL, *end;
	int n = 0;
	long v;

	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		v = strtol(tok, &end, 10);
		if (*end || v < 1 || v > MAXCHILDREN || n == MAXCOUNTS) {
			n = -1;
			break;
		}
		counts[n++] = (int)v;
	}
	free(copy);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The median over C's slices of their rates, frames delivered (or, with
 * SENT, sent) per second: a slice the host stalled in does not drag it.
 */
static double median_rate(const struct cell *c, int sent)
{
	const struct tally *t = &c->tally;
	double r[SLICES];
	int i;

	for (i = 0; i < t->slices; i++)
		r[i] = (sent ? (double)t->sent[i] : (double)t->delivered[i]) / t->secs[i];
	qsort(r, t->slices, sizeof(r[0]), cmp_double);
	if (t->slices % 2)
		return r[t->slices / 2];
	return (r[t->slices / 2 - 1] + r[t->slices / 2]) / 2;
}

static void print_slices(const struct cell *c)
{
	const struct tally *t = &c->tally;
	int i;

	fprintf(stderr, "demux_pps: %s, N=%d, pps by slice:", c->k->label, c->n);
	for (i = 0; i < t->slices; i++)
		fprintf(stderr, " %.0f", t->delivered[i] / t->secs[i]);
	fputc('\n', stderr);
}

static void fmt_rate(char *buf, size_t len, const struct cell *c, double v)
{
	if (c->failed)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.0f", v);
}

int main(int argc, char **argv)
{
	static struct cell cells[MAXCOUNTS][NKINDS];
	int counts[MAXCOUNTS] = { 1, 10, 100, 1000 }, ncounts = 4;
	int ncells, ci, ki, s, j, opt, verbose = 0, rc = 0;
	double duration = 2.0, t0;
	struct cell *c;

	while ((opt = getopt(argc, argv, "t:n:v")) != -1) {
		if (opt == 'v') {
			verbose = 1;
		} else if (opt == 't' && atof(optarg) > 0) {
			duration = atof(optarg);
		} else if (opt == 'n' && (ncounts = parse_counts(optarg, counts)) > 0) {
			;
		} else {
			fprintf(stderr, "usage: demux_pps [-v] [-t SECONDS] [-n N[,N...]] (1 <= N <= %d, up to %d of them)\n",
				MAXCHILDREN, MAXCOUNTS);
			return 2;
		}
	}
	ncells = ncounts * NKINDS;

	/*
	 * No IPv6 on the devices to come (no DAD, router or MLD multicast
	 * from a thousand children), and no IPv4 forwarding (tun_pps, in the
	 * same guest, turns it on): a frame delivered is dropped by the
	 * child's IPv4 input, quietly.
	 */
	if (write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1") ||
	    write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1") ||
	    write_file("/proc/sys/net/ipv4/ip_forward", "0"))
		return 1;
	if (!mkdtemp(scratch)) {
		fprintf(stderr, "demux_pps: mkdtemp: %s\n", strerror(errno));
		return 1;
	}

	for (ci = 0; ci < ncounts; ci++) {
		for (ki = 0; ki < NKINDS; ki++) {
			c = &cells[ci][ki];
			c->k = &kinds[ki];
			c->n = counts[ci];
			c->idx = ci;
			c->fd = -1;
			snprintf(c->gen, sizeof(c->gen), "%sg%d", c->k->prefix, ci);
			snprintf(c->par, sizeof(c->par), "%sp%d", c->k->prefix, ci);
			child_name(c->target, sizeof(c->target), c, c->n);
			t0 = now();
			c->failed = setup(c) || open_sender(c);
			if (c->failed)
				fprintf(stderr, "demux_pps: %s, N=%d: setup failed\n",
					c->k->label, c->n);
			else
				fprintf(stderr, "demux_pps: %s, N=%d on %s: ready in %.1f s\n",
					c->k->label, c->n, c->par, now() - t0);
		}
	}
	/*
	 * One CPU for the sender, and so for the receive path, which runs in
	 * its softirq: the last, away from what the guest does on CPU 0.
	 */
	pin_last_cpu();
	/* After every setup: the hash tables have finished growing. */
	for (j = 0; j < ncells; j++) {
		c = &cells[j / NKINDS][j % NKINDS];
		if (!c->failed)
			c->failed = warm_up(c);
	}
	/* Turns, each slice starting one cell further on. */
	for (s = 0; s < SLICES; s++) {
		for (j = 0; j < ncells; j++) {
			int i = (s + j) % ncells;

			c = &cells[i / NKINDS][i % NKINDS];
			if (!c->failed)
				c->failed = measure_slice(c, duration / SLICES);
		}
	}
	for (j = 0; j < ncells; j++) {
		c = &cells[j / NKINDS][j % NKINDS];
		if (c->fd >= 0)
			close(c->fd);
		if (teardown(c))
			rc = 1;
		if (c->failed) {
			fprintf(stderr, "demux_pps: %s, N=%d: not measured\n",
				c->k->label, c->n);
			rc = 1;
		} else if (verbose) {
			print_slices(c);
		}
	}
	run("rm -rf %s", scratch);

	printf("demux: unicast to one of N bridge-mode children on a veth parent, %d-byte frames\n"
	       "from AF_PACKET in sendmmsg bursts of %d; pps = delivered (the child's rx_packets),\n"
	       "sent = taken by sendmmsg; %.1f s per kind and N in %d alternating slices, median\n",
	       FRAME, BURST, duration, SLICES);
	printf("%-10s %12s %12s %12s %12s %12s\n", "children", "vnl pps", "macvlan pps",
	       "vnl/macvlan", "vnl sent", "macvlan sent");
	for (ci = 0; ci < ncounts; ci++) {
		const struct cell *v = &cells[ci][0], *m = &cells[ci][1];
		char vp[32], mp[32], r[32], vs[32], ms[32];
		double vr = v->failed ? 0 : median_rate(v, 0);
		double mr = m->failed ? 0 : median_rate(m, 0);

		fmt_rate(vp, sizeof(vp), v, vr);
		fmt_rate(mp, sizeof(mp), m, mr);
		fmt_rate(vs, sizeof(vs), v, v->failed ? 0 : median_rate(v, 1));
		fmt_rate(ms, sizeof(ms), m, m->failed ? 0 : median_rate(m, 1));
		if (!v->failed && !m->failed && mr > 0)
			snprintf(r, sizeof(r), "%.2f", vr / mr);
		else
			snprintf(r, sizeof(r), "n/a");
		printf("%-10d %12s %12s %12s %12s %12s\n", counts[ci], vp, mp, r, vs, ms);
	}
	return rc;
}
