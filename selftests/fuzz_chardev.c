// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_chardev: a seeded, reproducible fuzzer of /dev/vnl: its ioctls,
 * read(), write() and poll().
 *
 * Up to a dozen descriptors at a time, unattached, attached as tun or tap
 * (with and without IFF_NO_PI, IFF_MULTI_QUEUE, IFF_NAPI...) or to a
 * macvlan child's tap face (two at a time, made through the family, one
 * of them multi-queue; Documentation/macvtap.md), detached by
 * TUNSETQUEUE, or orphaned when their device is deleted under them; the
 * devices up or down, with addresses, so that what is written gets routed
 * and answered (ICMP echo, ARP, port unreachable) and there is something
 * to read.  Each step is one of:
 *
 *   - TUNSETIFF and TUNSETQUEUE with structured or random struct ifreq,
 *     good names, taken names, names with odd bytes;
 *   - the other ioctls vnl implements (linux/if_tun.h's, the vnet-header
 *     ones among them, SIOCGIFHWADDR, SIOCSIFHWADDR) with random values
 *     and pointers (valid, NULL,
 *     (void *)1, a kernel address, an inaccessible page, a read-only
 *     page); the unimplemented TUN ioctls, numbers of the TUN range with
 *     random directions and sizes, and fully random numbers, which must
 *     all be EINVAL;
 *   - write() and writev() of 0, 1, 13, 14, 59, 60, 1500, 1514, 1518,
 *     65535, 65536 and more bytes, random or well-formed packets, behind
 *     an empty or a random vnet header on an IFF_VNET_HDR device;
 *   - read() of 0, 1, 3, 4, 5... bytes up to huge sizes, non-blocking, or
 *     blocking after poll(), or blocking and interrupted by a signal;
 *   - vnl's own ioctls (VNL_IOC_GET_FEATURES, VNL_IOC_SET_BATCH with
 *     good and unknown modes, VNL_IOC_GET_BATCH) with the same pointers;
 *     on a file in batch mode, write() of up to 65 records of the packets
 *     above, now and then with a framing error (a length of 0 or past the
 *     end, reserved bytes set, trailing bytes), and read() whose records
 *     are each checked as a frame;
 *   - poll(), configuration (up, down, addresses, MTU, queue length),
 *     deletion through the "vnl" family, closing;
 *   - now and then a second thread blocked in read() or poll(), or writing
 *     in a loop, while the device is deleted or the queue detached.
 *
 * The faces' parent is the pair's end fzpair0, down with its peer, and
 * they are in private mode: nothing ever reaches them, so that a frame
 * read from a face, or a face polled readable, is a failure; what their
 * files write leaves through the child and is lost.  A face refuses
 * TUNSETPERSIST 0 and TUNSETCARRIER, takes IFF_NAPI without keeping it,
 * and stays when its last descriptor closes.
 *
 * The fuzzer follows the state of every descriptor and device and predicts
 * each outcome from kmod/chardev.c, kmod/tun.c and kmod/macvtap.c: the exact errno where
 * the state is known, a small set where it cannot be (is a frame queued?).
 * Anything else fails the test, and so does a step that does not return
 * (a watchdog), a device left behind when its last descriptor closes, a
 * LINK_GET that disagrees with what was done.  At the end every
 * descriptor is closed, the persistent devices deleted, and no vnl device
 * may be left.
 *
 * Two cases: "privileged" (root, in a netns of its own), and
 * "unprivileged": nobody, with no capability, on persistent devices root
 * made, unowned (anyone may attach), nobody's and root's (EPERM); it can
 * create nothing and configure nothing.  Last, the harness's own process
 * prints the "# vnl-report:" line of both cases (steps, calls refused by
 * errno, frames) that tools/stress adds up.
 *
 *	VNL_FUZZ_SEED	the seed (default: from the clock), printed first
 *	VNL_FUZZ_COUNT	steps of the privileged case (the unprivileged one
 *			takes a quarter); default 8000, 2000 on the debug kernel
 *	VNL_FUZZ_VERBOSE  progress every 500 steps, the steps that take more
 *			than half a second, and the time each kind of step took
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"
#include "vnl_genl.h"
#include <linux/vnl.h>
#include "fuzz_check.h"

#define NSLOTS		12
#define MAXDEVS		48
#define OLDMACS		64	/* addresses a device's history keeps */
#define MAX_QUEUES	8	/* VNL_TUN_MAX_QUEUES */
#define BUF_SIZE	(2 << 20)
#define MAX_REPORTS	30
#define DEV_FLAGS	(IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_NAPI | \
			 IFF_VNET_HDR)
/* What the latest TUNSETIFF decides on an existing device. */
#define ATTACH_FLAGS	(IFF_NO_PI | IFF_NAPI | IFF_VNET_HDR)
#define VNET_HDR_MIN	10	/* sizeof(struct virtio_net_hdr) */
#define KERNEL_PTR	((void *)0xffffffff81000000UL)

/* --- run parameters, the random stream, failures --------------------------- */

static unsigned long long fz_seed;
static unsigned long fz_count;
static const char *fz_kernel = "";
static unsigned int watchdog_s;

__attribute__((constructor)) static void fz_params(void)
{
	const char *s = getenv("VNL_FUZZ_SEED");
	const char *c = getenv("VNL_FUZZ_COUNT");
	struct timespec ts;
	bool debug;

	fz_kernel = getenv("VNL_KERNEL") ?: "";
	debug = !strcmp(fz_kernel, "debug");
	if (s && *s) {
		fz_seed = strtoull(s, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		fz_seed = ((unsigned long long)ts.tv_sec * 1000003ULL) ^
			  (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 32);
	}
	fz_count = c && *c ? strtoul(c, NULL, 0) : debug ? 2000 : 8000;
	/* No step may take this long, even on the debug kernel under TCG. */
	watchdog_s = debug ? 120 : 30;
	printf("# fuzz_chardev: seed %llu, count %lu, kernel %s (replay: VNL_FUZZ_SEED=%llu VNL_FUZZ_COUNT=%lu)\n",
	       fz_seed, fz_count, *fz_kernel ? fz_kernel : "?", fz_seed, fz_count);
	fflush(stdout);
}

static uint64_t rng;

static uint64_t r64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
	return n ? (uint32_t)(r64() % n) : 0;
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

static void rbytes(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)r64();
}

#define NERR 134

/* What happened, by kind of step; shared with the unprivileged child and
 * the harness.
 */
enum { K_IOCTL, K_RNDIOCTL, K_WRITE, K_READ, K_POLL, K_CONFIG, K_GENL, K_N };
static const char *const kind_name[K_N] = {
	"tun-ioctl", "other-ioctl", "write", "read", "poll", "config", "genl"
};

struct stats {
	unsigned long steps;
	unsigned long ok[K_N];
	unsigned long err[K_N][NERR];
	unsigned long opened, closed;
	unsigned long created, deleted_close, deleted_genl, leftovers;
	unsigned long frames_out, bytes_out, frames_in, bytes_in;
	unsigned long truncated, interrupted, threads;
	/* tap faces made, TUNSETIFFs that attached to one, frames written */
	unsigned long faces, face_attached, face_frames_out;
	unsigned long fails;
	unsigned long step;
	char op[96];		/* what the current step does, for the watchdog */
};

static struct stats *st;
static const char *fz_case = "";

/* Each case's counters (st points at its own), added up by report_print. */
static struct stats *case_st;

static void report_print(void);

__attribute__((constructor)) static void fz_map_stats(void)
{
	case_st = fz_map_cases(sizeof(*case_st), "fuzz_chardev");
	atexit(report_print);
}

static void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fz_fail(const char *fmt, ...)
{
	va_list ap;

	st->fails++;
	if (st->fails > MAX_REPORTS) {
		if (st->fails == MAX_REPORTS + 1)
			fprintf(stderr, "# FAIL: more failures, not shown\n");
		return;
	}
	fprintf(stderr, "# FAIL [%s, seed %llu, step %lu, %s]: ", fz_case, fz_seed,
		st->step, st->op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void count(int kind, long ret)
{
	if (ret >= 0)
		st->ok[kind]++;
	else if (-ret < NERR)
		st->err[kind][-ret]++;
	else
		st->err[kind][0]++;
}

static const char *en(long err)
{
	static char s[4][32];
	static int i;

	i = (i + 1) % 4;
	if (err >= 0)
		snprintf(s[i], sizeof(s[i]), "%ld", err);
	else
		snprintf(s[i], sizeof(s[i]), "%s", strerrorname_np(-err) ?: "?");
	return s[i];
}

/* --- the watchdog --------------------------------------------------------- */

static void on_alarm(int sig)
{
	char msg[256];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg),
		     "# FAIL [%s, seed %llu, step %lu]: watchdog: \"%s\" did not return within %u s\n",
		     fz_case, fz_seed, st->step, st->op, watchdog_s);
	if (write(2, msg, n) < 0)
		_exit(3);
	_exit(3);
}

/* SIGUSR1 interrupts blocking calls: no SA_RESTART. */
static void on_usr1(int sig)
{
	(void)sig;
}

static void set_op(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_op(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->op, sizeof(st->op), fmt, ap);
	va_end(ap);
}

/* --- what the fuzzer knows of descriptors and devices ---------------------- */

enum { S_CLOSED, S_FRESH, S_ATTACHED, S_DETACHED, S_GONE, S_UNKNOWN };
static const char *const state_name[] = {
	"closed", "unattached", "attached", "detached", "orphaned", "unknown"
};

struct slot {
	int fd;
	int st;
	int dev;		/* while attached or detached */
	bool nonblock;
	uint32_t batch;		/* VNL_IOC_SET_BATCH: the file's, kept */
};

struct tdev {
	bool used;
	bool face;		/* a macvlan child's tap face, on fzpair0 */
	char name[IFNAMSIZ];
	unsigned int flags;	/* DEV_FLAGS as the device keeps them */
	bool persist, up, addr;
	int mtu;
	uint8_t mac[ETH_ALEN];
	/* Every address it had before (a ring): a queue of up to 500 frames
	 * may still hold frames sent under any of them.
	 */
	uint8_t oldmac[OLDMACS][ETH_ALEN];
	unsigned int noldmac;
	unsigned int net;	/* 10.77.net.0/24 (tun), 10.78.net.0/24 (tap) */
	bool owner_set, group_set;
	uint32_t owner, group;
	int vnet_sz;		/* TUNSETVNETHDRSZ */
};

struct world {
	bool priv;
	struct slot s[NSLOTS];
	struct tdev d[MAXDEVS];
	struct vnl_nl nl;
	uint8_t *buf;		/* BUF_SIZE bytes, read and write */
	uint8_t *rdonly;	/* a read-only page */
	uint8_t *noaccess;	/* a page that cannot be touched */
	uint8_t pair_mac[ETH_ALEN];	/* fzpair0's: no face may take it */
	unsigned int nfaces;	/* faces made so far, for their names */
	unsigned int nextnet;
	int nfds_start;
};

static bool is_tap(const struct tdev *d)
{
	return d->flags & IFF_TAP;
}

/* A face's frames leave through fzpair0, whose MTU is never changed. */
static int max_mtu(const struct tdev *d)
{
	if (d->face)
		return 1500;
	return is_tap(d) ? 65535 - ETH_HLEN : 65535;
}

/* It stays when its last descriptor closes. */
static bool outlives_files(const struct tdev *d)
{
	return d->persist || d->face;
}

/* SIOCSIFHWADDR on a face: another child's address, or its parent's, is
 * taken (demux.c:vnl_port_addr_busy).
 */
static bool face_addr_busy(const struct world *w, const struct tdev *d,
			   const uint8_t *a)
{
	int i;

	if (!memcmp(a, w->pair_mac, ETH_ALEN))
		return true;
	for (i = 0; i < MAXDEVS; i++)
		if (w->d[i].used && w->d[i].face && &w->d[i] != d &&
		    !memcmp(a, w->d[i].mac, ETH_ALEN))
			return true;
	return false;
}

static int find_dev(struct world *w, const char *name)
{
	int i;

	for (i = 0; i < MAXDEVS; i++)
		if (w->d[i].used && !strcmp(w->d[i].name, name))
			return i;
	return -1;
}

/* Descriptors attached to, detached from, or maybe belonging to @di. */
static void refs(struct world *w, int di, int *att, int *det, int *unk)
{
	int i;

	*att = *det = *unk = 0;
	for (i = 0; i < NSLOTS; i++) {
		if (w->s[i].st == S_UNKNOWN)
			(*unk)++;
		else if (w->s[i].st == S_ATTACHED && w->s[i].dev == di)
			(*att)++;
		else if (w->s[i].st == S_DETACHED && w->s[i].dev == di)
			(*det)++;
	}
}

static int pick_slot(struct world *w, int want_st)
{
	int i, n = 0, k;

	for (i = 0; i < NSLOTS; i++)
		if (w->s[i].st != S_CLOSED && (want_st < 0 || w->s[i].st == want_st))
			n++;
	if (!n)
		return -1;
	k = rn(n);
	for (i = 0; i < NSLOTS; i++)
		if (w->s[i].st != S_CLOSED && (want_st < 0 || w->s[i].st == want_st) && !k--)
			return i;
	return -1;
}

static int pick_dev(struct world *w)
{
	int i, n = 0, k;

	for (i = 0; i < MAXDEVS; i++)
		n += w->d[i].used;
	if (!n)
		return -1;
	k = rn(n);
	for (i = 0; i < MAXDEVS; i++)
		if (w->d[i].used && !k--)
			return i;
	return -1;
}

