// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_genl: a seeded, reproducible fuzzer of the "vnl" generic netlink
 * family.
 *
 * Thousands of requests: every command (unknown ones and the event-only
 * VNL_CMD_LINK_CHANGE included) with doit and dump flags, and attributes
 * missing, duplicated, oversized, truncated, of the wrong type or length,
 * out of range, nested where they should not be and filled with garbage
 * where they should be (VNL_A_PEER, VNL_A_STATS, VNL_A_MACADDR_LIST), a
 * macvlan child's VNL_A_TAP_FACE of every value (only IFF_TAP, with or
 * without IFF_MULTI_QUEUE, makes a tap face; a pair refuses it); bad
 * netns fds and pids, names with odd bytes, broken netlink and genl headers,
 * several messages in one datagram.  A few requests in a hundred are valid
 * and their outcome is known exactly (pairs and macvlan children, some
 * with a tap face, created, changed, read back and deleted), so that the
 * fuzzed ones meet real devices.
 *
 * Every reply is checked: an NLMSG_ERROR whose errno belongs to what the
 * command can return (the genl core's checks are predicted exactly), a
 * well-formed echo of the request, extack attributes in bounds and a
 * NUL-terminated printable message; data messages whose attributes, nested
 * ones too, have the types and lengths of include/uapi/linux/vnl.h; a dump
 * ending in NLMSG_DONE.  The events of the "monitor" group are checked the
 * same way, and every device announced must be announced gone by the end.
 * A periodic dump of every netns must only show devices some reply
 * created; at the end every vnl device is deleted, and none may be left.
 *
 * Two cases: "privileged" (root), and "unprivileged", where a child that
 * dropped to nobody and every capability must get EPERM for every
 * state-changing command and valid answers to GET_VERSION and LINK_GET,
 * while nothing changes.  Last, the harness's own process prints the
 * "# vnl-report:" line of both cases (requests, refusals by errno) that
 * tools/stress adds up.
 *
 *	VNL_FUZZ_SEED	the seed (default: from the clock), printed first
 *	VNL_FUZZ_COUNT	requests of the privileged case (the unprivileged one
 *			sends a quarter); default 20000, 4000 on the debug kernel
 *
 * The same seed and count replay the same requests as long as the kernel
 * answers the same (the valid requests pick devices from dumps).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/vnl.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "vnl_genl.h"
#include "fuzz_check.h"

#ifndef NLM_F_DUMP_FILTERED
#define NLM_F_DUMP_FILTERED	0x20
#endif

#define NOBODY		65534
#define FZ_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define FZ_DGRAM_MAX	(150 * 1024)	/* below the default sndbuf */
#define FZ_RBUF_SIZE	(1024 * 1024)
#define FZ_BATCH_MAX	3
#define FZ_MAX_DEVS	1024
#define FZ_MAX_REPORTS	30
#define FZ_RECV_TIMEOUT	60		/* s: a reply that never comes is a hang */
/* Devices the fuzzing may leave around before a cleanup round. */
#define FZ_DEV_HIGH	40
#define FZ_DEV_LOW	16

enum { NS_MAIN, NS_AUX, NS_INIT, NS_N };
static const char *const ns_name[NS_N] = { "main", "aux", "init" };

/* --- run parameters ------------------------------------------------------ */

static unsigned long long fz_seed;
static unsigned long fz_count;
static const char *fz_kernel = "";

__attribute__((constructor)) static void fz_params(void)
{
	const char *s = getenv("VNL_FUZZ_SEED");
	const char *c = getenv("VNL_FUZZ_COUNT");
	struct timespec ts;

	fz_kernel = getenv("VNL_KERNEL") ?: "";
	if (s && *s) {
		fz_seed = strtoull(s, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		fz_seed = ((unsigned long long)ts.tv_sec * 1000003ULL) ^
			  (unsigned long long)ts.tv_nsec ^ ((unsigned long long)getpid() << 32);
	}
	if (c && *c)
		fz_count = strtoul(c, NULL, 0);
	else
		fz_count = !strcmp(fz_kernel, "debug") ? 4000 : 20000;
	printf("# fuzz_genl: seed %llu, count %lu, kernel %s (replay: VNL_FUZZ_SEED=%llu VNL_FUZZ_COUNT=%lu)\n",
	       fz_seed, fz_count, *fz_kernel ? fz_kernel : "?", fz_seed, fz_count);
	fflush(stdout);
}

/* --- the random stream: splitmix64 --------------------------------------- */

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

/* --- counters, shared with the unprivileged child and the harness ---------- */

#define FZ_NERR 134

struct fz_stats {
	unsigned long msgs;		/* fuzz requests sent */
	unsigned long dgrams;		/* datagrams they went in */
	unsigned long valid;		/* valid requests, outcome checked */
	unsigned long ok;		/* answered with success */
	unsigned long silent;		/* no answer, as predicted */
	unsigned long data;		/* data messages received */
	unsigned long err[FZ_NERR];	/* refusals, by errno */
	unsigned long created;		/* devices LINK_NEW replies described */
	unsigned long deleted;		/* LINK_DEL that succeeded */
	unsigned long cleaned;		/* devices deleted by cleanup rounds */
	unsigned long leftovers;	/* devices deleted at the end */
	unsigned long netns_gone;	/* devices deleted with their netns */
	unsigned long ev_new, ev_del, ev_change, ev_overrun;
	unsigned long fails;
	unsigned long iter;
};

static struct fz_stats *st;
static const char *fz_case = "";

/* Each case's counters (st points at its own), added up by report_print. */
static struct fz_stats *case_st;

static void report_print(void);

__attribute__((constructor)) static void fz_map_stats(void)
{
	case_st = fz_map_cases(sizeof(*case_st), "fuzz_genl");
	atexit(report_print);
}

static void fz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void fz_fail(const char *fmt, ...)
{
	va_list ap;

	st->fails++;
	if (st->fails > FZ_MAX_REPORTS) {
		if (st->fails == FZ_MAX_REPORTS + 1)
			fprintf(stderr, "# FAIL: more failures, not shown\n");
		return;
	}
	fprintf(stderr, "# FAIL [%s, seed %llu, request %lu]: ", fz_case,
		fz_seed, st->iter);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void hexdump(const char *what, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	if (st->fails > FZ_MAX_REPORTS)
		return;
	fprintf(stderr, "#   %s (%zu bytes):", what, n);
	for (i = 0; i < n && i < 512; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n#     ", b[i]);
	fprintf(stderr, "%s\n", n > 512 ? " ..." : "");
}

static void count_err(int err)
{
	if (err < 0 && -err < FZ_NERR)
		st->err[-err]++;
	else if (err)
		st->err[0]++;
}

/* --- the names every reply or event described ---------------------------- */

#define FZ_NAMES (1 << 16)
static char (*known)[IFNAMSIZ];

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static void known_add(const char *name)
{
	uint32_t i = name_hash(name) & (FZ_NAMES - 1);
	unsigned int n;

	for (n = 0; n < FZ_NAMES; n++, i = (i + 1) & (FZ_NAMES - 1)) {
		if (!known[i][0]) {
			snprintf(known[i], IFNAMSIZ, "%s", name);
			return;
		}
		if (!strcmp(known[i], name))
			return;
	}
}

static bool known_has(const char *name)
{
	uint32_t i = name_hash(name) & (FZ_NAMES - 1);
	unsigned int n;

	for (n = 0; n < FZ_NAMES && known[i][0]; n++, i = (i + 1) & (FZ_NAMES - 1))
		if (!strcmp(known[i], name))
			return true;
	return false;
}


/* --- building requests ----------------------------------------------------- */

struct mb {
	uint8_t *buf;
	size_t len, cap;
	unsigned int mut;	/* per-attribute mutation chance, in percent */
};

static void mb_raw(struct mb *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *nla;
	size_t space;

	if (len > 0xffff - NLA_HDRLEN)
		len = 0xffff - NLA_HDRLEN;
	space = NLA_ALIGN(NLA_HDRLEN + len);
	if (m->len + space > m->cap)
		return;
	nla = (struct nlattr *)(m->buf + m->len);
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	memset(m->buf + m->len + NLA_HDRLEN + len, 0, space - NLA_HDRLEN - len);
	m->len += space;
}

static uint16_t fuzz_type(void)
{
	switch (rn(5)) {
	case 0:
		return 0;
	case 1:
		return VNL_A_MAX + 1 + rn(4);
	case 2:
		return (uint16_t)r64();
	default:
		return 1 + rn(VNL_A_MAX);
	}
}

/* An attribute, perhaps mutated: left out, doubled, retyped, cut short,
 * extended with junk, flagged, or replaced by random bytes.
 */
static void mb_put(struct mb *m, uint16_t type, const void *data, size_t len)
{
	uint8_t tmp[96];
	size_t n;

	if (!pct(m->mut)) {
		mb_raw(m, type, data, len);
		return;
	}
	switch (rn(9)) {
	case 0:			/* missing */
		return;
	case 1:			/* duplicated */
		mb_raw(m, type, data, len);
		break;
	case 2:
		type = fuzz_type();
		break;
	case 3:			/* too short */
		len = len ? rn(len) : 0;
		break;
	case 4:			/* too long */
		n = len < 64 ? len : 64;
		memcpy(tmp, data, n);
		len = 1 + rn(16);
		rbytes(tmp + n, len);
		mb_raw(m, type, tmp, n + len);
		return;
	case 5:
		type |= pct(50) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 6:			/* random bytes, same length */
		n = len < sizeof(tmp) ? len : sizeof(tmp);
		rbytes(tmp, n);
		mb_raw(m, type, tmp, n);
		return;
	case 7:			/* random bytes, random length */
		n = rn(sizeof(tmp));
		rbytes(tmp, n);
		mb_raw(m, type, tmp, n);
		return;
	case 8:			/* zero length */
		len = 0;
		break;
	}
	mb_raw(m, type, data, len);
}

static void mb_u32(struct mb *m, uint16_t type, uint32_t v)
{
	mb_put(m, type, &v, sizeof(v));
}

static size_t mb_nest_start(struct mb *m, uint16_t type)
{
	size_t off = m->len;

	if (!pct(m->mut) || pct(50))
		type |= NLA_F_NESTED;
	mb_raw(m, type, NULL, 0);
	return off;
}

static void mb_nest_end(struct mb *m, size_t off)
{
	struct nlattr *nla;
	size_t len;

	if (off + NLA_HDRLEN > m->len)
		return;		/* the nest did not fit */
	nla = (struct nlattr *)(m->buf + off);
	len = m->len - off;
	if (len > 0xffff)
		len = 0xffff;
	if (pct(m->mut / 2 + (m->mut ? 1 : 0))) {
		switch (rn(4)) {
		case 0:		/* cuts its contents */
			len = NLA_HDRLEN + rn(len - NLA_HDRLEN + 1);
			break;
		case 1:		/* claims more than it holds */
			len += 1 + rn(64);
			break;
		case 2:
			len = rn(NLA_HDRLEN);
			break;
		default:	/* unaligned */
			len = len > NLA_HDRLEN ? len - 1 - rn(3) : len;
			break;
		}
	}
	nla->nla_len = len > 0xffff ? 0xffff : (uint16_t)len;
}

/* --- the world: netns, sockets, parents, the last dump -------------------- */

struct fz_parent {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	uint8_t mac[ETH_ALEN];
};

struct fz_world {
	bool priv;
	uint16_t family;
	uint32_t mon_group;
	struct vnl_nl nl[NS_N];		/* requests; [NS_MAIN] gets the fuzz */
	struct vnl_nl mon[NS_N];	/* the monitor group */
	bool has[NS_N];
	int nsfd[NS_N];
	pid_t helper;			/* a process in the aux netns */
	int file_fd, mntns_fd, closed_fd;
	struct fz_parent parent[3];	/* dummy, veth and its peer, in main */
	struct fz_dev *dev;		/* the last dump of every netns */
	int ndev;
	char baseline[64][IFNAMSIZ];	/* vnl devices of init before we started */
	int nbaseline;
	unsigned long fresh;		/* for names no device ever had */
};

static char *rbuf;

/* --- netlink plumbing -------------------------------------------------------- */

static int sock_prepare(struct vnl_nl *nl)
{
	struct timeval tv = { .tv_sec = FZ_RECV_TIMEOUT };
	int sz = 4 << 20;

	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	/* Root may go past rmem_max; nobody gets what it gets. */
	if (setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(nl->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return 0;
}

/* Since 6.1 the genl core refuses (EINVAL) a request whose reserved
 * header byte is not 0 or that carries flags it does not know
 * ("genetlink: start to validate reserved header bytes"); 5.10 hands both
 * to the family's handler as if they were clean.
 */
static bool core_checks_header(void)
{
	static int checks = -1;
	unsigned int major, minor;
	struct utsname u;

	if (checks < 0)
		checks = !uname(&u) &&
			 sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
			 (major > 6 || (major == 6 && minor >= 1));
	return checks;
}

static int open_genl(struct fz_world *w, struct vnl_nl *nl)
{
	int err = vnl_nl_open(nl);

	if (err)
		return err;
	err = vnl_nl_resolve(nl, VNL_GENL_NAME, &nl->family);
	if (!err)
		err = sock_prepare(nl);
	if (!err && w->family && nl->family.id != w->family)
		err = -EPROTO;
	return err;
}


/* One message of a datagram, and what must come back for it. */
struct fz_req {
	size_t off, len;	/* where it lies in the datagram */
	uint32_t seq;
	bool processed;		/* the kernel reads it as a message */
	bool ack_only;		/* not for genl: an ack iff NLM_F_ACK */
	bool handler;		/* the family's handler decides */
	bool dump;
	bool busy_ok;		/* a dump after another one in the datagram */
	int core_err;		/* what the genl core must answer, if not 0 */
	int core_err2;		/* ...or this */
	uint8_t cmd;
	uint16_t flags;
	/* outcome */
	int ndata;
	bool ended, done;
	int error;
	char extack[160];
	struct fz_dev reply;	/* the device of a LINK_NEW/LINK_GET reply */
	bool has_reply;
};

struct fz_dgram {
	uint8_t buf[FZ_DGRAM_MAX];
	size_t len;
	int n;
	struct fz_req req[FZ_BATCH_MAX];
	bool cap_ack;
};

/* Called for each data message of a dump. */
typedef void (*dump_cb)(const struct fz_dev *d, void *arg);

/* NETLINK_CAP_ACK decides whether a refusal echoes the whole request. */
static void set_cap_ack(struct vnl_nl *nl, struct fz_dgram *d, bool on)
{
	int v = on;

	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, sizeof(v)))
		fz_fail("NETLINK_CAP_ACK: %s", strerror(errno));
	d->cap_ack = on;
}

static bool cmd_known(uint8_t cmd)
{
	return cmd == VNL_CMD_GET_VERSION || cmd == VNL_CMD_LINK_NEW ||
	       cmd == VNL_CMD_LINK_DEL || cmd == VNL_CMD_LINK_GET ||
	       cmd == VNL_CMD_LINK_SET;
}

static bool cmd_changes(uint8_t cmd)
{
	return cmd == VNL_CMD_LINK_NEW || cmd == VNL_CMD_LINK_DEL ||
	       cmd == VNL_CMD_LINK_SET;
}

/* What netlink_rcv_skb and the genl core (genl_family_rcv_msg) will do
 * with each message, before any handler runs.
 */
static void plan(struct fz_world *w, struct vnl_nl *nl, struct fz_dgram *d)
{
	size_t off = 0, rem = d->len, msglen;
	bool dump_seen = false;
	int i;

	for (i = 0; i < d->n; i++) {
		struct fz_req *r = &d->req[i];
		struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + r->off);

		memset(&r->seq, 0, sizeof(*r) - offsetof(struct fz_req, seq));
		r->seq = nl->seq++;
		if (r->off + NLMSG_HDRLEN <= d->len)
			h->nlmsg_seq = r->seq;
	}

	i = 0;
	while (rem >= NLMSG_HDRLEN && i < d->n) {
		struct nlmsghdr *h = (struct nlmsghdr *)(d->buf + off);
		struct genlmsghdr *g = NLMSG_DATA(h);
		struct fz_req *r = &d->req[i];
		uint16_t f;

		if (r->off != off) {
			fprintf(stderr, "fuzz_genl: plan: message %d at %zu, not %zu\n",
				i, r->off, off);
			abort();
		}
		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > rem)
			break;
		r->processed = true;
		r->flags = h->nlmsg_flags;
		if (!(h->nlmsg_flags & NLM_F_REQUEST) || h->nlmsg_type < NLMSG_MIN_TYPE) {
			r->ack_only = true;
		} else if (h->nlmsg_type != w->family) {
			r->core_err = -ENOENT;
		} else if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
			r->core_err = -EINVAL;
		} else {
			f = h->nlmsg_flags;
			if ((f & NLM_F_DUMP) == NLM_F_DUMP)
				f &= ~NLM_F_DUMP;
			r->cmd = g->cmd;
			r->dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
			if (core_checks_header() &&
			    (g->reserved || (f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))))
				r->core_err = -EINVAL;
			else if (!cmd_known(g->cmd))
				r->core_err = -EOPNOTSUPP;
			else if (!w->priv && cmd_changes(g->cmd))
				/* 6.1 checks permissions first, 6.12 the dumpit */
				r->core_err = -EPERM, r->core_err2 = r->dump ? -EOPNOTSUPP : 0;
			else if (r->dump && g->cmd != VNL_CMD_LINK_GET)
				r->core_err = -EOPNOTSUPP;
			else
				r->handler = true;
			if (r->handler && r->dump) {
				r->busy_ok = dump_seen;
				dump_seen = true;
			}
		}
		msglen = NLMSG_ALIGN(h->nlmsg_len);
		if (msglen > rem)
			msglen = rem;
		off += msglen;
		rem -= msglen;
		i++;
	}
}

