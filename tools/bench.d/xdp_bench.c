// SPDX-License-Identifier: GPL-2.0
/*
 * xdp_bench: frames per second through an XDP program on a vnl pair end
 * next to a veth pair end, for XDP_DROP, XDP_TX and XDP_REDIRECT, in the
 * guest of tools/bench.
 *
 * For each kind, two pairs in the guest's netns, every end up, IPv6 off:
 *
 *   K1 -> K0   the end under test, K0, receives what K1 sends
 *   K2 -> K3   where XDP_REDIRECT sends K0's frames
 *
 * (vnl's made with `vnlctl add pair`, the kernel's with `ip link add ...
 * type veth`).  The programs are xdp-tools' own, attached in native mode
 * by `xdp-bench` (run in the background, ended with SIGINT, which detaches
 * them):
 *
 *   drop      xdp-bench drop K0
 *   tx        xdp-bench tx K0 (back out of K0, to K1), xdp-bench drop K1
 *   redirect  xdp-bench redirect K0 K2 (out of K2, to K3), xdp-bench drop K3
 *
 * The drop programs at the far ends take what comes back or across at the
 * cheapest point, the same for both kinds (and veth needs a program there:
 * a frame sent to a veth end goes to its peer's NAPI ring, which only a
 * program or GRO makes).
 *
 * An AF_PACKET socket on K1 (past the qdisc) sends 64-byte frames to K0's
 * MAC, of the local experimental EtherType 0x88b5, in sendmmsg() bursts.
 * The rate is what K0's program did, from its counters (ETHTOOL_GSTATS):
 * vnl's drop_xdp_drop, xdp_tx or xdp_redirect, veth's rx_queue_0_xdp_drops,
 * _xdp_tx or _xdp_redirect.  The kinds take turns in SLICES slices of
 * SECONDS / SLICES each per test, so that a slow spell of the (busy,
 * emulated) host hits both alike; a rate is the median of its slices.
 *
 *   xdp_bench [-v] [-t SECONDS] [-c VNLCTL]   (root, in a throwaway guest)
 *
 * Prints a table of test, vnl, veth and vnl/veth, and the rates sent; -v
 * adds every slice (stderr).  Where a program cannot be attached (vnl's
 * pair ends without native XDP: EOPNOTSUPP), that kind's rows are n/a and
 * xdp-bench's words say why.  Exit 0 once every rate was measured, 1
 * otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLICES 10
#define BURST 64
#define FRAME 60		/* bytes, Ethernet header included, no FCS */
#define ETH_P_LOCAL 0x88b5	/* local experimental: no protocol takes it */
#define MAXPROCS 2		/* xdp-bench processes per kind and test */

enum test { DROP, TX, REDIRECT, NTESTS };

static const char *const test_name[NTESTS] = { "drop", "tx", "redirect" };
static const char *const test_label[NTESTS] = {
	"XDP_DROP (pps)", "XDP_TX (pps)", "XDP_REDIRECT (pps)",
};
static const char *const test_note[NTESTS] = {
	"dropped by the program",
	"sent back out of the end",
	"redirected to another pair",
};

struct kind {
	const char *label;	/* "vnl" or "veth" */
	const char *stat[NTESTS];	/* K0's counter of each verdict */
	char dev[4][IFNAMSIZ];	/* K0 .. K3 */
	int fd;			/* AF_PACKET on K1 */
	struct mmsghdr msgs[BURST];
	struct iovec iov;
	unsigned char frame[FRAME];
	pid_t procs[MAXPROCS];
	char why[256];		/* why it was not measured, or "" */
	double rate[NTESTS][SLICES], sent[NTESTS][SLICES];
};

static struct kind kinds[] = {
	{ .label = "vnl",
	  .stat = { "drop_xdp_drop", "xdp_tx", "xdp_redirect" } },
	{ .label = "veth",
	  .stat = { "rx_queue_0_xdp_drops", "rx_queue_0_xdp_tx",
		    "rx_queue_0_xdp_redirect" } },
};

#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

