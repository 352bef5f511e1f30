// SPDX-License-Identifier: GPL-2.0
/*
 * tun_tcp: TCP throughput through a userspace forwarder between two tun
 * devices with vnet headers, vnl's (/dev/vnl) next to the kernel's
 * (/dev/net/tun), in the guest of tools/bench.
 *
 * For each kind, two netns, A and B, each with a tun device
 * (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR, TUNSETOFFLOAD with TUN_F_CSUM,
 * TSO4 and TSO6): 10.230.N.1 in A, 10.230.N.2 in B, each the other's
 * point-to-point peer.  A forwarder thread reads a frame from one device's
 * file and writes it, vnet header and all, into the other's: the way a
 * VPN or a VM's backend moves GSO super-packets (one read() for up to
 * 64 KiB of TCP) instead of one read() per MTU-sized segment.  A TCP
 * connection from A to B carries 64 KiB writes; a reader thread in B
 * counts the bytes.  The kinds take turns in SLICES slices (the connection
 * drained between slices); a rate is the median of its slices.  The
 * forwarder also counts the frames it moved and the bytes they held, so
 * the table shows how big the frames read were (a kind that read only
 * MTU-sized frames would show about 1,450 bytes).
 *
 *   tun_tcp [-t SECONDS]      (root, in a throwaway guest)
 *
 * Prints a table of kind, Mbit/s, mean frame read (bytes) and vnl/tun.
 * Exit 0 once every rate was measured, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLICES 10
#define CHUNK 65536
#define FRAME_MAX (65536 + 64)
#define TCP_PORT 5202

struct kind {
	const char *label;	/* "vnl" or "tun" */
	const char *path;	/* the character device */
	int n;			/* the third octet of its addresses */
	int fd[2];		/* the files of the devices in A and B */
	int tx, rx;		/* the TCP connection's ends, in A and B */
	pthread_t fwd, reader;
	atomic_ullong received;	/* TCP bytes the reader got */
	atomic_ullong frames, bytes;	/* what the forwarder moved */
	unsigned long long sent;
	double mbits[SLICES];
	int failed;
};

static struct kind kinds[] = {
	{ .label = "vnl", .path = "/dev/vnl", .n = 1 },
	{ .label = "tun", .path = "/dev/net/tun", .n = 2 },
};

#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

static int home;	/* the guest's own netns */

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
		fprintf(stderr, "tun_tcp: `%s` failed (%d)\n", cmd, rc);
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

static int enter(const char *ns)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "tun_tcp: setns %s: %s\n", ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static void leave(void)
{
	if (setns(home, CLONE_NEWNET) < 0) {
		perror("tun_tcp: setns back");
		exit(1);
	}
}

/*
 * The device of side S (0: A, 1: B) of kind K, made in its netns: a tun
 * device is created in the netns of the process that opened the file.
 */
static int make_side(struct kind *k, int s)
{
	unsigned int offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	char ns[32], name[IFNAMSIZ];
	struct ifreq ifr;
	int fd;

	snprintf(ns, sizeof(ns), "tt%s%c", k->label, 'a' + s);
	snprintf(name, sizeof(name), "tt%s%c", k->label, 'a' + s);
	if (run("ip netns add %s", ns) ||
	    run("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1", ns) ||
	    enter(ns))
		return -1;
	fd = open(k->path, O_RDWR);
	leave();
	if (fd < 0) {
		fprintf(stderr, "tun_tcp: open %s: %s\n", k->path, strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETOFFLOAD, offload) < 0) {
		fprintf(stderr, "tun_tcp: %s: TUNSETIFF/TUNSETOFFLOAD: %s\n", name,
			strerror(errno));
		close(fd);
		return -1;
	}
	k->fd[s] = fd;
	if (run("ip -n %s addr add 10.230.%d.%d peer 10.230.%d.%d dev %s", ns,
		k->n, 1 + s, k->n, 2 - s, name) ||
	    run("ip -n %s link set dev %s up", ns, name))
		return -1;
	return 0;
}

/* Moves frames both ways, whole, vnet header included, until killed. */
static void *forward(void *arg)
{
	struct kind *k = arg;
	struct pollfd pfd[2] = {
		{ .fd = k->fd[0], .events = POLLIN },
		{ .fd = k->fd[1], .events = POLLIN },
	};
	char *buf = malloc(FRAME_MAX);
	ssize_t n;
	int s;

	while (buf && poll(pfd, 2, -1) > 0) {
		for (s = 0; s < 2; s++) {
			if (!(pfd[s].revents & POLLIN))
				continue;
			n = read(k->fd[s], buf, FRAME_MAX);
			if (n <= 0)
				continue;
			/* A full queue on the other side is a drop, as on a wire. */
			if (write(k->fd[!s], buf, n) == n && s == 0) {
				atomic_fetch_add(&k->frames, 1);
				atomic_fetch_add(&k->bytes, n);
			}
		}
	}
	free(buf);
	return NULL;
}