static bool err_in(int err, const int *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (err == -set[i])
			return true;
	return false;
}

/* What each command's handler may refuse with (kmod/genl.c, demux.c,
 * pair.c, the policy, register_netdevice).
 */
static bool handler_err_ok(const struct fz_req *r, int err)
{
	static const int version[] = { EINVAL, ERANGE, ENOMEM };
	static const int get[] = { EINVAL, ERANGE, ENODEV, ENOMEM };
	static const int dump[] = { EINVAL, ERANGE, ENOMEM };
	static const int del[] = { EINVAL, ERANGE, ENODEV };
	static const int set[] = { EINVAL, ERANGE, ENODEV, EOPNOTSUPP, ENOENT,
				   ENOSPC, ENOMEM };
	static const int new[] = { EINVAL, ERANGE, EOPNOTSUPP, EBADF, ESRCH,
				   EEXIST, ENODEV, EBUSY, EADDRINUSE, ENOMEM };

	if (r->dump)
		return err_in(err, dump, FZ_ARRAY_SIZE(dump)) ||
		       (r->busy_ok && err == -EBUSY);
	switch (r->cmd) {
	case VNL_CMD_GET_VERSION:
		return err_in(err, version, FZ_ARRAY_SIZE(version));
	case VNL_CMD_LINK_GET:
		return err_in(err, get, FZ_ARRAY_SIZE(get));
	case VNL_CMD_LINK_DEL:
		return err_in(err, del, FZ_ARRAY_SIZE(del));
	case VNL_CMD_LINK_SET:
		return err_in(err, set, FZ_ARRAY_SIZE(set));
	case VNL_CMD_LINK_NEW:
		return err_in(err, new, FZ_ARRAY_SIZE(new));
	}
	return false;
}

/* The extack attributes of an NLMSG_ERROR or NLMSG_DONE. */
static void check_tlvs(struct fz_req *r, const uint8_t *p, size_t len,
		       size_t req_len, const char *what)
{
	const struct nlattr *nla;
	struct it it;
	uint32_t v;

	it_init(&it, p, len);
	while ((nla = it_next(&it))) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (!check_str(nla, 1024, false, r->extack, sizeof(r->extack)))
				fz_fail("%s: extack message is not NUL-terminated printable text", what);
			break;
		case NLMSGERR_ATTR_OFFS:
		case NLMSGERR_ATTR_MISS_NEST:
			if (A_LEN(nla) != 4) {
				fz_fail("%s: extack offset of %zu bytes", what, A_LEN(nla));
				break;
			}
			v = get_u32(nla);
			if (req_len && (v < NLMSG_LENGTH(GENL_HDRLEN) || v >= req_len))
				fz_fail("%s: extack offset %u outside the %zu-byte request",
					what, v, req_len);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (A_LEN(nla) != 4)
				fz_fail("%s: NLMSGERR_ATTR_MISS_TYPE of %zu bytes", what, A_LEN(nla));
			break;
		case NLMSGERR_ATTR_POLICY:
			if (!check_tree(A_DATA(nla), A_LEN(nla), 0))
				fz_fail("%s: malformed NLMSGERR_ATTR_POLICY", what);
			break;
		default:
			break;
		}
	}
	if (it.bad)
		fz_fail("%s: extack attributes overrun the message", what);
}

static void got_error(struct fz_dgram *d, struct fz_req *r, bool sync,
		      const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	const struct nlmsghdr *req = (const void *)(d->buf + r->off);
	size_t req_len = sync ? 0 : req->nlmsg_len;
	size_t off;

	r->ended = true;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		fz_fail("NLMSG_ERROR of %u bytes", h->nlmsg_len);
		return;
	}
	r->error = e->error;
	if (e->error > 0 || e->error < -4095)
		fz_fail("NLMSG_ERROR with error %d", e->error);
	if (h->nlmsg_flags & ~(NLM_F_CAPPED | NLM_F_ACK_TLVS))
		fz_fail("NLMSG_ERROR with flags 0x%x", h->nlmsg_flags);
	if (sync)
		return;
	if (memcmp(&e->msg, req, NLMSG_HDRLEN))
		fz_fail("NLMSG_ERROR does not echo the request's header");
	if (!(h->nlmsg_flags & NLM_F_CAPPED) != (e->error && !d->cap_ack))
		fz_fail("NLMSG_ERROR %s NLM_F_CAPPED (error %d, NETLINK_CAP_ACK %d)",
			h->nlmsg_flags & NLM_F_CAPPED ? "with" : "without",
			e->error, d->cap_ack);
	off = NLMSG_LENGTH(sizeof(*e));
	if (!(h->nlmsg_flags & NLM_F_CAPPED)) {
		if (h->nlmsg_len < off + NLMSG_ALIGN(req_len - NLMSG_HDRLEN)) {
			fz_fail("NLMSG_ERROR too short for the request it echoes");
			return;
		}
		if (memcmp((const uint8_t *)h + off, (const uint8_t *)req + NLMSG_HDRLEN,
			   req_len - NLMSG_HDRLEN))
			fz_fail("NLMSG_ERROR echoes a request other than ours");
		off += NLMSG_ALIGN(req_len - NLMSG_HDRLEN);
	}
	off = NLMSG_ALIGN(off);
	if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (h->nlmsg_len > off)
			check_tlvs(r, (const uint8_t *)h + off, h->nlmsg_len - off,
				   req_len, "NLMSG_ERROR");
	} else if (h->nlmsg_len > off) {
		fz_fail("NLMSG_ERROR: %u bytes after the echo without NLM_F_ACK_TLVS",
			h->nlmsg_len - (unsigned int)off);
	}
}

static void got_done(struct fz_req *r, const struct nlmsghdr *h)
{
	size_t off = NLMSG_LENGTH(sizeof(int));
	int status;

	r->ended = true;
	r->done = true;
	if (!r->dump) {
		fz_fail("NLMSG_DONE for a request that is no dump");
		return;
	}
	if (h->nlmsg_len < off) {
		fz_fail("NLMSG_DONE of %u bytes", h->nlmsg_len);
		return;
	}
	memcpy(&status, NLMSG_DATA(h), sizeof(status));
	r->error = status;
	if (!(h->nlmsg_flags & NLM_F_MULTI) ||
	    (h->nlmsg_flags & ~(NLM_F_MULTI | NLM_F_DUMP_INTR | NLM_F_ACK_TLVS)))
		fz_fail("NLMSG_DONE with flags 0x%x", h->nlmsg_flags);
	if (status)
		fz_fail("dump ended with status %d", status);
	if (h->nlmsg_len > off) {
		if (h->nlmsg_flags & NLM_F_ACK_TLVS)
			check_tlvs(r, (const uint8_t *)h + off, h->nlmsg_len - off,
				   0, "NLMSG_DONE");
		else
			fz_fail("NLMSG_DONE with trailing bytes");
	}
}

static void got_data(struct fz_req *r, bool sync, const struct nlmsghdr *h,
		     dump_cb cb, void *arg)
{
	const struct genlmsghdr *g = NLMSG_DATA(h);
	const void *attrs = (const uint8_t *)g + GENL_HDRLEN;
	size_t len;
	char why[160];
	struct fz_dev dev;
	uint8_t want;

	st->data++;
	r->ndata++;
	if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		fz_fail("data message of %u bytes", h->nlmsg_len);
		return;
	}
	len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	if (g->version != VNL_GENL_VERSION || g->reserved)
		fz_fail("reply with genl version %u, reserved %u", g->version, g->reserved);
	if (!sync && !r->handler) {
		fz_fail("data message (cmd %u) for a request the core refuses or skips", g->cmd);
		return;
	}
	if (r->dump) {
		if (!(h->nlmsg_flags & NLM_F_MULTI) ||
		    (h->nlmsg_flags & ~(NLM_F_MULTI | NLM_F_DUMP_INTR | NLM_F_DUMP_FILTERED)))
			fz_fail("dump message with flags 0x%x", h->nlmsg_flags);
		want = VNL_CMD_LINK_GET;
	} else {
		if (h->nlmsg_flags)
			fz_fail("reply with flags 0x%x", h->nlmsg_flags);
		if (r->cmd != VNL_CMD_GET_VERSION && r->cmd != VNL_CMD_LINK_GET &&
		    r->cmd != VNL_CMD_LINK_NEW)
			fz_fail("data message for cmd %u, which replies with none", r->cmd);
		if (r->ndata > 1)
			fz_fail("%d replies to one doit request", r->ndata);
		want = r->cmd;
	}
	if (g->cmd != want) {
		fz_fail("reply cmd %u to request cmd %u", g->cmd, r->cmd);
		return;
	}
	if (g->cmd == VNL_CMD_GET_VERSION) {
		if (!check_version(attrs, len, why, sizeof(why)))
			fz_fail("%s", why);
		return;
	}
	if (!check_link(attrs, len, &dev, why, sizeof(why))) {
		fz_fail("cmd %u reply: %s", g->cmd, why);
		hexdump("reply", h, h->nlmsg_len);
		return;
	}
	if (g->cmd == VNL_CMD_LINK_NEW) {
		known_add(dev.name);
		if (dev.has_peer)
			known_add(dev.peer_name);
		st->created += dev.has_peer ? 2 : 1;
	}
	if (!r->dump) {
		memcpy(&r->reply, &dev, sizeof(dev));
		r->has_reply = true;
	} else if (cb) {
		cb(&dev, arg);
	}
}