static const char *vnlctl = "vnlctl";
static int verbose;

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
		fprintf(stderr, "xdp_bench: `%s` failed (%d)\n", cmd, rc);
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

static double median(const double *in, int n)
{
	double v[SLICES];

	memcpy(v, in, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void fail(struct kind *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct kind *k, const char *fmt, ...)
{
	va_list ap;

	if (k->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(k->why, sizeof(k->why), fmt, ap);
	va_end(ap);
}

/* --- the devices ------------------------------------------------------- */

static int make_pairs(struct kind *k)
{
	int i, p;

	for (i = 0; i < 4; i++)
		snprintf(k->dev[i], IFNAMSIZ, "xb%s%d", k->label, i);
	for (p = 0; p < 4; p += 2) {
		if (!strcmp(k->label, "vnl") ?
		    run("%s add pair %s peer %s >/dev/null", vnlctl, k->dev[p], k->dev[p + 1]) :
		    run("ip link add %s type veth peer name %s", k->dev[p], k->dev[p + 1]))
			return -1;
	}
	for (i = 0; i < 4; i++)
		if (run("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1", k->dev[i]) ||
		    run("ip link set dev %s up", k->dev[i]))
			return -1;
	return 0;
}

static void delete_pairs(struct kind *k)
{
	run("ip link del %s 2>/dev/null; ip link del %s 2>/dev/null", k->dev[0], k->dev[2]);
}

/* The index of counter @name in `ethtool -S @dev`, or -1; *@count is
 * how many counters it has (ETHTOOL_GSTATS writes them all).
 */
static int stat_index(int s, const char *dev, const char *name, int *count)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} info = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS } };
	struct ethtool_gstrings *strs;
	struct ifreq ifr = { 0 };
	int i, n, found = -1;

	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
	ifr.ifr_data = (void *)&info;
	if (ioctl(s, SIOCETHTOOL, &ifr) || !info.hdr.sset_mask)
		return -1;
	n = info.len;
	*count = n;
	strs = calloc(1, sizeof(*strs) + n * ETH_GSTRING_LEN);
	if (!strs)
		return -1;
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_STATS;
	strs->len = n;
	ifr.ifr_data = (void *)strs;
	if (!ioctl(s, SIOCETHTOOL, &ifr))
		for (i = 0; i < n && found < 0; i++)
			if (!strncmp((char *)strs->data + i * ETH_GSTRING_LEN, name, ETH_GSTRING_LEN))
				found = i;
	free(strs);
	return found;
}

/* Counter @idx of the @count of `ethtool -S @dev`, or -1. */
static long long stat_read(int s, const char *dev, int idx, int count)
{
	struct ethtool_stats *st;
	struct ifreq ifr = { 0 };
	long long v = -1;

	st = calloc(1, sizeof(*st) + count * sizeof(uint64_t));
	if (!st)
		return -1;
	st->cmd = ETHTOOL_GSTATS;
	st->n_stats = count;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", dev);
	ifr.ifr_data = (void *)st;
	if (!ioctl(s, SIOCETHTOOL, &ifr) && st->n_stats == (uint32_t)count)
		v = st->data[idx];
	free(st);
	return v;
}

/* --- the programs --------------------------------------------------------- */

/* Does @dev have an XDP program attached? */
static int xdp_attached(const char *dev)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "ip link show dev %s | grep -q 'prog/xdp'", dev);
	return system(cmd) == 0;
}

/* xdp-bench MODE ARGS... in the background, its output in a log; waits
 * until its program is on @dev.  0, or -1 with the reason in k->why.
 *
 * One xdp-bench at a time, says xdp-bench: it takes a lock file in /run
 * for as long as it runs, and libxdp pins its dispatcher in bpffs.  Each
 * runs in a mount namespace of its own, with its own /run and bpffs, so
 * that the six of them can: their programs are on devices, which mount
 * namespaces do not divide.
 */