static void *reader(void *arg)
{
	struct kind *k = arg;
	char *buf = malloc(CHUNK * 4);
	ssize_t n;

	while (buf && (n = read(k->rx, buf, CHUNK * 4)) > 0)
		atomic_fetch_add(&k->received, n);
	free(buf);
	return NULL;
}

static int connect_ends(struct kind *k)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(TCP_PORT) };
	char ns[32];
	int one = 1, l;

	sin.sin_addr.s_addr = htonl(10u << 24 | 230u << 16 | k->n << 8 | 2);
	snprintf(ns, sizeof(ns), "tt%sb", k->label);
	if (enter(ns))
		return -1;
	l = socket(AF_INET, SOCK_STREAM, 0);
	leave();
	snprintf(ns, sizeof(ns), "tt%sa", k->label);
	if (enter(ns))
		return -1;
	k->tx = socket(AF_INET, SOCK_STREAM, 0);
	leave();
	if (l < 0 || k->tx < 0 ||
	    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 1) ||
	    connect(k->tx, (struct sockaddr *)&sin, sizeof(sin))) {
		fprintf(stderr, "tun_tcp: %s: TCP connection: %s\n", k->label, strerror(errno));
		return -1;
	}
	k->rx = accept(l, NULL, NULL);
	close(l);
	if (k->rx < 0 || pthread_create(&k->reader, NULL, reader, k)) {
		fprintf(stderr, "tun_tcp: %s: accept: %s\n", k->label, strerror(errno));
		return -1;
	}
	return 0;
}

static int setup(struct kind *k)
{
	if (make_side(k, 0) || make_side(k, 1) ||
	    pthread_create(&k->fwd, NULL, forward, k))
		return -1;
	return connect_ends(k);
}

static int slice(struct kind *k, double secs, double *mbits)
{
	static char chunk[CHUNK];
	unsigned long long before = atomic_load(&k->received);
	double t0 = now(), t;
	ssize_t n;

	do {
		n = write(k->tx, chunk, sizeof(chunk));
		if (n < 0) {
			fprintf(stderr, "tun_tcp: %s: write: %s\n", k->label, strerror(errno));
			return -1;
		}
		k->sent += n;
		t = now();
	} while (t - t0 < secs);
	*mbits = (atomic_load(&k->received) - before) * 8 / (t - t0) / 1e6;
	/* Drained before the other kind's turn, for at most 10 s. */
	while (atomic_load(&k->received) < k->sent) {
		if (now() - t > 10) {
			fprintf(stderr, "tun_tcp: %s: bytes still in flight after 10 s\n", k->label);
			return -1;
		}
		usleep(1000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	double secs = 2.0, mbits[NKINDS], frame[NKINDS];
	int i, s, opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't' && atof(optarg) > 0) {
			secs = atof(optarg);
		} else {
			fprintf(stderr, "usage: tun_tcp [-t SECONDS]\n");
			return 2;
		}
	}
	if (access("/dev/net/tun", F_OK) != 0)
		run("modprobe tun");
	home = open("/proc/self/ns/net", O_RDONLY);
	if (home < 0)
		return 1;

	for (i = 0; i < NKINDS; i++)
		if (setup(&kinds[i]))
			kinds[i].failed = 1;
	for (s = 0; s < SLICES; s++)
		for (i = 0; i < NKINDS; i++)
			if (!kinds[i].failed &&
			    slice(&kinds[i], secs / SLICES, &kinds[i].mbits[s]))
				kinds[i].failed = 1;

	printf("TCP through a forwarder of vnet-header super-packets (TSO4/6, CSUM);\n"
	       "%.1f s per kind in %d alternating slices, medians\n", secs, SLICES);
	printf("%-6s %12s %18s\n", "kind", "Mbit/s", "mean frame (B)");
	for (i = 0; i < NKINDS; i++) {
		struct kind *k = &kinds[i];
		unsigned long long f = atomic_load(&k->frames);

		if (k->failed) {
			fprintf(stderr, "tun_tcp: %s: not measured\n", k->label);
			printf("%-6s %12s %18s\n", k->label, "n/a", "n/a");
			mbits[i] = -1;
			rc = 1;
			continue;
		}
		qsort(k->mbits, SLICES, sizeof(double), cmp_double);
		mbits[i] = (k->mbits[SLICES / 2 - 1] + k->mbits[SLICES / 2]) / 2;
		frame[i] = f ? (double)atomic_load(&k->bytes) / f : 0;
		printf("%-6s %12.0f %18.0f\n", k->label, mbits[i], frame[i]);
	}
	if (mbits[0] > 0 && mbits[1] > 0)
		printf("vnl/tun %.2f\n", mbits[0] / mbits[1]);
	for (i = 0; i < NKINDS; i++) {
		run("ip netns del tt%sa", kinds[i].label);
		run("ip netns del tt%sb", kinds[i].label);
	}
	return rc;
}