/* Send the datagram, then a GET_VERSION with NLM_F_ACK as a fence: once
 * its ack is in, every doit answer is too (the kernel handles a socket's
 * requests in order, within sendmsg), and only dumps may still be going.
 * 0, or -1 when the socket can no longer be trusted.
 */
static int exchange(struct fz_world *w, struct vnl_nl *nl, struct fz_dgram *d,
		    dump_cb cb, void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct fz_req sync;
	struct vnl_msg fence;
	bool pending;
	int i;

	plan(w, nl, d);
	memset(&sync, 0, sizeof(sync));
	sync.seq = nl->seq++;
	sync.handler = true;
	sync.cmd = VNL_CMD_GET_VERSION;
	vnl_msg_init(&fence, w->family, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_GET_VERSION, VNL_GENL_VERSION);
	fence.nlh.nlmsg_seq = sync.seq;

	if (!d->len) {
		/* af_netlink refuses empty datagrams outright */
		if (sendto(nl->fd, d->buf, 0, 0, (struct sockaddr *)&kernel,
			   sizeof(kernel)) != -1 || errno != ENODATA)
			fz_fail("sendto of an empty datagram: %s, not ENODATA", strerror(errno));
		st->silent += d->n;
		return 0;
	}
	if (sendto(nl->fd, d->buf, d->len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) != (ssize_t)d->len) {
		fz_fail("sendto of a %zu-byte datagram: %s", d->len, strerror(errno));
		return -1;
	}
	if (sendto(nl->fd, fence.buf, fence.nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		fz_fail("sendto of the fence: %s", strerror(errno));
		return -1;
	}

	for (;;) {
		ssize_t n;
		size_t off;

		pending = !sync.ended;
		for (i = 0; i < d->n; i++)
			if (d->req[i].dump && d->req[i].handler && !d->req[i].ended)
				pending = true;
		if (!pending)
			break;

		n = recv(nl->fd, rbuf, FZ_RBUF_SIZE, MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fz_fail("recv: %s (no answer within %d s?)", strerror(errno),
				FZ_RECV_TIMEOUT);
			hexdump("request", d->buf, d->len);
			return -1;
		}
		if (n > FZ_RBUF_SIZE) {
			fz_fail("a %zd-byte datagram from the kernel", n);
			return -1;
		}
		for (off = 0; off < (size_t)n;) {
			const struct nlmsghdr *h = (const void *)(rbuf + off);
			struct fz_req *r = NULL;
			bool is_sync;

			if ((size_t)n - off < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_HDRLEN ||
			    h->nlmsg_len > (size_t)n - off) {
				fz_fail("malformed message at %zu of a %zd-byte datagram", off, n);
				hexdump("datagram", rbuf, n);
				return -1;
			}
			off += NLMSG_ALIGN(h->nlmsg_len);

			is_sync = h->nlmsg_seq == sync.seq;
			if (is_sync)
				r = &sync;
			for (i = 0; !r && i < d->n; i++)
				if (d->req[i].processed && h->nlmsg_seq == d->req[i].seq)
					r = &d->req[i];
			if (!r) {
				fz_fail("message type %u with seq %u answers nothing we sent",
					h->nlmsg_type, h->nlmsg_seq);
				continue;
			}
			if (h->nlmsg_pid != nl->portid)
				fz_fail("message for portid %u, not ours (%u)", h->nlmsg_pid, nl->portid);
			if (r->ended) {
				fz_fail("message type %u after the end of the answer", h->nlmsg_type);
				continue;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				got_error(d, r, is_sync, h);
			else if (h->nlmsg_type == NLMSG_DONE)
				got_done(r, h);
			else if (h->nlmsg_type == w->family)
				got_data(r, is_sync, h, cb, arg);
			else
				fz_fail("message of type %u", h->nlmsg_type);
		}
	}

	if (sync.error || sync.ndata != 1)
		fz_fail("the fence got error %d and %d replies", sync.error, sync.ndata);

	/* What came back must be what the plan says. */
	for (i = 0; i < d->n; i++) {
		struct fz_req *r = &d->req[i];
		bool acked = r->flags & NLM_F_ACK;
		unsigned long before = st->fails;

		if (!r->processed) {
			if (r->ndata || r->ended)
				fz_fail("message %d was not one, yet got an answer", i);
			st->silent++;
			continue;
		}
		if (r->ack_only) {
			if (r->ndata || r->ended != acked || r->error)
				fz_fail("non-request: %d data, ended %d, error %d (NLM_F_ACK %d)",
					r->ndata, r->ended, r->error, acked);
			if (r->ended)
				st->ok++;
			else
				st->silent++;
			continue;
		}
		if (r->core_err) {
			if (!r->ended || r->ndata ||
			    (r->error != r->core_err && (!r->core_err2 || r->error != r->core_err2)))
				fz_fail("cmd %u flags 0x%x: got %s (%d data), the genl core must say %s%s%s",
					r->cmd, r->flags, r->ended ? strerror(-r->error) : "no answer",
					r->ndata, strerror(-r->core_err),
					r->core_err2 ? " or " : "",
					r->core_err2 ? strerror(-r->core_err2) : "");
			count_err(r->error);
			goto out;
		}
		/* the handler's answer */
		if (r->ended && r->error) {
			if (!handler_err_ok(r, r->error))
				fz_fail("cmd %u%s: unexpected error %d (%s), extack \"%s\"",
					r->cmd, r->dump ? " (dump)" : "", r->error,
					strerror(-r->error), r->extack);
			if (r->ndata && !r->done)
				fz_fail("cmd %u: %d data messages and then error %d",
					r->cmd, r->ndata, r->error);
			count_err(r->error);
			goto out;
		}
		if (r->dump) {
			if (!r->done)
				fz_fail("dump without NLMSG_DONE");
		} else {
			int want = r->cmd == VNL_CMD_LINK_DEL || r->cmd == VNL_CMD_LINK_SET ? 0 : 1;

			if (r->ndata != want)
				fz_fail("cmd %u succeeded with %d replies, not %d",
					r->cmd, r->ndata, want);
			if (r->ended != acked)
				fz_fail("cmd %u: NLM_F_ACK %d but %s", r->cmd, acked,
					r->ended ? "acked" : "no ack");
			if (r->cmd == VNL_CMD_LINK_DEL)
				st->deleted++;
		}
		st->ok++;
out:
		if (st->fails != before)
			hexdump("request", d->buf + r->off, r->len);
	}
	return 0;
}

/* A datagram holding one clean request being built. */
static void dg_start(struct fz_dgram *d, struct mb *m, uint16_t type,
		     uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *h = (struct nlmsghdr *)d->buf;
	struct genlmsghdr *g = NLMSG_DATA(h);

	memset(d->buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	h->nlmsg_type = type;
	h->nlmsg_flags = flags;
	g->cmd = cmd;
	g->version = VNL_GENL_VERSION;
	m->buf = d->buf;
	m->len = NLMSG_LENGTH(GENL_HDRLEN);
	m->cap = sizeof(d->buf);
	m->mut = 0;
	d->n = 1;
	d->req[0].off = 0;
	d->cap_ack = true;
}

static void dg_end(struct fz_dgram *d, struct mb *m)
{
	struct nlmsghdr *h = (struct nlmsghdr *)d->buf;

	h->nlmsg_len = m->len;
	d->len = m->len;
	d->req[0].len = m->len;
}

/* --- dumps, the picture of every netns ----------------------------------- */

struct dump_arg {
	struct fz_world *w;
	int ns;
};

static void dump_add(const struct fz_dev *dev, void *arg)
{
	struct dump_arg *a = arg;
	struct fz_world *w = a->w;
	int i;

	for (i = 0; i < w->ndev; i++)
		if (w->dev[i].ns == a->ns &&
		    (w->dev[i].ifindex == dev->ifindex || !strcmp(w->dev[i].name, dev->name)))
			fz_fail("dump of %s lists ifindex %u / %s twice", ns_name[a->ns],
				dev->ifindex, dev->name);
	if (w->ndev == FZ_MAX_DEVS) {
		fz_fail("more than %d vnl devices", FZ_MAX_DEVS);
		return;
	}
	memcpy(&w->dev[w->ndev], dev, sizeof(*dev));
	w->dev[w->ndev].ns = a->ns;
	w->ndev++;
}

static bool in_baseline(struct fz_world *w, const char *name)
{
	int i;

	for (i = 0; i < w->nbaseline; i++)
		if (!strcmp(w->baseline[i], name))
			return true;
	return false;
}

/* Dump the vnl devices of one netns into w->dev; -1 if that failed. */
static int dump_ns(struct fz_world *w, int ns)
{
	static struct fz_dgram d;
	struct dump_arg a = { w, ns };
	struct mb m;

	dg_start(&d, &m, w->family, NLM_F_REQUEST | NLM_F_DUMP, VNL_CMD_LINK_GET);
	dg_end(&d, &m);
	set_cap_ack(&w->nl[ns], &d, true);
	if (exchange(w, &w->nl[ns], &d, dump_add, &a))
		return -1;
	if (!d.req[0].done || d.req[0].error) {
		fz_fail("dump of %s: error %d", ns_name[ns], d.req[0].error);
		return -1;
	}
	return 0;
}

/* Every netns we can see; the picture must make sense. */
static int dump_all(struct fz_world *w)
{
	int ns, i, j;

	w->ndev = 0;
	for (ns = 0; ns < NS_N; ns++)
		if (w->has[ns] && dump_ns(w, ns))
			return -1;

	for (i = 0; i < w->ndev; i++) {
		struct fz_dev *d = &w->dev[i];

		if (d->ns == NS_INIT && in_baseline(w, d->name))
			continue;
		/* A device no reply ever described: made by a request that failed? */
		if (w->priv && !known_has(d->name))
			fz_fail("%s: vnl device %s (ifindex %u, kind %u) was never announced by a reply",
				ns_name[d->ns], d->name, d->ifindex, d->kind);
		if (d->kind == VNL_KIND_PAIR && d->has_peer && !d->peer_has_netnsid) {
			/* Same netns: the peer is listed, and points back. */
			for (j = 0; j < w->ndev; j++)
				if (w->dev[j].ns == d->ns && w->dev[j].ifindex == d->peer_ifindex)
					break;
			if (j == w->ndev)
				fz_fail("%s: %s's peer %s (ifindex %u) is not in the dump",
					ns_name[d->ns], d->name, d->peer_name, d->peer_ifindex);
			else if (strcmp(w->dev[j].name, d->peer_name) ||
				 w->dev[j].peer_ifindex != d->ifindex ||
				 strcmp(w->dev[j].peer_name, d->name))
				fz_fail("%s: %s and %s are not each other's peer",
					ns_name[d->ns], d->name, w->dev[j].name);
		}
		if (d->kind == VNL_KIND_PAIR && !d->has_peer)
			fz_fail("%s: pair %s without its peer", ns_name[d->ns], d->name);
		/* Parents live in main; a child elsewhere names main by netnsid. */
		if (d->kind == VNL_KIND_MACVLAN &&
		    d->has_parent_netnsid != (d->ns != NS_MAIN))
			fz_fail("%s: child %s %s VNL_A_PARENT_NETNSID", ns_name[d->ns],
				d->name, d->has_parent_netnsid ? "with" : "without");
	}
	return 0;
}

/* --- the monitor group ---------------------------------------------------- */

static void drain_monitors(struct fz_world *w)
{
	int ns;

	for (ns = 0; ns < NS_N; ns++) {
		if (!w->has[ns] || w->mon[ns].fd < 0)
			continue;
		for (;;) {
			ssize_t n = recv(w->mon[ns].fd, rbuf, FZ_RBUF_SIZE, MSG_DONTWAIT | MSG_TRUNC);
			size_t off;

			if (n < 0) {
				if (errno == ENOBUFS) {
					st->ev_overrun++;
					continue;
				}
				if (errno != EAGAIN && errno != EINTR)
					fz_fail("monitor %s: recv: %s", ns_name[ns], strerror(errno));
				break;
			}
			if (n > FZ_RBUF_SIZE) {
				fz_fail("monitor: %zd-byte datagram", n);
				break;
			}
			for (off = 0; off < (size_t)n;) {
				const struct nlmsghdr *h = (const void *)(rbuf + off);
				const struct genlmsghdr *g = NLMSG_DATA(h);
				struct fz_dev dev;
				char why[160];

				if ((size_t)n - off < NLMSG_HDRLEN || h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) ||
				    h->nlmsg_len > (size_t)n - off) {
					fz_fail("monitor %s: malformed event", ns_name[ns]);
					break;
				}
				off += NLMSG_ALIGN(h->nlmsg_len);
				if (h->nlmsg_type != w->family || h->nlmsg_seq || h->nlmsg_pid ||
				    h->nlmsg_flags || g->version != VNL_GENL_VERSION) {
					fz_fail("monitor %s: event type %u seq %u pid %u flags 0x%x",
						ns_name[ns], h->nlmsg_type, h->nlmsg_seq,
						h->nlmsg_pid, h->nlmsg_flags);
					continue;
				}
				if (!check_link((const uint8_t *)g + GENL_HDRLEN,
						h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
						&dev, why, sizeof(why))) {
					fz_fail("monitor %s: event cmd %u: %s", ns_name[ns], g->cmd, why);
					continue;
				}
				if (ns == NS_INIT && in_baseline(w, dev.name))
					continue;
				switch (g->cmd) {
				case VNL_CMD_LINK_NEW:
					st->ev_new++;
					break;
				case VNL_CMD_LINK_DEL:
					st->ev_del++;
					break;
				case VNL_CMD_LINK_CHANGE:
					st->ev_change++;
					break;
				default:
					fz_fail("monitor %s: event cmd %u", ns_name[ns], g->cmd);
				}
			}
		}
	}
}

/* --- fuzz values ------------------------------------------------------------ */

static const char *const pool[] = { "fz0", "fz1", "fz2", "fz3", "fz4", "fz5" };

static struct fz_dev *any_dev(struct fz_world *w)
{
	return w->ndev ? &w->dev[rn(w->ndev)] : NULL;
}

/* A device name, or something meant to look like one: the bytes to put,
 * NUL included when there is one.
 */
static size_t gen_name(struct fz_world *w, uint8_t *out, size_t cap)
{
	static const char *const odd[] = {
		"", " ", "a b", "a/b", "a:b", "a\tb", "a\nb", ".", "..", "fz%d",
		"%d", "a%d%d", "a%s", "%", "\x01\x02", "\xc3\xa9t\xc3\xa9",
		"\xff\xfe\xfd", "lo", "fzdum0", "fzveth0", "fzveth1", "-", "fz0 ",
		"0123456789abcde", "0123456789abcdef", "0123456789abcdef0",
	};
	struct fz_dev *d;
	size_t n;
	unsigned int k = rn(100);

	if (cap < 400)
		return 0;
	if (k < 40) {
		n = snprintf((char *)out, cap, "%s", pool[rn(FZ_ARRAY_SIZE(pool))]) + 1;
	} else if (k < 55 && (d = any_dev(w))) {
		n = snprintf((char *)out, cap, "%s", pct(80) ? d->name : d->peer_name) + 1;
	} else if (k < 75) {
		n = snprintf((char *)out, cap, "%s", odd[rn(FZ_ARRAY_SIZE(odd))]) + 1;
	} else if (k < 80) {	/* no NUL */
		n = snprintf((char *)out, cap, "%s", pool[rn(FZ_ARRAY_SIZE(pool))]);
	} else if (k < 84) {	/* embedded NUL */
		n = snprintf((char *)out, cap, "fz%u", rn(6)) + 1;
		rbytes(out + n, 4);
		out[n + 3] = 0;
		n += 4;
	} else if (k < 88) {	/* NUL-padded */
		n = snprintf((char *)out, cap, "fz%u", rn(6)) + 1;
		memset(out + n, 0, 8);
		n += rn(9);
	} else if (k < 92) {	/* random bytes */
		n = 1 + rn(20);
		rbytes(out, n);
		if (pct(70))
			out[n - 1] = 0;
	} else if (k < 97) {	/* long */
		n = 16 + rn(300);
		memset(out, 'a' + rn(26), n);
		out[n - 1] = 0;
	} else if (k < 99) {	/* 1 to 15 random printable characters */
		unsigned int i;

		n = 1 + rn(15);
		for (i = 0; i < n; i++)
			out[i] = 0x21 + rn(0x5e);
		out[n++] = 0;
	} else {		/* huge */
		n = 1000 + rn(cap > 70000 ? 64000 : cap / 2);
		if (n > cap)
			n = cap;
		memset(out, 'x', n);
		out[n - 1] = 0;
	}
	return n;
}

static void gen_mac(struct fz_world *w, uint8_t *mac)
{
	struct fz_dev *d;

	switch (rn(10)) {
	case 0:
		memset(mac, 0, ETH_ALEN);
		break;
	case 1:
		memset(mac, 0xff, ETH_ALEN);
		break;
	case 2:
		rbytes(mac, ETH_ALEN);
		mac[0] |= 1;	/* multicast */
		break;
	case 3:
		memcpy(mac, w->parent[rn(3)].mac, ETH_ALEN);
		break;
	case 4:
		if ((d = any_dev(w))) {
			memcpy(mac, d->mac, ETH_ALEN);
			break;
		}
		/* fall through */
	default:
		rbytes(mac, ETH_ALEN);
		mac[0] = (mac[0] & 0xfc) | 0x02;
		break;
	}
}

static uint32_t gen_ifindex(struct fz_world *w)
{
	struct fz_dev *d;

	switch (rn(10)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
	case 3:
		return w->parent[rn(3)].ifindex;
	case 4:
		return 0xffffffff;
	case 5:
		return 1 + rn(64);
	case 6:
		return (uint32_t)r64();
	default:
		d = any_dev(w);
		return d ? (pct(80) ? d->ifindex : d->peer_ifindex) : 2 + rn(40);
	}
}

static uint32_t gen_netns_fd(struct fz_world *w)
{
	switch (rn(12)) {
	case 0:
		return 0xffffffff;
	case 1:
		return 0;
	case 2:
		return w->file_fd;
	case 3:
		return w->mntns_fd;
	case 4:
		return w->closed_fd;
	case 5:
		return w->nl[NS_MAIN].fd;
	case 6:
		return 0x7fffffff;
	case 7:
		return w->nsfd[NS_INIT];
	case 8:
		return w->nsfd[NS_MAIN];
	default:
		return w->nsfd[NS_AUX];
	}
}

static uint32_t gen_pid(struct fz_world *w)
{
	switch (rn(10)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 0xffffffff;
	case 3:
		return 0x7fffffff;
	case 4:
		return 2 + rn(4000);
	case 5:
	case 6:
		return getpid();
	default:
		return w->helper;
	}
}

static uint32_t gen_mtu(void)
{
	static const uint32_t v[] = { 0, 1, 67, 68, 69, 576, 1280, 1499, 1500,
				      1501, 9000, 65535, 65536, 0xffffffff };

	return pct(80) ? v[rn(FZ_ARRAY_SIZE(v))] : (uint32_t)r64();
}

/* A tap face's flags: mostly the two accepted (IFF_TAP, with or without
 * IFF_MULTI_QUEUE), then their neighbours (a tun, none, a flag more),
 * then anything.
 */
static uint32_t gen_tap_face(void)
{
	static const uint32_t near[] = {
		0, IFF_TUN, IFF_TUN | IFF_MULTI_QUEUE, IFF_MULTI_QUEUE,
		IFF_TUN | IFF_TAP, IFF_TAP | IFF_NO_PI, IFF_TAP | IFF_VNET_HDR,
		IFF_TAP | IFF_NAPI, IFF_TAP | IFF_PERSIST, IFF_TAP | IFF_ONE_QUEUE,
		IFF_TAP | IFF_MULTI_QUEUE | IFF_NO_PI, IFF_TAP << 16,
	};

	if (pct(50))
		return pct(50) ? IFF_TAP : IFF_TAP | IFF_MULTI_QUEUE;
	if (pct(70))
		return near[rn(FZ_ARRAY_SIZE(near))];
	return pct(50) ? (uint32_t)r64() : IFF_TAP | (1u << rn(32));
}

static uint32_t gen_small(uint32_t max)
{
	return pct(85) ? rn(max + 3) : (uint32_t)r64();
}

/* The attribute of type @t with a value of its kind (or of no kind). */
static void gen_attr(struct fz_world *w, struct mb *m, uint16_t t, int depth);

static void gen_string_attr(struct fz_world *w, struct mb *m, uint16_t t)
{
	static uint8_t name[70000];
	size_t room = m->cap > m->len + 64 ? m->cap - m->len - 64 : 0;
	size_t n = gen_name(w, name, room < sizeof(name) ? room : sizeof(name));

	mb_put(m, t, name, n);
}

static void gen_mac_attr(struct fz_world *w, struct mb *m, uint16_t t)
{
	uint8_t mac[ETH_ALEN];

	gen_mac(w, mac);
	mb_put(m, t, mac, ETH_ALEN);
}

static void gen_peer_nest(struct fz_world *w, struct mb *m, int depth)
{
	size_t nest = mb_nest_start(m, VNL_A_PEER);
	unsigned int i, n;

	if (pct(85))
		gen_attr(w, m, 0x100 | VNL_PEER_A_IFNAME, depth + 1);
	n = rn(4);
	for (i = 0; i < n; i++)
		gen_attr(w, m, 0x100 | rn(VNL_PEER_A_MAX + 2), depth + 1);
	mb_nest_end(m, nest);
}

static void gen_macaddr_list(struct fz_world *w, struct mb *m, unsigned int n,
			     int depth)
{
	size_t nest = mb_nest_start(m, VNL_A_MACADDR_LIST);
	uint8_t mac[ETH_ALEN];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (pct(97)) {
			rbytes(mac, ETH_ALEN);
			mac[0] = (mac[0] & 0xfc) | 0x02;
			if (pct(1))
				gen_mac(w, mac);
			mb_put(m, VNL_MACADDR_A_ADDRESS, mac, ETH_ALEN);
		} else {
			gen_attr(w, m, 0x200 | rn(3), depth + 1);
		}
	}
	mb_nest_end(m, nest);
}

/* Nested garbage: random bytes, or nests of nests. */
static void gen_garbage(struct fz_world *w, struct mb *m, uint16_t t, int depth)
{
	uint8_t junk[256];
	size_t nest, n;
	unsigned int i, k;

	if (depth > 12 || pct(40)) {
		n = rn(sizeof(junk));
		rbytes(junk, n);
		mb_raw(m, t | (pct(60) ? NLA_F_NESTED : 0), junk, n);
		return;
	}
	nest = mb_nest_start(m, t);
	k = rn(4);
	for (i = 0; i < k; i++) {
		if (pct(50))
			gen_garbage(w, m, rn(8), depth + 1);
		else
			gen_attr(w, m, fuzz_type(), depth + 1);
	}
	mb_nest_end(m, nest);
}

/* t: an attribute type; 0x100 | t for VNL_PEER_A_*, 0x200 | t for
 * VNL_MACADDR_A_*, so that the value matches where it goes.
 */
static void gen_attr(struct fz_world *w, struct mb *m, uint16_t t, int depth)
{
	uint16_t type = t & 0xff;
	uint64_t v64;

	if (depth > 14)
		return;
	if (t >= 0x200) {
		if (type == VNL_MACADDR_A_ADDRESS)
			gen_mac_attr(w, m, type);
		else
			gen_garbage(w, m, type, depth);
		return;
	}
	if (t >= 0x100) {
		switch (type) {
		case VNL_PEER_A_IFNAME:
			gen_string_attr(w, m, type);
			break;
		case VNL_PEER_A_ADDRESS:
			gen_mac_attr(w, m, type);
			break;
		case VNL_PEER_A_NETNS_FD:
			mb_u32(m, type, gen_netns_fd(w));
			break;
		case VNL_PEER_A_NETNS_PID:
			mb_u32(m, type, gen_pid(w));
			break;
		case VNL_PEER_A_IFINDEX:
		case VNL_PEER_A_NETNSID:
			mb_u32(m, type, gen_ifindex(w));
			break;
		default:
			gen_garbage(w, m, type, depth);
			break;
		}
		return;
	}
	switch (t) {
	case VNL_A_IFINDEX:
	case VNL_A_PARENT_IFINDEX:
		mb_u32(m, t, gen_ifindex(w));
		break;
	case VNL_A_IFNAME:
	case VNL_A_PARENT_IFNAME:
	case VNL_A_VERSION:
		gen_string_attr(w, m, t);
		break;
	case VNL_A_KIND:
		mb_u32(m, t, gen_small(VNL_KIND_MAX));
		break;
	case VNL_A_MTU:
		mb_u32(m, t, gen_mtu());
		break;
	case VNL_A_ADDRESS:
		gen_mac_attr(w, m, t);
		break;
	case VNL_A_NETNS_FD:
		mb_u32(m, t, gen_netns_fd(w));
		break;
	case VNL_A_NETNS_PID:
		mb_u32(m, t, gen_pid(w));
		break;
	case VNL_A_PEER:
		if (pct(70))
			gen_peer_nest(w, m, depth);
		else
			gen_garbage(w, m, t, depth);
		break;
	case VNL_A_MACADDR_LIST:
		if (pct(70))
			gen_macaddr_list(w, m, pct(90) ? rn(6) : rn(300), depth);
		else
			gen_garbage(w, m, t, depth);
		break;
	case VNL_A_STATS:
		gen_garbage(w, m, t, depth);
		break;
	case VNL_A_MACVLAN_MODE:
		mb_u32(m, t, gen_small(VNL_MACVLAN_MODE_MAX));
		break;
	case VNL_A_BC_QUEUE_LEN:
		/* mostly in range, then just past it, then anything */
		mb_u32(m, t, pct(70) ? rn(VNL_BC_QUEUE_LEN_MAX + 1) :
			     pct(50) ? VNL_BC_QUEUE_LEN_MAX + rn(3) : (uint32_t)r64());
		break;
	case VNL_A_MACADDR_OP:
		mb_u32(m, t, gen_small(VNL_MACADDR_OP_MAX));
		break;
	case VNL_A_TAP_FACE:
		mb_u32(m, t, gen_tap_face());
		break;
	case VNL_A_UP:
	case VNL_A_CARRIER:
		mb_put(m, t, (uint8_t[]){ rn(3) }, 1);
		break;
	case VNL_A_BC_DROPS:
		v64 = r64();
		mb_put(m, t, &v64, 8);
		break;
	default:
		if (pct(50))
			mb_u32(m, t, (uint32_t)r64());
		else
			gen_garbage(w, m, t, depth);
		break;
	}
}

/* --- fuzz requests -------------------------------------------------------- */

enum { T_VERSION, T_PAIR, T_MACVLAN, T_GET, T_DEL, T_SET, T_RANDOM,
       T_GARBAGE, T_N };

static void name_attr(struct fz_world *w, struct mb *m, uint16_t type)
{
	if (pct(70))
		gen_attr(w, m, type, 0);
	else
		mb_u32(m, type == VNL_A_IFNAME ? VNL_A_IFINDEX : VNL_A_PARENT_IFINDEX,
		       gen_ifindex(w));
	if (pct(10))
		gen_attr(w, m, type == VNL_A_IFNAME ? VNL_A_IFINDEX : VNL_A_PARENT_IFINDEX, 0);
}

static void maybe_netns(struct fz_world *w, struct mb *m)
{
	if (pct(15))
		mb_u32(m, VNL_A_NETNS_FD, gen_netns_fd(w));
	if (pct(15))
		mb_u32(m, VNL_A_NETNS_PID, gen_pid(w));
}

/* The attributes of one fuzz request; returns the command. */
static uint8_t gen_body(struct fz_world *w, struct mb *m)
{
	static const uint8_t odd_cmds[] = { VNL_CMD_UNSPEC, VNL_CMD_LINK_CHANGE,
					    __VNL_CMD_MAX, __VNL_CMD_MAX + 1, 0x7f,
					    0x80, 0xff };
	unsigned int i, n, tmpl = rn(100);
	uint8_t cmd;

	if (tmpl < 5)
		tmpl = T_VERSION;
	else if (tmpl < 30)
		tmpl = T_PAIR;
	else if (tmpl < 47)
		tmpl = T_MACVLAN;
	else if (tmpl < 60)
		tmpl = T_GET;
	else if (tmpl < 68)
		tmpl = T_DEL;
	else if (tmpl < 80)
		tmpl = T_SET;
	else if (tmpl < 94)
		tmpl = T_RANDOM;
	else
		tmpl = T_GARBAGE;

	switch (tmpl) {
	case T_VERSION:
		cmd = VNL_CMD_GET_VERSION;
		if (pct(30))
			gen_attr(w, m, fuzz_type(), 0);
		break;
	case T_PAIR:
		cmd = VNL_CMD_LINK_NEW;
		mb_u32(m, VNL_A_KIND, pct(90) ? VNL_KIND_PAIR : gen_small(VNL_KIND_MAX));
		gen_attr(w, m, VNL_A_IFNAME, 0);
		if (pct(30))
			gen_attr(w, m, VNL_A_MTU, 0);
		if (pct(30))
			gen_attr(w, m, VNL_A_ADDRESS, 0);
		maybe_netns(w, m);
		if (pct(90))
			gen_peer_nest(w, m, 0);
		if (pct(5))
			gen_attr(w, m, VNL_A_PARENT_IFNAME + rn(5), 0);
		if (pct(3))
			gen_attr(w, m, VNL_A_TAP_FACE, 0);
		break;
	case T_MACVLAN:
		cmd = VNL_CMD_LINK_NEW;
		mb_u32(m, VNL_A_KIND, pct(90) ? VNL_KIND_MACVLAN : gen_small(VNL_KIND_MAX));
		gen_attr(w, m, VNL_A_IFNAME, 0);
		if (pct(90)) {
			if (pct(50))
				mb_u32(m, VNL_A_PARENT_IFINDEX,
				       pct(70) ? w->parent[rn(3)].ifindex : gen_ifindex(w));
			else if (pct(70))
				mb_put(m, VNL_A_PARENT_IFNAME, w->parent[rn(3)].name,
				       strlen(w->parent[0].name) + 1);
			else
				gen_attr(w, m, VNL_A_PARENT_IFNAME, 0);
		}
		if (pct(60))
			gen_attr(w, m, VNL_A_MACVLAN_MODE, 0);
		if (pct(30))
			gen_attr(w, m, VNL_A_ADDRESS, 0);
		if (pct(20))
			gen_attr(w, m, VNL_A_MTU, 0);
		if (pct(20))
			gen_attr(w, m, VNL_A_BC_QUEUE_LEN, 0);
		if (pct(25))
			gen_attr(w, m, VNL_A_TAP_FACE, 0);
		maybe_netns(w, m);
		if (pct(5))
			gen_attr(w, m, pct(50) ? VNL_A_PEER : VNL_A_MACADDR_LIST, 0);
		break;
	case T_GET:
	case T_DEL:
		cmd = tmpl == T_GET ? VNL_CMD_LINK_GET : VNL_CMD_LINK_DEL;
		if (pct(90))
			name_attr(w, m, VNL_A_IFNAME);
		if (pct(10))
			gen_attr(w, m, fuzz_type(), 0);
		break;
	case T_SET:
		cmd = VNL_CMD_LINK_SET;
		if (pct(90))
			name_attr(w, m, VNL_A_IFNAME);
		if (pct(50))
			gen_attr(w, m, VNL_A_MACVLAN_MODE, 0);
		if (pct(25))
			gen_attr(w, m, VNL_A_BC_QUEUE_LEN, 0);
		if (pct(60))
			gen_attr(w, m, VNL_A_MACADDR_OP, 0);
		if (pct(50))
			gen_macaddr_list(w, m, pct(85) ? rn(8) : rn(300), 0);
		if (pct(5))
			gen_attr(w, m, VNL_A_TAP_FACE, 0);
		break;
	case T_RANDOM:
		cmd = pct(70) ? 1 + rn(VNL_CMD_MAX) : odd_cmds[rn(FZ_ARRAY_SIZE(odd_cmds))];
		n = rn(7);
		for (i = 0; i < n; i++)
			gen_attr(w, m, pct(80) ? rn(VNL_A_MAX + 3) : fuzz_type(), 0);
		break;
	default:
		cmd = 1 + rn(VNL_CMD_MAX);
		n = 1 + rn(3);
		for (i = 0; i < n; i++)
			gen_garbage(w, m, pct(60) ? (pct(50) ? VNL_A_PEER : pct(50) ?
						      VNL_A_STATS : VNL_A_MACADDR_LIST) :
					     fuzz_type(), 0);
		break;
	}
	if (pct(4))
		cmd = pct(50) ? odd_cmds[rn(FZ_ARRAY_SIZE(odd_cmds))] : (uint8_t)r64();
	if (pct(3))
		gen_attr(w, m, pct(50) ? fuzz_type() : 1 + rn(VNL_A_MAX), 0);
	return cmd;
}

/* One fuzz message at the end of the datagram. */
static void gen_msg(struct fz_world *w, struct fz_dgram *d, bool last)
{
	static const unsigned int muts[] = { 0, 0, 0, 5, 5, 10, 15, 25, 40 };
	struct fz_req *r = &d->req[d->n];
	struct nlmsghdr *h;
	struct genlmsghdr *g;
	struct mb m;
	size_t start = NLMSG_ALIGN(d->len), decl;
	uint16_t flags;

	r->off = start;
	memset(d->buf + d->len, 0, start - d->len);
	if (start + NLMSG_LENGTH(GENL_HDRLEN) > sizeof(d->buf)) {
		d->len = start;
		return;
	}
	h = (struct nlmsghdr *)(d->buf + start);
	g = NLMSG_DATA(h);
	memset(h, 0, NLMSG_LENGTH(GENL_HDRLEN));

	m.buf = d->buf;
	m.len = start + NLMSG_LENGTH(GENL_HDRLEN);
	m.cap = sizeof(d->buf) - 64;
	m.mut = muts[rn(FZ_ARRAY_SIZE(muts))];
	g->cmd = gen_body(w, &m);
	g->version = pct(90) ? VNL_GENL_VERSION : (uint8_t)r64();
	g->reserved = pct(97) ? 0 : (uint16_t)(1 + rn(0xfffe));

	flags = NLM_F_REQUEST;
	if (pct(75))
		flags |= NLM_F_ACK;
	if (pct(g->cmd == VNL_CMD_LINK_GET ? 35 : 5))
		flags |= NLM_F_DUMP;
	if (pct(5))
		flags |= NLM_F_ECHO;
	if (pct(3))
		flags ^= 1u << rn(16);
	if (pct(2))
		flags &= ~NLM_F_REQUEST;
	h->nlmsg_flags = flags;
	h->nlmsg_type = w->family;
	if (pct(2))
		h->nlmsg_type = pct(50) ? 1 + rn(NLMSG_MIN_TYPE - 1) : 1024 + rn(0xfc00);
	h->nlmsg_pid = pct(95) ? 0 : (uint32_t)r64();

	decl = m.len - start;
	/* Header lengths that lie. */
	if (pct(4)) {
		switch (rn(5)) {
		case 0:		/* cut: the last attribute overruns the message */
			if (decl > NLMSG_LENGTH(GENL_HDRLEN))
				decl = NLMSG_LENGTH(GENL_HDRLEN) +
				       rn(decl - NLMSG_LENGTH(GENL_HDRLEN));
			break;
		case 1: {	/* trailing junk inside the message */
			size_t junk = 1 + rn(24);

			rbytes(d->buf + start + decl, junk);
			decl += junk;
			break;
		}
		case 2:		/* no room for the genl header */
			decl = NLMSG_HDRLEN + rn(GENL_HDRLEN);
			break;
		case 3:		/* shorter than a netlink header */
			if (last)
				decl = rn(NLMSG_HDRLEN);
			break;
		default:	/* longer than what is sent */
			if (last)
				decl += 1 + rn(4096);
			break;
		}
	}
	h->nlmsg_len = decl;
	r->len = decl;
	if (decl > m.len - start && decl - (m.len - start) <= 64) {
		/* junk was counted in: keep it */
		m.len = start + decl;
	}
	/* What is sent: the message as declared, unless it claims more. */
	d->len = decl < m.len - start ? start + decl : m.len;
	if (r->len > d->len - start)
		r->len = d->len - start;
	d->n++;
}

static void gen_dgram(struct fz_world *w, struct fz_dgram *d)
{
	int n = pct(93) ? 1 : 2 + rn(FZ_BATCH_MAX - 1), i;

	d->len = 0;
	d->n = 0;
	for (i = 0; i < n; i++)
		gen_msg(w, d, i == n - 1);
	/* A few stray bytes no netlink header can be made of. */
	if (pct(2) && d->len + 15 < sizeof(d->buf)) {
		size_t k = 1 + rn(15);

		rbytes(d->buf + d->len, k);
		d->len += k;
	}
	if (pct(1)) {
		/* Not even a header (no bytes at all is ENODATA for sendto). */
		d->len = 1 + rn(NLMSG_HDRLEN - 1);
		d->n = 1;
		d->req[0].off = 0;
		d->req[0].len = d->len;
	}
	d->cap_ack = pct(70);
}

/* --- valid requests: the outcome is known -------------------------------- */

static struct fz_dgram vd;

/* Send one clean request; the answer is in vd.req[0]. */
static int valid_send(struct fz_world *w, struct vnl_nl *nl, struct mb *m)
{
	dg_end(&vd, m);
	set_cap_ack(nl, &vd, true);
	st->valid++;
	return exchange(w, nl, &vd, NULL, NULL);
}

static void valid_start(struct fz_world *w, struct mb *m, uint8_t cmd)
{
	dg_start(&vd, m, w->family, NLM_F_REQUEST | NLM_F_ACK, cmd);
}

static const char *vd_err(void)
{
	static char s[256];

	snprintf(s, sizeof(s), "%s%s%s%s", vd.req[0].error ? strerror(-vd.req[0].error) : "ok",
		 vd.req[0].extack[0] ? " (\"" : "", vd.req[0].extack,
		 vd.req[0].extack[0] ? "\")" : "");
	return s;
}

static void fresh_name(struct fz_world *w, char *name, char suffix)
{
	snprintf(name, IFNAMSIZ, "fv%lu%c", w->fresh, suffix);
}

static void rand_unicast(uint8_t *mac)
{
	rbytes(mac, ETH_ALEN);
	mac[0] = (mac[0] & 0xfc) | 0x02;
}

/* LINK_GET of @d by ifindex or name: it must be described as the dump did. */
static void valid_get(struct fz_world *w, struct vnl_nl *nl, struct fz_dev *d)
{
	struct fz_dev *g;
	struct mb m;

	valid_start(w, &m, VNL_CMD_LINK_GET);
	if (pct(50))
		mb_u32(&m, VNL_A_IFINDEX, d->ifindex);
	else
		mb_put(&m, VNL_A_IFNAME, d->name, strlen(d->name) + 1);
	if (valid_send(w, nl, &m))
		return;
	g = &vd.req[0].reply;
	if (vd.req[0].error || !vd.req[0].has_reply) {
		fz_fail("LINK_GET of %s (ifindex %u): %s", d->name, d->ifindex, vd_err());
		return;
	}
	if (g->ifindex != d->ifindex || strcmp(g->name, d->name) || g->kind != d->kind ||
	    g->mtu != d->mtu || g->mode != d->mode || g->nsrc != d->nsrc ||
	    memcmp(g->mac, d->mac, ETH_ALEN) || g->parent_ifindex != d->parent_ifindex ||
	    strcmp(g->peer_name, d->peer_name) || g->tap_face != d->tap_face)
		fz_fail("LINK_GET of %s differs from its dump entry", d->name);
}

static void valid_pair(struct fz_world *w)
{
	char name[IFNAMSIZ], peer[IFNAMSIZ];
	uint8_t mac[ETH_ALEN], pmac[ETH_ALEN];
	uint32_t mtu = pct(50) ? 68 + rn(65535 - 68 + 1) : 0;
	bool addr = pct(50), paddr = pct(50);
	int where = rn(4), pwhere = rn(5);	/* 0: default, else an ns */
	int dev_ns, peer_ns;
	struct fz_dev *g;
	size_t nest;
	struct mb m;

	w->fresh++;
	fresh_name(w, name, 'a');
	fresh_name(w, peer, 'b');
	rand_unicast(mac);
	rand_unicast(pmac);

	valid_start(w, &m, VNL_CMD_LINK_NEW);
	mb_u32(&m, VNL_A_KIND, VNL_KIND_PAIR);
	mb_put(&m, VNL_A_IFNAME, name, strlen(name) + 1);
	if (mtu)
		mb_u32(&m, VNL_A_MTU, mtu);
	if (addr)
		mb_put(&m, VNL_A_ADDRESS, mac, ETH_ALEN);
	dev_ns = NS_MAIN;
	if (where == 1) {
		mb_u32(&m, VNL_A_NETNS_FD, w->nsfd[NS_AUX]);
		dev_ns = NS_AUX;
	} else if (where == 2) {
		mb_u32(&m, VNL_A_NETNS_PID, w->helper);
		dev_ns = NS_AUX;
	} else if (where == 3) {
		mb_u32(&m, VNL_A_NETNS_PID, getpid());
	}
	nest = mb_nest_start(&m, VNL_A_PEER);
	mb_put(&m, VNL_PEER_A_IFNAME, peer, strlen(peer) + 1);
	if (paddr)
		mb_put(&m, VNL_PEER_A_ADDRESS, pmac, ETH_ALEN);
	peer_ns = dev_ns;
	if (pwhere == 1) {
		mb_u32(&m, VNL_PEER_A_NETNS_FD, w->nsfd[NS_AUX]);
		peer_ns = NS_AUX;
	} else if (pwhere == 2) {
		mb_u32(&m, VNL_PEER_A_NETNS_FD, w->nsfd[NS_MAIN]);
		peer_ns = NS_MAIN;
	} else if (pwhere == 3) {
		mb_u32(&m, VNL_PEER_A_NETNS_PID, w->helper);
		peer_ns = NS_AUX;
	} else if (pwhere == 4) {
		mb_u32(&m, VNL_PEER_A_NETNS_PID, getpid());
		peer_ns = NS_MAIN;
	}
	mb_nest_end(&m, nest);
	if (valid_send(w, &w->nl[NS_MAIN], &m))
		return;
	if (!w->priv) {
		if (vd.req[0].error != -EPERM)
			fz_fail("LINK_NEW of pair %s/%s as nobody: %s", name, peer, vd_err());
		return;
	}
	g = &vd.req[0].reply;
	if (vd.req[0].error || !vd.req[0].has_reply) {
		fz_fail("valid LINK_NEW of pair %s/%s: %s", name, peer, vd_err());
		return;
	}
	if (strcmp(g->name, name) || g->kind != VNL_KIND_PAIR ||
	    g->mtu != (mtu ? mtu : 1500) || (addr && memcmp(g->mac, mac, ETH_ALEN)) ||
	    !g->has_peer || strcmp(g->peer_name, peer) ||
	    g->peer_has_netnsid != (dev_ns != peer_ns) || g->up)
		fz_fail("LINK_NEW reply for pair %s/%s: name %s kind %u mtu %u peer %s netnsid %d",
			name, peer, g->name, g->kind, g->mtu, g->peer_name, g->peer_has_netnsid);
}

/* The real parent of a macvlan child asked for on @pidx (main netns). */
static uint32_t real_parent(struct fz_world *w, uint32_t pidx)
{
	int i;

	for (i = 0; i < w->ndev; i++)
		if (w->dev[i].ns == NS_MAIN && w->dev[i].ifindex == pidx &&
		    w->dev[i].kind == VNL_KIND_MACVLAN)
			return w->dev[i].parent_ifindex;
	return pidx;
}

static void valid_macvlan(struct fz_world *w)
{
	char name[IFNAMSIZ], pname[IFNAMSIZ];
	uint32_t pidx, rpidx, pmtu = 1500, mtu = 0, mode;
	uint32_t bcq = pct(70) ? VNL_BC_QUEUE_LEN_DEFAULT : rn(VNL_BC_QUEUE_LEN_MAX + 1);
	/* Some with a tap face, of one queue or several. */
	uint32_t face = pct(75) ? 0 : pct(50) ? IFF_TAP : IFF_TAP | IFF_MULTI_QUEUE;
	uint8_t mac[ETH_ALEN], pmac[ETH_ALEN];
	bool addr = pct(50), passthru_sib = false;
	int i, nchildren = 0, cns = NS_MAIN, where = rn(4), expect = 0;
	struct fz_dev *g;
	struct mb m;

	/* The parent: the dummy, the veth, or a vnl device of main. */
	i = rn(3 + 2);
	if (i < 3 || !w->ndev) {
		struct fz_parent *p = &w->parent[rn(3)];

		pidx = p->ifindex;
		snprintf(pname, IFNAMSIZ, "%s", p->name);
		memcpy(pmac, p->mac, ETH_ALEN);
	} else {
		struct fz_dev *d = &w->dev[rn(w->ndev)];

		if (d->ns != NS_MAIN)
			return;
		pidx = d->ifindex;
		snprintf(pname, IFNAMSIZ, "%s", d->name);
		pmtu = d->mtu;
		memcpy(pmac, d->mac, ETH_ALEN);
	}
	rpidx = real_parent(w, pidx);
	if (rpidx != pidx) {
		for (i = 0; i < w->ndev; i++)
			if (w->dev[i].ns == NS_MAIN && w->dev[i].ifindex == rpidx)
				break;
		if (i == w->ndev)
			pmtu = 1500;	/* a dummy or veth: never changed */
		else
			pmtu = w->dev[i].mtu, memcpy(pmac, w->dev[i].mac, ETH_ALEN);
		for (i = 0; i < 3; i++)
			if (w->parent[i].ifindex == rpidx)
				memcpy(pmac, w->parent[i].mac, ETH_ALEN);
	}
	for (i = 0; i < w->ndev; i++) {
		if (w->dev[i].kind != VNL_KIND_MACVLAN || w->dev[i].parent_ifindex != rpidx)
			continue;
		/* A child in aux or init names its parent in main too. */
		nchildren++;
		if (w->dev[i].mode == VNL_MACVLAN_MODE_PASSTHRU)
			passthru_sib = true;
	}
	mode = 1 + rn(VNL_MACVLAN_MODE_MAX);
	if (pct(50))
		mtu = 68 + rn(pmtu - 68 + 1);
	if (mode == VNL_MACVLAN_MODE_PASSTHRU && pct(70))
		mode = VNL_MACVLAN_MODE_BRIDGE;
	if (passthru_sib || (mode == VNL_MACVLAN_MODE_PASSTHRU && nchildren))
		expect = -EINVAL;
	else if (mode == VNL_MACVLAN_MODE_PASSTHRU && addr)
		expect = -EINVAL;

	w->fresh++;
	fresh_name(w, name, 'm');
	rand_unicast(mac);
	valid_start(w, &m, VNL_CMD_LINK_NEW);
	mb_u32(&m, VNL_A_KIND, VNL_KIND_MACVLAN);
	mb_put(&m, VNL_A_IFNAME, name, strlen(name) + 1);
	if (pct(50))
		mb_u32(&m, VNL_A_PARENT_IFINDEX, pidx);
	else
		mb_put(&m, VNL_A_PARENT_IFNAME, pname, strlen(pname) + 1);
	if (mode != VNL_MACVLAN_MODE_VEPA || pct(50))
		mb_u32(&m, VNL_A_MACVLAN_MODE, mode);
	if (addr)
		mb_put(&m, VNL_A_ADDRESS, mac, ETH_ALEN);
	if (mtu)
		mb_u32(&m, VNL_A_MTU, mtu);
	if (bcq != VNL_BC_QUEUE_LEN_DEFAULT || pct(30))
		mb_u32(&m, VNL_A_BC_QUEUE_LEN, bcq);
	if (face)
		mb_u32(&m, VNL_A_TAP_FACE, face);
	if (where == 1) {
		mb_u32(&m, VNL_A_NETNS_FD, w->nsfd[NS_AUX]);
		cns = NS_AUX;
	} else if (where == 2) {
		mb_u32(&m, VNL_A_NETNS_PID, w->helper);
		cns = NS_AUX;
	}
	if (valid_send(w, &w->nl[NS_MAIN], &m))
		return;
	if (vd.req[0].error != expect) {
		fz_fail("valid LINK_NEW of macvlan %s on %s (ifindex %u, real %u, %d children%s) mode %u%s tap face 0x%x: %s, expected %s",
			name, pname, pidx, rpidx, nchildren, passthru_sib ? ", one passthru" : "",
			mode, addr ? " with an address" : "", face, vd_err(),
			expect ? strerror(-expect) : "success");
		return;
	}
	if (expect)
		return;
	g = &vd.req[0].reply;
	if (!vd.req[0].has_reply || strcmp(g->name, name) || g->kind != VNL_KIND_MACVLAN ||
	    g->mode != mode || g->parent_ifindex != rpidx ||
	    g->mtu != (mtu ? mtu : pmtu) || g->bc_queue_len != bcq ||
	    (addr && memcmp(g->mac, mac, ETH_ALEN)) ||
	    (mode == VNL_MACVLAN_MODE_PASSTHRU && memcmp(g->mac, pmac, ETH_ALEN)) ||
	    g->has_parent_netnsid != (cns != NS_MAIN) || g->nsrc ||
	    g->tap_face != face || (face && (g->tun_queues || g->carrier)))
		fz_fail("LINK_NEW reply for macvlan %s: name %s kind %u mode %u (want %u) parent %u (want %u) mtu %u (want %u) bc_queue_len %u (want %u) netnsid %d tap face 0x%x (want 0x%x) queues %u carrier %d",
			name, g->name, g->kind, g->mode, mode, g->parent_ifindex, rpidx,
			g->mtu, mtu ? mtu : pmtu, g->bc_queue_len, bcq,
			g->has_parent_netnsid, g->tap_face, face, g->tun_queues, g->carrier);
}

static struct fz_dev *pick(struct fz_world *w, int ns, int kind)
{
	int i, n = 0, k;

	for (i = 0; i < w->ndev; i++)
		if (w->dev[i].ns == ns && (!kind || (int)w->dev[i].kind == kind))
			n++;
	if (!n)
		return NULL;
	k = rn(n);
	for (i = 0; i < w->ndev; i++)
		if (w->dev[i].ns == ns && (!kind || (int)w->dev[i].kind == kind) && !k--)
			return &w->dev[i];
	return NULL;
}

static bool has_src(const struct fz_dev *d, const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < d->nsrc; i++)
		if (!memcmp(d->src[i], a, ETH_ALEN))
			return true;
	return false;
}