static int xdp_bench_start(struct kind *k, int slot, const char *dev, const char *mode,
			   const char *arg1, const char *arg2)
{
	char log[64], line[200] = "", buf[200];
	double t0 = now();
	FILE *f;
	pid_t pid;
	int fd, ended;

	snprintf(log, sizeof(log), "/tmp/xdp_bench.%s.%d.log", k->label, slot);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/run", "tmpfs", 0, NULL) ||
		    mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL)) {
			perror("xdp_bench: a mount namespace for xdp-bench");
			_exit(126);
		}
		execlp("xdp-bench", "xdp-bench", mode, "-m", "native", "-i", "60",
		       arg1, arg2, (char *)NULL);
		_exit(127);
	}
	k->procs[slot] = pid;
	while (!xdp_attached(dev)) {
		ended = waitpid(pid, NULL, WNOHANG) == pid;
		if (ended || now() - t0 > 120) {
			if (!ended) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
			}
			k->procs[slot] = 0;
			f = fopen(log, "r");
			/* Its last line says why. */
			while (f && fgets(buf, sizeof(buf), f))
				if (buf[0] != '\n')
					strcpy(line, buf);
			if (f)
				fclose(f);
			line[strcspn(line, "\n")] = '\0';
			fail(k, "xdp-bench %s %s: %s", mode, dev,
			     line[0] ? line : "no program attached");
			return -1;
		}
		usleep(100000);
	}
	return 0;
}

static void xdp_bench_stop(struct kind *k)
{
	int i;

	for (i = 0; i < MAXPROCS; i++) {
		if (!k->procs[i])
			continue;
		kill(k->procs[i], SIGINT);
		waitpid(k->procs[i], NULL, 0);
		k->procs[i] = 0;
	}
}

static int programs_on(struct kind *k, enum test t)
{
	switch (t) {
	case DROP:
		return xdp_bench_start(k, 0, k->dev[0], "drop", k->dev[0], NULL);
	case TX:
		return xdp_bench_start(k, 1, k->dev[1], "drop", k->dev[1], NULL) ||
		       xdp_bench_start(k, 0, k->dev[0], "tx", k->dev[0], NULL);
	case REDIRECT:
		return xdp_bench_start(k, 1, k->dev[3], "drop", k->dev[3], NULL) ||
		       xdp_bench_start(k, 0, k->dev[0], "redirect", k->dev[0], k->dev[2]);
	default:
		return -1;
	}
}

/* --- the traffic ------------------------------------------------------------ */

