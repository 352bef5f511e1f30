// SPDX-License-Identifier: GPL-2.0
/*
 * pair_bench: a vnl pair next to a kernel veth pair, in the guest of
 * tools/bench: 64-byte UDP packets per second, and TCP throughput.
 *
 * For each kind, a pair with one end in the guest's netns (10.220.N.1/24)
 * and the other in a netns of its own (10.220.N.2/24): vnl's made by
 * `vnlctl add pair ... peer-netns`, the kernel's by `ip link add ... type
 * veth peer ... netns`.  The sending sockets are made inside the other
 * netns (a socket belongs to the netns its creator was in, whatever
 * thread uses it later), the receiving ones here:
 *
 *   udp  sendmmsg() bursts of 64-byte frames (22 bytes of UDP payload) to
 *        a UDP socket that is never read: past its small buffer each
 *        datagram is dropped at once, so the cost measured is the pair's
 *        and the stack's, not a reader's.  Counted as what reached UDP in
 *        this netns (/proc/net/snmp: InDatagrams + RcvbufErrors).
 *   tcp  one connection per kind; the sender writes 64 KiB chunks, a
 *        reader thread counts the bytes.  GSO, TSO and checksum offload
 *        are as each kind sets them by default.
 *
 * The kinds take turns in SLICES slices of SECONDS each per test (the
 * TCP connection is drained between slices), so that a slow spell of the
 * (busy, emulated) host hits both alike; a rate is the median of its
 * slices.
 *
 *   pair_bench [-t SECONDS] [-c VNLCTL]   (root, in a throwaway guest)
 *
 * Prints a table of test, vnl, veth and vnl/veth.  Exit 0 once every rate
 * was measured, 1 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLICES 10
#define BURST 64
#define UDP_PAYLOAD 22		/* 14 + 20 + 8 + 22 = a 64-byte frame */
#define CHUNK 65536
#define TCP_PORT 5201

struct kind {
	const char *label;	/* "vnl" or "veth" */
	const char *ns;		/* the netns of the far end */
	int n;			/* the third octet of its addresses */
	int home;		/* fd of the guest's own netns */
	int udp_tx, udp_rx;	/* sockets: far end's, ours */
	int tcp_tx, tcp_rx;
	pthread_t reader;
	atomic_ullong received;	/* TCP bytes the reader got */
	unsigned long long sent;
	double udp[SLICES], tcp[SLICES];
	int failed;
};

static struct kind kinds[] = {
	{ .label = "vnl", .ns = "pbvnl", .n = 1 },
	{ .label = "veth", .ns = "pbveth", .n = 2 },
};

#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

static const char *vnlctl = "vnlctl";

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
		fprintf(stderr, "pair_bench: `%s` failed (%d)\n", cmd, rc);
		return -1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Both ends, addressed and up, IPv6 off (no DAD or router solicitations). */
static int make_pair(struct kind *k)
{
	char a[IFNAMSIZ], b[IFNAMSIZ];

	snprintf(a, sizeof(a), "pb%s0", k->label);
	snprintf(b, sizeof(b), "pb%s1", k->label);
	if (run("ip netns add %s", k->ns) ||
	    run("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1", k->ns))
		return -1;
	if (!strcmp(k->label, "vnl")) {
		if (run("%s add pair %s peer %s peer-netns %s >/dev/null", vnlctl, a, b, k->ns))
			return -1;
	} else if (run("ip link add %s type veth peer name %s netns %s", a, b, k->ns)) {
		return -1;
	}
	if (run("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1", a) ||
	    run("ip addr add 10.220.%d.1/24 dev %s", k->n, a) ||
	    run("ip link set dev %s up", a) ||
	    run("ip -n %s addr add 10.220.%d.2/24 dev %s", k->ns, k->n, b) ||
	    run("ip -n %s link set dev %s up", k->ns, b) ||
	    run("ip -n %s link set dev lo up", k->ns))
		return -1;
	return 0;
}