static void valid_set(struct fz_world *w)
{
	static struct fz_dev want;
	static uint8_t addrs[300][ETH_ALEN];
	struct fz_dev *d = pick(w, NS_MAIN, VNL_KIND_MACVLAN);
	uint32_t mode = 0, op = 0, newmode, bcq = rn(VNL_BC_QUEUE_LEN_MAX + 1);
	bool set_bcq = pct(25);
	unsigned int n = 0, i, nnew;
	int expect = 0;
	struct mb m;
	size_t nest;

	if (!d)
		return;
	memcpy(&want, d, sizeof(want));
	if (pct(40) || d->mode != VNL_MACVLAN_MODE_SOURCE) {
		mode = 1 + rn(VNL_MACVLAN_MODE_MAX);
		if (mode == VNL_MACVLAN_MODE_PASSTHRU && pct(70))
			mode = VNL_MACVLAN_MODE_SOURCE;
	}
	newmode = mode ?: d->mode;
	if (pct(60) || !mode)
		op = 1 + rn(VNL_MACADDR_OP_MAX);

	if (op == VNL_MACADDR_OP_SET && pct(15)) {
		/* the fullest list, the largest reply a device gets */
		n = VNL_MACADDR_MAX;
		for (i = 0; i < n; i++)
			rand_unicast(addrs[i]);
	} else if (op == VNL_MACADDR_OP_ADD || op == VNL_MACADDR_OP_SET ||
		   op == VNL_MACADDR_OP_DEL) {
		n = 1 + rn(pct(75) ? 24 : 280);
		for (i = 0; i < n; i++) {
			if (op == VNL_MACADDR_OP_DEL && d->nsrc && pct(95))
				memcpy(addrs[i], d->src[rn(d->nsrc)], ETH_ALEN);
			else if (i && pct(5))
				memcpy(addrs[i], addrs[rn(i)], ETH_ALEN);
			else
				rand_unicast(addrs[i]);
		}
	}

	if ((d->mode == VNL_MACVLAN_MODE_PASSTHRU) != (newmode == VNL_MACVLAN_MODE_PASSTHRU))
		expect = -EINVAL;
	else if (op && newmode != VNL_MACVLAN_MODE_SOURCE)
		expect = -EINVAL;
	if (n > VNL_MACADDR_MAX)
		expect = -ENOSPC;	/* checked before the device is looked at */

	/* What the list becomes. */
	if (!expect) {
		if (mode && mode != d->mode && d->mode == VNL_MACVLAN_MODE_SOURCE)
			want.nsrc = 0;
		want.mode = newmode;
		if (set_bcq)
			want.bc_queue_len = bcq;
		switch (op) {
		case VNL_MACADDR_OP_DEL:
			for (i = 0; i < n && !expect; i++)
				if (!has_src(&want, addrs[i]))
					expect = -ENOENT;
			for (i = 0; i < n && !expect; i++) {
				unsigned int j;

				for (j = 0; j < want.nsrc; j++)
					if (!memcmp(want.src[j], addrs[i], ETH_ALEN)) {
						memmove(want.src[j], want.src[j + 1],
							(want.nsrc - j - 1) * ETH_ALEN);
						want.nsrc--;
						break;
					}
			}
			break;
		case VNL_MACADDR_OP_FLUSH:
			want.nsrc = 0;
			break;
		case VNL_MACADDR_OP_SET:
			want.nsrc = 0;
			/* fall through */
		case VNL_MACADDR_OP_ADD:
			for (i = 0, nnew = 0; i < n; i++)
				if (!has_src(&want, addrs[i])) {
					unsigned int j;
					bool dup = false;

					for (j = 0; j < i; j++)
						if (!memcmp(addrs[j], addrs[i], ETH_ALEN))
							dup = true;
					if (!dup)
						nnew++;
				}
			if (want.nsrc + nnew > VNL_MACADDR_MAX) {
				expect = -ENOSPC;
				break;
			}
			for (i = 0; i < n; i++)
				if (!has_src(&want, addrs[i]))
					memcpy(want.src[want.nsrc++], addrs[i], ETH_ALEN);
			break;
		}
	}

	valid_start(w, &m, VNL_CMD_LINK_SET);
	if (pct(50))
		mb_u32(&m, VNL_A_IFINDEX, d->ifindex);
	else
		mb_put(&m, VNL_A_IFNAME, d->name, strlen(d->name) + 1);
	if (mode)
		mb_u32(&m, VNL_A_MACVLAN_MODE, mode);
	if (set_bcq)
		mb_u32(&m, VNL_A_BC_QUEUE_LEN, bcq);
	if (op)
		mb_u32(&m, VNL_A_MACADDR_OP, op);
	if (n) {
		nest = mb_nest_start(&m, VNL_A_MACADDR_LIST);
		for (i = 0; i < n; i++)
			mb_put(&m, VNL_MACADDR_A_ADDRESS, addrs[i], ETH_ALEN);
		mb_nest_end(&m, nest);
	}
	if (valid_send(w, &w->nl[NS_MAIN], &m))
		return;
	if (vd.req[0].error != expect) {
		fz_fail("valid LINK_SET of %s (mode %u, %u sources): mode %u op %u with %u addresses: %s, expected %s",
			d->name, d->mode, d->nsrc, mode, op, n, vd_err(),
			expect ? strerror(-expect) : "success");
		return;
	}
	if (expect)
		return;
	memcpy(d, &want, sizeof(want));
	valid_get(w, &w->nl[NS_MAIN], d);
	/* The list, as a set. */
	if (vd.req[0].has_reply) {
		struct fz_dev *g = &vd.req[0].reply;

		for (i = 0; i < want.nsrc; i++)
			if (!has_src(g, want.src[i]))
				break;
		if (i < want.nsrc || g->nsrc != want.nsrc)
			fz_fail("after LINK_SET, %s lists %u sources, %u expected",
				d->name, g->nsrc, want.nsrc);
		if (set_bcq && g->bc_queue_len != bcq)
			fz_fail("after LINK_SET, %s asks for a broadcast queue of %u, %u expected",
				d->name, g->bc_queue_len, bcq);
	}
}