static int pick_face(struct world *w)
{
	int i, n = 0, k;

	for (i = 0; i < MAXDEVS; i++)
		n += w->d[i].used && w->d[i].face;
	if (!n)
		return -1;
	k = rn(n);
	for (i = 0; i < MAXDEVS; i++)
		if (w->d[i].used && w->d[i].face && !k--)
			return i;
	return -1;
}

/* The device is gone: its descriptors are orphans. */
static void dev_gone(struct world *w, int di)
{
	int i;

	for (i = 0; i < NSLOTS; i++)
		if ((w->s[i].st == S_ATTACHED || w->s[i].st == S_DETACHED) && w->s[i].dev == di)
			w->s[i].st = S_GONE;
	w->d[di].used = false;
}

/* --- pointers --------------------------------------------------------------- */

enum { P_VALID, P_NULL, P_ONE, P_KERNEL, P_NOACCESS, P_RDONLY, P_N };
static const char *const ptr_name[P_N] = {
	"valid", "NULL", "(void *)1", "kernel", "no-access", "read-only"
};

static int pick_ptr(unsigned int bad_pct)
{
	return pct(bad_pct) ? 1 + rn(P_N - 1) : P_VALID;
}

static void *ptr(struct world *w, int kind, void *valid)
{
	switch (kind) {
	case P_NULL:
		return NULL;
	case P_ONE:
		return (void *)1;
	case P_KERNEL:
		return KERNEL_PTR;
	case P_NOACCESS:
		return w->noaccess;
	case P_RDONLY:
		return w->rdonly;
	default:
		return valid;
	}
}

static bool readable(int kind)
{
	return kind == P_VALID || kind == P_RDONLY;
}

/* Put @len bytes in the read-only page (it stays read-only otherwise). */
static void rdonly_fill(struct world *w, const void *data, size_t len)
{
	if (mprotect(w->rdonly, 4096, PROT_READ | PROT_WRITE))
		fz_fail("mprotect: %s", strerror(errno));
	memset(w->rdonly, 0, 4096);
	memcpy(w->rdonly, data, len < 4096 ? len : 4096);
	if (mprotect(w->rdonly, 4096, PROT_READ))
		fz_fail("mprotect: %s", strerror(errno));
}

/* --- the "vnl" family ------------------------------------------------------- */

struct got_link {
	struct fz_dev dev;
	int n;
	bool bad;
};

static int link_cb(const struct genlmsghdr *genl, const void *attrs, size_t len,
		   void *arg)
{
	struct got_link *g = arg;
	char why[160];

	g->n++;
	if (genl->cmd != VNL_CMD_LINK_GET || !check_link(attrs, len, &g->dev, why, sizeof(why))) {
		fz_fail("LINK_GET reply (cmd %u): %s", genl->cmd, why);
		g->bad = true;
	}
	return 0;
}