static void addr(struct sockaddr_in *sin, int n, int host, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(10u << 24 | 220u << 16 | n << 8 | host);
}

/* A socket made inside netns NS: it stays there whoever uses it. */
static int socket_in(const char *ns, int home, int type)
{
	char path[128];
	int fd, s;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "pair_bench: setns %s: %s\n", ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	s = socket(AF_INET, type, 0);
	if (setns(home, CLONE_NEWNET) < 0) {
		perror("pair_bench: setns back");
		exit(1);
	}
	return s;
}

static void *tcp_reader(void *arg)
{
	struct kind *k = arg;
	char *buf = malloc(CHUNK * 4);
	ssize_t n;

	while (buf && (n = read(k->tcp_rx, buf, CHUNK * 4)) > 0)
		atomic_fetch_add(&k->received, n);
	free(buf);
	return NULL;
}

static int make_sockets(struct kind *k)
{
	struct sockaddr_in far, near;
	int one = 1, small = 4096, l;

	addr(&near, k->n, 1, 9);
	addr(&far, k->n, 2, 0);
	k->udp_rx = socket(AF_INET, SOCK_DGRAM, 0);
	k->udp_tx = socket_in(k->ns, k->home, SOCK_DGRAM);
	if (k->udp_rx < 0 || k->udp_tx < 0 ||
	    setsockopt(k->udp_rx, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    bind(k->udp_rx, (struct sockaddr *)&near, sizeof(near)) ||
	    bind(k->udp_tx, (struct sockaddr *)&far, sizeof(far)) ||
	    connect(k->udp_tx, (struct sockaddr *)&near, sizeof(near))) {
		fprintf(stderr, "pair_bench: %s: UDP sockets: %s\n", k->label, strerror(errno));
		return -1;
	}

	addr(&near, k->n, 1, TCP_PORT);
	l = socket(AF_INET, SOCK_STREAM, 0);
	k->tcp_tx = socket_in(k->ns, k->home, SOCK_STREAM);
	if (l < 0 || k->tcp_tx < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&near, sizeof(near)) || listen(l, 1) ||
	    connect(k->tcp_tx, (struct sockaddr *)&near, sizeof(near))) {
		fprintf(stderr, "pair_bench: %s: TCP connection: %s\n", k->label, strerror(errno));
		return -1;
	}
	k->tcp_rx = accept(l, NULL, NULL);
	close(l);
	if (k->tcp_rx < 0 || pthread_create(&k->reader, NULL, tcp_reader, k)) {
		fprintf(stderr, "pair_bench: %s: accept: %s\n", k->label, strerror(errno));
		return -1;
	}
	return 0;
}

/* Datagrams that reached UDP in this netns, read or dropped. */
static long long udp_arrived(void)
{
	char line[1024], vals[1024];
	long long in = -1, rcvbuf = -1;
	FILE *f = fopen("/proc/net/snmp", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Udp: InDatagrams", 16) || !fgets(vals, sizeof(vals), f))
			continue;
		/* InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors */
		if (sscanf(vals, "Udp: %lld %*d %*d %*d %lld", &in, &rcvbuf) != 2)
			in = -1;
		break;
	}
	fclose(f);
	return in < 0 ? -1 : in + rcvbuf;
}

static int udp_slice(struct kind *k, double secs, double *rate)
{
	static char payload[UDP_PAYLOAD];
	struct mmsghdr msgs[BURST];
	struct iovec iov = { payload, sizeof(payload) };
	long long before, after;
	double t0, t;
	int i;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BURST; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	before = udp_arrived();
	t0 = now();
	do {
		if (sendmmsg(k->udp_tx, msgs, BURST, 0) < 0) {
			fprintf(stderr, "pair_bench: %s: sendmmsg: %s\n", k->label, strerror(errno));
			return -1;
		}
		t = now();
	} while (t - t0 < secs);
	after = udp_arrived();
	if (before < 0 || after < 0) {
		fprintf(stderr, "pair_bench: cannot read Udp counters of /proc/net/snmp\n");
		return -1;
	}
	*rate = (after - before) / (t - t0);
	return 0;
}