static void valid_del(struct fz_world *w)
{
	struct fz_dev *d = pick(w, NS_MAIN, 0);
	char name[IFNAMSIZ], peer[IFNAMSIZ];
	bool same_ns_peer;
	uint32_t ifindex;
	int i;
	struct mb m;

	if (!d)
		return;
	snprintf(name, IFNAMSIZ, "%s", d->name);
	snprintf(peer, IFNAMSIZ, "%s", d->peer_name);
	same_ns_peer = d->kind == VNL_KIND_PAIR && !d->peer_has_netnsid;
	ifindex = d->ifindex;

	valid_start(w, &m, VNL_CMD_LINK_DEL);
	if (pct(50))
		mb_u32(&m, VNL_A_IFINDEX, d->ifindex);
	else
		mb_put(&m, VNL_A_IFNAME, d->name, strlen(d->name) + 1);
	if (valid_send(w, &w->nl[NS_MAIN], &m))
		return;
	if (vd.req[0].error) {
		fz_fail("valid LINK_DEL of %s: %s", name, vd_err());
		return;
	}
	/* Gone, with its peer and its children. */
	if (dump_all(w))
		return;
	for (i = 0; i < w->ndev; i++) {
		struct fz_dev *x = &w->dev[i];

		if (x->ns == NS_MAIN && (!strcmp(x->name, name) || x->ifindex == ifindex))
			fz_fail("%s is still there after LINK_DEL", name);
		if (same_ns_peer && x->ns == NS_MAIN && !strcmp(x->name, peer))
			fz_fail("%s's peer %s is still there after LINK_DEL", name, peer);
		if (x->kind == VNL_KIND_MACVLAN && x->parent_ifindex == ifindex)
			fz_fail("%s's child %s (in %s) is still there after LINK_DEL",
				name, x->name, ns_name[x->ns]);
	}
}