static int genl_get(struct world *w, const char *name, struct got_link *g)
{
	struct vnl_msg req;
	struct vnl_ack ack;

	memset(g, 0, sizeof(*g));
	vnl_msg_init(&req, w->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	return vnl_nl_transact(&w->nl, &req, link_cb, g, &ack);
}

static int genl_del(struct world *w, const char *name)
{
	struct vnl_msg req;
	struct vnl_ack ack;

	vnl_msg_init(&req, w->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_DEL, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	return vnl_nl_transact(&w->nl, &req, NULL, NULL, &ack);
}

struct dump {
	struct fz_dev *dev;
	int n;
};

static int dump_cb(const struct genlmsghdr *genl, const void *attrs, size_t len,
		   void *arg)
{
	struct dump *d = arg;
	char why[160];

	if (d->n == 64) {
		fz_fail("more than 64 vnl devices");
		return 0;
	}
	if (genl->cmd != VNL_CMD_LINK_GET ||
	    !check_link(attrs, len, &d->dev[d->n], why, sizeof(why)))
		fz_fail("dump (cmd %u): %s", genl->cmd, why);
	else
		d->n++;
	return 0;
}

static int genl_dump(struct world *w, struct dump *d)
{
	struct vnl_msg req;

	d->n = 0;
	vnl_msg_init(&req, w->nl.family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	return vnl_nl_transact(&w->nl, &req, dump_cb, d, NULL);
}

/* --- configuration ------------------------------------------------------------ */

static void dev_addrs(const struct tdev *d, char *local, char *peer)
{
	snprintf(local, INET_ADDRSTRLEN, "10.%u.%u.1", is_tap(d) ? 78 : 77, d->net);
	snprintf(peer, INET_ADDRSTRLEN, "10.%u.%u.2", is_tap(d) ? 78 : 77, d->net);
}

static void peer_mac(const struct tdev *d, uint8_t *mac)
{
	static const uint8_t base[ETH_ALEN] = { 0x02, 0, 0, 0x78, 0, 0x02 };

	memcpy(mac, base, ETH_ALEN);
	mac[4] = d->net;
}

/* Up, with an address and (tap) a permanent neighbour for the far end. */
static void configure(struct world *w, int di)
{
	struct tdev *d = &w->d[di];
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	uint8_t pm[ETH_ALEN];
	int err;

	dev_addrs(d, local, peer);
	set_op("configure %s", d->name);
	if (is_tap(d)) {
		err = if_addr4(d->name, local, 24);
		if (!err)
			err = if_up(d->name);
		peer_mac(d, pm);
		if (!err)
			err = if_neigh4(d->name, peer, pm);
	} else {
		err = if_addr4_peer(d->name, local, peer);
		if (!err)
			err = if_up(d->name);
	}
	count(K_CONFIG, err);
	if (err) {
		fz_fail("configuring %s: %s", d->name, strerror(-err));
		return;
	}
	d->up = true;
	d->addr = true;
}

/* A device TUNSETIFF just made, as the fuzzer sees it. */
static int dev_new(struct world *w, const char *name, unsigned int flags)
{
	struct tdev *d;
	int i;

	for (i = 0; i < MAXDEVS && w->d[i].used; i++)
		;
	if (i == MAXDEVS) {
		fz_fail("more than %d devices", MAXDEVS);
		return -1;
	}
	d = &w->d[i];
	memset(d, 0, sizeof(*d));
	d->used = true;
	snprintf(d->name, IFNAMSIZ, "%s", name);
	d->flags = flags & DEV_FLAGS;
	d->vnet_sz = VNET_HDR_MIN;
	d->mtu = 1500;
	d->net = w->nextnet++ % 250;
	if (is_tap(d) && if_get_hwaddr(d->name, d->mac, NULL))
		fz_fail("SIOCGIFHWADDR of new %s: %s", d->name, strerror(errno));
	st->created++;
	return i;
}

/* A macvlan child with a tap face on fzpair0, made through the family
 * (VNL_A_TAP_FACE), named PREFIX and a number; every other one is
 * multi-queue.  Private mode: no frame from a sibling either.
 */
static int face_new(struct world *w, const char *prefix)
{
	uint32_t face = w->nfaces % 2 ? IFF_TAP | IFF_MULTI_QUEUE : IFF_TAP;
	char name[IFNAMSIZ];
	struct vnl_msg req;
	struct vnl_ack ack;
	int err, di;

	snprintf(name, IFNAMSIZ, "%s%u", prefix, w->nfaces++);
	set_op("LINK_NEW %s, tap face 0x%x on fzpair0", name, face);
	vnl_msg_init(&req, w->nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_MACVLAN);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	vnl_msg_put_str(&req, VNL_A_PARENT_IFNAME, "fzpair0");
	vnl_msg_put_u32(&req, VNL_A_MACVLAN_MODE, VNL_MACVLAN_MODE_PRIVATE);
	vnl_msg_put_u32(&req, VNL_A_TAP_FACE, face);
	err = vnl_nl_transact(&w->nl, &req, NULL, NULL, &ack);
	count(K_GENL, err);
	if (err) {
		fz_fail("LINK_NEW of tap face %s: %s", name, en(err));
		return -1;
	}
	di = dev_new(w, name, face);
	if (di >= 0) {
		w->d[di].face = true;
		st->faces++;
	}
	return di;
}

/* --- the kernel's rules, as chardev.c and tun.c apply them ------------------ */

static bool k_isspace(uint8_t c)
{
	return c == ' ' || (c >= 9 && c <= 13) || c == 0xa0;
}

/* dev_valid_name(), plus what dev_alloc_name() refuses ('%' but "%d"). */
static bool valid_new_name(const char *name)
{
	const char *p;

	if (!*name || strnlen(name, IFNAMSIZ) == IFNAMSIZ ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (*p == '/' || *p == ':' || k_isspace(*p))
			return false;
	p = strchr(name, '%');
	if (p && (p[1] != 'd' || strchr(p + 2, '%')))
		return false;
	return true;
}

static bool exists(const char *name)
{
	return name[0] && if_nametoindex(name) != 0;
}

/* The outcome of TUNSETIFF on slot @si with @ifr readable, or 1 when it
 * cannot be told; on success, @create or @attach_to say what happened.
 */
static int predict_setiff(struct world *w, int si, const struct ifreq *ifr,
			  int *attach_to, bool *create)
{
	struct slot *s = &w->s[si];
	unsigned int flags = (uint16_t)ifr->ifr_flags;
	unsigned int type = flags & (IFF_TUN | IFF_TAP);
	char name[IFNAMSIZ];
	int di, att, det, unk;
	struct tdev *d;

	*attach_to = -1;
	*create = false;
	if (flags & ~TUN_FEATURES_EXPECTED)
		return -EINVAL;
	if (type != IFF_TUN && type != IFF_TAP)
		return -EINVAL;
	if (s->st == S_UNKNOWN)
		return 1;
	if (s->st == S_ATTACHED)
		return -EEXIST;
	if (s->st == S_DETACHED || s->st == S_GONE)
		return -EINVAL;

	memcpy(name, ifr->ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	if (exists(name)) {
		di = find_dev(w, name);
		if (di < 0)
			return -EINVAL;	/* lo, the pair, not a tun */
		d = &w->d[di];
		if (flags & IFF_TUN_EXCL)
			return -EBUSY;
		if ((flags & (IFF_TUN | IFF_TAP)) != (d->flags & (IFF_TUN | IFF_TAP)) ||
		    !!(flags & IFF_MULTI_QUEUE) != !!(d->flags & IFF_MULTI_QUEUE))
			return -EINVAL;
		if (!w->priv && ((d->owner_set && d->owner != NOBODY) ||
				 (d->group_set && d->group != NOBODY)))
			return -EPERM;
		refs(w, di, &att, &det, &unk);
		if (unk)
			return 1;
		if (!(d->flags & IFF_MULTI_QUEUE) && att)
			return -EBUSY;
		if (att + det >= MAX_QUEUES)
			return -E2BIG;
		*attach_to = di;
		return 0;
	}
	if (!w->priv)
		return -EPERM;
	if (name[0] && !valid_new_name(name))
		return -EINVAL;
	*create = true;
	return 0;
}

/* --- ioctls --------------------------------------------------------------------- */

static const char *const pool[] = { "fzt0", "fzt1", "fzt2", "fzt3", "fzt4" };

static void gen_ifname(struct world *w, char *name)
{
	static const char *const odd[] = {
		"a b", "a/b", "a:b", ".", "..", "a\tb", "a\xa0" "b", "%d", "fz%d",
		"fz%d%d", "fz%s", "%", "lo", "fzpair0", "fzpair1", "\xc3\xa9", "-x",
		"0123456789abcdef", "0123456789abcde", "\x01",
	};
	int di, n, k = rn(100);

	/* Mostly devices that exist: making and deleting them is what costs
	 * time, on the debug kernel most of all.
	 */
	memset(name, 0, IFNAMSIZ);
	for (di = 0, n = 0; di < MAXDEVS; di++)
		n += w->d[di].used;
	if (n >= 6 && k < 96)
		k = rn(55);
	/* The two faces among a dozen taps and tuns: a face's name often. */
	if (k < 55 && pct(30) && (di = pick_face(w)) >= 0)
		memcpy(name, w->d[di].name, IFNAMSIZ);
	else if (k < 55 && (di = pick_dev(w)) >= 0)
		memcpy(name, w->d[di].name, IFNAMSIZ);
	else if (k < 75)
		snprintf(name, IFNAMSIZ, "%s", pool[rn(ARRAY_SIZE(pool))]);
	else if (k < 79)
		;		/* "": tun%d or tap%d */
	else if (k < 96)
		memcpy(name, odd[rn(ARRAY_SIZE(odd))], IFNAMSIZ);
	else
		rbytes(name, IFNAMSIZ);	/* not even terminated */
	/* odd[] entries are shorter than IFNAMSIZ or exactly 16 bytes long */
}

static unsigned int gen_iff_flags(void)
{
	unsigned int f = 0;

	if (pct(15))
		return (uint16_t)r64();
	f = pct(48) ? IFF_TUN : pct(92) ? IFF_TAP : pct(50) ? 0 : IFF_TUN | IFF_TAP;
	if (pct(50))
		f |= IFF_NO_PI;
	if (pct(30))
		f |= IFF_MULTI_QUEUE;
	if (pct(10))
		f |= IFF_NAPI;
	if (pct(10))
		f |= IFF_ONE_QUEUE;
	if (pct(8))
		f |= IFF_TUN_EXCL;
	if (pct(10))
		f |= IFF_NO_CARRIER;
	if (pct(20))
		f |= IFF_VNET_HDR;
	if (pct(8))
		f |= (unsigned int[]){ IFF_PERSIST, IFF_NAPI_FRAGS,
				       IFF_ATTACH_QUEUE, IFF_DETACH_QUEUE, 0x4 }[rn(5)];
	return f;
}

static void op_setiff(struct world *w)
{
	int si = pick_slot(w, pct(70) ? S_FRESH : -1);
	struct ifreq ifr, *p;
	char fname[IFNAMSIZ];
	int pk = pick_ptr(10), predicted, attach_to = -1, di;
	bool create = false, done;
	struct slot *s;
	long ret;

	if (si < 0)
		return;
	s = &w->s[si];
	memset(&ifr, 0, sizeof(ifr));
	if (pct(5))
		rbytes(&ifr, sizeof(ifr));
	else
		gen_ifname(w, ifr.ifr_name);
	ifr.ifr_flags = gen_iff_flags();
	/* On a face's name, half the time what a face takes (its queue mode,
	 * IFF_NAPI now and then), so that its files get used too.
	 */
	memcpy(fname, ifr.ifr_name, IFNAMSIZ);
	fname[IFNAMSIZ - 1] = 0;
	di = find_dev(w, fname);
	if (di >= 0 && w->d[di].face && pct(50))
		ifr.ifr_flags = IFF_TAP | (w->d[di].flags & IFF_MULTI_QUEUE) |
				(pct(50) ? IFF_NO_PI : 0) | (pct(20) ? IFF_VNET_HDR : 0) |
				(pct(20) ? IFF_NAPI : 0);

	p = (struct ifreq *)w->buf;
	memcpy(p, &ifr, sizeof(ifr));
	if (pk == P_RDONLY)
		rdonly_fill(w, &ifr, sizeof(ifr));
	set_op("TUNSETIFF slot %d (%s) name \"%.15s\" flags 0x%x ptr %s", si,
	       state_name[s->st], ifr.ifr_name, (uint16_t)ifr.ifr_flags, ptr_name[pk]);

	predicted = readable(pk) ? predict_setiff(w, si, &ifr, &attach_to, &create) : -EFAULT;
	ret = ioctl(s->fd, TUNSETIFF, ptr(w, pk, p)) ? -errno : 0;
	count(K_IOCTL, ret);

	/* Done, even when the answer could not be written back. */
	done = !ret || (ret == -EFAULT && pk == P_RDONLY && predicted == 0);
	if (predicted != 1) {
		int want = predicted == 0 && pk == P_RDONLY ? -EFAULT : predicted;

		if (ret != want && !(ret == -ENOMEM)) {
			fz_fail("TUNSETIFF: %s, expected %s", en(ret), en(want));
			s->st = S_UNKNOWN;
		}
	}
	if (predicted == 1 || s->st == S_UNKNOWN) {
		/* Ask the kernel what became of the descriptor. */
		struct ifreq got;

		memset(&got, 0, sizeof(got));
		if (!ioctl(s->fd, TUNGETIFF, &got)) {
			di = find_dev(w, got.ifr_name);
			if (di < 0)
				di = dev_new(w, got.ifr_name, got.ifr_flags);
			else
				w->d[di].flags = got.ifr_flags & DEV_FLAGS;
			if (di >= 0) {
				s->st = S_ATTACHED;
				s->dev = di;
			}
		}
		return;
	}
	if (!done)
		return;

	if (create) {
		char name[IFNAMSIZ];

		if (pk == P_RDONLY) {
			struct ifreq got;

			memset(&got, 0, sizeof(got));
			if (ioctl(s->fd, TUNGETIFF, &got)) {
				fz_fail("TUNGETIFF after TUNSETIFF: %s", strerror(errno));
				return;
			}
			memcpy(name, got.ifr_name, IFNAMSIZ);
		} else {
			memcpy(name, p->ifr_name, IFNAMSIZ);
		}
		name[IFNAMSIZ - 1] = 0;
		if (find_dev(w, name) >= 0 || !exists(name)) {
			fz_fail("TUNSETIFF made \"%s\", which %s", name,
				exists(name) ? "existed before" : "does not exist");
			return;
		}
		di = dev_new(w, name, (uint16_t)ifr.ifr_flags);
		if (di < 0)
			return;
		s->st = S_ATTACHED;
		s->dev = di;
		if (w->priv && pct(90))
			configure(w, di);
	} else if (attach_to >= 0) {
		struct tdev *d = &w->d[attach_to];

		/* A face takes IFF_NAPI and keeps nothing of it. */
		d->flags = (d->flags & ~ATTACH_FLAGS) |
			   ((uint16_t)ifr.ifr_flags & ATTACH_FLAGS & ~(d->face ? IFF_NAPI : 0));
		s->st = S_ATTACHED;
		s->dev = attach_to;
		st->face_attached += d->face;
	}
}

static void op_setqueue(struct world *w)
{
	int si = pick_slot(w, -1), pk = pick_ptr(8), want, att, det, unk;
	struct ifreq ifr;
	struct slot *s;
	struct tdev *d = NULL;
	long ret;

	if (si < 0)
		return;
	s = &w->s[si];
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = pct(85) ? (pct(50) ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE) :
		       (uint16_t)r64();
	memcpy(w->buf, &ifr, sizeof(ifr));
	if (pk == P_RDONLY)
		rdonly_fill(w, &ifr, sizeof(ifr));
	set_op("TUNSETQUEUE slot %d (%s) flags 0x%x ptr %s", si, state_name[s->st],
	       (uint16_t)ifr.ifr_flags, ptr_name[pk]);

	if (s->st == S_ATTACHED || s->st == S_DETACHED)
		d = &w->d[s->dev];
	if (!readable(pk))
		want = -EFAULT;
	else if (s->st == S_UNKNOWN)
		want = 1;
	else if (!d || !(d->flags & IFF_MULTI_QUEUE))
		want = -EINVAL;
	else if (ifr.ifr_flags & IFF_ATTACH_QUEUE) {
		refs(w, s->dev, &att, &det, &unk);
		if (s->st == S_ATTACHED)
			want = -EINVAL;
		else if (!w->priv && ((d->owner_set && d->owner != NOBODY) ||
				      (d->group_set && d->group != NOBODY)))
			want = -EPERM;
		else if (att >= MAX_QUEUES)
			want = -E2BIG;
		else
			want = 0;
	} else if (!(ifr.ifr_flags & IFF_DETACH_QUEUE) || s->st != S_ATTACHED) {
		want = -EINVAL;
	} else {
		want = 0;
	}

	ret = ioctl(s->fd, TUNSETQUEUE, ptr(w, pk, w->buf)) ? -errno : 0;
	count(K_IOCTL, ret);
	if (want != 1 && ret != want) {
		fz_fail("TUNSETQUEUE: %s, expected %s", en(ret), en(want));
		s->st = S_UNKNOWN;
		return;
	}
	if (!ret && s->st != S_UNKNOWN)
		s->st = ifr.ifr_flags & IFF_ATTACH_QUEUE ? S_ATTACHED : S_DETACHED;
}

/* TUNSETOFFLOAD's answer, with tun's rules (kmod/vnet.c): segmentation
 * needs TUN_F_CSUM, ECN needs TSO, UFO is ignored; 1 for USO4 with USO6,
 * which only kernels from 6.2 take.
 */
static int offload_want(unsigned long arg)
{
	if (!(arg & TUN_F_CSUM))
		return arg ? -EINVAL : 0;
	arg &= ~(unsigned long)(TUN_F_CSUM | TUN_F_UFO);
	if (arg & (TUN_F_TSO4 | TUN_F_TSO6))
		arg &= ~(unsigned long)(TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN);
	if ((arg & 0x60) == 0x60)
		return arg & ~0x60UL ? -EINVAL : 1;
	return arg ? -EINVAL : 0;
}

/* TUNGETFEATURES, TUNGETIFF, TUNSETPERSIST, TUNSETOWNER, TUNSETGROUP,
 * TUNSETCARRIER, TUNSETOFFLOAD, TUN{GET,SET}VNET{HDRSZ,LE,BE}.
 */
static void op_devioctl(struct world *w)
{
	static const unsigned long ids[] = { 0, 1, 1000, NOBODY, 0xffffffffUL,
					     0x7fffffffUL, 0xfffffffffffffffeUL };
	int si = pick_slot(w, pct(70) ? S_ATTACHED : -1), pk = pick_ptr(12), want;
	unsigned long cmd, arg = 0;
	struct slot *s;
	struct tdev *d = NULL;
	static const int vnet_szs[] = { 10, 12, 16, 20, 64, 9, 0, -1, 4096 };
	const char *cname;
	long ret;
	int k = rn(11), val = 0;

	if (si < 0)
		return;
	s = &w->s[si];
	if (s->st == S_ATTACHED)
		d = &w->d[s->dev];
	memset(w->buf, 0xa5, 64);
	switch (k) {
	case 0:
		cmd = TUNGETFEATURES, cname = "TUNGETFEATURES";
		arg = (unsigned long)ptr(w, pk, w->buf);
		want = pk == P_VALID ? 0 : -EFAULT;
		break;
	case 1:
		cmd = TUNGETIFF, cname = "TUNGETIFF";
		arg = (unsigned long)ptr(w, pk, w->buf);
		want = s->st != S_ATTACHED ? -EBADFD : pk == P_VALID ? 0 : -EFAULT;
		break;
	case 2:
		cmd = TUNSETPERSIST, cname = "TUNSETPERSIST";
		arg = pct(45) ? 0 : pct(80) ? 1 : r64();
		/* A face lasts as its child: it cannot stop to. */
		want = s->st != S_ATTACHED ? -EBADFD : d->face && !arg ? -EINVAL : 0;
		break;
	case 3:
	case 4:
		cmd = k == 3 ? TUNSETOWNER : TUNSETGROUP;
		cname = k == 3 ? "TUNSETOWNER" : "TUNSETGROUP";
		arg = pct(80) ? ids[rn(ARRAY_SIZE(ids))] : r64();
		want = s->st != S_ATTACHED ? -EBADFD : (uint32_t)arg == 0xffffffffU ? -EINVAL : 0;
		break;
	case 5:
		cmd = TUNSETCARRIER, cname = "TUNSETCARRIER";
		*(int *)w->buf = pct(50) ? 0 : pct(70) ? 1 : (int)r64();
		if (pk == P_RDONLY)
			rdonly_fill(w, w->buf, sizeof(int));
		arg = (unsigned long)ptr(w, pk, w->buf);
		/* A face's carrier is its parent's and its files'. */
		want = s->st != S_ATTACHED ? -EBADFD : !readable(pk) ? -EFAULT :
		       d->face ? -EINVAL : 0;
		break;
	case 6:
		cmd = TUNSETOFFLOAD, cname = "TUNSETOFFLOAD";
		arg = pct(50) ? 0 : pct(80) ? 1 + rn(0x7f) : r64();
		want = s->st != S_ATTACHED ? -EBADFD : offload_want(arg);
		break;
	case 7:
		/* the address of the attached device, whatever the name says */
		cmd = SIOCGIFHWADDR, cname = "SIOCGIFHWADDR";
		rbytes(w->buf, sizeof(struct ifreq));
		if (pk == P_RDONLY)
			rdonly_fill(w, w->buf, sizeof(struct ifreq));
		arg = (unsigned long)ptr(w, pk, w->buf);
		want = !readable(pk) ? -EFAULT : s->st != S_ATTACHED ? -EBADFD :
		       pk == P_RDONLY ? -EFAULT : 0;
		break;
	case 9:
		if (pct(50)) {
			cmd = TUNSETVNETHDRSZ, cname = "TUNSETVNETHDRSZ";
			val = vnet_szs[rn(ARRAY_SIZE(vnet_szs))];
			memcpy(w->buf, &val, sizeof(val));
			if (pk == P_RDONLY)
				rdonly_fill(w, w->buf, sizeof(val));
			want = s->st != S_ATTACHED ? -EBADFD : !readable(pk) ? -EFAULT :
			       val < VNET_HDR_MIN ? -EINVAL : 0;
		} else {
			cmd = TUNGETVNETHDRSZ, cname = "TUNGETVNETHDRSZ";
			want = s->st != S_ATTACHED ? -EBADFD : pk == P_VALID ? 0 : -EFAULT;
		}
		arg = (unsigned long)ptr(w, pk, w->buf);
		break;
	case 10:
		/* Big-endian headers need CONFIG_TUN_VNET_CROSS_LE: refused. */
		val = pct(50);
		memcpy(w->buf, &val, sizeof(val));
		if (pk == P_RDONLY)
			rdonly_fill(w, w->buf, sizeof(val));
		arg = (unsigned long)ptr(w, pk, w->buf);
		switch (rn(4)) {
		case 0:
			cmd = TUNSETVNETLE, cname = "TUNSETVNETLE";
			want = readable(pk) ? 0 : -EFAULT;
			break;
		case 1:
			cmd = TUNGETVNETLE, cname = "TUNGETVNETLE";
			want = pk == P_VALID ? 0 : -EFAULT;
			break;
		case 2:
			cmd = TUNSETVNETBE, cname = "TUNSETVNETBE";
			want = -EINVAL;
			break;
		default:
			cmd = TUNGETVNETBE, cname = "TUNGETVNETBE";
			want = -EINVAL;
			break;
		}
		if (s->st != S_ATTACHED)
			want = -EBADFD;
		break;
	default: {
		struct ifreq *ifr = (struct ifreq *)w->buf;
		uint8_t *a = (uint8_t *)ifr->ifr_hwaddr.sa_data;

		cmd = SIOCSIFHWADDR, cname = "SIOCSIFHWADDR";
		rbytes(ifr, sizeof(*ifr));
		ifr->ifr_hwaddr.sa_family = pct(85) ? ARPHRD_ETHER : (uint16_t)r64();
		if (pct(70))
			a[0] = (a[0] & 0xfc) | 0x02;
		else if (pct(40) && d)
			memcpy(a, d->mac, ETH_ALEN);
		else if (pct(50))
			memset(a, pct(50) ? 0 : 0xff, ETH_ALEN);
		if (pk == P_RDONLY)
			rdonly_fill(w, ifr, sizeof(*ifr));
		arg = (unsigned long)ptr(w, pk, ifr);
		if (!readable(pk))
			want = -EFAULT;
		else if (s->st != S_ATTACHED)
			want = -EBADFD;
		else if (!is_tap(d))
			want = -EOPNOTSUPP;	/* no ndo_set_mac_address */
		else if (ifr->ifr_hwaddr.sa_family != ARPHRD_ETHER)
			want = -EINVAL;
		else if (!memcmp(a, d->mac, ETH_ALEN))
			want = 0;
		else if ((a[0] & 1) || !memcmp(a, "\0\0\0\0\0\0", ETH_ALEN))
			want = -EADDRNOTAVAIL;
		else if (d->face && face_addr_busy(w, d, a))
			want = -EADDRINUSE;
		else
			want = 0;
		break;
	}
	}
	if (s->st == S_UNKNOWN && cmd != TUNGETFEATURES)
		want = 1;
	set_op("%s slot %d (%s) arg 0x%lx ptr %s", cname, si, state_name[s->st], arg,
	       ptr_name[pk]);
	ret = ioctl(s->fd, cmd, arg) ? -errno : 0;
	count(K_IOCTL, ret);
	if (want != 1 && ret != want) {
		fz_fail("%s: %s, expected %s", cname, en(ret), en(want));
		return;
	}
	if (ret)
		return;
	if (cmd == TUNGETFEATURES && *(unsigned int *)w->buf != TUN_FEATURES_EXPECTED)
		fz_fail("TUNGETFEATURES says 0x%x", *(unsigned int *)w->buf);
	if (!d)
		return;
	if (cmd == TUNSETVNETHDRSZ)
		d->vnet_sz = val;
	if (cmd == TUNGETVNETHDRSZ && *(int *)w->buf != d->vnet_sz)
		fz_fail("TUNGETVNETHDRSZ says %d, not %d", *(int *)w->buf, d->vnet_sz);
	if (cmd == TUNGETIFF) {
		struct ifreq *got = (struct ifreq *)w->buf;
		unsigned int f = d->flags | (d->persist ? IFF_PERSIST : 0);
		const uint8_t *b = w->buf;
		size_t i, nz = 0;

		if (strncmp(got->ifr_name, d->name, IFNAMSIZ) || (uint16_t)got->ifr_flags != f)
			fz_fail("TUNGETIFF: \"%.16s\" 0x%x, expected \"%s\" 0x%x",
				got->ifr_name, (uint16_t)got->ifr_flags, d->name, f);
		/* The rest is the kernel's to clear, as tun does: anything
		 * else is what its stack held.
		 */
		for (i = strnlen(got->ifr_name, IFNAMSIZ); i < sizeof(*got); i++)
			if (i != offsetof(struct ifreq, ifr_flags) &&
			    i != offsetof(struct ifreq, ifr_flags) + 1 && b[i])
				nz++;
		if (nz)
			fz_fail("TUNGETIFF: %zu bytes past the name and flags are not zero: kernel stack?", nz);
	} else if (cmd == SIOCGIFHWADDR) {
		struct ifreq *got = (struct ifreq *)w->buf;
		static const uint8_t zero[ETH_ALEN];

		if (got->ifr_hwaddr.sa_family != (is_tap(d) ? ARPHRD_ETHER : ARPHRD_NONE) ||
		    memcmp(got->ifr_hwaddr.sa_data, is_tap(d) ? d->mac : zero, ETH_ALEN))
			fz_fail("SIOCGIFHWADDR of %s: family %u, address %02x:%02x:%02x:%02x:%02x:%02x",
				d->name, got->ifr_hwaddr.sa_family,
				(uint8_t)got->ifr_hwaddr.sa_data[0], (uint8_t)got->ifr_hwaddr.sa_data[1],
				(uint8_t)got->ifr_hwaddr.sa_data[2], (uint8_t)got->ifr_hwaddr.sa_data[3],
				(uint8_t)got->ifr_hwaddr.sa_data[4], (uint8_t)got->ifr_hwaddr.sa_data[5]);
	} else if (cmd == SIOCSIFHWADDR) {
		const uint8_t *a = (const uint8_t *)((struct ifreq *)w->buf)->ifr_hwaddr.sa_data;

		if (memcmp(a, d->mac, ETH_ALEN)) {
			memcpy(d->oldmac[d->noldmac++ % OLDMACS], d->mac, ETH_ALEN);
			memcpy(d->mac, a, ETH_ALEN);
		}
	} else if (cmd == TUNSETPERSIST && !d->face) {
		d->persist = arg != 0;
	} else if (cmd == TUNSETOWNER) {
		d->owner_set = true;
		d->owner = arg;
	} else if (cmd == TUNSETGROUP) {
		d->group_set = true;
		d->group = arg;
	}
}

/* The ioctls op_devioctl and op_setiff predict themselves: the vnet BE
 * pair among them, refused, but EBADFD before that on a file that is not
 * attached.
 */
static bool implemented(unsigned int cmd)
{
	return cmd == TUNSETIFF || cmd == TUNSETQUEUE || cmd == TUNGETFEATURES ||
	       cmd == TUNGETIFF || cmd == TUNSETPERSIST || cmd == TUNSETOWNER ||
	       cmd == TUNSETGROUP || cmd == TUNSETCARRIER || cmd == TUNSETOFFLOAD ||
	       cmd == TUNGETVNETHDRSZ || cmd == TUNSETVNETHDRSZ ||
	       cmd == TUNGETVNETLE || cmd == TUNSETVNETLE ||
	       cmd == TUNGETVNETBE || cmd == TUNSETVNETBE ||
	       cmd == SIOCGIFHWADDR || cmd == SIOCSIFHWADDR ||
	       cmd == VNL_IOC_GET_FEATURES || cmd == VNL_IOC_SET_BATCH ||
	       cmd == VNL_IOC_GET_BATCH;
}

/* The VFS answers these itself, before the driver: not vnl's to refuse. */
static bool vfs_ioctl_number(unsigned int cmd)
{
	unsigned int type = _IOC_TYPE(cmd);

	return type == 0 || type == 0x15 || type == 'X' || type == 0x94 || type == 'f' ||
	       (type == 'T' && _IOC_NR(cmd) < 0x80);
}

/* Every ioctl vnl does not implement is refused with EINVAL, never
 * ignored, whatever its argument.
 */
static void op_rndioctl(struct world *w)
{
	static const unsigned int unimpl[] = {
		TUNSETNOCSUM, TUNSETDEBUG, TUNSETLINK, TUNSETTXFILTER, TUNGETSNDBUF,
		TUNSETSNDBUF, TUNATTACHFILTER, TUNDETACHFILTER, TUNSETIFINDEX,
		TUNGETFILTER, TUNSETSTEERINGEBPF,
		TUNSETFILTEREBPF, TUNGETDEVNETNS,
	};
	int si = pick_slot(w, -1), pk = pick_ptr(40);
	unsigned int cmd;
	unsigned long arg;
	long ret;

	if (si < 0)
		return;
	switch (rn(4)) {
	case 0:
		cmd = _IOC(rn(4), 'T', 190 + rn(50), rn(1 << 14));
		break;
	case 2:
		/* vnl's own type: the numbers it does not use */
		cmd = _IOC(rn(4), VNL_IOC_TYPE, rn(16), pct(50) ? 4 : rn(1 << 14));
		break;
	case 1:
		cmd = unimpl[rn(ARRAY_SIZE(unimpl))];
		break;
	default:
		cmd = (uint32_t)r64();
		break;
	}
	if (implemented(cmd) || vfs_ioctl_number(cmd))
		return;
	rbytes(w->buf, 256);
	arg = pct(30) ? r64() : (unsigned long)ptr(w, pk, w->buf);
	set_op("ioctl 0x%08x slot %d (%s) arg 0x%lx", cmd, si, state_name[w->s[si].st], arg);
	ret = ioctl(w->s[si].fd, cmd, arg) ? -errno : 0;
	count(K_RNDIOCTL, ret);
	if (ret != -EINVAL)
		fz_fail("ioctl 0x%08x (dir %u type 0x%x nr %u size %u): %s, expected EINVAL",
			cmd, _IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd), en(ret));
}

/* vnl's own ioctls, on any file (chardev.c, batch.c:vnl_batch_set): a
 * __u32 through a pointer each.  The mode set is the file's, whatever
 * it is attached to, and decides how its read() and write() are checked.
 */
static void op_batchioctl(struct world *w)
{
	static const char *const name[] = {
		"VNL_IOC_GET_FEATURES", "VNL_IOC_SET_BATCH", "VNL_IOC_SET_BATCH",
		"VNL_IOC_GET_BATCH",
	};
	static const unsigned int cmds[] = {
		VNL_IOC_GET_FEATURES, VNL_IOC_SET_BATCH, VNL_IOC_SET_BATCH,
		VNL_IOC_GET_BATCH,
	};
	int si = pick_slot(w, -1), pk = pick_ptr(10), k = rn(4);
	uint32_t v = 0xa5a5a5a5, got;
	struct slot *s;
	long ret, want;

	if (si < 0)
		return;
	s = &w->s[si];
	if (cmds[k] == VNL_IOC_SET_BATCH)
		v = pct(70) ? rn(4) : pct(50) ? (uint32_t)r64() : 1U << rn(32);
	memcpy(w->buf, &v, sizeof(v));
	if (pk == P_RDONLY)
		rdonly_fill(w, &v, sizeof(v));
	set_op("%s slot %d (%s) 0x%x ptr %s", name[k], si, state_name[s->st], v,
	       ptr_name[pk]);
	ret = ioctl(s->fd, cmds[k], ptr(w, pk, w->buf)) ? -errno : 0;
	count(K_IOCTL, ret);
	if (cmds[k] == VNL_IOC_SET_BATCH)
		want = !readable(pk) ? -EFAULT :
		       v & ~(VNL_BATCH_READ | VNL_BATCH_WRITE) ? -EINVAL : 0;
	else
		want = pk == P_VALID ? 0 : -EFAULT;
	if (ret != want) {
		fz_fail("%s: %s, expected %s", name[k], en(ret), en(want));
		return;
	}
	if (ret)
		return;
	memcpy(&got, w->buf, sizeof(got));
	if (cmds[k] == VNL_IOC_SET_BATCH)
		s->batch = v;
	else if (cmds[k] == VNL_IOC_GET_FEATURES && got != VNL_FEATURE_BATCH)
		fz_fail("VNL_IOC_GET_FEATURES says 0x%x", got);
	else if (cmds[k] == VNL_IOC_GET_BATCH && got != s->batch)
		fz_fail("VNL_IOC_GET_BATCH says 0x%x, not 0x%x", got, s->batch);
}

/* --- writing ------------------------------------------------------------------- */

static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 13, 14, 15, 18, 19, 20, 28,
				59, 60, 64, 576, 1280, 1499, 1500, 1501, 1504, 1514,
				1515, 1518, 1519, 9000, 65535, 65536, 65539, 65549,
				65550, 70000 };

/* A packet for @d of about @len bytes at @p (without packet information):
 * well-formed and answerable, or not.  Returns its length, @len.
 */
static size_t gen_packet(const struct tdev *d, uint8_t *p, size_t len)
{
	char local[INET_ADDRSTRLEN], peer[INET_ADDRSTRLEN];
	uint8_t pm[ETH_ALEN], *ip;
	size_t hl = is_tap(d) ? ETH_HLEN : 0, n = 0, dl;
	int kind = rn(10);

	dev_addrs(d, local, peer);
	peer_mac(d, pm);
	rbytes(p, len < 2048 ? len : 2048);
	if (len > 2048)
		memset(p + 2048, 0x5a, len - 2048);
	if (kind >= 8 || len < hl)
		return len;	/* noise */
	ip = p + hl;
	dl = len - hl;
	if (is_tap(d)) {
		static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		if (kind < 2 && dl >= 28) {	/* ARP who-has local tell peer */
			build_eth(p, bcast, pm, ETH_P_ARP);
			memcpy(ip, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
			memcpy(ip + 8, pm, ETH_ALEN);
			inet_pton(AF_INET, peer, ip + 14);
			memset(ip + 18, 0, ETH_ALEN);
			inet_pton(AF_INET, local, ip + 24);
			return len;
		}
		build_eth(p, pct(80) ? d->mac : bcast, pm,
			  kind < 6 ? ETH_P_IP : kind == 6 ? ETH_P_IPV6 : (uint16_t)r64());
	}
	if (kind < 5 && dl >= IP4_HLEN + ICMP_HLEN) {
		/* an echo request to the device's address, or a datagram to a
		 * closed port: both are answered
		 */
		if (kind < 3)
			n = build_icmp4_echo(ip, peer, local, 0x77, rn(65536), ip + 28,
					     dl - IP4_HLEN - ICMP_HLEN > 1400 ? 0 :
					     dl - IP4_HLEN - ICMP_HLEN);
		else if (dl >= IP4_HLEN + UDP_HLEN)
			n = build_udp4(ip, peer, local, 40000, 9 + rn(3), ip + 28,
				       dl - IP4_HLEN - UDP_HLEN > 1400 ? 0 :
				       dl - IP4_HLEN - UDP_HLEN);
		(void)n;	/* what is left of @len is trailing junk */
	} else if (kind < 7 && dl >= IP6_HLEN + UDP_HLEN) {
		build_udp6(ip, "fe80::2", "ff02::1", 40000, 9, ip + 48,
			   dl - IP6_HLEN - UDP_HLEN > 1400 ? 0 : dl - IP6_HLEN - UDP_HLEN);
	} else if (dl) {
		ip[0] = (ip[0] & 0x0f) | (pct(50) ? 0x40 : 0x60);
	}
	return len;
}

/* What write() of @len bytes at a pointer of kind @pk must return
 * (vfs_write, vnl_chr_write_iter, vnl_tun_get_frame, in that order).
 */
static long predict_write(struct world *w, int si, int pk, const uint8_t *data,
			  size_t len)
{
	struct slot *s = &w->s[si];
	struct tdev *d;
	size_t payload = len, vnet = 0;
	uint16_t proto = 0;
	bool pi;

	if (pk == P_KERNEL)
		return -EFAULT;
	if (s->st == S_UNKNOWN)
		return 1;
	if (s->st != S_ATTACHED)
		return -EBADFD;
	d = &w->d[s->dev];
	if (!d->up)
		return -EIO;
	pi = !(d->flags & IFF_NO_PI);
	if (pi) {
		if (len < sizeof(struct tun_pi))
			return -EINVAL;
		if (!readable(pk))
			return -EFAULT;
		memcpy(&proto, data + 2, 2);
		payload -= sizeof(struct tun_pi);
	}
	/* The vnet header: one of zeros asks for nothing; a random one may
	 * be refused (kmod/vnet.c), or not.
	 */
	if (d->flags & IFF_VNET_HDR) {
		static const uint8_t zeros[VNET_HDR_MIN];

		vnet = d->vnet_sz;
		if (payload < vnet)
			return -EINVAL;
		if (!readable(pk))
			return -EFAULT;
		if (memcmp(data + len - payload, zeros, VNET_HDR_MIN))
			return 1;
		payload -= vnet;
	}
	/* Whatever the MTU, up to 64 KiB with the link-layer header, on a
	 * face too, whatever its parent (tun.c:vnl_tun_frame_len_ok).
	 */
	if (payload < (is_tap(d) ? ETH_HLEN : 1) || payload > 65535)
		return -EINVAL;
	if (!readable(pk))
		return -EFAULT;
	if (pk == P_RDONLY && len > 4096)
		return 1;	/* past the page: whatever follows it */
	if (!is_tap(d) && !proto) {
		uint8_t v = data[(pi ? sizeof(struct tun_pi) : 0) + vnet] >> 4;

		if (v != 4 && v != 6)
			return -EINVAL;
	}
	return len;
}

/* What write() takes for @d (NULL: no device), @len bytes at @data:
 * packet information, a vnet header (mostly empty), a packet of
 * gen_packet(); or noise.
 */
static void gen_write(const struct tdev *d, uint8_t *data, size_t len)
{
	size_t off = 0;

	if (d && !(d->flags & IFF_NO_PI)) {
		struct tun_pi pi = { .flags = pct(90) ? 0 : r64() };

		off = sizeof(pi);
		if (is_tap(d))
			pi.proto = pct(80) ? htons(ETH_P_IP) : (uint16_t)r64();
		else
			pi.proto = pct(40) ? 0 : pct(50) ? htons(ETH_P_IP) :
				   pct(50) ? htons(ETH_P_IPV6) : (uint16_t)r64();
		if (len >= off)
			memcpy(data, &pi, off);
	}
	if (d && (d->flags & IFF_VNET_HDR) && len >= off + d->vnet_sz &&
	    d->vnet_sz <= 4096) {
		memset(data + off, 0, d->vnet_sz);
		if (pct(15))
			rbytes(data + off, VNET_HDR_MIN);
		off += d->vnet_sz;
	}
	if (d && len > off && len - off <= 70000)
		gen_packet(d, data + off, len - off);
	else if (len <= 70000)
		rbytes(data + off, len > off ? (len - off < 2048 ? len - off : 2048) : 0);
}

/* A batched write() (kmod/batch.c): up to 65 records of what op_write
 * writes, now and then with a framing error, all in the first MiB of the
 * buffer (the second is a thread's).  Predicted record by record: the
 * device's state first, then the framing, then each frame as a single
 * write() of it (predict_write): one refused refuses the batch.
 */
static void op_write_batch(struct world *w, int si)
{
	enum { GOOD, LEN_0, PAST_END, RESERVED, TRAILING, TOO_MANY };
	struct slot *s = &w->s[si];
	struct tdev *d = s->st == S_ATTACHED ? &w->d[s->dev] : NULL;
	int bad = pct(85) ? GOOD : 1 + rn(TOO_MANY);
	int n = bad == TOO_MANY ? VNL_BATCH_MAX + 1 : 1 + rn(pct(50) ? 4 : VNL_BATCH_MAX);
	struct vnl_batch_hdr h = { 0, 0 };
	size_t off = 0, last = 0, len = 0, next, end;
	bool unknown = false, refused = false;
	long ret, want;
	int i;

	for (i = 0; i < n; i++) {
		len = pct(90) ? 1 + rn(1500) : sizes[1 + rn(ARRAY_SIZE(sizes) - 1)];
		next = off + sizeof(h) + ((len + 7) & ~(size_t)7);
		if (next + 16 > (1 << 20))
			break;
		gen_write(d, w->buf + off + sizeof(h), len);
		h.len = len;
		memcpy(w->buf + off, &h, sizeof(h));
		memset(w->buf + off + sizeof(h) + len, 0, next - off - sizeof(h) - len);
		want = predict_write(w, si, P_VALID, w->buf + off + sizeof(h), len);
		if (want == -EINVAL)
			refused = true;
		else if (want == 1)
			unknown = true;
		last = off;
		off = next;
	}
	n = i;
	end = off;
	if (bad == TOO_MANY && n <= VNL_BATCH_MAX)
		bad = GOOD;	/* they did not fit */
	switch (bad) {
	case LEN_0:
	case RESERVED:
		i = rn(n);
		for (off = 0; i--;) {
			memcpy(&h, w->buf + off, sizeof(h));
			off += sizeof(h) + ((h.len + 7) & ~7U);
		}
		memcpy(&h, w->buf + off, sizeof(h));
		if (bad == LEN_0)
			h.len = 0;
		else
			h.reserved = 1 + rn(0xffffffff);
		memcpy(w->buf + off, &h, sizeof(h));
		off = end;
		break;
	case PAST_END:
		/* The last record ends at the end of the buffer: one byte or
		 * more past it.
		 */
		h.len = len + 1 + rn(100);
		memcpy(w->buf + last, &h, sizeof(h));
		off = last + sizeof(h) + len;
		break;
	case TRAILING:
		off = end + 1 + rn(sizeof(h) - 1);
		break;
	default:
		/* The last padding may be left out. */
		if (pct(50))
			off = last + sizeof(h) + len;
		break;
	}

	if (s->st == S_UNKNOWN)
		want = 1;
	else if (s->st != S_ATTACHED)
		want = -EBADFD;
	else if (!d->up)
		want = -EIO;
	else if (bad != GOOD || refused)
		want = -EINVAL;
	else
		want = unknown ? 1 : (long)off;
	set_op("batched write slot %d (%s) %d records%s, %zu bytes", si,
	       state_name[s->st], n, bad == GOOD ? "" : " (a framing error)", off);
	ret = write(s->fd, w->buf, off);
	if (ret < 0)
		ret = -errno;
	count(K_WRITE, ret);
	if (ret >= 0) {
		st->frames_out += n;
		st->bytes_out += ret;
		if (s->st == S_ATTACHED && w->d[s->dev].face)
			st->face_frames_out += n;
	}
	if (want == 1 && ret != -EINVAL && ret != (long)off && s->st != S_UNKNOWN)
		fz_fail("batched write: %s, expected %zu or EINVAL", en(ret), off);
	else if (want != 1 && ret != want && ret != -ENOMEM)
		fz_fail("batched write: %s, expected %s", en(ret), en(want));
}

static void op_write(struct world *w)
{
	int si = pick_slot(w, pct(85) ? S_ATTACHED : -1), pk = pick_ptr(6);
	size_t len = pct(80) ? sizes[rn(ARRAY_SIZE(sizes))] : rn(2000);
	struct slot *s;
	struct tdev *d = NULL;
	uint8_t *data = w->buf;
	bool vec = pct(15) && pk == P_VALID;
	long ret, want;

	if (si < 0)
		return;
	s = &w->s[si];
	if (s->batch & VNL_BATCH_WRITE) {
		op_write_batch(w, si);
		return;
	}
	if (pct(2))
		len = (pct(50) ? 1 << 20 : 1UL << 30) + rn(100);	/* huge */
	if (s->st == S_ATTACHED)
		d = &w->d[s->dev];
	gen_write(d, data, len);
	if (pk == P_RDONLY)
		rdonly_fill(w, data, len);

	want = predict_write(w, si, pk, pk == P_RDONLY ? w->rdonly : data, len);
	set_op("write%s slot %d (%s) %zu bytes ptr %s", vec ? "v" : "", si,
	       state_name[s->st], len, ptr_name[pk]);
	if (vec && !len && want != 1 && want != -EFAULT)
		want = 0;	/* the VFS answers an empty writev() itself */
	if (vec) {
		struct iovec iov[4];
		size_t a = rn(len + 1), b = a + rn(len - a + 1);

		iov[0] = (struct iovec){ data, a };
		iov[1] = (struct iovec){ data + a, 0 };
		iov[2] = (struct iovec){ data + a, b - a };
		iov[3] = (struct iovec){ data + b, len - b };
		ret = writev(s->fd, iov, 4);
	} else {
		ret = write(s->fd, ptr(w, pk, data), len);
	}
	if (ret < 0)
		ret = -errno;
	count(K_WRITE, ret);
	if (ret >= 0) {
		st->frames_out++;
		st->bytes_out += ret;
		if (s->st == S_ATTACHED && w->d[s->dev].face)
			st->face_frames_out++;
	}
	if (want != 1 && ret != want && ret != -ENOMEM)
		fz_fail("write: %s, expected %s", en(ret), en(want));
}

/* --- reading ------------------------------------------------------------------- */

/* Whether @mac is @d's address or was one (of its last OLDMACS). */
static bool had_mac(const struct tdev *d, const uint8_t *mac)
{
	unsigned int i, n = d->noldmac < OLDMACS ? d->noldmac : OLDMACS;

	if (!memcmp(mac, d->mac, ETH_ALEN))
		return true;
	for (i = 0; i < n; i++)
		if (!memcmp(mac, d->oldmac[i], ETH_ALEN))
			return true;
	return false;
}

/* A frame read from @d: what the stack sends out of a tun or tap. */
static void check_frame(struct tdev *d, const uint8_t *p, long n, size_t size)
{
	struct tun_pi pi;
	bool has_pi = !(d->flags & IFF_NO_PI);
	const uint8_t *f = p;
	long fl = n;
	uint16_t et;

	if ((size_t)n > size) {
		fz_fail("read %ld bytes into a %zu-byte buffer", n, size);
		return;
	}
	/* What a face reads is what its child received: nothing reaches a
	 * child of fzpair0, and private mode lets no sibling's frame by.
	 */
	if (d->face) {
		fz_fail("a %ld-byte frame read from tap face %s, which receives nothing",
			n, d->name);
		return;
	}
	if (has_pi) {
		if (n < (long)sizeof(pi)) {
			fz_fail("read %ld bytes: no room for the packet information", n);
			return;
		}
		memcpy(&pi, p, sizeof(pi));
		if (pi.flags & ~TUN_PKT_STRIP)
			fz_fail("packet information flags 0x%x", pi.flags);
		if ((pi.flags & TUN_PKT_STRIP) && (size_t)n != size)
			fz_fail("TUN_PKT_STRIP on a %ld-byte read into %zu bytes", n, size);
		if (pi.flags & TUN_PKT_STRIP)
			st->truncated++;
		f += sizeof(pi);
		fl -= sizeof(pi);
	}
	if (d->flags & IFF_VNET_HDR) {
		long i;

		if (fl < d->vnet_sz) {
			fz_fail("read %ld bytes: no room for the vnet header", n);
			return;
		}
		/* flags: NEEDS_CSUM (1), DATA_VALID (2); gso_type: none,
		 * TCPV4, TCPV6, UDP_L4, maybe with ECN (0x80).
		 */
		if (f[0] & ~3 || (f[1] & 0x7f) > 5 ||
		    (f[1] & 0x7f) == 2 || (f[1] & 0x7f) == 3)
			fz_fail("vnet header flags 0x%x gso_type 0x%x", f[0], f[1]);
		for (i = VNET_HDR_MIN; i < d->vnet_sz; i++)
			if (f[i])
				fz_fail("vnet header padding byte %ld is 0x%x", i, f[i]);
		f += d->vnet_sz;
		fl -= d->vnet_sz;
	}
	if (!is_tap(d)) {
		if (fl >= 1 && f[0] >> 4 != 4 && f[0] >> 4 != 6)
			fz_fail("a tun frame that is not IP (first byte 0x%02x)", f[0]);
		if (has_pi && fl >= 1 &&
		    pi.proto != htons(f[0] >> 4 == 4 ? ETH_P_IP : ETH_P_IPV6))
			fz_fail("packet information proto 0x%04x for IPv%u",
				ntohs(pi.proto), f[0] >> 4);
		return;
	}
	if (fl >= ETH_HLEN) {
		et = get16(f + 12);
		if (et != ETH_P_IP && et != ETH_P_ARP && et != ETH_P_IPV6)
			fz_fail("a tap frame of ethertype 0x%04x", et);
		if (!had_mac(d, f + ETH_ALEN))
			fz_fail("a tap frame from %02x:%02x:%02x:%02x:%02x:%02x, not the tap's address",
				f[6], f[7], f[8], f[9], f[10], f[11]);
		if (has_pi && pi.proto != htons(et))
			fz_fail("packet information proto 0x%04x for ethertype 0x%04x",
				ntohs(pi.proto), et);
	}
}

/* A batched read() (kmod/batch.c) of @ret bytes into @size: whole
 * records, each a frame as check_frame sees it, never cut; EMSGSIZE when
 * the first does not fit.
 */
static void check_batch_read(struct world *w, struct tdev *d, long ret,
			     size_t size, int pk, bool blocking, bool interrupted)
{
	struct vnl_batch_hdr h;
	long off = 0, end;
	int n = 0;

	if (ret == -EAGAIN) {
		if (blocking)
			fz_fail("batched read on a blocking descriptor: EAGAIN");
		return;
	}
	if (ret == -EINTR) {
		if (!interrupted)
			fz_fail("batched read: EINTR, yet no signal was sent");
		return;
	}
	if (ret == -EMSGSIZE)
		return;		/* the first frame is larger: it stays queued */
	if (ret == -EFAULT) {
		if (pk == P_VALID)
			fz_fail("batched read into a valid buffer: EFAULT");
		return;
	}
	if (ret <= 0 || (size_t)ret > size) {
		fz_fail("batched read of %zu bytes: %s", size, en(ret));
		return;
	}
	if (pk != P_VALID) {
		fz_fail("batched read of %ld bytes into a %s pointer", ret, ptr_name[pk]);
		return;
	}
	while (off < ret) {
		if (ret - off < (long)sizeof(h) || n == VNL_BATCH_MAX) {
			fz_fail("batched read: %ld bytes after %d records", ret - off, n);
			return;
		}
		memcpy(&h, w->buf + off, sizeof(h));
		if (!h.len || h.reserved || h.len > ret - off - sizeof(h)) {
			fz_fail("batched read: record %d of length %u, reserved 0x%x, %ld bytes left",
				n, h.len, h.reserved, ret - off);
			return;
		}
		off += sizeof(h);
		if (!(d->flags & IFF_NO_PI) && (w->buf[off] || w->buf[off + 1]))
			fz_fail("batched read: record %d has packet information flags 0x%02x%02x",
				n, w->buf[off], w->buf[off + 1]);
		check_frame(d, w->buf + off, h.len, h.len);
		n++;
		end = off + h.len;
		off += (h.len + 7) & ~7U;
		for (; end < off && end < ret; end++)
			if (w->buf[end])
				fz_fail("batched read: padding byte 0x%02x", w->buf[end]);
	}
	st->frames_in += n;
	st->bytes_in += ret;
}

struct kicker {
	pthread_t target;
	unsigned int us;
};

static void *kick(void *arg)
{
	struct kicker *k = arg;

	usleep(k->us);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

static void op_read(struct world *w)
{
	static const size_t rsizes[] = { 0, 1, 3, 4, 5, 13, 14, 17, 18, 20, 40, 60,
					 64, 100, 576, 1500, 1504, 1514, 1518, 2048,
					 65535, 65539, 65540, 70000, 1 << 20 };
	int si = pick_slot(w, pct(85) ? S_ATTACHED : -1), pk = pick_ptr(5);
	size_t size = rsizes[rn(ARRAY_SIZE(rsizes))];
	bool blocking, interrupted = false, polled = false;
	struct slot *s;
	struct tdev *d = NULL;
	size_t head;
	long ret;
	int ev;

	if (si < 0)
		return;
	s = &w->s[si];
	if (s->st == S_ATTACHED)
		d = &w->d[s->dev];
	if (pct(1))
		size = 1UL << 30;	/* huge: only the frame is copied */
	/* A batch fills what it is given: no more than the first MiB. */
	if ((s->batch & VNL_BATCH_READ) && size > (1 << 20))
		size = 1 << 20;
	blocking = !s->nonblock;
	if (blocking && s->st == S_UNKNOWN)
		return;		/* might block for good */
	if (blocking) {
		set_op("poll before read, slot %d (%s)", si, state_name[s->st]);
		ev = tun_poll(s->fd, POLLIN, rn(3) ? 0 : 1 + rn(20));
		if (ev < 0) {
			fz_fail("poll: %s", strerror(-ev));
			return;
		}
		polled = ev & POLLIN;
		if (!polled && s->st == S_ATTACHED) {
			if (pct(92))
				return;	/* nothing to read: would block */
			interrupted = true;
		}
	}
	set_op("read%s slot %d (%s) %zu bytes ptr %s", interrupted ? " (to be interrupted)" : "",
	       si, state_name[s->st], size, ptr_name[pk]);
	memset(w->buf, 0, 128);
	if (interrupted) {
		struct kicker k = { pthread_self(), 5000 + rn(15000) };
		pthread_t t;

		if (pthread_create(&t, NULL, kick, &k)) {
			fz_fail("pthread_create: %s", strerror(errno));
			return;
		}
		ret = read(s->fd, ptr(w, pk, w->buf), size);
		if (ret < 0)
			ret = -errno;
		pthread_join(t, NULL);
		if (ret == -EINTR)
			st->interrupted++;
	} else {
		ret = read(s->fd, ptr(w, pk, w->buf), size);
		if (ret < 0)
			ret = -errno;
	}
	count(K_READ, ret);

	if (pk == P_KERNEL) {
		if (ret != -EFAULT)
			fz_fail("read into a kernel address: %s, expected EFAULT", en(ret));
		return;
	}
	if (s->st == S_UNKNOWN)
		return;
	if (s->st != S_ATTACHED) {
		if (ret != -EBADFD)
			fz_fail("read: %s, expected EBADFD", en(ret));
		return;
	}
	/* A read of nothing is 0 at once, frame queued or not, blocking or
	 * not, packet information or not (chardev.c:vnl_chr_read_iter).
	 */
	if (!size) {
		if (ret)
			fz_fail("read of 0 bytes: %s, expected 0", en(ret));
		return;
	}
	if (s->batch & VNL_BATCH_READ) {
		check_batch_read(w, d, ret, size, pk, blocking, interrupted);
		return;
	}
	/* Packet information and vnet header must fit, or EINVAL. */
	head = (d->flags & IFF_NO_PI ? 0 : sizeof(struct tun_pi)) +
	       (d->flags & IFF_VNET_HDR ? (size_t)d->vnet_sz : 0);
	if (ret == -EAGAIN) {
		if (blocking)
			fz_fail("read on a blocking descriptor: EAGAIN");
		return;
	}
	if (ret == -EINTR) {
		if (!interrupted)
			fz_fail("read: EINTR, yet no signal was sent");
		return;
	}
	if (ret == -EINVAL) {
		if (size >= head)
			fz_fail("read of %zu bytes: EINVAL", size);
		return;
	}
	if (ret == -EFAULT) {
		if (pk == P_VALID)
			fz_fail("read into a valid buffer: EFAULT");
		return;
	}
	if (ret < 0) {
		fz_fail("read: %s", en(ret));
		return;
	}
	if (pk != P_VALID && ret > 0 && size >= head)
		fz_fail("read of %ld bytes into a %s pointer", ret, ptr_name[pk]);
	if (size < head)
		fz_fail("read of %zu bytes with a %zu-byte header: %ld", size, head, ret);
	st->frames_in++;
	st->bytes_in += ret;
	if (pk == P_VALID)
		check_frame(d, w->buf, ret, size);
}

/* --- poll ------------------------------------------------------------------------ */

static void op_poll(struct world *w)
{
	struct pollfd pfd[NSLOTS];
	int idx[NSLOTS], n = 0, i, r;
	short allowed;

	for (i = 0; i < NSLOTS; i++) {
		if (w->s[i].st == S_CLOSED)
			continue;
		pfd[n].fd = w->s[i].fd;
		pfd[n].events = pct(20) ? (short)r64() :
				(pct(70) ? POLLIN : 0) | (pct(70) ? POLLOUT : 0) |
				(pct(30) ? POLLRDNORM | POLLWRNORM : 0);
		pfd[n].events &= ~POLLNVAL;
		pfd[n].revents = 0;
		idx[n++] = i;
	}
	if (!n)
		return;
	set_op("poll %d descriptors", n);
	r = poll(pfd, n, 0);
	count(K_POLL, r < 0 ? -errno : 0);
	if (r < 0) {
		fz_fail("poll: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		struct slot *s = &w->s[idx[i]];
		short re = pfd[i].revents, ev = pfd[i].events;

		allowed = POLLERR | POLLHUP | (ev & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM));
		if (re & ~allowed) {
			fz_fail("poll slot %d (%s): revents 0x%x for events 0x%x", idx[i],
				state_name[s->st], re, ev);
			continue;
		}
		switch (s->st) {
		case S_FRESH:
		case S_DETACHED:
			if (re != POLLERR)
				fz_fail("poll slot %d (%s): revents 0x%x, expected POLLERR",
					idx[i], state_name[s->st], re);
			break;
		case S_GONE:
			if (re != (POLLERR | POLLHUP))
				fz_fail("poll slot %d (orphaned): revents 0x%x, expected POLLERR|POLLHUP",
					idx[i], re);
			break;
		case S_ATTACHED: {
			struct tdev *d = &w->d[s->dev];
			short out = ev & (POLLOUT | POLLWRNORM);

			if (re & (POLLERR | POLLHUP))
				fz_fail("poll slot %d (attached): revents 0x%x", idx[i], re);
			if ((re & (POLLOUT | POLLWRNORM)) != (d->up ? out : 0))
				fz_fail("poll slot %d on %s (%s): revents 0x%x for events 0x%x",
					idx[i], d->name, d->up ? "up" : "down", re, ev);
			if (d->face && (re & (POLLIN | POLLRDNORM)))
				fz_fail("poll slot %d on tap face %s: readable (0x%x), yet it receives nothing",
					idx[i], d->name, re);
			break;
		}
		}
	}
}

/* --- configuration, deletion, closing ----------------------------------------- */

static void op_config(struct world *w)
{
	static const int mtus[] = { 0, 67, 68, 69, 576, 1280, 1500, 9000, 65521,
				    65522, 65535, 65536, -1 };
	int di = pick_dev(w), want, err, v;
	struct tdev *d;
	struct ifreq ifr;

	if (di < 0)
		return;
	d = &w->d[di];
	switch (rn(6)) {
	case 0:
	case 1:
		/* up more often than down: writes to a down device only EIO */
		if (d->up && pct(50))
			return;
		set_op("%s %s", d->name, d->up ? "down" : "up");
		err = d->up ? if_down(d->name) : if_up(d->name);
		want = w->priv ? 0 : -EPERM;
		if (!err)
			d->up = !d->up;
		break;
	case 2:
		if (!w->priv || d->addr) {
			set_op("SIOCGIFFLAGS %s", d->name);
			err = if_get_flags(d->name, (unsigned int *)&v);
			want = 0;
			if (!err && !!(v & IFF_UP) != d->up)
				fz_fail("%s is %s, expected %s", d->name, v & IFF_UP ? "up" : "down",
					d->up ? "up" : "down");
			break;
		}
		configure(w, di);
		return;
	case 3:
		v = mtus[rn(ARRAY_SIZE(mtus))];
		set_op("%s mtu %d", d->name, v);
		if_req(&ifr, d->name);
		ifr.ifr_mtu = v;
		err = if_ioctl(SIOCSIFMTU, &ifr);
		want = !w->priv ? -EPERM : v >= 68 && v <= max_mtu(d) ? 0 : -EINVAL;
		if (!err)
			d->mtu = v;
		break;
	case 4:
		v = pct(70) ? rn(4) : 500;
		set_op("%s txqueuelen %d", d->name, v);
		err = if_set_txqlen(d->name, v);
		want = w->priv ? 0 : -EPERM;
		break;
	default:
		if (!is_tap(d))
			return;
		set_op("SIOCGIFHWADDR %s", d->name);
		{
			uint8_t mac[ETH_ALEN];

			err = if_get_hwaddr(d->name, mac, NULL);
			want = 0;
			if (!err && memcmp(mac, d->mac, ETH_ALEN))
				fz_fail("%s changed its address", d->name);
		}
		break;
	}
	count(K_CONFIG, err);
	if (err != want)
		fz_fail("%s: %s, expected %s", st->op, en(err), en(want));
}

/* LINK_DEL through the family: the descriptors become orphans. */
static void op_linkdel(struct world *w)
{
	int di = pick_dev(w), err, want;
	char name[IFNAMSIZ];

	if (di < 0)
		return;
	snprintf(name, IFNAMSIZ, "%s", w->d[di].name);
	set_op("LINK_DEL %s", name);
	err = genl_del(w, name);
	count(K_GENL, err);
	want = w->priv ? 0 : -EPERM;
	if (err != want) {
		fz_fail("LINK_DEL of %s: %s, expected %s", name, en(err), en(want));
		return;
	}
	if (err)
		return;
	if (exists(name))
		fz_fail("%s still exists after LINK_DEL", name);
	st->deleted_genl++;
	dev_gone(w, di);
}

/* Two tap faces at a time, made again once deleted (root only). */
static void op_face(struct world *w)
{
	int i, n = 0, di;

	for (i = 0; i < MAXDEVS; i++)
		n += w->d[i].used && w->d[i].face;
	if (!w->priv || n >= 2)
		return;
	di = face_new(w, "fzf");
	if (di >= 0 && pct(90))
		configure(w, di);
}

/* LINK_GET must say what the fuzzer did to the device. */
static void op_verify(struct world *w)
{
	int di = pick_dev(w), att, det, unk, err;
	struct got_link g;
	struct tdev *d;
	unsigned int f;

	if (di < 0)
		return;
	d = &w->d[di];
	set_op("LINK_GET %s", d->name);
	err = genl_get(w, d->name, &g);
	count(K_GENL, err);
	if (err || g.bad || g.n != 1) {
		fz_fail("LINK_GET of %s: %s, %d replies", d->name, en(err), g.n);
		return;
	}
	refs(w, di, &att, &det, &unk);
	f = d->flags | (d->persist ? IFF_PERSIST : 0);
	if (d->face && g.dev.tap_face != (d->flags & (IFF_TAP | IFF_MULTI_QUEUE)))
		fz_fail("LINK_GET of %s: tap face 0x%x, expected 0x%x", d->name, g.dev.tap_face,
			d->flags & (IFF_TAP | IFF_MULTI_QUEUE));
	if (g.dev.kind != (d->face ? VNL_KIND_MACVLAN : is_tap(d) ? VNL_KIND_TAP : VNL_KIND_TUN) ||
	    g.dev.tun_flags != f ||
	    (!unk && g.dev.tun_queues != (uint32_t)att) || g.dev.up != d->up ||
	    (int)g.dev.mtu != d->mtu || g.dev.has_tun_owner != d->owner_set ||
	    (d->owner_set && g.dev.tun_owner != d->owner) ||
	    g.dev.has_tun_group != d->group_set ||
	    (d->group_set && g.dev.tun_group != d->group) ||
	    (is_tap(d) && memcmp(g.dev.mac, d->mac, ETH_ALEN)))
		fz_fail("LINK_GET of %s: kind %u flags 0x%x queues %u up %u mtu %u owner %s%u group %s%u; "
			"expected flags 0x%x, %d queues%s, %s, mtu %d, owner %s%u, group %s%u",
			d->name, g.dev.kind, g.dev.tun_flags, g.dev.tun_queues, g.dev.up, g.dev.mtu,
			g.dev.has_tun_owner ? "" : "none/", g.dev.tun_owner,
			g.dev.has_tun_group ? "" : "none/", g.dev.tun_group, f, att,
			unk ? " (or so)" : "", d->up ? "up" : "down", d->mtu,
			d->owner_set ? "" : "none/", d->owner, d->group_set ? "" : "none/", d->group);
}

static void op_open(struct world *w)
{
	int i;

	for (i = 0; i < NSLOTS && w->s[i].st != S_CLOSED; i++)
		;
	if (i == NSLOTS)
		return;
	w->s[i].nonblock = pct(40);
	set_op("open slot %d", i);
	w->s[i].fd = open(VNL_DEV, O_RDWR | O_CLOEXEC | (w->s[i].nonblock ? O_NONBLOCK : 0));
	if (w->s[i].fd < 0) {
		fz_fail("open %s: %s", VNL_DEV, strerror(errno));
		return;
	}
	w->s[i].st = S_FRESH;
	w->s[i].dev = -1;
	w->s[i].batch = 0;
	st->opened++;
}

static void close_slot(struct world *w, int si)
{
	struct slot *s = &w->s[si];
	int di = -1, att, det, unk;

	if (s->st == S_ATTACHED || s->st == S_DETACHED)
		di = s->dev;
	set_op("close slot %d (%s)", si, state_name[s->st]);
	if (close(s->fd))
		fz_fail("close: %s", strerror(errno));
	s->st = S_CLOSED;
	s->fd = -1;
	st->closed++;
	if (di < 0)
		return;
	refs(w, di, &att, &det, &unk);
	if (unk)
		return;
	if (!att && !det && !outlives_files(&w->d[di])) {
		if (exists(w->d[di].name))
			fz_fail("%s outlived its last descriptor (not persistent)", w->d[di].name);
		st->deleted_close++;
		w->d[di].used = false;
	} else if (!exists(w->d[di].name)) {
		fz_fail("%s went with one of its descriptors (%d attached, %d detached%s)",
			w->d[di].name, att, det, w->d[di].face ? ", a tap face" :
			w->d[di].persist ? ", persistent" : "");
		dev_gone(w, di);
	}
}

static void op_close(struct world *w)
{
	int si = pick_slot(w, -1);

	if (si >= 0)
		close_slot(w, si);
}

static void op_nonblock(struct world *w)
{
	int si = pick_slot(w, -1), fl;
	struct slot *s;

	if (si < 0)
		return;
	s = &w->s[si];
	set_op("fcntl slot %d", si);
	fl = fcntl(s->fd, F_GETFL);
	if (fl < 0 || fcntl(s->fd, F_SETFL, fl ^ O_NONBLOCK)) {
		fz_fail("fcntl: %s", strerror(errno));
		return;
	}
	s->nonblock = !s->nonblock;
}

/* --- a second thread ----------------------------------------------------------- */

struct worker {
	int fd;
	bool nonblock, writer, poller;
	size_t len;		/* writer: frame length */
	uint8_t *frame;
	volatile bool stop;
	/* what it saw */
	long last;
	short revents;
	unsigned long n, bad;
	long bad_err;
};

static void *work(void *arg)
{
	struct worker *k = arg;
	struct pollfd pfd = { .fd = k->fd, .events = POLLIN };
	long r;

	for (;;) {
		if (k->writer) {
			r = write(k->fd, k->frame, k->len);
			if (r < 0) {
				r = -errno;
				/* The device went down or away under us. */
				if (r != -EBADFD && r != -EIO && r != -ENOMEM) {
					k->bad++;
					k->bad_err = r;
				}
				if (r == -EBADFD) {
					k->last = r;
					return NULL;
				}
			} else if ((size_t)r != k->len) {
				k->bad++;
				k->bad_err = r;
			}
			k->n++;
			if (k->stop)
				return NULL;
			continue;
		}
		if (k->poller || k->nonblock) {
			pfd.revents = 0;
			if (poll(&pfd, 1, -1) < 0) {
				k->last = -errno;
				return NULL;
			}
			if (pfd.revents & (POLLERR | POLLHUP)) {
				k->revents = pfd.revents;
				if (k->poller)
					return NULL;
			}
		}
		r = read(k->fd, k->frame, 65600);
		/* EMSGSIZE: a batch read, and a frame larger than that. */
		if (r < 0 && errno != EAGAIN && errno != EMSGSIZE) {
			k->last = -errno;
			return NULL;
		}
		k->n++;
	}
}

/* A reader (or poller) blocked while the device is deleted or its queue
 * detached must wake up; a writer racing with either must only ever see
 * EBADFD or EIO.
 */
static void op_thread(struct world *w)
{
	int si = pick_slot(w, S_ATTACHED), di, action = rn(3);
	struct worker *k;
	struct timespec dl;
	struct slot *s;
	struct tdev *d;
	pthread_t t;
	int err;

	if (si < 0)
		return;
	s = &w->s[si];
	di = s->dev;
	d = &w->d[di];
	if (action == 1 && !(d->flags & IFF_MULTI_QUEUE))
		action = 0;
	if (action == 0 && !w->priv)
		action = 2;
	k = calloc(1, sizeof(*k));
	if (!k)
		return;
	k->fd = s->fd;
	k->nonblock = s->nonblock;
	k->writer = pct(40) && d->up;
	k->poller = !k->writer && pct(30);
	k->frame = w->buf + (1 << 20);
	if (k->writer) {
		size_t off = d->flags & IFF_NO_PI ? 0 : sizeof(struct tun_pi);
		/* A file in batch mode writes one record at a time. */
		size_t rec = s->batch & VNL_BATCH_WRITE ? sizeof(struct vnl_batch_hdr) : 0;
		struct vnl_batch_hdr h = { 0, 0 };
		uint8_t *f = k->frame + rec;

		/* An empty vnet header: nothing asked of the stack. */
		if (d->flags & IFF_VNET_HDR)
			off += d->vnet_sz;
		memset(f, 0, off);
		h.len = off + 60;	/* fits any MTU: 68 and up */
		gen_packet(d, f + off, 60);
		if (!is_tap(d))
			f[off] = 0x45;
		memcpy(k->frame, &h, rec);
		k->len = rec + h.len;
	}
	set_op("%s thread on slot %d (%s), then %s", k->writer ? "writer" : k->poller ?
	       "poller" : "reader", si, d->name,
	       action == 0 ? "LINK_DEL" : action == 1 ? "TUNSETQUEUE detach" : "down and close");
	st->threads++;
	if (pthread_create(&t, NULL, work, k)) {
		fz_fail("pthread_create: %s", strerror(errno));
		free(k);
		return;
	}
	usleep(5000 + rn(30000));

	if (action == 0) {
		err = genl_del(w, d->name);
		if (err)
			fz_fail("LINK_DEL of %s under a %s: %s", d->name,
				k->writer ? "writer" : "reader", en(err));
		else
			st->deleted_genl++, dev_gone(w, di);
	} else if (action == 1) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_flags = IFF_DETACH_QUEUE;
		if (ioctl(s->fd, TUNSETQUEUE, &ifr))
			fz_fail("TUNSETQUEUE detach under a thread: %s", strerror(errno));
		else
			s->st = S_DETACHED;
	} else if (k->writer && w->priv) {
		err = if_down(d->name);
		if (err)
			fz_fail("down %s under a writer: %s", d->name, strerror(-err));
		else
			d->up = false;
		usleep(2000);
	}
	k->stop = true;
	if (!k->writer && action == 2) {
		/* Nothing wakes a reader here: interrupt it, until it notices
		 * (a signal between two of its calls interrupts neither).
		 */
		for (err = EBUSY; err == EBUSY;) {
			pthread_kill(t, SIGUSR1);
			err = pthread_tryjoin_np(t, NULL);
			if (err == EBUSY)
				usleep(20000);
		}
	}

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += watchdog_s / 2;
	err = !k->writer && action == 2 ? 0 : pthread_timedjoin_np(t, NULL, &dl);
	if (err) {
		fz_fail("the %s thread did not return after %s",
			k->writer ? "writer" : k->poller ? "poller" : "reader", st->op);
		pthread_kill(t, SIGUSR1);
		dl.tv_sec += 5;
		if (pthread_timedjoin_np(t, NULL, &dl)) {
			fprintf(stderr, "# the thread is stuck in the kernel: giving up\n");
			_exit(3);
		}
		free(k);
		return;
	}
	if (k->bad)
		fz_fail("the writer got %lu unexpected results (last %s)", k->bad, en(k->bad_err));
	if (!k->writer && action == 0 && k->last != -EBADFD &&
	    k->revents != (POLLERR | POLLHUP))
		fz_fail("the %s woke with %s, revents 0x%x after LINK_DEL",
			k->poller ? "poller" : "reader", en(k->last), k->revents);
	if (!k->writer && action == 1 && k->last != -EBADFD && !(k->revents & POLLERR))
		fz_fail("the %s woke with %s, revents 0x%x after the detach",
			k->poller ? "poller" : "reader", en(k->last), k->revents);
	free(k);
}

/* --- setting up, the loop, cleaning up --------------------------------------- */

static int count_fds(void)
{
	char path[64];
	int n = 0, fd;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (!access(path, F_OK))
			n++;
	}
	return n;
}

static void world_init(struct __test_metadata *_metadata, struct world *w, bool priv)
{
	struct sigaction sa;
	int i, err;

	memset(w, 0, sizeof(*w));
	w->priv = priv;
	for (i = 0; i < NSLOTS; i++)
		w->s[i].fd = -1;
	w->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->rdonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->noaccess = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, w->buf);
	ASSERT_NE(MAP_FAILED, w->rdonly);
	ASSERT_NE(MAP_FAILED, w->noaccess);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	sa.sa_handler = on_usr1;
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */

	err = vnl_nl_open(&w->nl);
	ASSERT_EQ(0, err);
	err = vnl_nl_resolve(&w->nl, VNL_GENL_NAME, &w->nl.family);
	ASSERT_EQ(0, err) TH_LOG("genl family \"vnl\" not found: is vnl.ko loaded?");
}

/* A netns of our own, with a vnl pair in it (a vnl device that is no tun). */
static void world_setup(struct __test_metadata *_metadata, struct world *w)
{
	int err;

	/* IPv6 off: devices come and go much faster without addrconf, and
	 * IPv4 (ICMP, ARP) is enough for the stack to answer.
	 */
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	vnl_nl_close(&w->nl);
	ASSERT_EQ(0, vnl_nl_open(&w->nl));
	ASSERT_EQ(0, vnl_nl_resolve(&w->nl, VNL_GENL_NAME, &w->nl.family));
	err = vnl_link_new_pair(&w->nl, "fzpair0", "fzpair1", NULL);
	ASSERT_EQ(0, err) TH_LOG("LINK_NEW of a pair: %s", strerror(-err));
	ASSERT_EQ(0, if_get_hwaddr("fzpair0", w->pair_mac, NULL));
	w->nfds_start = count_fds();
}

static double now(void);

/* VNL_FUZZ_VERBOSE: where the time goes, by the first word of the step. */
static void account(const char *op, double secs)
{
	static struct { char what[24]; double secs; unsigned long n; } acc[32];
	int i;

	for (i = 0; op && i < 32; i++) {
		if (!acc[i].what[0])
			snprintf(acc[i].what, sizeof(acc[i].what), "%.*s",
				 (int)strcspn(op, " "), op);
		if (!strncmp(acc[i].what, op, strcspn(op, " ")) &&
		    strlen(acc[i].what) == strcspn(op, " ")) {
			acc[i].secs += secs;
			acc[i].n++;
			return;
		}
	}
	for (i = 0; !op && i < 32 && acc[i].what[0]; i++)
		fprintf(stderr, "# time: %-20s %6lu steps %8.2f s\n", acc[i].what, acc[i].n,
			acc[i].secs);
}

static void fuzz(struct world *w, unsigned long n)
{
	bool verbose = getenv("VNL_FUZZ_VERBOSE");
	double t0 = now(), t = t0, t1;
	unsigned long i;
	int k;

	for (i = 0; i < n; i++) {
		if (verbose) {
			t1 = now();
			if (i)
				account(st->op, t1 - t);
			if (t1 - t > 0.5)
				fprintf(stderr, "# slow step %lu: %.2f s: %s\n", i - 1, t1 - t, st->op);
			if (i % 500 == 0)
				fprintf(stderr, "# step %lu at %.1f s\n", i, t1 - t0);
			t = t1;
		}
		st->step = i;
		st->steps++;
		alarm(watchdog_s);
		k = rn(10000);
		/* nobody can only attach to what exists: open and close more */
		if (!w->priv && pct(3))
			k = rn(110);
		/* Cheap steps mostly: making, configuring and deleting devices,
		 * closing and detaching queues wait for RCU grace periods,
		 * which are slow under TCG (a second or more on a busy host).
		 */
		if (k < 80)
			op_open(w);
		else if (k < 110)
			op_close(w);
		else if (k < 610)
			op_setiff(w);
		else if (k < 690)
			op_setqueue(w);
		else if (k < 1890)
			op_devioctl(w);
		else if (k < 2890)
			op_rndioctl(w);
		else if (k < 3090)
			op_batchioctl(w);
		else if (k < 6540)
			op_write(w);
		else if (k < 9140)
			op_read(w);
		else if (k < 9540)
			op_poll(w);
		else if (k < 9740)
			op_config(w);
		else if (k < 9744)
			op_linkdel(w);
		else if (k < 9750)
			op_face(w);
		else if (k < 9944)
			op_verify(w);
		else if (k < 9990)
			op_nonblock(w);
		else
			op_thread(w);
	}
	alarm(0);
	if (verbose)
		account(NULL, 0);
}

/* Close everything; what is left must be what was made persistent, and
 * goes through LINK_DEL; then no vnl device but the pair may remain.
 */
static void cleanup(struct world *w)
{
	struct fz_dev *dev = calloc(64, sizeof(*dev));
	struct dump dm = { dev, 0 };
	int i, j, err, n;

	alarm(watchdog_s);
	for (i = 0; i < NSLOTS; i++)
		if (w->s[i].st != S_CLOSED)
			close_slot(w, i);
	set_op("cleanup");
	n = count_fds();
	if (n != w->nfds_start)
		fz_fail("%d descriptors open after closing them all, %d before", n, w->nfds_start);
	if (genl_dump(w, &dm))
		fz_fail("LINK_GET dump failed");
	for (i = 0; i < dm.n; i++) {
		if (!strncmp(dev[i].name, "fzpair", 6))
			continue;
		j = find_dev(w, dev[i].name);
		if (j < 0 || !outlives_files(&w->d[j]))
			fz_fail("%s is left after its last descriptor closed (%s)", dev[i].name,
				j < 0 ? "never seen made" : "not persistent");
		/* A face never says IFF_PERSIST: it is the child that lasts. */
		if (!(dev[i].tun_flags & IFF_PERSIST) != !!dev[i].tap_face || dev[i].tun_queues)
			fz_fail("%s is left with flags 0x%x, tap face 0x%x and %u queues",
				dev[i].name, dev[i].tun_flags, dev[i].tap_face, dev[i].tun_queues);
		err = genl_del(w, dev[i].name);
		if (err)
			fz_fail("LINK_DEL of %s: %s", dev[i].name, strerror(-err));
		st->leftovers++;
		if (j >= 0)
			w->d[j].used = false;
	}
	for (i = 0; i < MAXDEVS; i++)
		if (w->d[i].used && outlives_files(&w->d[i]))
			fz_fail("%s %s is gone", w->d[i].face ? "tap face" : "persistent",
				w->d[i].name);
	if (genl_del(w, "fzpair0"))
		fz_fail("LINK_DEL of fzpair0 failed");
	if (genl_dump(w, &dm) || dm.n)
		fz_fail("%d vnl devices left after the cleanup", dm.n);
	alarm(0);
	free(dev);
}

static void summary(const char *which, double secs)
{
	char line[2048];
	size_t off = 0;
	int k, e;

	for (k = 0; k < K_N; k++) {
		off += snprintf(line + off, sizeof(line) - off, "%s%s ok:%lu", k ? "; " : "",
				kind_name[k], st->ok[k]);
		for (e = 0; e < NERR && off < sizeof(line); e++)
			if (st->err[k][e])
				off += snprintf(line + off, sizeof(line) - off, " %s:%lu",
						e ? strerrorname_np(e) ?: "?" : "other", st->err[k][e]);
		if (off >= sizeof(line))
			break;
	}
	printf("# fuzz_chardev %s: seed %llu: %lu steps in %.1f s; %s; descriptors opened %lu closed %lu; "
	       "devices created %lu, deleted by last close %lu, by LINK_DEL %lu, persistent left %lu; "
	       "frames written %lu (%lu bytes), read %lu (%lu bytes, %lu truncated); "
	       "reads interrupted %lu; threads %lu; tap faces made %lu, attached to %lu times, "
	       "frames written to them %lu; failures %lu\n",
	       which, fz_seed, st->steps, secs, line, st->opened, st->closed, st->created,
	       st->deleted_close, st->deleted_genl, st->leftovers, st->frames_out, st->bytes_out,
	       st->frames_in, st->bytes_in, st->truncated, st->interrupted, st->threads, st->faces,
	       st->face_attached, st->face_frames_out, st->fails);
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The line the fault, stress and fuzz tests end with (the format is
 * selftests/fault_lib.sh's), for tools/stress and tools/check to add up;
 * printed by the harness's own process once the cases are done.
 * messages: the steps fuzzed; ops: the control calls among them (ioctls,
 * configuration, genl requests); packets: the frames written; errors:
 * every call refused as predicted, and by errno as err_*.  No faults are
 * counted: a device deleted under its descriptors is one kind of step.
 */
static void report_print(void)
{
	static const int control[] = { K_IOCTL, K_RNDIOCTL, K_CONFIG, K_GENL };
	unsigned long err[NERR] = { 0 }, ops = 0, errors = 0, steps = 0;
	unsigned long frames_out = 0, frames_in = 0, fails = 0;
	const struct stats *c;
	const char *name;
	int i, k, e;

	if (getpid() != fz_harness_pid)
		return;
	for (i = 0; i < CASE_N; i++) {
		c = &case_st[i];
		steps += c->steps;
		frames_out += c->frames_out;
		frames_in += c->frames_in;
		fails += c->fails;
		for (k = 0; k < K_N; k++) {
			for (e = 0; e < NERR; e++) {
				err[e] += c->err[k][e];
				errors += c->err[k][e];
			}
		}
		for (k = 0; k < (int)ARRAY_SIZE(control); k++) {
			ops += c->ok[control[k]];
			for (e = 0; e < NERR; e++)
				ops += c->err[control[k]][e];
		}
	}
	printf("# vnl-report: fuzz_chardev faults=0 ops=%lu packets=%lu errors=%lu messages=%lu "
	       "frames_read=%lu failures=%lu",
	       ops, frames_out, errors, steps, frames_in, fails);
	for (e = 0; e < NERR; e++) {
		if (!err[e])
			continue;
		name = e ? strerrorname_np(e) : NULL;
		printf(" err_%s=%lu", name ?: "other", err[e]);
	}
	putchar('\n');
	fflush(stdout);
}

/* TEST() leaves its variant parameter unused. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

TEST(privileged)
{
	static struct world w;
	double t0 = now();

	st = &case_st[CASE_PRIVILEGED];
	fz_case = "privileged";
	rng = fz_seed;
	world_init(_metadata, &w, true);
	world_setup(_metadata, &w);
	op_face(&w);
	op_face(&w);
	fuzz(&w, fz_count);
	cleanup(&w);
	summary("privileged", now() - t0);
	EXPECT_EQ(0UL, st->fails) TH_LOG("replay with VNL_FUZZ_SEED=%llu VNL_FUZZ_COUNT=%lu",
					 fz_seed, fz_count);
	/* The faces were met, not only made: some 200 TUNSETIFFs in 4,000
	 * steps, one in six or so on a face's name (gen_ifname).
	 */
	if (fz_count >= 4000) {
		EXPECT_LT(0UL, st->face_attached);
		EXPECT_LT(0UL, st->face_frames_out);
	}
}

static int drop_privileges(void)
{
	char line[256];
	FILE *f;
	int ok = 0;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "CapEff:", 7) && strtoull(line + 7, NULL, 16) == 0)
			ok = 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* nobody, on persistent devices root made: unowned ones (anyone may
 * attach), nobody's, and root's (EPERM), and two tap faces; no device can
 * be created.
 */
TEST(unprivileged)
{
	static const struct { const char *name; unsigned short flags; int owner, group; } mk[] = {
		{ "fzu0", IFF_TUN | IFF_NO_PI, -1, -1 },
		{ "fzu1", IFF_TAP, -1, -1 },
		{ "fzu2", IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE, -1, -1 },
		{ "fzu3", IFF_TUN | IFF_MULTI_QUEUE, NOBODY, -1 },
		{ "fzu4", IFF_TAP | IFF_NO_PI, 0, -1 },
		{ "fzu5", IFF_TUN, -1, 0 },
		{ "fzu6", IFF_TAP, -1, NOBODY },
	};
	static struct world w;
	double t0 = now();
	unsigned long n = fz_count / 4 ?: 1;
	int i, fd, di, status;
	pid_t pid;

	st = &case_st[CASE_UNPRIVILEGED];
	fz_case = "unprivileged";
	rng = fz_seed ^ 0x756e707269760aULL;
	world_init(_metadata, &w, true);
	world_setup(_metadata, &w);
	for (i = 0; i < (int)ARRAY_SIZE(mk); i++) {
		char name[IFNAMSIZ];

		snprintf(name, IFNAMSIZ, "%s", mk[i].name);
		fd = tun_alloc(name, mk[i].flags);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", mk[i].name, strerror(-fd));
		di = dev_new(&w, name, mk[i].flags);
		ASSERT_LE(0, di);
		ASSERT_EQ(0, ioctl(fd, TUNSETPERSIST, 1));
		w.d[di].persist = true;
		if (mk[i].owner >= 0) {
			ASSERT_EQ(0, ioctl(fd, TUNSETOWNER, mk[i].owner));
			w.d[di].owner_set = true;
			w.d[di].owner = mk[i].owner;
		}
		if (mk[i].group >= 0) {
			ASSERT_EQ(0, ioctl(fd, TUNSETGROUP, mk[i].group));
			w.d[di].group_set = true;
			w.d[di].group = mk[i].group;
		}
		configure(&w, di);
		close(fd);
	}
	/* Two faces root made, unowned: nobody may attach to them. */
	for (i = 0; i < 2; i++) {
		di = face_new(&w, "fzuf");
		ASSERT_LE(0, di);
		configure(&w, di);
	}
	ASSERT_EQ(0UL, st->fails);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (drop_privileges()) {
			fz_fail("could not drop privileges");
			_exit(1);
		}
		w.priv = false;
		fuzz(&w, n);
		/* Close as nobody: persistence may have been switched off. */
		for (i = 0; i < NSLOTS; i++)
			if (w.s[i].st != S_CLOSED)
				close_slot(&w, i);
		_exit(st->fails ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the unprivileged child failed (status 0x%x)", status);
	/* What it left is root's to clean: the child's view died with it. */
	for (i = 0; i < MAXDEVS; i++)
		w.d[i].used = false;
	{
		struct fz_dev *dev = calloc(64, sizeof(*dev));
		struct dump dm = { dev, 0 };

		ASSERT_NE(NULL, dev);
		if (genl_dump(&w, &dm))
			fz_fail("LINK_GET dump failed");
		for (i = 0; i < dm.n; i++) {
			if (!strncmp(dev[i].name, "fzpair", 6))
				continue;
			if (strncmp(dev[i].name, "fzu", 3))
				fz_fail("nobody made %s", dev[i].name);
			if (dev[i].tun_queues)
				fz_fail("%s has %u queues with nobody's descriptors closed",
					dev[i].name, dev[i].tun_queues);
			if (genl_del(&w, dev[i].name))
				fz_fail("LINK_DEL of %s failed", dev[i].name);
			st->leftovers++;
		}
		if (genl_del(&w, "fzpair0"))
			fz_fail("LINK_DEL of fzpair0 failed");
		if (genl_dump(&w, &dm) || dm.n)
			fz_fail("%d vnl devices left after the cleanup", dm.n);
		free(dev);
	}
	summary("unprivileged", now() - t0);
	EXPECT_EQ(0UL, st->fails) TH_LOG("replay with VNL_FUZZ_SEED=%llu VNL_FUZZ_COUNT=%lu",
					 fz_seed, fz_count);
}

TEST_HARNESS_MAIN