static int make_sender(struct kind *k)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned char mac[ETH_ALEN];
	struct ifreq ifr = { 0 };
	int one = 1, i;

	k->fd = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: receives nothing */
	if (k->fd < 0)
		return -1;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", k->dev[0]);
	if (ioctl(k->fd, SIOCGIFHWADDR, &ifr))
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	memcpy(k->frame, mac, ETH_ALEN);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", k->dev[1]);
	if (ioctl(k->fd, SIOCGIFHWADDR, &ifr))
		return -1;
	memcpy(k->frame + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	k->frame[12] = ETH_P_LOCAL >> 8;
	k->frame[13] = ETH_P_LOCAL & 0xff;
	sll.sll_ifindex = if_nametoindex(k->dev[1]);
	if (bind(k->fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	/* Straight to the driver, as a NIC's receive would be: no qdisc. */
	setsockopt(k->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	k->iov.iov_base = k->frame;
	k->iov.iov_len = FRAME;
	for (i = 0; i < BURST; i++) {
		k->msgs[i].msg_hdr.msg_iov = &k->iov;
		k->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

/* One slice of @secs: frames sent from K1, and K0's counter @idx's rate. */
static int slice(struct kind *k, int s, int idx, int count, double secs, double *rate,
		 double *sent)
{
	long long before, after;
	unsigned long n = 0;
	double t0, t;
	int r;

	before = stat_read(s, k->dev[0], idx, count);
	t0 = now();
	do {
		r = sendmmsg(k->fd, k->msgs, BURST, 0);
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN) {
			fail(k, "sendmmsg on %s: %s", k->dev[1], strerror(errno));
			return -1;
		}
		if (r > 0)
			n += r;
		t = now();
	} while (t - t0 < secs);
	after = stat_read(s, k->dev[0], idx, count);
	if (before < 0 || after < 0) {
		fail(k, "cannot read the counters of %s", k->dev[0]);
		return -1;
	}
	*rate = (after - before) / (t - t0);
	*sent = n / (t - t0);
	return 0;
}

static void run_test(enum test t, double secs, int s)
{
	int i, sl, idx[NKINDS], count[NKINDS];

	for (i = 0; i < NKINDS; i++) {
		idx[i] = -1;
		if (kinds[i].why[0] || programs_on(&kinds[i], t))
			continue;
		idx[i] = stat_index(s, kinds[i].dev[0], kinds[i].stat[t], &count[i]);
		if (idx[i] < 0)
			fail(&kinds[i], "%s: no counter %s in ethtool -S", kinds[i].dev[0],
			     kinds[i].stat[t]);
	}
	for (sl = 0; sl < SLICES; sl++)
		for (i = 0; i < NKINDS; i++) {
			struct kind *k = &kinds[i];

			if (k->why[0] ||
			    slice(k, s, idx[i], count[i], secs / SLICES, &k->rate[t][sl],
				  &k->sent[t][sl]))
				continue;
			if (verbose)
				fprintf(stderr, "xdp_bench: %s %s slice %d: %.0f pps, sent %.0f\n",
					test_name[t], k->label, sl, k->rate[t][sl], k->sent[t][sl]);
		}
	for (i = 0; i < NKINDS; i++)
		xdp_bench_stop(&kinds[i]);
}

static void print_row(enum test t, int sent)
{
	double v[NKINDS];
	int i;

	for (i = 0; i < NKINDS; i++)
		v[i] = kinds[i].why[0] ? -1 :
		       median(sent ? kinds[i].sent[t] : kinds[i].rate[t], SLICES);
	printf("%-22s", sent ? "  sent (pps)" : test_label[t]);
	for (i = 0; i < NKINDS; i++)
		if (v[i] < 0)
			printf(" %12s", "n/a");
		else
			printf(" %12.0f", v[i]);
	if (v[0] < 0 || v[1] < 0 || v[1] == 0)
		printf(" %10s", "n/a");
	else
		printf(" %10.2f", v[0] / v[1]);
	printf("   %s\n", sent ? "taken by sendmmsg on the peer" : test_note[t]);
}

int main(int argc, char **argv)
{
	double secs = 2.0;
	int i, s, opt, rc = 0;
	enum test t;

	while ((opt = getopt(argc, argv, "vt:c:")) != -1) {
		if (opt == 't' && atof(optarg) > 0) {
			secs = atof(optarg);
		} else if (opt == 'c') {
			vnlctl = optarg;
		} else if (opt == 'v') {
			verbose = 1;
		} else {
			fprintf(stderr, "usage: xdp_bench [-v] [-t SECONDS] [-c VNLCTL]\n");
			return 2;
		}
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0) {
		perror("xdp_bench: socket");
		return 1;
	}

	for (i = 0; i < NKINDS; i++)
		if (make_pairs(&kinds[i]) || make_sender(&kinds[i]))
			fail(&kinds[i], "cannot make its pairs and the sender");
	for (t = DROP; t < NTESTS; t++)
		run_test(t, secs, s);

	printf("xdp vs veth: an XDP program on one pair end, 64-byte frames from its peer\n"
	       "(AF_PACKET, sendmmsg bursts of %d); pps = the program's verdicts (ethtool -S);\n"
	       "%.1f s per kind and test in %d alternating slices, medians\n",
	       BURST, secs, SLICES);
	printf("%-22s %12s %12s %10s\n", "test", "vnl", "veth", "vnl/veth");
	for (t = DROP; t < NTESTS; t++) {
		print_row(t, 0);
		print_row(t, 1);
	}
	for (i = 0; i < NKINDS; i++) {
		if (kinds[i].why[0]) {
			printf("%s: not measured: %s\n", kinds[i].label, kinds[i].why);
			rc = 1;
		}
		delete_pairs(&kinds[i]);
	}
	return rc;
}