static int rt_add(const char *name, const char *kind, const char *peer);
static int rt_del(const char *name);
static int if_up_mac(const char *name, uint8_t *mac, uint32_t *ifindex);

/* The dummy parent goes, as "ip link del" would: its children must go with
 * it, in whatever netns they are; then it comes back.
 */
static void replace_dummy(struct fz_world *w)
{
	struct fz_parent *p = &w->parent[0];
	int i, err;

	err = rt_del(p->name);
	if (err) {
		fz_fail("deleting %s: %s", p->name, strerror(-err));
		return;
	}
	if (!dump_all(w))
		for (i = 0; i < w->ndev; i++)
			if (w->dev[i].kind == VNL_KIND_MACVLAN &&
			    w->dev[i].parent_ifindex == p->ifindex)
				fz_fail("%s's child %s (in %s) outlived it", p->name,
					w->dev[i].name, ns_name[w->dev[i].ns]);
	err = rt_add(p->name, "dummy", NULL);
	if (!err)
		err = if_up_mac(p->name, p->mac, &p->ifindex);
	if (err)
		fz_fail("re-creating %s: %s", p->name, strerror(-err));
}

/* Up or down, as "ip link set" would: carrier and UP show in LINK_GET. */
static void toggle_up(struct fz_world *w)
{
	struct fz_dev *d = pick(w, NS_MAIN, 0);
	struct ifreq ifr;
	int s;

	if (!d)
		return;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", d->name);
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags ^= IFF_UP;
		/* EADDRINUSE: a child whose address a sibling took meanwhile. */
		if (ioctl(s, SIOCSIFFLAGS, &ifr) && errno != EADDRINUSE && errno != EBUSY)
			fz_fail("%s %s: %s", d->name, ifr.ifr_flags & IFF_UP ? "up" : "down",
				strerror(errno));
	}
	close(s);
}