/* Waits up to 10 s until the reader has all that was sent. */
static int tcp_drain(struct kind *k)
{
	double t0 = now();

	while (atomic_load(&k->received) < k->sent) {
		if (now() - t0 > 10) {
			fprintf(stderr, "pair_bench: %s: TCP bytes still in flight after 10 s\n",
				k->label);
			return -1;
		}
		usleep(1000);
	}
	return 0;
}

static int tcp_slice(struct kind *k, double secs, double *mbits)
{
	static char chunk[CHUNK];
	unsigned long long before = atomic_load(&k->received);
	double t0 = now(), t;
	ssize_t n;

	do {
		n = write(k->tcp_tx, chunk, sizeof(chunk));
		if (n < 0) {
			fprintf(stderr, "pair_bench: %s: write: %s\n", k->label, strerror(errno));
			return -1;
		}
		k->sent += n;
		t = now();
	} while (t - t0 < secs);
	*mbits = (atomic_load(&k->received) - before) * 8 / (t - t0) / 1e6;
	return tcp_drain(k);
}

static void print_row(const char *test, const char *unit, int which)
{
	double v[NKINDS];
	int i;

	for (i = 0; i < NKINDS; i++)
		v[i] = kinds[i].failed ? -1 :
		       median(which ? kinds[i].tcp : kinds[i].udp, SLICES);
	if (v[0] < 0 || v[1] < 0) {
		printf("%-22s %12s %12s %10s\n", test, "n/a", "n/a", "n/a");
		return;
	}
	printf("%-22s %12.0f %12.0f %10.2f   %s\n", test, v[0], v[1], v[0] / v[1], unit);
}

int main(int argc, char **argv)
{
	double secs = 2.0;
	int i, s, opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:c:")) != -1) {
		if (opt == 't' && atof(optarg) > 0) {
			secs = atof(optarg);
		} else if (opt == 'c') {
			vnlctl = optarg;
		} else {
			fprintf(stderr, "usage: pair_bench [-t SECONDS] [-c VNLCTL]\n");
			return 2;
		}
	}

	for (i = 0; i < NKINDS; i++) {
		kinds[i].home = open("/proc/self/ns/net", O_RDONLY);
		if (kinds[i].home < 0 || make_pair(&kinds[i]) || make_sockets(&kinds[i]))
			kinds[i].failed = 1;
	}

	for (s = 0; s < SLICES; s++)
		for (i = 0; i < NKINDS; i++)
			if (!kinds[i].failed &&
			    udp_slice(&kinds[i], secs / SLICES, &kinds[i].udp[s]))
				kinds[i].failed = 1;
	for (s = 0; s < SLICES; s++)
		for (i = 0; i < NKINDS; i++)
			if (!kinds[i].failed &&
			    tcp_slice(&kinds[i], secs / SLICES, &kinds[i].tcp[s]))
				kinds[i].failed = 1;

	printf("pair vs veth: one end here, one in a netns; %.1f s per kind and test\n"
	       "in %d alternating slices, medians\n", secs, SLICES);
	printf("%-22s %12s %12s %10s\n", "test", "vnl", "veth", "vnl/veth");
	print_row("udp 64 B (pps)", "datagrams reaching UDP", 0);
	print_row("tcp (Mbit/s)", "one connection", 1);

	for (i = 0; i < NKINDS; i++) {
		if (kinds[i].failed) {
			fprintf(stderr, "pair_bench: %s: not measured\n", kinds[i].label);
			rc = 1;
		}
		/* The far end goes with its netns, and its peer with it. */
		run("ip netns del %s", kinds[i].ns);
	}
	return rc;
}