/* Delete vnl devices of one netns until @keep remain; counts them. */
static void prune(struct fz_world *w, int keep, unsigned long *count)
{
	int ns, i, n;
	struct mb m;

	for (ns = 0; ns < NS_N; ns++) {
		if (!w->has[ns])
			continue;
		for (;;) {
			if (dump_all(w))
				return;
			for (i = 0, n = 0; i < w->ndev; i++)
				if (w->dev[i].ns == ns && !(ns == NS_INIT && in_baseline(w, w->dev[i].name)))
					n++;
			if (n <= keep)
				break;
			for (i = 0; i < w->ndev; i++)
				if (w->dev[i].ns == ns && !(ns == NS_INIT && in_baseline(w, w->dev[i].name)))
					break;
			valid_start(w, &m, VNL_CMD_LINK_DEL);
			mb_u32(&m, VNL_A_IFINDEX, w->dev[i].ifindex);
			if (valid_send(w, &w->nl[ns], &m))
				return;
			if (vd.req[0].error) {
				fz_fail("LINK_DEL of %s in %s: %s", w->dev[i].name, ns_name[ns], vd_err());
				return;
			}
			(*count)++;
		}
	}
}

/* --- setting up ------------------------------------------------------------ */

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

struct rtreq {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	uint8_t attrs[512];
};

static struct rtattr *rt_put(struct rtreq *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((uint8_t *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

static void rt_end(struct rtreq *r, struct rtattr *nest)
{
	nest->rta_len = (uint8_t *)r + r->nh.nlmsg_len - (uint8_t *)nest;
}

static int rt_transact(struct rtreq *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int s, err = -EPROTO;
	ssize_t n;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (sendto(s, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
	} else {
		n = recv(s, buf, sizeof(buf), 0);
		if (n < 0)
			err = -errno;
		else if (NLMSG_OK(h, (size_t)n) && h->nlmsg_type == NLMSG_ERROR)
			err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(s);
	return err;
}

/* "ip link add NAME type dummy" / "... type veth peer name PEER" */
static int rt_add(const char *name, const char *kind, const char *peer)
{
	struct rtreq r;
	struct rtattr *info, *data, *pe;
	struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_NEWLINK;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	rt_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	info = rt_put(&r, IFLA_LINKINFO, NULL, 0);
	rt_put(&r, IFLA_INFO_KIND, kind, strlen(kind));
	if (peer) {
		data = rt_put(&r, IFLA_INFO_DATA, NULL, 0);
		pe = rt_put(&r, VETH_INFO_PEER, &pifi, sizeof(pifi));
		rt_put(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
		rt_end(&r, pe);
		rt_end(&r, data);
	}
	rt_end(&r, info);
	return rt_transact(&r);
}

static int rt_del(const char *name)
{
	struct rtreq r;

	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_DELLINK;
	r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	rt_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	return rt_transact(&r);
}

static int if_up_mac(const char *name, uint8_t *mac, uint32_t *ifindex)
{
	struct ifreq ifr;
	int s, err = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(s, SIOCSIFFLAGS, &ifr))
		err = -errno;
	if (!err && ioctl(s, SIOCGIFHWADDR, &ifr))
		err = -errno;
	if (!err)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(s);
	*ifindex = if_nametoindex(name);
	return err ?: (*ifindex ? 0 : -ENODEV);
}

static int open_ns_socks(struct fz_world *w, int ns)
{
	int err = open_genl(w, &w->nl[ns]);

	if (err)
		return err;
	err = open_genl(w, &w->mon[ns]);
	if (!err)
		err = vnl_nl_join_group(&w->mon[ns], w->mon_group);
	if (!err)
		w->has[ns] = true;
	return err;
}

/* A netns held by a helper process (so that it has a pid too), with our
 * sockets in it.  We stay in (or go back to) main.
 */
static double now(void);

static int aux_create(struct fz_world *w)
{
	char path[64], c;
	int ready[2], err;

	if (pipe2(ready, O_CLOEXEC))
		return -errno;
	w->helper = fork();
	if (w->helper < 0)
		return -errno;
	if (!w->helper) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	err = read(ready[0], &c, 1) == 1 ? 0 : -EPIPE;
	close(ready[0]);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", w->helper);
	w->nsfd[NS_AUX] = open(path, O_RDONLY | O_CLOEXEC);
	if (w->nsfd[NS_AUX] < 0)
		return -errno;
	if (setns(w->nsfd[NS_AUX], CLONE_NEWNET))
		return -errno;
	err = open_ns_socks(w, NS_AUX);
	if (w->nsfd[NS_MAIN] >= 0 && setns(w->nsfd[NS_MAIN], CLONE_NEWNET))
		return -errno;
	return err;
}

/* The aux netns goes away with everything in it (the kernel's cleanup_net
 * deletes its vnl devices, pair ends elsewhere included); a new one takes
 * its place.  Its monitor goes first, so its devices' deletions are counted
 * from the last dump.
 */
static void recycle_aux(struct fz_world *w)
{
	char peers[64][IFNAMSIZ];
	int npeers = 0, naux = 0, i, j, err, left;
	double t0 = now();

	if (dump_all(w))
		return;
	for (i = 0; i < w->ndev; i++) {
		struct fz_dev *d = &w->dev[i];

		if (d->ns != NS_AUX)
			continue;
		naux++;
		if (d->kind == VNL_KIND_PAIR && d->peer_has_netnsid && npeers < 64)
			snprintf(peers[npeers++], IFNAMSIZ, "%s", d->peer_name);
	}
	drain_monitors(w);
	vnl_nl_close(&w->nl[NS_AUX]);
	vnl_nl_close(&w->mon[NS_AUX]);
	close(w->nsfd[NS_AUX]);
	w->nsfd[NS_AUX] = -1;
	w->has[NS_AUX] = false;
	kill(w->helper, SIGKILL);
	waitpid(w->helper, NULL, 0);
	st->ev_del += naux;
	st->netns_gone += naux;

	/* Their peers in main and init go too, asynchronously. */
	for (;;) {
		if (dump_all(w))
			return;
		for (i = 0, left = 0; i < w->ndev; i++)
			for (j = 0; j < npeers; j++)
				if (!strcmp(w->dev[i].name, peers[j]) && w->dev[i].peer_has_netnsid)
					left++;
		if (!left)
			break;
		if (now() - t0 > FZ_RECV_TIMEOUT) {
			fz_fail("%d pair ends outlived their peers' netns by %d s", left,
				FZ_RECV_TIMEOUT);
			break;
		}
		usleep(50000);
	}
	err = aux_create(w);
	if (err)
		fz_fail("a new aux netns: %s", strerror(-err));
}

/* Everything but the fuzzing: an own netns (main) for the fuzz, a second
 * one (aux) held by a helper process, sockets in main, aux and init, and
 * the would-be macvlan parents.
 */
static void world_setup(struct __test_metadata *_metadata, struct fz_world *w)
{
	int i, err;
	struct vnl_nl probe;

	memset(w, 0, sizeof(*w));
	w->dev = calloc(FZ_MAX_DEVS, sizeof(*w->dev));
	ASSERT_NE(NULL, w->dev);
	for (i = 0; i < NS_N; i++) {
		w->nl[i].fd = -1;
		w->mon[i].fd = -1;
		w->nsfd[i] = -1;
	}
	w->priv = true;

	err = vnl_nl_open(&probe);
	ASSERT_EQ(0, err);
	err = vnl_nl_resolve(&probe, VNL_GENL_NAME, &probe.family);
	ASSERT_EQ(0, err) TH_LOG("genl family \"vnl\" not found (%s): is vnl.ko loaded?",
				 strerror(-err));
	w->family = probe.family.id;
	for (i = 0; i < probe.family.n_groups; i++)
		if (!strcmp(probe.family.groups[i].name, VNL_MCGRP_MONITOR))
			w->mon_group = probe.family.groups[i].id;
	vnl_nl_close(&probe);
	ASSERT_NE(0U, w->mon_group);

	/* init: where we start */
	w->nsfd[NS_INIT] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, w->nsfd[NS_INIT]);
	ASSERT_EQ(0, open_ns_socks(w, NS_INIT));
	ASSERT_EQ(0, dump_ns(w, NS_INIT));
	for (i = 0; i < w->ndev && w->nbaseline < 64; i++)
		snprintf(w->baseline[w->nbaseline++], IFNAMSIZ, "%s", w->dev[i].name);
	w->ndev = 0;

	/* aux: a helper process keeps it, so that it also has a pid */
	err = aux_create(w);
	ASSERT_EQ(0, err) TH_LOG("the aux netns: %s", strerror(-err));

	/* main: ours */
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	w->nsfd[NS_MAIN] = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, w->nsfd[NS_MAIN]);
	write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	ASSERT_EQ(0, open_ns_socks(w, NS_MAIN));

	snprintf(w->parent[0].name, IFNAMSIZ, "fzdum0");
	snprintf(w->parent[1].name, IFNAMSIZ, "fzveth0");
	snprintf(w->parent[2].name, IFNAMSIZ, "fzveth1");
	err = rt_add("fzdum0", "dummy", NULL);
	ASSERT_EQ(0, err) TH_LOG("dummy: %s", strerror(-err));
	err = rt_add("fzveth0", "veth", "fzveth1");
	ASSERT_EQ(0, err) TH_LOG("veth: %s", strerror(-err));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, if_up_mac(w->parent[i].name, w->parent[i].mac,
				       &w->parent[i].ifindex));

	/* fds that are no netns */
	w->file_fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	w->mntns_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	w->closed_fd = 977;
	close(w->closed_fd);
	ASSERT_LE(0, w->file_fd);
	ASSERT_LE(0, w->mntns_fd);
	drain_monitors(w);
}

static void world_teardown(struct fz_world *w)
{
	int i;

	for (i = 0; i < NS_N; i++) {
		vnl_nl_close(&w->nl[i]);
		vnl_nl_close(&w->mon[i]);
		if (w->nsfd[i] >= 0)
			close(w->nsfd[i]);
	}
	if (w->helper > 0) {
		kill(w->helper, SIGKILL);
		waitpid(w->helper, NULL, 0);
	}
	close(w->file_fd);
	close(w->mntns_fd);
	free(w->dev);
}

/* Delete what is left, check that nothing is, and that every device
 * announced was announced gone.
 */
static void final_cleanup(struct fz_world *w)
{
	int i;

	prune(w, 0, &st->leftovers);
	if (!dump_all(w)) {
		for (i = 0; i < w->ndev; i++)
			if (!(w->dev[i].ns == NS_INIT && in_baseline(w, w->dev[i].name)))
				fz_fail("vnl device %s left in %s after the cleanup",
					w->dev[i].name, ns_name[w->dev[i].ns]);
	}
	for (i = 0; i < 3; i++)
		if (i != 2 && rt_del(w->parent[i].name))
			fz_fail("could not delete %s", w->parent[i].name);
	drain_monitors(w);
	if (st->ev_overrun) {
		printf("# monitor overran %lu times: events not balanced\n", st->ev_overrun);
	} else {
		if (st->ev_new != st->created)
			fz_fail("%lu devices created, %lu LINK_NEW events", st->created, st->ev_new);
		if (st->ev_new != st->ev_del)
			fz_fail("%lu LINK_NEW events, %lu LINK_DEL events", st->ev_new, st->ev_del);
	}
}

static void summary(const char *which, double secs)
{
	char errs[1024];
	size_t off = 0;
	int i;

	errs[0] = 0;
	for (i = 0; i < FZ_NERR; i++) {
		if (!st->err[i])
			continue;
		off += snprintf(errs + off, sizeof(errs) - off, " %s:%lu",
				i ? strerrorname_np(i) ?: "?" : "other", st->err[i]);
		if (off >= sizeof(errs))
			break;
	}
	printf("# fuzz_genl %s: seed %llu: %lu requests in %lu datagrams (%lu valid) in %.1f s; "
	       "answers: ok:%lu silent:%lu%s; %lu data messages; devices created %lu, "
	       "deleted by LINK_DEL %lu, by cleanup %lu, with their netns %lu, left at the end %lu; "
	       "events new %lu del %lu change %lu; failures %lu\n",
	       which, fz_seed, st->msgs, st->dgrams, st->valid, secs, st->ok, st->silent,
	       errs, st->data, st->created, st->deleted, st->cleaned, st->netns_gone,
	       st->leftovers, st->ev_new, st->ev_del, st->ev_change, st->fails);
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
 * printed by the harness's own process once the cases are done.  ops:
 * every request sent, fuzzed or valid; messages: the fuzzed ones; errors:
 * the refusals, each checked, and by errno as err_*.  No faults are
 * injected and no frames sent: 0.
 */
static void report_print(void)
{
	struct fz_stats sum = { 0 };
	unsigned long errors = 0;
	const char *name;
	int c, i;

	if (getpid() != fz_harness_pid)
		return;
	for (c = 0; c < CASE_N; c++) {
		sum.msgs += case_st[c].msgs;
		sum.dgrams += case_st[c].dgrams;
		sum.valid += case_st[c].valid;
		sum.created += case_st[c].created;
		sum.fails += case_st[c].fails;
		for (i = 0; i < FZ_NERR; i++) {
			sum.err[i] += case_st[c].err[i];
			errors += case_st[c].err[i];
		}
	}
	printf("# vnl-report: fuzz_genl faults=0 ops=%lu packets=0 errors=%lu messages=%lu "
	       "datagrams=%lu valid=%lu created=%lu failures=%lu",
	       sum.msgs + sum.valid, errors, sum.msgs, sum.dgrams, sum.valid, sum.created,
	       sum.fails);
	for (i = 0; i < FZ_NERR; i++) {
		if (!sum.err[i])
			continue;
		name = i ? strerrorname_np(i) : NULL;
		printf(" err_%s=%lu", name ?: "other", sum.err[i]);
	}
	putchar('\n');
	fflush(stdout);
}

/* The fuzz loop: @count requests on w->nl[NS_MAIN]. */
static void fuzz(struct fz_world *w, unsigned long count)
{
	static struct fz_dgram d;
	unsigned long i;
	int k;

	for (i = 0; i < count; i++) {
		st->iter = i;
		if (w->priv && count >= 300 && (i == count / 3 || i == 2 * count / 3))
			recycle_aux(w);
		if (i % 256 == 0) {
			if (dump_all(w))
				return;
			if (w->priv && w->ndev > FZ_DEV_HIGH)
				prune(w, FZ_DEV_LOW / NS_N, &st->cleaned);
		}
		if (pct(5)) {
			/* valid requests pick from a fresh picture */
			if (dump_all(w))
				return;
			k = rn(100);
			if (!w->priv) {
				struct fz_dev *dv = pick(w, NS_MAIN, 0);

				if (k < 30 && dv)
					valid_get(w, &w->nl[NS_MAIN], dv);
				else if (k < 60)
					dump_all(w);
				else
					valid_pair(w);	/* EPERM, below */
			} else if (k < 25) {
				valid_pair(w);
			} else if (k < 45) {
				valid_macvlan(w);
			} else if (k < 60) {
				valid_set(w);
			} else if (k < 70) {
				valid_del(w);
			} else if (k < 80) {
				struct fz_dev *dv = pick(w, NS_MAIN, 0);

				if (dv)
					valid_get(w, &w->nl[NS_MAIN], dv);
			} else if (k < 88) {
				toggle_up(w);
			} else if (k < 90) {
				replace_dummy(w);
			} else {
				dump_all(w);
			}
			drain_monitors(w);
			continue;
		}
		gen_dgram(w, &d);
		set_cap_ack(&w->nl[NS_MAIN], &d, d.cap_ack);
		st->msgs += d.n;
		st->dgrams++;
		if (exchange(w, &w->nl[NS_MAIN], &d, NULL, NULL))
			return;
		drain_monitors(w);
	}
}

/* TEST() leaves its variant parameter unused. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

TEST(privileged)
{
	static struct fz_world w;
	double t0 = now();

	st = &case_st[CASE_PRIVILEGED];
	known = calloc(FZ_NAMES, IFNAMSIZ);
	rbuf = malloc(FZ_RBUF_SIZE);
	ASSERT_NE(NULL, known);
	ASSERT_NE(NULL, rbuf);
	fz_case = "privileged";
	rng = fz_seed;

	world_setup(_metadata, &w);
	fuzz(&w, fz_count);
	final_cleanup(&w);
	world_teardown(&w);
	summary("privileged", now() - t0);
	EXPECT_EQ(0UL, st->fails) TH_LOG("replay with VNL_FUZZ_SEED=%llu VNL_FUZZ_COUNT=%lu",
					 fz_seed, fz_count);
}

/* Drop to nobody: no capability left in any set. */
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

static bool same_devices(const struct fz_dev *a, int na, const struct fz_dev *b, int nb)
{
	int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].ifindex != b[i].ifindex || strcmp(a[i].name, b[i].name) ||
		    a[i].ns != b[i].ns || a[i].mode != b[i].mode || a[i].nsrc != b[i].nsrc ||
		    a[i].mtu != b[i].mtu || a[i].up != b[i].up ||
		    a[i].bc_queue_len != b[i].bc_queue_len)
			return false;
	return true;
}

TEST(unprivileged)
{
	static struct fz_world w;
	struct fz_dev *before;
	double t0 = now();
	unsigned long count = fz_count / 4 ?: 1, ev;
	int nbefore, status, i;
	pid_t pid;

	st = &case_st[CASE_UNPRIVILEGED];
	known = calloc(FZ_NAMES, IFNAMSIZ);
	rbuf = malloc(FZ_RBUF_SIZE);
	ASSERT_NE(NULL, known);
	ASSERT_NE(NULL, rbuf);
	fz_case = "unprivileged";
	rng = fz_seed ^ 0x756e707269760aULL;

	world_setup(_metadata, &w);
	/* Something to look at: pairs and children of every mode, made as root. */
	for (i = 0; i < 12; i++) {
		ASSERT_EQ(0, dump_all(&w));
		if (i % 2)
			valid_macvlan(&w);
		else
			valid_pair(&w);
	}
	ASSERT_EQ(0, dump_all(&w));
	for (i = 0; i < 6; i++)
		valid_set(&w);
	ASSERT_EQ(0, dump_all(&w));
	ASSERT_EQ(0UL, st->fails);
	drain_monitors(&w);
	ev = st->ev_new + st->ev_del + st->ev_change;
	nbefore = w.ndev;
	before = malloc(nbefore * sizeof(*before) + 1);
	ASSERT_NE(NULL, before);
	memcpy(before, w.dev, nbefore * sizeof(*before));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct vnl_nl opened_as_root;

		/* One socket opened as root, one as nobody: both must be refused. */
		if (open_genl(&w, &opened_as_root) || drop_privileges()) {
			fz_fail("could not drop privileges: %s", strerror(errno));
			_exit(1);
		}
		w.priv = false;
		vnl_nl_close(&w.nl[NS_MAIN]);
		if (open_genl(&w, &w.nl[NS_MAIN])) {
			fz_fail("genl socket as nobody: %s", strerror(errno));
			_exit(1);
		}
		/* Only main is seen from here. */
		w.has[NS_AUX] = w.has[NS_INIT] = false;
		for (i = 0; i < NS_N; i++)
			w.mon[i].fd = -1;
		fuzz(&w, count / 2);
		vnl_nl_close(&w.nl[NS_MAIN]);
		w.nl[NS_MAIN] = opened_as_root;
		fuzz(&w, count - count / 2);
		_exit(st->fails ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the unprivileged child failed (status 0x%x)", status);

	/* Nothing changed, nothing was announced. */
	w.priv = true;
	ASSERT_EQ(0, dump_all(&w));
	if (!same_devices(before, nbefore, w.dev, w.ndev))
		fz_fail("the devices changed while nobody was fuzzing (%d before, %d after)",
			nbefore, w.ndev);
	drain_monitors(&w);
	if (st->ev_new + st->ev_del + st->ev_change != ev)
		fz_fail("%lu events while nobody was fuzzing",
			st->ev_new + st->ev_del + st->ev_change - ev);
	free(before);
	final_cleanup(&w);
	world_teardown(&w);
	summary("unprivileged", now() - t0);
	EXPECT_EQ(0UL, st->fails) TH_LOG("replay with VNL_FUZZ_SEED=%llu VNL_FUZZ_COUNT=%lu",
					 fz_seed, fz_count);
}

TEST_HARNESS_MAIN
