// SPDX-License-Identifier: GPL-2.0
/*
 * vnl's security properties (Documentation/security.md), tried the way a
 * user without privilege would try to break them:
 *
 *   priv_*    every state-changing command needs CAP_NET_ADMIN over the
 *             netns it touches; a refusal changes nothing, and a socket
 *             lends no privilege to whoever holds it;
 *   userns_*  an unprivileged user in a user namespace of its own is root
 *             of its own netns and of nothing else, and what it may do
 *             there (frames past the qdisc included) the kernel survives;
 *   tun_*     /dev/vnl and user namespaces: the opener's netns decides,
 *             owners and groups are kernel ids, and capabilities in a
 *             child user namespace open nobody else's device (tun_perm.c
 *             has the owner and group rules themselves);
 *   leak_*    replies and events carry nothing but the device they
 *             describe, byte for byte, and only into that device's netns;
 *   log_*     no error path an unprivileged user can reach writes to the
 *             kernel log at will.
 *
 * Every test runs in a netns T of its own, made by root and so owned by
 * the initial user namespace, like the initial netns.  The unprivileged
 * side runs in children that became uid 65534 with no capability left
 * (checked); those that need it then unshare a user namespace (and a
 * netns), as `unshare -r -n` would.  A child checks what it sees itself
 * and reports each failed check on stderr; its exit status says whether
 * any failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/if_packet.h>
#include <linux/vnl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop
#include "tun_util.h"
#include "vnl_genl.h"

#define OTHER_UID	65533
#define GROUP		4242

/* How often each error path is hammered (VNL_SECURITY_ITER overrides):
 * far more than any bound below, so that a line per try cannot hide.  The
 * debug kernel (VNL_KERNEL=debug, set by tools/vm/run) takes about 2 ms a
 * request under TCG, and a harness test has 300 s.
 */
#define HAMMER_ITER		2000
#define HAMMER_ITER_DEBUG	200
/* Lines the kernel log may gain while vnl's error paths are hammered. */
#define LOG_BOUND	10
/* printk_ratelimited(): at most 10 lines per call site per 5 s, plus one
 * "callbacks suppressed" line.
 */
#define RL_BURST	11
#define RL_INTERVAL_S	5

#define USERNS_CLONE	"/proc/sys/kernel/unprivileged_userns_clone"
#define TUN_DEV_FLAGS	(IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | \
			 IFF_NAPI | IFF_PERSIST | IFF_VNET_HDR)

/* ------------------------------------------------------------------------
 * Children: who they become, how they report
 */

enum who {
	AS_NOBODY,		/* uid/gid 65534, no capability */
	AS_USERNS,		/* ... then a user namespace and a netns */
	AS_USERNS_ONLY,		/* ... then a user namespace alone */
};

/* Exit codes of a child. */
#define CHILD_OK	0
#define CHILD_FAILED	1
#define CHILD_SETUP	2
#define CHILD_NO_USERNS	3

static int child_fails;
/* The child's ends of its pipes to the parent (proc_start). */
static int child_rx = -1, child_tx = -1;

static const char *errname(int v)
{
	static char bufs[4][32];
	static int i;
	char *b = bufs[i++ % 4];
	const char *n;

	if (v == 0)
		return "success";
	if (v > 0) {
		snprintf(b, sizeof(bufs[0]), "%d (success)", v);
		return b;
	}
	n = strerrorname_np(-v);
	snprintf(b, sizeof(bufs[0]), "%s", n ? n : "E?");
	return b;
}

#define CFAIL(fmt, ...) do {						\
	child_fails++;							\
	fprintf(stderr, "#   FAIL [pid %d] %s:%d: " fmt "\n", getpid(),	\
		__func__, __LINE__, ##__VA_ARGS__);			\
} while (0)

#define CCHECK(cond, fmt, ...) do {					\
	if (!(cond))							\
		CFAIL(fmt, ##__VA_ARGS__);				\
} while (0)

/* @want and @got are 0 (or a positive count) or -errno. */
#define CEXPECT(want, got, what) do {					\
	int __w = (want), __g = (got);					\
	if (__w != __g)							\
		CFAIL("%s: got %s, want %s", (what), errname(__g),	\
		      errname(__w));					\
} while (0)

static bool caps_all_clear(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return !(data[0].effective | data[1].effective |
		 data[0].permitted | data[1].permitted);
}

/* uid and gid 65534 and @groups; every capability goes with uid 0. */
static int become_nobody(const gid_t *groups, int ngroups)
{
	if (setgroups(ngroups, groups) ||
	    setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	/* A change of uid makes the process non-dumpable: /proc/self would
	 * stay root's, and the maps of a user namespace unwritable.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	return caps_all_clear() ? 0 : -EPERM;
}

/* What `unshare -r` does: root of a new user namespace is the caller. */
static int enter_userns(bool netns)
{
	char map[32];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | (netns ? CLONE_NEWNET : 0)))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (tun_write_file("/proc/self/uid_map", map) ||
	    tun_write_file("/proc/self/setgroups", "deny"))
		return -EIO;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (tun_write_file("/proc/self/gid_map", map))
		return -EIO;
	return 0;
}

typedef void (*child_fn)(void *arg);

struct proc {
	pid_t pid;
	int tx;		/* parent -> child */
	int rx;		/* child -> parent */
};

/* Start @fn as @who in a child; with @p, pipes connect the two. */
static pid_t spawn(enum who who, const gid_t *groups, int ngroups,
		   child_fn fn, void *arg, struct proc *p)
{
	int down[2], up[2];
	pid_t pid;

	if (p && (pipe2(down, O_CLOEXEC) || pipe2(up, O_CLOEXEC)))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int err;

		if (p) {
			close(down[1]);
			close(up[0]);
			child_rx = down[0];
			child_tx = up[1];
		}
		child_fails = 0;
		err = become_nobody(groups, ngroups);
		if (err) {
			fprintf(stderr, "#   child: cannot become uid %d without capabilities: %s\n",
				NOBODY, errname(err));
			_exit(CHILD_SETUP);
		}
		if (who != AS_NOBODY) {
			err = enter_userns(who == AS_USERNS);
			if (err) {
				fprintf(stderr, "#   child: no user namespace: %s\n",
					errname(err));
				_exit(CHILD_NO_USERNS);
			}
		}
		fn(arg);
		_exit(child_fails ? CHILD_FAILED : CHILD_OK);
	}
	if (p) {
		close(down[0]);
		close(up[1]);
		p->pid = pid;
		p->tx = down[1];
		p->rx = up[0];
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return CHILD_SETUP;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "#   child killed by signal %d\n", WTERMSIG(status));
		return CHILD_SETUP;
	}
	return WEXITSTATUS(status);
}

static int run_as(enum who who, child_fn fn, void *arg)
{
	return reap(spawn(who, NULL, 0, fn, arg, NULL));
}

/* Ints through the pipes, both ways; a dead other side reads as -EPIPE. */
static void pipe_send(int fd, int v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		fprintf(stderr, "#   pipe write: %s\n", strerror(errno));
}

static int pipe_recv(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int v;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return -EPIPE;
	return v;
}

static void child_send(int v)
{
	pipe_send(child_tx, v);
}

static int child_recv(void)
{
	int v = pipe_recv(child_rx, 600 * 1000);

	if (v == -EPIPE || v == -ETIMEDOUT)
		_exit(CHILD_SETUP);	/* the parent is gone */
	return v;
}

static int proc_finish(struct proc *p)
{
	close(p->tx);
	close(p->rx);
	return reap(p->pid);
}

/* A child's verdict, in the parent: a skip when user namespaces are not
 * allowed, a failure for anything but CHILD_OK.
 */
#define EXPECT_CHILD(r) do {						\
	int __r = (r);							\
	if (__r == CHILD_NO_USERNS)					\
		SKIP(return, "unprivileged user namespaces are not allowed here"); \
	EXPECT_EQ(CHILD_OK, __r) TH_LOG("the child reported failures (above)"); \
} while (0)

/* ------------------------------------------------------------------------
 * Network namespaces (root)
 */

static int ns_self(void)
{
	return open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
}

static int ns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET) ? -errno : 0;
}

/* No IPv6 in the caller's netns: no router solicitation or MLD report
 * adds to the counters a test reads, or to the frames a tap queues.
 */
static int no_ipv6(void)
{
	return tun_write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1") ?:
	       tun_write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
}

/* A new netns without IPv6, as an fd; the caller stays where it is. */
static int ns_new(void)
{
	int cur = ns_self(), fd = -1;

	if (cur < 0)
		return -errno;
	if (!unshare(CLONE_NEWNET)) {
		fd = ns_self();
		if (no_ipv6())
			fprintf(stderr, "# cannot turn IPv6 off in a new netns\n");
		if (ns_enter(cur))
			abort();
	}
	close(cur);
	return fd;
}

static bool exists_in(int nsfd, const char *name)
{
	int cur = ns_self();
	bool ret;

	if (cur < 0 || ns_enter(nsfd))
		abort();
	ret = link_exists(name);
	if (ns_enter(cur))
		abort();
	close(cur);
	return ret;
}

/* ------------------------------------------------------------------------
 * rtnetlink and ioctls: the non-vnl devices of the tests
 */

/* "ip link add NAME type dummy" in the caller's netns. */
static int dummy_add(const char *name)
{
	struct rtnl_link_req r;
	struct rtattr *info;
	char none = 0;

	rtnl_link_req_init(&r, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	rtnl_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	info = (struct rtattr *)((char *)&r + NLMSG_ALIGN(r.nh.nlmsg_len));
	rtnl_put(&r, IFLA_LINKINFO, &none, 0);
	rtnl_put(&r, IFLA_INFO_KIND, "dummy", sizeof("dummy"));
	info->rta_len = (char *)&r + r.nh.nlmsg_len - (char *)info;
	return rtnl_transact(&r.nh, NULL, 0);
}

/* "ip link set NAME netns NS", as RTM_NEWLINK or RTM_SETLINK (@type),
 * with NS as @attr: IFLA_NET_NS_FD or IFLA_NET_NS_PID.
 */
static int link_move(int type, const char *name, int attr, uint32_t ns)
{
	struct rtnl_link_req r;

	rtnl_link_req_init(&r, type, NLM_F_ACK);
	rtnl_put(&r, IFLA_IFNAME, name, strlen(name) + 1);
	rtnl_put(&r, attr, &ns, sizeof(ns));
	return rtnl_transact(&r.nh, NULL, 0);
}

static int if_set_mac(const char *name, const uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr;

	if_req(&ifr, name);
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac, ETH_ALEN);
	return if_ioctl(SIOCSIFHWADDR, &ifr);
}

static int if_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr;

	if_req(&ifr, name);
	ifr.ifr_mtu = mtu;
	return if_ioctl(SIOCSIFMTU, &ifr);
}

/* @n frames of an experimental EtherType out of @name (AF_PACKET),
 * straight to the driver: until linkwatch has seen the carrier come on,
 * the device's qdisc is noop, which drops what it is given and says
 * nothing.
 */
static int packet_send_to(const char *name, const uint8_t dst[ETH_ALEN], int n)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(0x88b5),
		.sll_halen = ETH_ALEN,
	};
	uint8_t frame[64];
	int s, i, err = 0, one = 1;

	memcpy(sll.sll_addr, dst, ETH_ALEN);
	sll.sll_ifindex = if_nametoindex(name);
	if (!sll.sll_ifindex)
		return -ENODEV;
	s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		close(s);
		return -errno;
	}
	memset(frame, 0x5a, sizeof(frame));
	for (i = 0; i < n && !err; i++)
		if (sendto(s, frame, sizeof(frame), 0, (struct sockaddr *)&sll,
			   sizeof(sll)) < 0)
			err = -errno;
	close(s);
	return err;
}

static int packet_send(const char *name, int n)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return packet_send_to(name, bcast, n);
}

/* A persistent tun/tap with no file attached, owned as asked (-1: none). */
static int persistent_tun(const char *name, unsigned short flags, long owner,
			  long group)
{
	char n[IFNAMSIZ];
	int fd, err = 0;

	snprintf(n, sizeof(n), "%s", name);
	fd = tun_alloc(n, flags);
	if (fd < 0)
		return fd;
	if (owner >= 0)
		err = tun_ioctl_val(fd, TUNSETOWNER, owner);
	if (!err && group >= 0)
		err = tun_ioctl_val(fd, TUNSETGROUP, group);
	if (!err)
		err = tun_ioctl_val(fd, TUNSETPERSIST, 1);
	close(fd);
	return err;
}

/* ------------------------------------------------------------------------
 * The vnl family
 */

static int nl_open_here(struct vnl_nl *nl)
{
	int err = vnl_nl_open(nl);

	if (err)
		return err;
	err = vnl_nl_resolve(nl, VNL_GENL_NAME, &nl->family);
	if (err)
		vnl_nl_close(nl);
	return err;
}

static int nl_open_in(int nsfd, struct vnl_nl *nl)
{
	int cur = ns_self(), err;

	if (cur < 0 || ns_enter(nsfd))
		abort();
	err = nl_open_here(nl);
	if (ns_enter(cur))
		abort();
	close(cur);
	return err;
}

static uint32_t mcgrp_monitor(const struct vnl_nl *nl)
{
	int i;

	for (i = 0; i < nl->family.n_groups; i++)
		if (!strcmp(nl->family.groups[i].name, VNL_MCGRP_MONITOR))
			return nl->family.groups[i].id;
	return 0;
}

/* A second socket of the family, in the caller's netns, in the monitor
 * group.
 */
static int monitor_open(struct vnl_nl *mon)
{
	int err = nl_open_here(mon), sz = 1 << 20;

	if (err)
		return err;
	setsockopt(mon->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	err = vnl_nl_join_group(mon, mcgrp_monitor(mon));
	if (err)
		vnl_nl_close(mon);
	return err;
}

static void req(struct vnl_nl *nl, struct vnl_msg *m, uint8_t cmd)
{
	vnl_msg_init(m, nl->family.id, NLM_F_REQUEST | NLM_F_ACK, cmd,
		     VNL_GENL_VERSION);
}

/* A pair request; -1 leaves a netns attribute out. */
struct pair_req {
	const char *name, *peer;
	int fd, pid, peer_fd, peer_pid;
};

#define PAIR(n, p) { .name = (n), .peer = (p), .fd = -1, .pid = -1, \
		     .peer_fd = -1, .peer_pid = -1 }

static void req_pair(struct vnl_nl *nl, struct vnl_msg *m,
		     const struct pair_req *r)
{
	struct nlattr *nest;

	req(nl, m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(m, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(m, VNL_A_IFNAME, r->name);
	if (r->fd >= 0)
		vnl_msg_put_u32(m, VNL_A_NETNS_FD, r->fd);
	if (r->pid >= 0)
		vnl_msg_put_u32(m, VNL_A_NETNS_PID, r->pid);
	nest = vnl_msg_nest_start(m, VNL_A_PEER);
	vnl_msg_put_str(m, VNL_PEER_A_IFNAME, r->peer);
	if (r->peer_fd >= 0)
		vnl_msg_put_u32(m, VNL_PEER_A_NETNS_FD, r->peer_fd);
	if (r->peer_pid >= 0)
		vnl_msg_put_u32(m, VNL_PEER_A_NETNS_PID, r->peer_pid);
	vnl_msg_nest_end(m, nest);
}

static int pair_new(struct vnl_nl *nl, const struct pair_req *r)
{
	struct vnl_msg m;

	req_pair(nl, &m, r);
	return vnl_nl_transact(nl, &m, NULL, NULL, NULL);
}

static int pair_add(struct vnl_nl *nl, const char *name, const char *peer)
{
	struct pair_req r = PAIR(name, peer);

	return pair_new(nl, &r);
}

/* A macvlan request: @mode 0 for the default, @fd/@pid -1 for the
 * caller's netns.
 */
static void req_macvlan(struct vnl_nl *nl, struct vnl_msg *m, const char *name,
			const char *parent, uint32_t mode, int fd, int pid)
{
	req(nl, m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(m, VNL_A_KIND, VNL_KIND_MACVLAN);
	vnl_msg_put_str(m, VNL_A_IFNAME, name);
	vnl_msg_put_str(m, VNL_A_PARENT_IFNAME, parent);
	if (mode)
		vnl_msg_put_u32(m, VNL_A_MACVLAN_MODE, mode);
	if (fd >= 0)
		vnl_msg_put_u32(m, VNL_A_NETNS_FD, fd);
	if (pid >= 0)
		vnl_msg_put_u32(m, VNL_A_NETNS_PID, pid);
}

static int macvlan_new(struct vnl_nl *nl, const char *name, const char *parent,
		       uint32_t mode, int fd, int pid)
{
	struct vnl_msg m;

	req_macvlan(nl, &m, name, parent, mode, fd, pid);
	return vnl_nl_transact(nl, &m, NULL, NULL, NULL);
}

/* LINK_DEL or LINK_GET by name (@name) or by ifindex (@name NULL). */
static void req_link(struct vnl_nl *nl, struct vnl_msg *m, uint8_t cmd,
		     const char *name, uint32_t ifindex)
{
	req(nl, m, cmd);
	if (name)
		vnl_msg_put_str(m, VNL_A_IFNAME, name);
	else
		vnl_msg_put_u32(m, VNL_A_IFINDEX, ifindex);
}

static int link_cmd(struct vnl_nl *nl, uint8_t cmd, const char *name,
		    uint32_t ifindex)
{
	struct vnl_msg m;

	req_link(nl, &m, cmd, name, ifindex);
	return vnl_nl_transact(nl, &m, NULL, NULL, NULL);
}

static int vnl_del(struct vnl_nl *nl, const char *name)
{
	return link_cmd(nl, VNL_CMD_LINK_DEL, name, 0);
}

static void req_set_mode(struct vnl_nl *nl, struct vnl_msg *m,
			 const char *name, uint32_t mode)
{
	req(nl, m, VNL_CMD_LINK_SET);
	vnl_msg_put_str(m, VNL_A_IFNAME, name);
	vnl_msg_put_u32(m, VNL_A_MACVLAN_MODE, mode);
}

static int set_mode(struct vnl_nl *nl, const char *name, uint32_t mode)
{
	struct vnl_msg m;

	req_set_mode(nl, &m, name, mode);
	return vnl_nl_transact(nl, &m, NULL, NULL, NULL);
}

/* LINK_SET ADD of @n source addresses 02:00:00:00:xx:yy. */
static int add_sources(struct vnl_nl *nl, const char *name, int n)
{
	struct nlattr *list;
	struct vnl_msg m;
	uint8_t mac[ETH_ALEN] = { 0x02 };
	int i;

	req(nl, &m, VNL_CMD_LINK_SET);
	vnl_msg_put_str(&m, VNL_A_IFNAME, name);
	vnl_msg_put_u32(&m, VNL_A_MACADDR_OP, VNL_MACADDR_OP_ADD);
	list = vnl_msg_nest_start(&m, VNL_A_MACADDR_LIST);
	for (i = 0; i < n; i++) {
		mac[4] = (i + 1) >> 8;
		mac[5] = i + 1;
		vnl_msg_put(&m, VNL_MACADDR_A_ADDRESS, mac, ETH_ALEN);
	}
	vnl_msg_nest_end(&m, list);
	return vnl_nl_transact(nl, &m, NULL, NULL, NULL);
}

/* One u32 attribute of LINK_GET's reply about @name. */
struct get_u32 {
	uint16_t type;
	bool found;
	uint32_t value;
};

static int get_u32_cb(const struct genlmsghdr *genl, const void *attrs,
		      size_t len, void *arg)
{
	struct get_u32 *g = arg;
	const struct nlattr *nla = vnl_attr_find(attrs, len, g->type);

	(void)genl;
	if (nla && nla->nla_len == NLA_HDRLEN + 4) {
		g->found = true;
		memcpy(&g->value, (const char *)nla + NLA_HDRLEN, 4);
	}
	return 0;
}

static int link_get_u32(struct vnl_nl *nl, const char *name, uint16_t type,
			uint32_t *value)
{
	struct get_u32 g = { .type = type };
	struct vnl_msg m;
	int err;

	req_link(nl, &m, VNL_CMD_LINK_GET, name, 0);
	err = vnl_nl_transact(nl, &m, get_u32_cb, &g, NULL);
	if (!err && !g.found)
		err = -ENOENT;
	if (!err)
		*value = g.value;
	return err;
}

/* A dump of LINK_GET: the names listed, in order, space-separated. */
struct names {
	char list[4096];
	int n;
};

static int names_cb(const struct genlmsghdr *genl, const void *attrs,
		    size_t len, void *arg)
{
	struct names *d = arg;
	struct vnl_link l;
	size_t used = strlen(d->list);

	if (vnl_link_parse(genl, attrs, len, &l))
		return -EBADMSG;
	snprintf(d->list + used, sizeof(d->list) - used, "%s%s",
		 used ? " " : "", l.ifname);
	d->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in alphabetical order: the order of a dump is the registry's
 * (dev.c), which reuses the ids of deleted devices.
 */
static int dump_names(struct vnl_nl *nl, struct names *d)
{
	char copy[sizeof(d->list)], *words[256], *save, *w;
	struct vnl_msg m;
	int err, n = 0, i;

	memset(d, 0, sizeof(*d));
	vnl_msg_init(&m, nl->family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	err = vnl_nl_transact(nl, &m, names_cb, d, NULL);
	memcpy(copy, d->list, sizeof(copy));
	for (w = strtok_r(copy, " ", &save); w && n < 256; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	qsort(words, n, sizeof(words[0]), cmp_str);
	d->list[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(d->list + strlen(d->list), sizeof(d->list) - strlen(d->list),
			 "%s%s", i ? " " : "", words[i]);
	return err;
}

/* The state of every vnl device of a netns, as a dump gives it, without
 * the counters: two snapshots are equal iff nothing was created, deleted
 * or changed in between.
 */
struct snap {
	char buf[32768];
	size_t len;
	int n;
};

static int snap_cb(const struct genlmsghdr *genl, const void *attrs,
		   size_t len, void *arg)
{
	struct snap *s = arg;
	const struct nlattr *nla;
	size_t off, alen;

	(void)genl;
	for (off = 0; off + NLA_HDRLEN <= len; off += alen) {
		nla = (const struct nlattr *)((const char *)attrs + off);
		alen = NLA_ALIGN(nla->nla_len);
		if (nla->nla_len < NLA_HDRLEN || !alen)
			return -EBADMSG;
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case VNL_A_STATS:
		case VNL_A_BC_DROPS:
		case VNL_A_PAD:
			continue;
		}
		if (s->len + alen > sizeof(s->buf))
			return -ENOSPC;
		memcpy(s->buf + s->len, nla, alen);
		s->len += alen;
	}
	s->n++;
	return 0;
}

static int snapshot(struct vnl_nl *nl, struct snap *s)
{
	struct vnl_msg m;

	memset(s, 0, sizeof(*s));
	vnl_msg_init(&m, nl->family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	return vnl_nl_transact(nl, &m, snap_cb, s, NULL);
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	return a->n == b->n && a->len == b->len && !memcmp(a->buf, b->buf, a->len);
}

/* ------------------------------------------------------------------------
 * The leak checker: every byte of a reply or an event is accounted for
 */

enum aty { T_NONE, T_U8, T_U32, T_S32, T_U64, T_STR, T_MAC, T_PAD, T_NEST };

struct aspec {
	enum aty t;
	const char *name;
	uint32_t min, max;		/* T_U32 bounds (max 0: none), T_STR size */
	bool repeat;			/* may appear more than once */
	const struct aspec *nest;	/* T_NEST: the inner attributes */
	int nest_max;
};

static const struct aspec peer_spec[VNL_PEER_A_MAX + 1] = {
	[VNL_PEER_A_IFINDEX]	= { T_U32, "VNL_PEER_A_IFINDEX", 1 },
	[VNL_PEER_A_IFNAME]	= { T_STR, "VNL_PEER_A_IFNAME", .max = IFNAMSIZ },
	[VNL_PEER_A_NETNSID]	= { T_S32, "VNL_PEER_A_NETNSID" },
};

/* A u64 per reason the device's kind can have, typed by the reason. */
static const struct aspec drops_spec[VNL_DROP_MAX + 1] = {
	[VNL_DROP_PAD]		 = { T_PAD, "VNL_DROP_PAD", .repeat = true },
	[VNL_DROP_PEER_DOWN]	 = { T_U64, "VNL_DROP_PEER_DOWN" },
	[VNL_DROP_TOO_BIG]	 = { T_U64, "VNL_DROP_TOO_BIG" },
	[VNL_DROP_BACKLOG_FULL]	 = { T_U64, "VNL_DROP_BACKLOG_FULL" },
	[VNL_DROP_NO_READER]	 = { T_U64, "VNL_DROP_NO_READER" },
	[VNL_DROP_QUEUE_FULL]	 = { T_U64, "VNL_DROP_QUEUE_FULL" },
	[VNL_DROP_UNREAD]	 = { T_U64, "VNL_DROP_UNREAD" },
	[VNL_DROP_BAD_WRITE]	 = { T_U64, "VNL_DROP_BAD_WRITE" },
	[VNL_DROP_CHILD_DOWN]	 = { T_U64, "VNL_DROP_CHILD_DOWN" },
	[VNL_DROP_MODE]		 = { T_U64, "VNL_DROP_MODE" },
	[VNL_DROP_PARENT]	 = { T_U64, "VNL_DROP_PARENT" },
	[VNL_DROP_BC_QUEUE_FULL] = { T_U64, "VNL_DROP_BC_QUEUE_FULL" },
	[VNL_DROP_NOMEM]	 = { T_U64, "VNL_DROP_NOMEM" },
	[VNL_DROP_RING_FULL]	 = { T_U64, "VNL_DROP_RING_FULL" },
	[VNL_DROP_XDP_DROP]	 = { T_U64, "VNL_DROP_XDP_DROP" },
	[VNL_DROP_XDP_ABORTED]	 = { T_U64, "VNL_DROP_XDP_ABORTED" },
	[VNL_DROP_XDP_TX_ERR]	 = { T_U64, "VNL_DROP_XDP_TX_ERR" },
	[VNL_DROP_XDP_REDIRECT_ERR] = { T_U64, "VNL_DROP_XDP_REDIRECT_ERR" },
};

static const struct aspec stats_spec[VNL_STATS_A_MAX + 1] = {
	[VNL_STATS_A_PAD]	 = { T_PAD, "VNL_STATS_A_PAD", .repeat = true },
	[VNL_STATS_A_RX_PACKETS] = { T_U64, "VNL_STATS_A_RX_PACKETS" },
	[VNL_STATS_A_RX_BYTES]	 = { T_U64, "VNL_STATS_A_RX_BYTES" },
	[VNL_STATS_A_TX_PACKETS] = { T_U64, "VNL_STATS_A_TX_PACKETS" },
	[VNL_STATS_A_TX_BYTES]	 = { T_U64, "VNL_STATS_A_TX_BYTES" },
	[VNL_STATS_A_RX_DROPS]	 = { T_U64, "VNL_STATS_A_RX_DROPS" },
	[VNL_STATS_A_TX_DROPS]	 = { T_U64, "VNL_STATS_A_TX_DROPS" },
	[VNL_STATS_A_DROPS]	 = { T_NEST, "VNL_STATS_A_DROPS", .nest = drops_spec,
				     .nest_max = VNL_DROP_MAX },
};

static const struct aspec macaddr_spec[VNL_MACADDR_A_MAX + 1] = {
	[VNL_MACADDR_A_ADDRESS]	= { T_MAC, "VNL_MACADDR_A_ADDRESS", .repeat = true },
};

/* What a reply or an event may carry: request-only attributes
 * (VNL_A_NETNS_FD, VNL_A_NETNS_PID, VNL_A_MACADDR_OP) are T_NONE.
 */
static const struct aspec link_spec[VNL_A_MAX + 1] = {
	[VNL_A_VERSION]		= { T_STR, "VNL_A_VERSION", .max = 64 },
	[VNL_A_IFINDEX]		= { T_U32, "VNL_A_IFINDEX", 1 },
	[VNL_A_IFNAME]		= { T_STR, "VNL_A_IFNAME", .max = IFNAMSIZ },
	[VNL_A_KIND]		= { T_U32, "VNL_A_KIND", VNL_KIND_PAIR, VNL_KIND_MAX },
	[VNL_A_MTU]		= { T_U32, "VNL_A_MTU", 68, 65535 },
	[VNL_A_ADDRESS]		= { T_MAC, "VNL_A_ADDRESS" },
	[VNL_A_UP]		= { T_U8, "VNL_A_UP" },
	[VNL_A_CARRIER]		= { T_U8, "VNL_A_CARRIER" },
	[VNL_A_PEER]		= { T_NEST, "VNL_A_PEER", .nest = peer_spec,
				    .nest_max = VNL_PEER_A_MAX },
	[VNL_A_STATS]		= { T_NEST, "VNL_A_STATS", .nest = stats_spec,
				    .nest_max = VNL_STATS_A_MAX },
	[VNL_A_TUN_FLAGS]	= { T_U32, "VNL_A_TUN_FLAGS", 1, 0xffff },
	[VNL_A_TUN_QUEUES]	= { T_U32, "VNL_A_TUN_QUEUES", 0, TUN_MAX_QUEUES },
	[VNL_A_TUN_OWNER]	= { T_U32, "VNL_A_TUN_OWNER" },
	[VNL_A_TUN_GROUP]	= { T_U32, "VNL_A_TUN_GROUP" },
	[VNL_A_PARENT_IFINDEX]	= { T_U32, "VNL_A_PARENT_IFINDEX", 1 },
	[VNL_A_PARENT_IFNAME]	= { T_STR, "VNL_A_PARENT_IFNAME", .max = IFNAMSIZ },
	[VNL_A_PARENT_NETNSID]	= { T_S32, "VNL_A_PARENT_NETNSID" },
	[VNL_A_MACVLAN_MODE]	= { T_U32, "VNL_A_MACVLAN_MODE",
				    VNL_MACVLAN_MODE_PRIVATE, VNL_MACVLAN_MODE_MAX },
	[VNL_A_MACADDR_LIST]	= { T_NEST, "VNL_A_MACADDR_LIST", .nest = macaddr_spec,
				    .nest_max = VNL_MACADDR_A_MAX },
	[VNL_A_BC_DROPS]	= { T_U64, "VNL_A_BC_DROPS" },
	[VNL_A_PAD]		= { T_PAD, "VNL_A_PAD", .repeat = true },
	[VNL_A_BC_QUEUE_LEN]	= { T_U32, "VNL_A_BC_QUEUE_LEN", 0, VNL_BC_QUEUE_LEN_MAX },
	[VNL_A_BC_QUEUE_LEN_USED] = { T_U32, "VNL_A_BC_QUEUE_LEN_USED", 0,
				      VNL_BC_QUEUE_LEN_MAX },
};

#define LEAK_REPORTS	20

struct leak {
	const char *ctx;	/* where the messages come from */
	/* The reader has no CAP_NET_ADMIN over the other netns (or the
	 * messages are events): a peer or parent there must not be named.
	 */
	bool unnamed_abroad;
	int msgs;		/* messages checked */
	int bad;		/* findings */
	int seen[VNL_CMD_MAX + 1][VNL_KIND_MAX + 1];	/* messages by cmd, kind */
	/* The last message checked, for the caller. */
	char name[IFNAMSIZ];
	uint32_t kind, ifindex;
	uint64_t rx_packets, tx_packets;
	bool has_owner, has_group;
	uint32_t owner, group;
};

static void leak_bad(struct leak *l, const char *fmt, ...)
{
	va_list ap;

	if (l->bad++ >= LEAK_REPORTS)
		return;
	fprintf(stderr, "#   LEAK? %s, message %d (%s): ", l->ctx, l->msgs,
		l->name[0] ? l->name : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A kernel address, or the upper half of one: the canonical kernel half
 * of x86-64 starts at 0xffff800000000000 (direct map 0xffff88...,
 * text 0xffffffff8...).
 */
static bool u64_is_pointer(uint64_t v)
{
	return (v >> 47) == 0x1ffff;
}

static bool u32_is_pointer(uint32_t v)
{
	return v >= 0xffff8000;
}

static void check_attrs(struct leak *l, const void *data, size_t len,
			const struct aspec *spec, int max, const char *where,
			const struct nlattr **seen)
{
	const uint8_t *p = data;
	size_t off = 0;

	while (off < len) {
		const struct nlattr *nla = (const struct nlattr *)(p + off);
		const uint8_t *pl = p + off + NLA_HDRLEN;
		const struct aspec *s;
		size_t alen, plen, i;
		int type;
		uint64_t v64;
		uint32_t v32;

		if (len - off < NLA_HDRLEN || nla->nla_len < NLA_HDRLEN ||
		    nla->nla_len > len - off) {
			leak_bad(l, "malformed attribute at offset %zu of %s", off, where);
			return;
		}
		type = nla->nla_type & NLA_TYPE_MASK;
		plen = nla->nla_len - NLA_HDRLEN;
		alen = NLA_ALIGN(nla->nla_len);
		if (alen > len - off) {
			leak_bad(l, "attribute %d's padding runs past the end of %s",
				 type, where);
			alen = len - off;
		}
		for (i = nla->nla_len; i < alen; i++)
			if (p[off + i])
				leak_bad(l, "padding byte %zu after attribute %d of %s is 0x%02x",
					 i - nla->nla_len, type, where, p[off + i]);
		off += alen;

		if (type > max || spec[type].t == T_NONE) {
			leak_bad(l, "attribute %d has no business in %s (%zu bytes)",
				 type, where, plen);
			continue;
		}
		s = &spec[type];
		if (seen[type] && !s->repeat)
			leak_bad(l, "%s twice in %s", s->name, where);
		seen[type] = nla;
		if (nla->nla_type & NLA_F_NET_BYTEORDER)
			leak_bad(l, "%s has NLA_F_NET_BYTEORDER", s->name);
		if (!!(nla->nla_type & NLA_F_NESTED) != (s->t == T_NEST))
			leak_bad(l, "%s: NLA_F_NESTED is %s", s->name,
				 nla->nla_type & NLA_F_NESTED ? "set" : "clear");

		switch (s->t) {
		case T_U8:
			if (plen != 1)
				leak_bad(l, "%s is %zu bytes, not 1", s->name, plen);
			else if (pl[0] > 1)
				leak_bad(l, "%s is %u, not 0 or 1", s->name, pl[0]);
			break;
		case T_U32:
		case T_S32:
			if (plen != 4) {
				leak_bad(l, "%s is %zu bytes, not 4", s->name, plen);
				break;
			}
			memcpy(&v32, pl, 4);
			if (s->t == T_S32 && (int32_t)v32 < 0)
				leak_bad(l, "%s is %d: no netnsid", s->name, (int32_t)v32);
			else if (u32_is_pointer(v32))
				leak_bad(l, "%s is 0x%08x: a kernel pointer's upper half?",
					 s->name, v32);
			else if (s->t == T_U32 && (v32 < s->min || (s->max && v32 > s->max)))
				leak_bad(l, "%s is %u, outside %u..%u", s->name, v32,
					 s->min, s->max);
			if (type == VNL_A_IFINDEX && spec == link_spec)
				l->ifindex = v32;
			if (type == VNL_A_KIND && spec == link_spec)
				l->kind = v32;
			if (type == VNL_A_TUN_OWNER && spec == link_spec) {
				l->has_owner = true;
				l->owner = v32;
			}
			if (type == VNL_A_TUN_GROUP && spec == link_spec) {
				l->has_group = true;
				l->group = v32;
			}
			break;
		case T_U64:
			if (plen != 8) {
				leak_bad(l, "%s is %zu bytes, not 8", s->name, plen);
				break;
			}
			memcpy(&v64, pl, 8);
			if (u64_is_pointer(v64))
				leak_bad(l, "%s is 0x%016llx: a kernel pointer?", s->name,
					 (unsigned long long)v64);
			if (type == VNL_STATS_A_RX_PACKETS && spec == stats_spec)
				l->rx_packets = v64;
			if (type == VNL_STATS_A_TX_PACKETS && spec == stats_spec)
				l->tx_packets = v64;
			break;
		case T_STR:
			if (plen < 2 || plen > s->max) {
				leak_bad(l, "%s is %zu bytes (2..%u)", s->name, plen, s->max);
				break;
			}
			if (pl[plen - 1] || strnlen((const char *)pl, plen) != plen - 1) {
				leak_bad(l, "%s: %zu bytes, NUL at %zu: bytes after the string or none",
					 s->name, plen, strnlen((const char *)pl, plen));
				break;
			}
			for (i = 0; i + 1 < plen; i++)
				if (pl[i] < 0x21 || pl[i] > 0x7e)
					leak_bad(l, "%s: byte %zu is 0x%02x", s->name, i, pl[i]);
			if (type == VNL_A_IFNAME && spec == link_spec)
				snprintf(l->name, sizeof(l->name), "%s", (const char *)pl);
			break;
		case T_MAC:
			if (plen != ETH_ALEN)
				leak_bad(l, "%s is %zu bytes, not 6", s->name, plen);
			else if ((pl[0] & 1) || !(pl[0] | pl[1] | pl[2] | pl[3] | pl[4] | pl[5]))
				leak_bad(l, "%s is not a unicast address", s->name);
			break;
		case T_PAD:
			if (plen)
				leak_bad(l, "%s carries %zu bytes", s->name, plen);
			break;
		case T_NEST: {
			const struct nlattr *inner[32] = { NULL };

			check_attrs(l, pl, plen, s->nest, s->nest_max, s->name, inner);
			if (s->nest == stats_spec) {
				int t;

				for (t = VNL_STATS_A_RX_PACKETS; t <= VNL_STATS_A_MAX; t++)
					if (!inner[t])
						leak_bad(l, "%s lacks %s", s->name,
							 stats_spec[t].name);
			}
			break;
		}
		case T_NONE:
			break;
		}
	}
}

#define HAS(a)	(!!seen[a])

/* Whether the nest @nla holds an attribute of @type. */
static bool nest_has(const struct nlattr *nla, uint16_t type)
{
	const char *p = (const char *)nla + NLA_HDRLEN;
	int rem = nla->nla_len - NLA_HDRLEN;

	while (rem >= (int)NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return false;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return true;
		rem -= NLA_ALIGN(a->nla_len);
		p += NLA_ALIGN(a->nla_len);
	}
	return false;
}

/* A peer or parent in another netns (a netnsid given) is named only to
 * readers with CAP_NET_ADMIN over that netns (genl.c:vnl_genl_may_name);
 * one in the same netns always is.
 */
static void check_link_name(struct leak *l, const char *what, bool named,
			    bool abroad)
{
	if (!abroad && !named)
		leak_bad(l, "%s in the same netns, not named", what);
	if (abroad && named && l->unnamed_abroad)
		leak_bad(l, "%s in another netns, named to a reader without CAP_NET_ADMIN there",
			 what);
}

/* What a device of each kind is described by (include/uapi/linux/vnl.h),
 * and nothing of another kind.
 */
static void check_kind(struct leak *l, const struct nlattr **seen, uint8_t cmd)
{
	uint32_t flags = 0, mode = 0;
	static const int required[] = {
		VNL_A_IFINDEX, VNL_A_IFNAME, VNL_A_KIND, VNL_A_MTU, VNL_A_UP,
		VNL_A_CARRIER, VNL_A_STATS,
	};
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!seen[required[i]])
			leak_bad(l, "%s missing", link_spec[required[i]].name);
	if (HAS(VNL_A_VERSION))
		leak_bad(l, "VNL_A_VERSION in a device description");
	if (HAS(VNL_A_TUN_FLAGS))
		memcpy(&flags, (const char *)seen[VNL_A_TUN_FLAGS] + NLA_HDRLEN, 4);
	if (HAS(VNL_A_MACVLAN_MODE))
		memcpy(&mode, (const char *)seen[VNL_A_MACVLAN_MODE] + NLA_HDRLEN, 4);
	if (flags & ~TUN_DEV_FLAGS)
		leak_bad(l, "VNL_A_TUN_FLAGS 0x%x has flags a device does not keep", flags);

	switch (l->kind) {
	case VNL_KIND_PAIR:
		if (!HAS(VNL_A_ADDRESS) || HAS(VNL_A_TUN_FLAGS) || HAS(VNL_A_TUN_QUEUES) ||
		    HAS(VNL_A_TUN_OWNER) || HAS(VNL_A_TUN_GROUP) ||
		    HAS(VNL_A_PARENT_IFINDEX) || HAS(VNL_A_PARENT_IFNAME) ||
		    HAS(VNL_A_PARENT_NETNSID) || HAS(VNL_A_MACVLAN_MODE) ||
		    HAS(VNL_A_MACADDR_LIST) || HAS(VNL_A_BC_DROPS) ||
		    HAS(VNL_A_BC_QUEUE_LEN) || HAS(VNL_A_BC_QUEUE_LEN_USED))
			leak_bad(l, "a pair described with another kind's attributes");
		/* Only a deletion may find the peer already gone (the last
		 * carrier change is part of one).
		 */
		if (!HAS(VNL_A_PEER) && cmd != VNL_CMD_LINK_DEL &&
		    cmd != VNL_CMD_LINK_CHANGE)
			leak_bad(l, "a pair without VNL_A_PEER");
		if (HAS(VNL_A_PEER))
			check_link_name(l, "the peer",
					nest_has(seen[VNL_A_PEER], VNL_PEER_A_IFNAME),
					nest_has(seen[VNL_A_PEER], VNL_PEER_A_NETNSID));
		break;
	case VNL_KIND_TUN:
	case VNL_KIND_TAP:
		if (HAS(VNL_A_ADDRESS) != (l->kind == VNL_KIND_TAP))
			leak_bad(l, "a %s %s VNL_A_ADDRESS", l->kind == VNL_KIND_TAP ?
				 "tap" : "tun", HAS(VNL_A_ADDRESS) ? "with" : "without");
		if (!HAS(VNL_A_TUN_FLAGS) || !HAS(VNL_A_TUN_QUEUES) || HAS(VNL_A_PEER) ||
		    HAS(VNL_A_PARENT_IFINDEX) || HAS(VNL_A_PARENT_IFNAME) ||
		    HAS(VNL_A_PARENT_NETNSID) || HAS(VNL_A_MACVLAN_MODE) ||
		    HAS(VNL_A_MACADDR_LIST) || HAS(VNL_A_BC_DROPS) ||
		    HAS(VNL_A_BC_QUEUE_LEN) || HAS(VNL_A_BC_QUEUE_LEN_USED))
			leak_bad(l, "a tun/tap described with another kind's attributes");
		if ((flags & (IFF_TUN | IFF_TAP)) !=
		    (l->kind == VNL_KIND_TUN ? IFF_TUN : IFF_TAP))
			leak_bad(l, "VNL_A_TUN_FLAGS 0x%x contradicts the kind", flags);
		break;
	case VNL_KIND_MACVLAN:
		if (!HAS(VNL_A_ADDRESS) || !HAS(VNL_A_PARENT_IFINDEX) ||
		    !HAS(VNL_A_MACVLAN_MODE) || !HAS(VNL_A_BC_QUEUE_LEN) ||
		    !HAS(VNL_A_BC_QUEUE_LEN_USED) ||
		    !HAS(VNL_A_BC_DROPS) || HAS(VNL_A_PEER) || HAS(VNL_A_TUN_FLAGS) ||
		    HAS(VNL_A_TUN_QUEUES) || HAS(VNL_A_TUN_OWNER) || HAS(VNL_A_TUN_GROUP))
			leak_bad(l, "a macvlan child described with another kind's attributes");
		check_link_name(l, "the parent", HAS(VNL_A_PARENT_IFNAME),
				HAS(VNL_A_PARENT_NETNSID));
		if (HAS(VNL_A_MACADDR_LIST) != (mode == VNL_MACVLAN_MODE_SOURCE))
			leak_bad(l, "VNL_A_MACADDR_LIST %s in mode %u",
				 HAS(VNL_A_MACADDR_LIST) ? "present" : "absent", mode);
		break;
	}
}

/* One whole netlink message of the vnl family, header included. */
static void leak_check_msg(struct leak *l, const struct nlmsghdr *nlh)
{
	const struct nlattr *seen[VNL_A_MAX + 1] = { NULL };
	const struct genlmsghdr *genl = NLMSG_DATA(nlh);

	l->msgs++;
	l->name[0] = '\0';
	l->kind = l->ifindex = 0;
	l->rx_packets = l->tx_packets = 0;
	l->has_owner = l->has_group = false;
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		leak_bad(l, "%u bytes: shorter than a genl header", nlh->nlmsg_len);
		return;
	}
	if (nlh->nlmsg_len % NLMSG_ALIGNTO)
		leak_bad(l, "nlmsg_len %u is not aligned", nlh->nlmsg_len);
	if (genl->reserved)
		leak_bad(l, "genlmsghdr.reserved is 0x%04x", genl->reserved);
	if (genl->version != VNL_GENL_VERSION)
		leak_bad(l, "genlmsghdr.version is %u", genl->version);

	check_attrs(l, (const char *)genl + GENL_HDRLEN,
		    nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), link_spec,
		    VNL_A_MAX, "the message", seen);

	switch (genl->cmd) {
	case VNL_CMD_GET_VERSION:
		if (!HAS(VNL_A_VERSION) || HAS(VNL_A_IFINDEX))
			leak_bad(l, "a version reply with more or less than VNL_A_VERSION");
		return;
	case VNL_CMD_LINK_NEW:
	case VNL_CMD_LINK_DEL:
	case VNL_CMD_LINK_GET:
	case VNL_CMD_LINK_CHANGE:
		check_kind(l, seen, genl->cmd);
		if (l->kind <= VNL_KIND_MAX)
			l->seen[genl->cmd][l->kind]++;
		return;
	default:
		leak_bad(l, "command %u in a reply", genl->cmd);
	}
}

/* A vnl_nl_transact() callback: the message around @genl. */
static int leak_cb(const struct genlmsghdr *genl, const void *attrs, size_t len,
		   void *arg)
{
	(void)attrs;
	(void)len;
	leak_check_msg(arg, (const struct nlmsghdr *)((const char *)genl - NLMSG_HDRLEN));
	return 0;
}

static int leak_transact(struct vnl_nl *nl, struct vnl_msg *m, struct leak *l)
{
	return vnl_nl_transact(nl, m, leak_cb, l, NULL);
}

static int leak_dump(struct vnl_nl *nl, struct leak *l)
{
	struct vnl_msg m;

	vnl_msg_init(&m, nl->family.id, NLM_F_REQUEST | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	return leak_transact(nl, &m, l);
}

/* Reads what a monitor socket receives, each datagram into a buffer
 * filled with 0xa5 first (so that bytes the kernel did not write cannot
 * pass for zeros), until @stop returns true or nothing more comes for
 * @idle_ms.  Each vnl message goes through @l, then @stop.  Returns the
 * number of messages or -errno.
 */
typedef bool (*mon_stop_fn)(struct leak *l, void *arg);

static int monitor_read(struct vnl_nl *mon, struct leak *l, int idle_ms,
			mon_stop_fn stop, void *arg)
{
	static char buf[65536];
	struct pollfd pfd = { .fd = mon->fd, .events = POLLIN };
	int n = 0;

	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t got;
		int rem;

		if (poll(&pfd, 1, idle_ms) != 1)
			return n;
		memset(buf, 0xa5, sizeof(buf));
		got = recv(mon->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)got > sizeof(buf))
			return -EMSGSIZE;
		for (nlh = (const struct nlmsghdr *)buf, rem = got; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_type != mon->family.id) {
				leak_bad(l, "message of type %u on the monitor socket",
					 nlh->nlmsg_type);
				continue;
			}
			if (nlh->nlmsg_pid || nlh->nlmsg_seq)
				leak_bad(l, "event with pid %u seq %u", nlh->nlmsg_pid,
					 nlh->nlmsg_seq);
			leak_check_msg(l, nlh);
			n++;
			if (stop && stop(l, arg))
				return n;
		}
		if (rem)
			leak_bad(l, "%d bytes after the last message of a datagram", rem);
	}
}

/* ------------------------------------------------------------------------
 * The fixture
 */

FIXTURE(sec)
{
	struct vnl_nl nl;	/* root's socket, in T */
	int init_fd;		/* the initial netns */
	int t_fd;		/* T, this test's netns */
	char userns_clone[8];	/* USERNS_CLONE's value before, "" if none */
};

/* Names a failed test could leave in the initial netns. */
static const char *const init_names[] = { "secx0", "secx1" };

FIXTURE_SETUP(sec)
{
	int fd, err;
	ssize_t n;

	self->userns_clone[0] = '\0';
	fd = open(USERNS_CLONE, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, self->userns_clone, sizeof(self->userns_clone) - 1);
		self->userns_clone[n > 0 ? n : 0] = '\0';
		close(fd);
		ASSERT_EQ(0, tun_write_file(USERNS_CLONE, "1"));
	}

	self->init_fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->init_fd);
	err = tun_enter_new_netns();
	ASSERT_EQ(0, err) TH_LOG("new netns: %s", strerror(-err));
	self->t_fd = ns_self();
	ASSERT_LE(0, self->t_fd);
	err = nl_open_here(&self->nl);
	ASSERT_EQ(0, err) TH_LOG("genl family \"%s\": %s: is vnl.ko loaded?",
				 VNL_GENL_NAME, strerror(-err));
	/* The dummy module, loaded by root before any user namespace asks. */
	ASSERT_EQ(0, dummy_add("secload0"));
	ASSERT_EQ(0, link_del("secload0"));
}

FIXTURE_TEARDOWN(sec)
{
	size_t i;

	for (i = 0; i < sizeof(init_names) / sizeof(init_names[0]); i++) {
		if (self->init_fd >= 0 && exists_in(self->init_fd, init_names[i])) {
			TH_LOG("%s left in the initial netns: deleting it", init_names[i]);
			if (!ns_enter(self->init_fd)) {
				link_del(init_names[i]);
				ns_enter(self->t_fd);
			}
		}
	}
	if (self->userns_clone[0])
		tun_write_file(USERNS_CLONE, self->userns_clone);
	vnl_nl_close(&self->nl);
}

/* What the children of a test share, set before they fork. */
static struct {
	int init_fd, t_fd, other_fd;
	pid_t other_pid;
	uint32_t ifindex[8];
	struct vnl_nl root_nl;
} g;

static void share_fixture(FIXTURE_DATA(sec) *self)
{
	memset(&g, 0, sizeof(g));
	g.init_fd = self->init_fd;
	g.t_fd = self->t_fd;
	g.other_fd = -1;
	g.other_pid = -1;
	g.root_nl = self->nl;
}

/* The devices root makes in T for the tests that attack them. */
static void make_targets(struct __test_metadata *_metadata,
			 FIXTURE_DATA(sec) *self)
{
	ASSERT_EQ(0, pair_add(&self->nl, "sp0", "sp1"));
	ASSERT_EQ(0, dummy_add("sd0"));
	ASSERT_EQ(0, macvlan_new(&self->nl, "sm0", "sd0", 0, -1, -1));
	ASSERT_EQ(0, persistent_tun("stap", IFF_TAP | IFF_NO_PI, -1, -1));
	g.ifindex[0] = if_nametoindex("sp0");
	g.ifindex[1] = if_nametoindex("sm0");
	g.ifindex[2] = if_nametoindex("stap");
	g.ifindex[3] = if_nametoindex("sd0");
}

/* ------------------------------------------------------------------------
 * The kernel log, as root reads it (/dev/kmsg)
 */

struct kmsg {
	int fd;
	struct timespec t0;
	double elapsed;
	int lines, lost;
	/* Distinct lines, digits and quoted words masked, with counts. */
	int ntemplates;
	struct {
		char text[160];
		int count;
	} t[32];
};

static int kmsg_mark(struct kmsg *k)
{
	memset(k, 0, sizeof(*k));
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if (lseek(k->fd, 0, SEEK_END) < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &k->t0);
	return 0;
}

static void kmsg_template(const char *text, char *out, size_t size)
{
	size_t o = 0;
	char quote = 0;

	for (; *text && o + 1 < size; text++) {
		if (quote) {
			if (*text == quote || (quote == '`' && *text == '\''))
				quote = 0;
			continue;
		}
		if (*text == '\'' || *text == '`') {
			quote = *text;
			out[o++] = '?';
		} else if (*text >= '0' && *text <= '9') {
			if (!o || out[o - 1] != '#')
				out[o++] = '#';
		} else {
			out[o++] = *text;
		}
	}
	out[o] = '\0';
}

/* Everything logged since the mark, printed and counted. */
static void kmsg_collect(struct kmsg *k)
{
	struct timespec t1;
	char rec[8192], tmpl[160];
	ssize_t n;
	int i;

	for (;;) {
		char *text, *nl;

		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			/* Overwritten before we read it: the log overflowed. */
			k->lost++;
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		text = text ? text + 1 : rec;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		k->lines++;
		if (k->lines <= 40)
			fprintf(stderr, "#   kernel: %s\n", text);
		kmsg_template(text, tmpl, sizeof(tmpl));
		for (i = 0; i < k->ntemplates; i++)
			if (!strcmp(k->t[i].text, tmpl))
				break;
		if (i == k->ntemplates && i < 32) {
			snprintf(k->t[i].text, sizeof(k->t[i].text), "%s", tmpl);
			k->ntemplates++;
		}
		if (i < 32)
			k->t[i].count++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	k->elapsed = (t1.tv_sec - k->t0.tv_sec) + (t1.tv_nsec - k->t0.tv_nsec) / 1e9;
	close(k->fd);
	k->fd = -1;
}

/* ========================================================================
 * 1. State-changing commands need CAP_NET_ADMIN over the netns they touch
 */

static void child_unprivileged_attempts(void *arg)
{
	struct vnl_nl nl;
	struct vnl_link link;
	struct names d;
	struct vnl_msg m;

	(void)arg;
	CEXPECT(0, nl_open_here(&nl), "open the vnl family as uid 65534");
	/* Looking is allowed. */
	CEXPECT(0, vnl_link_get_by_name(&nl, "sp0", &link, NULL), "LINK_GET sp0");
	CEXPECT(0, dump_names(&nl, &d), "LINK_GET dump");
	CCHECK(d.n == 4, "the dump lists %d devices (%s), not 4", d.n, d.list);

	CEXPECT(-EPERM, pair_add(&nl, "np0", "np1"), "LINK_NEW pair");
	CEXPECT(-EPERM, macvlan_new(&nl, "nm0", "sd0", 0, -1, -1), "LINK_NEW macvlan");
	req(&nl, &m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(&m, VNL_A_KIND, VNL_KIND_TAP);
	vnl_msg_put_str(&m, VNL_A_IFNAME, "ntap0");
	CEXPECT(-EPERM, vnl_nl_transact(&nl, &m, NULL, NULL, NULL), "LINK_NEW tap");
	CEXPECT(-EPERM, vnl_del(&nl, "sp0"), "LINK_DEL sp0 (a pair)");
	CEXPECT(-EPERM, vnl_del(&nl, "sp1"), "LINK_DEL sp1 (its peer)");
	CEXPECT(-EPERM, vnl_del(&nl, "sm0"), "LINK_DEL sm0 (a macvlan child)");
	CEXPECT(-EPERM, vnl_del(&nl, "stap"), "LINK_DEL stap (a tap)");
	CEXPECT(-EPERM, link_cmd(&nl, VNL_CMD_LINK_DEL, NULL, g.ifindex[0]),
		"LINK_DEL by sp0's ifindex");
	/* The permission comes first: a refusal does not say what exists. */
	CEXPECT(-EPERM, vnl_del(&nl, "nosuchdev"), "LINK_DEL of a name that does not exist");
	CEXPECT(-EPERM, set_mode(&nl, "sm0", VNL_MACVLAN_MODE_BRIDGE), "LINK_SET sm0 mode bridge");
	CEXPECT(-EPERM, set_mode(&nl, "sm0", VNL_MACVLAN_MODE_SOURCE), "LINK_SET sm0 mode source");
	CEXPECT(-EPERM, add_sources(&nl, "sm0", 2), "LINK_SET sm0 source addresses");
	CEXPECT(-EPERM, set_mode(&nl, "sp0", VNL_MACVLAN_MODE_BRIDGE), "LINK_SET sp0");
	vnl_nl_close(&nl);
}

TEST_F(sec, priv_unprivileged_user_changes_nothing)
{
	struct snap before, after;

	share_fixture(self);
	make_targets(_metadata, self);
	ASSERT_EQ(0, snapshot(&self->nl, &before));
	ASSERT_EQ(4, before.n);

	EXPECT_CHILD(run_as(AS_NOBODY, child_unprivileged_attempts, NULL));

	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(snap_equal(&before, &after)) TH_LOG("the vnl devices of T changed");
	EXPECT_FALSE(link_exists("np0"));
	EXPECT_FALSE(link_exists("np1"));
	EXPECT_FALSE(link_exists("nm0"));
	EXPECT_FALSE(link_exists("ntap0"));
	EXPECT_TRUE(link_exists("sp0") && link_exists("sp1") && link_exists("sm0") &&
		    link_exists("stap"));
}

/* A socket root opened, used by a child that dropped root. */
static void child_uses_roots_socket(void *arg)
{
	struct vnl_nl *nl = &g.root_nl;

	(void)arg;
	CEXPECT(-EPERM, pair_add(nl, "np0", "np1"), "LINK_NEW pair on root's socket");
	CEXPECT(-EPERM, vnl_del(nl, "sp0"), "LINK_DEL sp0 on root's socket");
	CEXPECT(-EPERM, set_mode(nl, "sm0", VNL_MACVLAN_MODE_BRIDGE),
		"LINK_SET sm0 on root's socket");
}

TEST_F(sec, priv_socket_opened_by_root_lends_no_privilege)
{
	struct snap before, after;

	share_fixture(self);
	make_targets(_metadata, self);
	ASSERT_EQ(0, snapshot(&self->nl, &before));
	EXPECT_CHILD(run_as(AS_NOBODY, child_uses_roots_socket, NULL));
	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(snap_equal(&before, &after));
	EXPECT_FALSE(link_exists("np0"));
}

/* Sends @fds over a unix socket. */
static int send_fds(int sock, const int *fds, int n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
	};
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

static int recv_fds(int sock, int *fds, int n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int) * n))
		return -EPROTO;
	memcpy(fds, CMSG_DATA(c), sizeof(int) * n);
	return 0;
}

static int fd_sock[2];

/* vnl_nl_transact() with write() instead of sendto(): without a
 * destination address the kernel checks the credentials the socket was
 * opened with as well as the writer's (netlink_ns_capable(): no
 * NETLINK_SKB_DST), which is what protects a setuid program that writes
 * to a netlink socket it was handed.  The ack's error, or -errno.
 */
static int write_transact(struct vnl_nl *nl, struct vnl_msg *m)
{
	static char buf[32768];
	uint32_t seq = nl->seq++;

	m->nlh.nlmsg_seq = seq;
	m->nlh.nlmsg_pid = 0;
	if (write(nl->fd, m->buf, m->nlh.nlmsg_len) != (ssize_t)m->nlh.nlmsg_len)
		return -errno;
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		int rem;

		if (n < 0)
			return -errno;
		for (nlh = (const struct nlmsghdr *)buf, rem = n; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem))
			if (nlh->nlmsg_seq == seq && nlh->nlmsg_type == NLMSG_ERROR)
				return ((const struct nlmsgerr *)NLMSG_DATA(nlh))->error;
	}
}

static int write_pair(struct vnl_nl *nl, const struct pair_req *r)
{
	struct vnl_msg m;

	req_pair(nl, &m, r);
	return write_transact(nl, &m);
}

/* In its own user namespace and netns: a vnl socket, and the netns, for
 * the parent.
 */
static void child_lends_its_socket(void *arg)
{
	struct vnl_nl nl;
	int fds[2];

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family in its own netns");
		return;
	}
	fds[0] = nl.fd;
	fds[1] = ns_self();
	CEXPECT(0, send_fds(fd_sock[1], fds, 2), "send the socket and the netns");
	child_recv();	/* the parent is done with them */
}

TEST_F(sec, priv_socket_opened_in_a_user_namespace_reaches_only_its_netns)
{
	struct pair_req r = PAIR("dq0", "dq1"), r_ok = PAIR("dp0", "dp1");
	struct snap before, after;
	struct vnl_msg m;
	struct vnl_nl unl;
	struct proc p;
	int fds[2], err;

	share_fixture(self);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd_sock));
	ASSERT_EQ(0, snapshot(&self->nl, &before));
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_lends_its_socket, NULL, &p));
	err = recv_fds(fd_sock[0], fds, 2);
	if (err) {
		EXPECT_CHILD(proc_finish(&p));
		ASSERT_EQ(0, err);
	}

	/* Root holds a socket a user-namespace root opened in its netns N,
	 * and writes to it as a setuid program would to a socket it was
	 * handed as stdout.
	 */
	memset(&unl, 0, sizeof(unl));
	unl.fd = fds[0];
	unl.seq = 1;
	unl.family = self->nl.family;
	/* In N, its opener could: so can root, through it. */
	EXPECT_EQ(0, write_pair(&unl, &r_ok));
	EXPECT_TRUE(exists_in(fds[1], "dp0"));
	/* Beyond N, its opener could not: neither can root, through it. */
	r.peer_fd = self->t_fd;
	EXPECT_EQ(-EPERM, write_pair(&unl, &r)) TH_LOG("peer in T through N's socket");
	r.peer_fd = -1;
	r.fd = self->t_fd;
	EXPECT_EQ(-EPERM, write_pair(&unl, &r)) TH_LOG("device in T through N's socket");
	r.fd = -1;
	r.pid = getpid();
	EXPECT_EQ(-EPERM, write_pair(&unl, &r)) TH_LOG("device in root's netns by pid");
	r.pid = -1;
	r.peer_fd = self->init_fd;
	EXPECT_EQ(-EPERM, write_pair(&unl, &r)) TH_LOG("peer in the initial netns");
	EXPECT_FALSE(exists_in(fds[1], "dq0"));
	EXPECT_FALSE(exists_in(fds[1], "dq1"));
	EXPECT_FALSE(link_exists("dq0"));
	EXPECT_FALSE(link_exists("dq1"));
	EXPECT_FALSE(exists_in(self->init_fd, "dq1"));
	req_link(&unl, &m, VNL_CMD_LINK_DEL, "dp0", 0);
	EXPECT_EQ(0, write_transact(&unl, &m));
	EXPECT_FALSE(exists_in(fds[1], "dp0"));

	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(snap_equal(&before, &after));
	close(fds[0]);
	close(fds[1]);
	pipe_send(p.tx, 1);
	EXPECT_CHILD(proc_finish(&p));
}

/* ========================================================================
 * User namespaces: root of its own netns, and of nothing else
 */

static void child_userns_manages_its_netns(void *arg)
{
	struct vnl_nl nl;
	struct pair_req r = PAIR("u2", "u3");
	struct vnl_link link;
	struct names d;
	uint32_t v = 0;
	char tun[IFNAMSIZ] = "ut0";
	int own, tfd;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family in its own netns");
		return;
	}
	own = ns_self();
	CEXPECT(0, pair_add(&nl, "u0", "u1"), "LINK_NEW pair u0/u1");
	r.fd = own;		/* its own netns, said explicitly */
	r.peer_pid = getpid();
	CEXPECT(0, pair_new(&nl, &r), "LINK_NEW pair u2/u3 by its own netns fd and pid");
	CEXPECT(0, dummy_add("ud0"), "ip link add ud0 type dummy");
	CEXPECT(0, macvlan_new(&nl, "um0", "ud0", 0, -1, -1), "LINK_NEW macvlan um0 on ud0");
	CEXPECT(0, set_mode(&nl, "um0", VNL_MACVLAN_MODE_BRIDGE), "LINK_SET um0 mode bridge");
	CEXPECT(0, link_get_u32(&nl, "um0", VNL_A_MACVLAN_MODE, &v), "LINK_GET um0");
	CCHECK(v == VNL_MACVLAN_MODE_BRIDGE, "um0's mode is %u, not bridge", v);
	tfd = tun_alloc(tun, IFF_TUN);
	CEXPECT(0, tfd < 0 ? tfd : 0, "TUNSETIFF ut0 (a tun in its own netns)");
	CEXPECT(0, link_get_u32(&nl, "ut0", VNL_A_KIND, &v), "LINK_GET ut0");
	CCHECK(v == VNL_KIND_TUN, "ut0's kind is %u", v);
	CEXPECT(0, vnl_link_get_by_name(&nl, "u0", &link, NULL), "LINK_GET u0");
	CCHECK(link.has_peer && !strcmp(link.peer.ifname, "u1") && !link.peer.has_netnsid,
	       "u0's peer is u1, in the same netns");
	CEXPECT(0, dump_names(&nl, &d), "LINK_GET dump");
	CCHECK(!strcmp(d.list, "u0 u1 u2 u3 um0 ut0"), "the dump lists \"%s\"", d.list);

	child_send(1);		/* the parent looks elsewhere */
	child_recv();

	CEXPECT(0, vnl_del(&nl, "u1"), "LINK_DEL u1 (and u0)");
	CEXPECT(0, vnl_del(&nl, "u2"), "LINK_DEL u2 (and u3)");
	CEXPECT(0, vnl_del(&nl, "um0"), "LINK_DEL um0");
	CEXPECT(0, vnl_del(&nl, "ut0"), "LINK_DEL ut0");
	close(tfd);
	CEXPECT(0, dump_names(&nl, &d), "LINK_GET dump");
	CCHECK(d.n == 0, "left behind: %s", d.list);
	close(own);
	vnl_nl_close(&nl);
}

TEST_F(sec, userns_root_manages_devices_in_its_own_netns)
{
	static const char *const names[] = { "u0", "u1", "u2", "u3", "um0", "ut0" };
	struct snap before, after;
	struct proc p;
	size_t i;
	int r;

	share_fixture(self);
	ASSERT_EQ(0, snapshot(&self->nl, &before));
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_userns_manages_its_netns, NULL, &p));
	r = pipe_recv(p.rx, 300 * 1000);
	if (r == 1) {
		/* Its devices exist, in its netns only. */
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			EXPECT_FALSE(link_exists(names[i])) TH_LOG("%s in T", names[i]);
			EXPECT_FALSE(exists_in(self->init_fd, names[i]))
				TH_LOG("%s in the initial netns", names[i]);
		}
		pipe_send(p.tx, 1);
	}
	EXPECT_CHILD(proc_finish(&p));
	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(snap_equal(&before, &after));
}

static void child_userns_reaches_out(void *arg)
{
	struct vnl_nl nl;
	struct pair_req r = PAIR("secx0", "secx1");
	struct names d;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family in its own netns");
		return;
	}
	r.peer_fd = g.init_fd;
	CEXPECT(-EPERM, pair_new(&nl, &r), "peer in the initial netns (VNL_PEER_A_NETNS_FD)");
	r.peer_fd = -1;
	r.peer_pid = 1;
	CEXPECT(-EPERM, pair_new(&nl, &r), "peer in the initial netns (VNL_PEER_A_NETNS_PID 1)");
	r.peer_pid = -1;
	r.peer_fd = g.t_fd;
	CEXPECT(-EPERM, pair_new(&nl, &r), "peer in T, root's netns (VNL_PEER_A_NETNS_FD)");
	r.peer_fd = -1;
	r.fd = g.init_fd;
	CEXPECT(-EPERM, pair_new(&nl, &r), "device in the initial netns (VNL_A_NETNS_FD)");
	r.fd = -1;
	r.pid = 1;
	CEXPECT(-EPERM, pair_new(&nl, &r), "device in the initial netns (VNL_A_NETNS_PID 1)");
	/* Both ends away, and one in each direction. */
	r.pid = -1;
	r.fd = g.init_fd;
	r.peer_fd = g.init_fd;
	CEXPECT(-EPERM, pair_new(&nl, &r), "both ends in the initial netns");
	r.fd = ns_self();
	CEXPECT(-EPERM, pair_new(&nl, &r), "this end here, the peer in the initial netns");
	close(r.fd);

	CEXPECT(0, dummy_add("ud0"), "ip link add ud0 type dummy");
	CEXPECT(-EPERM, macvlan_new(&nl, "secx0", "ud0", 0, g.init_fd, -1),
		"macvlan child of ud0 in the initial netns (VNL_A_NETNS_FD)");
	CEXPECT(-EPERM, macvlan_new(&nl, "secx0", "ud0", 0, -1, 1),
		"macvlan child of ud0 in the initial netns (VNL_A_NETNS_PID 1)");
	CEXPECT(-EPERM, macvlan_new(&nl, "secx0", "ud0", 0, g.t_fd, -1),
		"macvlan child of ud0 in T");

	/* Nothing half-made here either. */
	CEXPECT(0, dump_names(&nl, &d), "LINK_GET dump");
	CCHECK(d.n == 0, "its netns has vnl devices: %s", d.list);
	CCHECK(!link_exists("secx0") && !link_exists("secx1"), "secx0/secx1 in its netns");
	vnl_nl_close(&nl);
}

TEST_F(sec, userns_root_cannot_create_in_a_netns_it_does_not_own)
{
	struct snap before, after;

	share_fixture(self);
	ASSERT_EQ(0, snapshot(&self->nl, &before));
	EXPECT_CHILD(run_as(AS_USERNS, child_userns_reaches_out, NULL));
	EXPECT_FALSE(exists_in(self->init_fd, "secx0"));
	EXPECT_FALSE(exists_in(self->init_fd, "secx1"));
	EXPECT_FALSE(link_exists("secx0"));
	EXPECT_FALSE(link_exists("secx1"));
	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(snap_equal(&before, &after));
}

/* Is there any device at @ifindex here?  Then a request by that index
 * names it, not T's.
 */
static bool ifindex_taken(uint32_t ifindex)
{
	char name[IFNAMSIZ];

	return if_indextoname(ifindex, name) != NULL;
}

static void child_userns_touches_T(void *arg)
{
	struct vnl_nl nl;
	struct vnl_msg m;
	struct names d;
	char tap[IFNAMSIZ] = "stap";
	uint32_t v = 99;
	int i, fd;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family in its own netns");
		return;
	}
	CEXPECT(-ENODEV, vnl_link_get_by_name(&nl, "sp0", &(struct vnl_link){ 0 }, NULL),
		"LINK_GET sp0 (in T)");
	CEXPECT(-ENODEV, vnl_del(&nl, "sp0"), "LINK_DEL sp0 (in T)");
	CEXPECT(-ENODEV, vnl_del(&nl, "sp1"), "LINK_DEL sp1 (in T)");
	CEXPECT(-ENODEV, vnl_del(&nl, "sm0"), "LINK_DEL sm0 (in T)");
	CEXPECT(-ENODEV, vnl_del(&nl, "stap"), "LINK_DEL stap (in T)");
	CEXPECT(-ENODEV, set_mode(&nl, "sm0", VNL_MACVLAN_MODE_BRIDGE), "LINK_SET sm0 (in T)");
	CEXPECT(-ENODEV, macvlan_new(&nl, "um9", "sd0", 0, -1, -1),
		"LINK_NEW macvlan on sd0 (in T) by name");
	for (i = 0; i < 3; i++) {
		if (ifindex_taken(g.ifindex[i])) {
			fprintf(stderr, "#   note: ifindex %u is taken here; not asked for\n",
				g.ifindex[i]);
			continue;
		}
		CEXPECT(-ENODEV, link_cmd(&nl, VNL_CMD_LINK_GET, NULL, g.ifindex[i]),
			"LINK_GET by the ifindex of a device of T");
		CEXPECT(-ENODEV, link_cmd(&nl, VNL_CMD_LINK_DEL, NULL, g.ifindex[i]),
			"LINK_DEL by the ifindex of a device of T");
	}
	if (!ifindex_taken(g.ifindex[3])) {
		req(&nl, &m, VNL_CMD_LINK_NEW);
		vnl_msg_put_u32(&m, VNL_A_KIND, VNL_KIND_MACVLAN);
		vnl_msg_put_str(&m, VNL_A_IFNAME, "um9");
		vnl_msg_put_u32(&m, VNL_A_PARENT_IFINDEX, g.ifindex[3]);
		CEXPECT(-ENODEV, vnl_nl_transact(&nl, &m, NULL, NULL, NULL),
			"LINK_NEW macvlan on sd0 (in T) by ifindex");
	}
	/* A pair root made in the initial netns is no more visible. */
	CEXPECT(-ENODEV, vnl_del(&nl, "secx0"), "LINK_DEL secx0 (in the initial netns)");
	CEXPECT(-ENODEV, set_mode(&nl, "secx1", VNL_MACVLAN_MODE_BRIDGE),
		"LINK_SET secx1 (in the initial netns)");
	if (!ifindex_taken(g.ifindex[4]))
		CEXPECT(-ENODEV, link_cmd(&nl, VNL_CMD_LINK_DEL, NULL, g.ifindex[4]),
			"LINK_DEL by the ifindex of secx0 (in the initial netns)");
	CEXPECT(0, dump_names(&nl, &d), "LINK_GET dump");
	CCHECK(d.n == 0, "its dump lists devices of other netns: %s", d.list);

	/* /dev/vnl names devices in the opener's netns: "stap" here is a
	 * new device of its own, not T's.
	 */
	fd = tun_alloc(tap, IFF_TAP | IFF_NO_PI);
	CEXPECT(0, fd < 0 ? fd : 0, "TUNSETIFF stap (makes its own)");
	CEXPECT(0, link_get_u32(&nl, "stap", VNL_A_TUN_QUEUES, &v), "LINK_GET its stap");
	CCHECK(v == 1, "its stap has %u queues", v);
	if (fd >= 0)
		close(fd);
	vnl_nl_close(&nl);
}

TEST_F(sec, userns_root_cannot_see_or_touch_devices_of_other_netns)
{
	struct snap before, after;
	struct vnl_nl inl;
	uint32_t q = 99;

	share_fixture(self);
	make_targets(_metadata, self);
	/* And a pair in the initial netns (deleted below, or by teardown). */
	ASSERT_EQ(0, nl_open_in(self->init_fd, &inl));
	ASSERT_EQ(0, pair_add(&inl, "secx0", "secx1"));
	ASSERT_EQ(0, ns_enter(self->init_fd));
	g.ifindex[4] = if_nametoindex("secx0");
	ASSERT_EQ(0, ns_enter(self->t_fd));
	ASSERT_EQ(0, snapshot(&self->nl, &before));
	EXPECT_CHILD(run_as(AS_USERNS, child_userns_touches_T, NULL));
	EXPECT_TRUE(exists_in(self->init_fd, "secx0"));
	EXPECT_EQ(0, vnl_del(&inl, "secx0"));
	vnl_nl_close(&inl);
	ASSERT_EQ(0, snapshot(&self->nl, &after));
	EXPECT_TRUE(snap_equal(&before, &after)) TH_LOG("the vnl devices of T changed");
	EXPECT_EQ(0, link_get_u32(&self->nl, "stap", VNL_A_TUN_QUEUES, &q));
	EXPECT_EQ(0U, q) TH_LOG("T's stap got a queue from another netns");
}

/* Root of a user namespace has CAP_NET_RAW over its netns: its AF_PACKET
 * frames can skip the qdisc (PACKET_QDISC_BYPASS), so that the core calls
 * ndo_start_xmit from __dev_direct_xmit(), with bottom halves off but
 * outside rcu_read_lock().  Every transmit path must hold up there too.
 */
static void child_direct_xmit(void *arg)
{
	static const uint8_t sib[ETH_ALEN] = { 0x02, 0, 0, 0, 0x5e, 0x21 };
	char tap[IFNAMSIZ] = "xt0", buf[128];
	struct link_state st;
	struct vnl_nl nl;
	int fd, i, got = 0;

	(void)arg;
	CEXPECT(0, no_ipv6(), "turn IPv6 off in its own netns");
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	CEXPECT(0, pair_add(&nl, "x0", "x1"), "LINK_NEW x0/x1");
	CEXPECT(0, dummy_add("xd0"), "ip link add xd0 type dummy");
	CEXPECT(0, macvlan_new(&nl, "xm0", "xd0", VNL_MACVLAN_MODE_BRIDGE, -1, -1), "xm0");
	CEXPECT(0, macvlan_new(&nl, "xm1", "xd0", VNL_MACVLAN_MODE_BRIDGE, -1, -1), "xm1");
	CEXPECT(0, if_set_mac("xm1", sib), "xm1's address");
	fd = tun_alloc(tap, IFF_TAP | IFF_NO_PI);
	CCHECK(fd >= 0, "TUNSETIFF xt0: %s", errname(fd));
	if (fd < 0 || child_fails)
		return;
	tun_set_nonblock(fd);
	for (i = 0; i < 6; i++)
		CEXPECT(0, if_up((const char *[]){ "x0", "x1", "xd0", "xm0", "xm1", "xt0" }[i]),
			"ip link set ... up");

	CEXPECT(0, packet_send("x0", 3), "3 frames out of the pair end x0");
	CEXPECT(0, packet_send("xt0", 3), "3 frames out of the tap xt0");
	CEXPECT(0, packet_send_to("xm0", sib, 3), "3 frames from xm0 to its sibling xm1");
	CEXPECT(0, packet_send("xm0", 3), "3 broadcasts out of xm0");

	CEXPECT(0, link_get("x0", &st), "x0's counters");
	CCHECK(st.stats.tx_packets == 3, "x0 sent %llu frames, not 3",
	       (unsigned long long)st.stats.tx_packets);
	while (read(fd, buf, sizeof(buf)) > 0)
		got++;
	CCHECK(got == 3, "xt0's file read %d frames, not 3", got);
	close(fd);
	vnl_nl_close(&nl);
}

TEST_F(sec, userns_root_frames_past_the_qdisc_are_handled_safely)
{
	struct kmsg k;
	int r, i;

	share_fixture(self);
	ASSERT_EQ(0, kmsg_mark(&k));
	r = run_as(AS_USERNS, child_direct_xmit, NULL);
	kmsg_collect(&k);
	EXPECT_CHILD(r);
	for (i = 0; i < k.ntemplates; i++) {
		EXPECT_TRUE(!strstr(k.t[i].text, "WARNING") && !strstr(k.t[i].text, "BUG"))
			TH_LOG("the kernel complained: %s", k.t[i].text);
	}
}

/* A sibling: its own user namespace and netns, alive until told. */
static void child_sibling(void *arg)
{
	(void)arg;
	child_send(getpid());
	child_recv();
}

static void child_reaches_sibling(void *arg)
{
	struct vnl_nl nl;
	struct pair_req r = PAIR("sib0", "sib1");

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family in its own netns");
		return;
	}
	r.peer_fd = g.other_fd;
	CEXPECT(-EPERM, pair_new(&nl, &r), "peer in a sibling's netns (fd)");
	r.peer_fd = -1;
	r.peer_pid = g.other_pid;
	CEXPECT(-EPERM, pair_new(&nl, &r), "peer in a sibling's netns (pid)");
	r.peer_pid = -1;
	r.fd = g.other_fd;
	CEXPECT(-EPERM, pair_new(&nl, &r), "device in a sibling's netns (fd)");
	r.fd = -1;
	r.pid = g.other_pid;
	CEXPECT(-EPERM, pair_new(&nl, &r), "device in a sibling's netns (pid)");
	CEXPECT(0, dummy_add("ud0"), "ip link add ud0 type dummy");
	CEXPECT(-EPERM, macvlan_new(&nl, "sib0", "ud0", 0, g.other_fd, -1),
		"macvlan child in a sibling's netns");
	CCHECK(!link_exists("sib0") && !link_exists("sib1"), "sib0/sib1 were made here");
	vnl_nl_close(&nl);
}

TEST_F(sec, userns_siblings_cannot_reach_each_other)
{
	struct vnl_nl snl;
	struct names d;
	struct proc a;
	char path[64];
	int pid;

	share_fixture(self);
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_sibling, NULL, &a));
	pid = pipe_recv(a.rx, 300 * 1000);
	if (pid <= 0)
		EXPECT_CHILD(proc_finish(&a));
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	g.other_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, g.other_fd);
	g.other_pid = pid;

	/* The same user, in a user namespace of its own. */
	EXPECT_CHILD(run_as(AS_USERNS, child_reaches_sibling, NULL));

	ASSERT_EQ(0, nl_open_in(g.other_fd, &snl));
	EXPECT_EQ(0, dump_names(&snl, &d));
	EXPECT_EQ(0, d.n) TH_LOG("the sibling's netns has %s", d.list);
	vnl_nl_close(&snl);
	pipe_send(a.tx, 1);
	EXPECT_CHILD(proc_finish(&a));
}

/* Moving a device is the core's business (rtnetlink.c:do_setlink asks
 * for CAP_NET_ADMIN over the target netns's user namespace), but a pair
 * end pushed into a netns it does not own would reach out as surely as
 * one created there.  Its own pair moves from its netns to a second one
 * it made and back; into the initial netns, T or a sibling's netns (by fd
 * or pid, either end, either request) it is refused, and nothing about
 * the pair changes: a move half done would have taken the ends down.
 */
static void child_userns_moves_its_pair(void *arg)
{
	static const char *const ends[] = { "secx0", "secx1" };
	static const struct { int type; const char *name; } reqs[] = {
		{ RTM_NEWLINK, "RTM_NEWLINK" },
		{ RTM_SETLINK, "RTM_SETLINK" },
	};
	const struct { const char *what; int attr; uint32_t ns; } away[] = {
		{ "the initial netns (fd)", IFLA_NET_NS_FD, g.init_fd },
		{ "the initial netns (pid 1)", IFLA_NET_NS_PID, 1 },
		{ "T, root's netns (fd)", IFLA_NET_NS_FD, g.t_fd },
		{ "a sibling's netns (fd)", IFLA_NET_NS_FD, g.other_fd },
		{ "a sibling's netns (pid)", IFLA_NET_NS_PID, g.other_pid },
	};
	struct snap before, after;
	struct vnl_link link;
	struct vnl_nl nl;
	char what[128];
	int own, second;
	size_t i, j, k;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family in its own netns");
		return;
	}
	own = ns_self();
	second = ns_new();
	CCHECK(own >= 0 && second >= 0, "its own netns (%d) and a second one (%d)", own, second);
	CEXPECT(0, pair_add(&nl, "secx0", "secx1"), "LINK_NEW pair secx0/secx1");
	if (child_fails)
		return;

	/* Between netns it owns: allowed, and the pair follows. */
	CEXPECT(0, link_move(RTM_NEWLINK, "secx0", IFLA_NET_NS_FD, second),
		"RTM_NEWLINK secx0 into its second netns");
	CCHECK(!link_exists("secx0") && exists_in(second, "secx0"),
	       "secx0 is not in its second netns, and only there");
	CEXPECT(0, vnl_link_get_by_name(&nl, "secx1", &link, NULL), "LINK_GET secx1");
	CCHECK(link.has_peer && !strcmp(link.peer.ifname, "secx0") && link.peer.has_netnsid,
	       "secx1's peer secx0 is not shown in another netns");
	CEXPECT(0, ns_enter(second), "enter its second netns");
	CEXPECT(0, link_move(RTM_SETLINK, "secx0", IFLA_NET_NS_FD, own),
		"RTM_SETLINK secx0 back into its own netns");
	CEXPECT(0, ns_enter(own), "enter its own netns again");
	CEXPECT(0, vnl_link_get_by_name(&nl, "secx0", &link, NULL), "LINK_GET secx0, back");
	CCHECK(link.has_peer && !strcmp(link.peer.ifname, "secx1") && !link.peer.has_netnsid,
	       "secx0's peer is not secx1 in the same netns");
	CEXPECT(0, if_up("secx0"), "ip link set secx0 up");
	CEXPECT(0, if_up("secx1"), "ip link set secx1 up");

	/* Anywhere else: refused, and nothing changes. */
	CEXPECT(0, snapshot(&nl, &before), "LINK_GET dump");
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		for (j = 0; j < sizeof(away) / sizeof(away[0]); j++) {
			for (k = 0; k < sizeof(ends) / sizeof(ends[0]); k++) {
				snprintf(what, sizeof(what), "%s %s into %s", reqs[i].name,
					 ends[k], away[j].what);
				CEXPECT(-EPERM, link_move(reqs[i].type, ends[k], away[j].attr,
							  away[j].ns), what);
			}
		}
	}
	CEXPECT(0, snapshot(&nl, &after), "LINK_GET dump");
	CCHECK(snap_equal(&before, &after), "a refused move changed the pair (%d devices, %d before)",
	       after.n, before.n);
	CCHECK(link_exists("secx0") && link_exists("secx1"), "secx0 or secx1 left its netns");
	CCHECK(!exists_in(second, "secx0") && !exists_in(second, "secx1"),
	       "secx0 or secx1 in its second netns");

	child_send(1);		/* the parent looks elsewhere */
	child_recv();

	CEXPECT(0, vnl_del(&nl, "secx0"), "LINK_DEL secx0 (and secx1)");
	close(second);
	close(own);
	vnl_nl_close(&nl);
}

TEST_F(sec, userns_root_cannot_move_a_device_into_a_netns_it_does_not_own)
{
	struct snap t_before, t_after, i_before, i_after;
	struct vnl_nl inl, snl;
	struct names d;
	struct proc a, p;
	char path[64];
	size_t i;
	int pid;

	share_fixture(self);
	/* A sibling: the same user, in a user namespace and netns of its own. */
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_sibling, NULL, &a));
	pid = pipe_recv(a.rx, 300 * 1000);
	if (pid <= 0)
		EXPECT_CHILD(proc_finish(&a));
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	g.other_fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, g.other_fd);
	g.other_pid = pid;
	ASSERT_EQ(0, nl_open_in(self->init_fd, &inl));
	ASSERT_EQ(0, snapshot(&self->nl, &t_before));
	ASSERT_EQ(0, snapshot(&inl, &i_before));

	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_userns_moves_its_pair, NULL, &p));
	if (pipe_recv(p.rx, 300 * 1000) == 1) {
		/* Its pair exists, in its netns only. */
		for (i = 0; i < sizeof(init_names) / sizeof(init_names[0]); i++) {
			EXPECT_FALSE(exists_in(self->init_fd, init_names[i]))
				TH_LOG("%s in the initial netns", init_names[i]);
			EXPECT_FALSE(link_exists(init_names[i])) TH_LOG("%s in T", init_names[i]);
			EXPECT_FALSE(exists_in(g.other_fd, init_names[i]))
				TH_LOG("%s in the sibling's netns", init_names[i]);
		}
		pipe_send(p.tx, 1);
	}
	EXPECT_CHILD(proc_finish(&p));

	ASSERT_EQ(0, snapshot(&self->nl, &t_after));
	ASSERT_EQ(0, snapshot(&inl, &i_after));
	EXPECT_TRUE(snap_equal(&t_before, &t_after)) TH_LOG("the vnl devices of T changed");
	EXPECT_TRUE(snap_equal(&i_before, &i_after))
		TH_LOG("the vnl devices of the initial netns changed");
	vnl_nl_close(&inl);
	ASSERT_EQ(0, nl_open_in(g.other_fd, &snl));
	EXPECT_EQ(0, dump_names(&snl, &d));
	EXPECT_EQ(0, d.n) TH_LOG("the sibling's netns has %s", d.list);
	vnl_nl_close(&snl);
	pipe_send(a.tx, 1);
	EXPECT_CHILD(proc_finish(&a));
}

/* ========================================================================
 * 2. /dev/vnl, tun/tap owners, and user namespaces
 */

static void child_setiff_from_the_openers_netns(void *arg)
{
	char name[IFNAMSIZ] = "ntap0";
	int fd_t, fd_own, err;
	struct vnl_nl nl;
	uint32_t kind = 0;

	(void)arg;
	/* Opened in T, as uid 65534, before the user namespace. */
	fd_t = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	CCHECK(fd_t >= 0, "open /dev/vnl: %s", strerror(errno));
	if (enter_userns(true)) {
		fprintf(stderr, "#   child: no user namespace\n");
		_exit(CHILD_NO_USERNS);
	}
	/* Root of a user namespace now, but the file belongs to T. */
	err = tun_set_iff(fd_t, name, IFF_TAP | IFF_NO_PI);
	CEXPECT(-EPERM, err, "TUNSETIFF on a file opened in T");
	close(fd_t);

	fd_own = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	snprintf(name, sizeof(name), "ntap0");
	err = tun_set_iff(fd_own, name, IFF_TAP | IFF_NO_PI);
	CEXPECT(0, err, "TUNSETIFF on a file opened in its own netns");
	if (!nl_open_here(&nl)) {
		CEXPECT(0, link_get_u32(&nl, "ntap0", VNL_A_KIND, &kind), "LINK_GET ntap0 here");
		CCHECK(kind == VNL_KIND_TAP, "ntap0's kind is %u", kind);
		vnl_nl_close(&nl);
	}
	child_send(1);
	child_recv();
	close(fd_own);
}

TEST_F(sec, tun_setiff_creates_in_the_openers_netns_only)
{
	struct proc p;

	share_fixture(self);
	/* AS_NOBODY: the child opens /dev/vnl in T first, then unshares. */
	ASSERT_LT(0, spawn(AS_NOBODY, NULL, 0, child_setiff_from_the_openers_netns, NULL, &p));
	if (pipe_recv(p.rx, 300 * 1000) == 1) {
		EXPECT_FALSE(link_exists("ntap0")) TH_LOG("ntap0 was made in T");
		pipe_send(p.tx, 1);
	}
	EXPECT_CHILD(proc_finish(&p));
	EXPECT_FALSE(link_exists("ntap0"));
}

/* TUNSETIFF on T's device @arg, from a user namespace (netns T). */
static int setiff_result;

static void child_attach(void *arg)
{
	char name[IFNAMSIZ];
	int fd;

	snprintf(name, sizeof(name), "%s", (const char *)arg);
	fd = tun_alloc(name, IFF_TAP | IFF_NO_PI);
	setiff_result = fd < 0 ? fd : 0;
	if (fd >= 0) {
		/* The owner may hand the device on, but only to ids its user
		 * namespace maps: uid 1 is nobody's to give.
		 */
		CEXPECT(-EINVAL, tun_ioctl_val(fd, TUNSETOWNER, 1), "TUNSETOWNER 1 (unmapped)");
		CEXPECT(-EINVAL, tun_ioctl_val(fd, TUNSETGROUP, 1), "TUNSETGROUP 1 (unmapped)");
		close(fd);
	}
	_exit(child_fails ? CHILD_FAILED : (setiff_result ? 100 + -setiff_result : CHILD_OK));
}

static void child_nothing(void *arg)
{
	(void)arg;
}

/* The exit code of child_attach for an errno. */
#define ATTACH_REFUSED(e)	(100 + (e))

TEST_F(sec, tun_user_namespace_capabilities_open_no_other_users_device)
{
	static const gid_t in_group[] = { GROUP };

	share_fixture(self);
	if (run_as(AS_USERNS_ONLY, child_nothing, NULL) == CHILD_NO_USERNS)
		SKIP(return, "unprivileged user namespaces are not allowed here");
	ASSERT_EQ(0, persistent_tun("otap", IFF_TAP | IFF_NO_PI, OTHER_UID, -1));
	ASSERT_EQ(0, persistent_tun("mtap", IFF_TAP | IFF_NO_PI, NOBODY, -1));
	ASSERT_EQ(0, persistent_tun("gtap", IFF_TAP | IFF_NO_PI, -1, GROUP));

	/* Full capabilities in its own user namespace count for nothing in
	 * T, whose netns belongs to the initial one.
	 */
	EXPECT_EQ(ATTACH_REFUSED(EPERM),
		  reap(spawn(AS_USERNS_ONLY, NULL, 0, child_attach, (void *)"otap", NULL)))
		TH_LOG("a user-namespace root attached to uid %d's device", OTHER_UID);
	EXPECT_EQ(ATTACH_REFUSED(EPERM),
		  reap(spawn(AS_USERNS_ONLY, NULL, 0, child_attach, (void *)"gtap", NULL)))
		TH_LOG("a user-namespace root attached to group %d's device", GROUP);
	/* Owner and group are kernel ids: uid 65534 is still 65534 (root of
	 * its user namespace), a member of GROUP still one.
	 */
	EXPECT_EQ(CHILD_OK, reap(spawn(AS_USERNS_ONLY, NULL, 0, child_attach, (void *)"mtap", NULL)))
		TH_LOG("the owner, in a user namespace, could not attach");
	EXPECT_EQ(CHILD_OK, reap(spawn(AS_USERNS_ONLY, in_group, 1, child_attach, (void *)"gtap", NULL)))
		TH_LOG("a group member, in a user namespace, could not attach");
	/* And without a user namespace, as tun_perm.c checks at length. */
	EXPECT_EQ(ATTACH_REFUSED(EPERM), reap(spawn(AS_NOBODY, NULL, 0, child_attach, (void *)"otap", NULL)));
}

static void child_owns_a_tap(void *arg)
{
	char name[IFNAMSIZ] = "utap";
	struct vnl_nl nl;
	uint32_t owner = 99, group = 99;
	int fd;

	(void)arg;
	fd = tun_alloc(name, IFF_TAP | IFF_NO_PI);
	CCHECK(fd >= 0, "TUNSETIFF utap: %s", errname(fd));
	if (fd < 0)
		return;
	CEXPECT(-EINVAL, tun_ioctl_val(fd, TUNSETOWNER, 1), "TUNSETOWNER 1 (unmapped)");
	CEXPECT(-EINVAL, tun_ioctl_val(fd, TUNSETGROUP, 1), "TUNSETGROUP 1 (unmapped)");
	CEXPECT(0, tun_ioctl_val(fd, TUNSETOWNER, 0), "TUNSETOWNER 0");
	CEXPECT(0, tun_ioctl_val(fd, TUNSETGROUP, 0), "TUNSETGROUP 0");
	if (!nl_open_here(&nl)) {
		CEXPECT(0, link_get_u32(&nl, "utap", VNL_A_TUN_OWNER, &owner), "owner");
		CEXPECT(0, link_get_u32(&nl, "utap", VNL_A_TUN_GROUP, &group), "group");
		CCHECK(owner == 0 && group == 0,
		       "in its user namespace utap's owner/group read %u/%u, not 0/0",
		       owner, group);
		vnl_nl_close(&nl);
	}
	child_send(getpid());
	child_recv();
	close(fd);
}

TEST_F(sec, tun_owner_is_read_in_the_readers_user_namespace)
{
	uint32_t owner = 99, group = 99;
	struct vnl_nl unl;
	struct proc p;
	char path[64];
	int pid, nsfd;

	share_fixture(self);
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_owns_a_tap, NULL, &p));
	pid = pipe_recv(p.rx, 300 * 1000);
	if (pid <= 0)
		EXPECT_CHILD(proc_finish(&p));
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nsfd);
	ASSERT_EQ(0, nl_open_in(nsfd, &unl));
	EXPECT_EQ(0, link_get_u32(&unl, "utap", VNL_A_TUN_OWNER, &owner));
	EXPECT_EQ(0, link_get_u32(&unl, "utap", VNL_A_TUN_GROUP, &group));
	/* Its 0 is uid 65534 here. */
	EXPECT_EQ((uint32_t)NOBODY, owner);
	EXPECT_EQ((uint32_t)NOBODY, group);
	vnl_nl_close(&unl);
	close(nsfd);
	pipe_send(p.tx, 1);
	EXPECT_CHILD(proc_finish(&p));
}

/* ========================================================================
 * 3. Replies and events leak nothing
 */

static void leak_report(struct __test_metadata *_metadata, struct leak *l)
{
	TH_LOG("%s: %d messages checked, %d findings", l->ctx, l->msgs, l->bad);
}

static void child_leak_dump(void *arg)
{
	struct leak l = { .ctx = "uid 65534's dump and LINK_GETs in T", .unnamed_abroad = true };
	const char *const *name;
	struct vnl_nl nl;

	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	CEXPECT(0, leak_dump(&nl, &l), "LINK_GET dump");
	for (name = arg; *name; name++) {
		struct vnl_msg m;

		req_link(&nl, &m, VNL_CMD_LINK_GET, *name, 0);
		CEXPECT(0, leak_transact(&nl, &m, &l), *name);
	}
	CCHECK(l.msgs > 0 && !l.bad, "%d of %d messages leak", l.bad, l.msgs);
	fprintf(stderr, "#   %s: %d messages, %d findings\n", l.ctx, l.msgs, l.bad);
	vnl_nl_close(&nl);
}

TEST_F(sec, leak_replies_and_events_carry_nothing_else)
{
	static const char *const t_names[] = {
		"lp0", "lp1", "lx0", "lm0", "ltun", "ltap", NULL,
	};
	struct leak lnew = { .ctx = "LINK_NEW replies" };
	struct leak lget = { .ctx = "LINK_GET replies (root, T and B)" };
	struct leak ldump = { .ctx = "LINK_GET dumps (root, T and B)" };
	struct leak levT = { .ctx = "events in T", .unnamed_abroad = true };
	struct leak levB = { .ctx = "events in B", .unnamed_abroad = true };
	struct leak lver = { .ctx = "GET_VERSION" };
	struct vnl_nl nlB, monT, monB;
	struct pair_req x = PAIR("lx0", "lx1");
	const char *const *name;
	struct vnl_msg m;
	uint8_t frame[60];
	char tun[IFNAMSIZ] = "ltun", tap[IFNAMSIZ] = "ltap";
	int b_fd, tunfd, tapfd[2], i, k;

	share_fixture(self);
	b_fd = ns_new();
	ASSERT_LE(0, b_fd);
	ASSERT_EQ(0, nl_open_in(b_fd, &nlB));
	ASSERT_EQ(0, monitor_open(&monT));
	ASSERT_EQ(0, ns_enter(b_fd));
	ASSERT_EQ(0, monitor_open(&monB));
	ASSERT_EQ(0, dummy_add("bd0"));
	ASSERT_EQ(0, ns_enter(self->t_fd));

	/* Every kind, with every optional attribute: a peer in another
	 * netns, owner and group, a source list, a parent in another netns.
	 */
	req_pair(&self->nl, &m, &(struct pair_req)PAIR("lp0", "lp1"));
	EXPECT_EQ(0, leak_transact(&self->nl, &m, &lnew));
	x.peer_fd = b_fd;
	req_pair(&self->nl, &m, &x);
	EXPECT_EQ(0, leak_transact(&self->nl, &m, &lnew));
	ASSERT_EQ(0, dummy_add("ld0"));
	req_macvlan(&self->nl, &m, "lm0", "ld0", VNL_MACVLAN_MODE_SOURCE, -1, -1);
	EXPECT_EQ(0, leak_transact(&self->nl, &m, &lnew));
	EXPECT_EQ(0, add_sources(&self->nl, "lm0", 3));
	req_macvlan(&self->nl, &m, "lm1", "ld0", VNL_MACVLAN_MODE_BRIDGE, b_fd, -1);
	EXPECT_EQ(0, leak_transact(&self->nl, &m, &lnew));
	req_macvlan(&nlB, &m, "lm2", "bd0", VNL_MACVLAN_MODE_PRIVATE, -1, -1);
	EXPECT_EQ(0, leak_transact(&nlB, &m, &lnew));
	EXPECT_EQ(0, set_mode(&self->nl, "lm0", VNL_MACVLAN_MODE_SOURCE));
	EXPECT_EQ(0, set_mode(&nlB, "lm2", VNL_MACVLAN_MODE_VEPA));

	tunfd = tun_alloc(tun, IFF_TUN);
	ASSERT_LE(0, tunfd);
	EXPECT_EQ(0, tun_ioctl_val(tunfd, TUNSETOWNER, NOBODY));
	EXPECT_EQ(0, tun_ioctl_val(tunfd, TUNSETGROUP, GROUP));
	EXPECT_EQ(0, tun_set_carrier(tunfd, 0));
	EXPECT_EQ(0, tun_set_carrier(tunfd, 1));
	tapfd[0] = tun_alloc(tap, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	ASSERT_LE(0, tapfd[0]);
	tapfd[1] = tun_alloc(tap, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	ASSERT_LE(0, tapfd[1]);
	EXPECT_EQ(0, tun_ioctl_val(tapfd[0], TUNSETPERSIST, 1));

	/* Counters that are not all zero: frames into ltap, out of lx0. */
	EXPECT_EQ(0, if_up("ltap"));
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, ETH_ALEN);
	frame[6] = 0x02;
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (i = 0; i < 3; i++)
		EXPECT_EQ((ssize_t)sizeof(frame), write(tapfd[0], frame, sizeof(frame)));
	EXPECT_EQ(0, if_up("lp0"));
	EXPECT_EQ(0, if_up("lp1"));
	EXPECT_EQ(0, if_up("lx0"));
	ASSERT_EQ(0, ns_enter(b_fd));
	EXPECT_EQ(0, if_up("lx1"));
	ASSERT_EQ(0, ns_enter(self->t_fd));
	EXPECT_EQ(0, packet_send("lx0", 3));

	/* Every device, by every way of asking, from both sides. */
	EXPECT_EQ(0, leak_dump(&self->nl, &ldump));
	EXPECT_EQ(0, leak_dump(&nlB, &ldump));
	for (name = t_names; *name; name++) {
		req_link(&self->nl, &m, VNL_CMD_LINK_GET, *name, 0);
		EXPECT_EQ(0, leak_transact(&self->nl, &m, &lget)) TH_LOG("%s", *name);
		req_link(&self->nl, &m, VNL_CMD_LINK_GET, NULL, if_nametoindex(*name));
		EXPECT_EQ(0, leak_transact(&self->nl, &m, &lget)) TH_LOG("%s by ifindex", *name);
	}
	for (name = (const char *const[]){ "lx1", "lm1", "lm2", NULL }; *name; name++) {
		req_link(&nlB, &m, VNL_CMD_LINK_GET, *name, 0);
		EXPECT_EQ(0, leak_transact(&nlB, &m, &lget)) TH_LOG("%s (B)", *name);
	}
	/* lx0's counters are its own: 3 frames out, none in (lx1 has those). */
	req_link(&self->nl, &m, VNL_CMD_LINK_GET, "lx0", 0);
	EXPECT_EQ(0, leak_transact(&self->nl, &m, &lget));
	EXPECT_EQ((uint64_t)3, lget.tx_packets);
	EXPECT_EQ((uint64_t)0, lget.rx_packets);
	req_link(&nlB, &m, VNL_CMD_LINK_GET, "lx1", 0);
	EXPECT_EQ(0, leak_transact(&nlB, &m, &lget));
	EXPECT_EQ((uint64_t)3, lget.rx_packets);
	EXPECT_EQ((uint64_t)0, lget.tx_packets);
	req(&self->nl, &m, VNL_CMD_GET_VERSION);
	EXPECT_EQ(0, leak_transact(&self->nl, &m, &lver));
	EXPECT_EQ(1, lver.msgs);

	/* The same, seen by uid 65534 (owner and group in its terms). */
	EXPECT_CHILD(run_as(AS_NOBODY, child_leak_dump, (void *)t_names));

	/* Deletion events of every kind. */
	EXPECT_EQ(0, vnl_del(&self->nl, "lp0"));
	EXPECT_EQ(0, vnl_del(&self->nl, "lx0"));
	EXPECT_EQ(0, vnl_del(&self->nl, "lm0"));
	EXPECT_EQ(0, vnl_del(&nlB, "lm1"));
	EXPECT_EQ(0, vnl_del(&nlB, "lm2"));
	close(tunfd);
	EXPECT_EQ(0, tun_ioctl_val(tapfd[0], TUNSETPERSIST, 0));
	close(tapfd[0]);
	close(tapfd[1]);

	EXPECT_LT(0, monitor_read(&monT, &levT, 0, NULL, NULL));
	EXPECT_LT(0, monitor_read(&monB, &levB, 0, NULL, NULL));

	/* Every kind was heard created and deleted, and changed where it can
	 * be, in T; B heard the ends and children that live there.
	 */
	for (k = VNL_KIND_PAIR; k <= VNL_KIND_MAX; k++) {
		EXPECT_LT(0, levT.seen[VNL_CMD_LINK_NEW][k]) TH_LOG("no NEW event of kind %d", k);
		EXPECT_LT(0, levT.seen[VNL_CMD_LINK_DEL][k]) TH_LOG("no DEL event of kind %d", k);
		EXPECT_LT(0, levT.seen[VNL_CMD_LINK_CHANGE][k]) TH_LOG("no CHANGE event of kind %d", k);
		EXPECT_LT(0, ldump.seen[VNL_CMD_LINK_GET][k]) TH_LOG("kind %d in no dump", k);
		EXPECT_LT(0, lget.seen[VNL_CMD_LINK_GET][k]) TH_LOG("kind %d in no LINK_GET", k);
	}
	EXPECT_LT(0, levB.seen[VNL_CMD_LINK_NEW][VNL_KIND_PAIR]);
	EXPECT_LT(0, levB.seen[VNL_CMD_LINK_NEW][VNL_KIND_MACVLAN]);
	EXPECT_LT(0, levB.seen[VNL_CMD_LINK_DEL][VNL_KIND_MACVLAN]);

	leak_report(_metadata, &lnew);
	leak_report(_metadata, &lget);
	leak_report(_metadata, &ldump);
	leak_report(_metadata, &levT);
	leak_report(_metadata, &levB);
	EXPECT_EQ(0, lnew.bad + lget.bad + ldump.bad + levT.bad + levB.bad + lver.bad);
	EXPECT_EQ(5, lnew.msgs);

	vnl_nl_close(&monT);
	vnl_nl_close(&monB);
	vnl_nl_close(&nlB);
	close(b_fd);
}

/* Devices of every kind in B (named b*), one of each kind in T (a*), and
 * a pair and a macvlan child across.
 */
static int bfd_tun = -1, bfd_tap = -1;

static void make_b_devices(struct __test_metadata *_metadata,
			   FIXTURE_DATA(sec) *self, int b_fd, struct vnl_nl *nlB)
{
	struct pair_req x = PAIR("ax0", "bx0");
	char tun[IFNAMSIZ] = "btun", tap[IFNAMSIZ] = "btap";

	x.peer_fd = b_fd;
	ASSERT_EQ(0, pair_new(&self->nl, &x));
	ASSERT_EQ(0, macvlan_new(&self->nl, "bm1", "ad0", 0, b_fd, -1));
	ASSERT_EQ(0, ns_enter(b_fd));
	ASSERT_EQ(0, pair_add(nlB, "bp0", "bp1"));
	ASSERT_EQ(0, dummy_add("bd0"));
	ASSERT_EQ(0, macvlan_new(nlB, "bm0", "bd0", 0, -1, -1));
	bfd_tun = tun_alloc(tun, IFF_TUN);
	ASSERT_LE(0, bfd_tun);
	bfd_tap = tun_alloc(tap, IFF_TAP);
	ASSERT_LE(0, bfd_tap);
	ASSERT_EQ(0, tun_ioctl_val(bfd_tap, TUNSETOWNER, NOBODY));
	ASSERT_EQ(0, set_mode(nlB, "bm0", VNL_MACVLAN_MODE_BRIDGE));
	ASSERT_EQ(0, tun_set_carrier(bfd_tun, 0));
	ASSERT_EQ(0, if_up("bp0"));
	ASSERT_EQ(0, if_up("bp1"));
	ASSERT_EQ(0, ns_enter(self->t_fd));
	/* The parent in T goes down and up: its child in B hears it. */
	ASSERT_EQ(0, if_up("ad0"));
	ASSERT_EQ(0, if_down("ad0"));
}

static void delete_b_devices(struct __test_metadata *_metadata, struct vnl_nl *nlB)
{
	EXPECT_EQ(0, vnl_del(nlB, "bp0"));
	EXPECT_EQ(0, vnl_del(nlB, "bm0"));
	EXPECT_EQ(0, vnl_del(nlB, "bm1"));
	EXPECT_EQ(0, vnl_del(nlB, "bx0"));
	close(bfd_tun);
	close(bfd_tap);
}

static const char *const b_names[] = {
	"bp0", "bp1", "bm0", "bm1", "btun", "btap", "bx0", NULL,
};

static void child_dumps_in_T(void *arg)
{
	struct leak l = { .ctx = "uid 65534 in T", .unnamed_abroad = true };
	const char *const *name;
	struct vnl_nl nl;
	struct names d;
	int i;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	CEXPECT(0, dump_names(&nl, &d), "LINK_GET dump in T");
	CCHECK(!strcmp(d.list, "ap0 ap1 ax0"), "the dump in T lists \"%s\", not \"ap0 ap1 ax0\"",
	       d.list);
	CEXPECT(0, leak_dump(&nl, &l), "LINK_GET dump in T");
	for (name = b_names; *name; name++)
		CEXPECT(-ENODEV, link_cmd(&nl, VNL_CMD_LINK_GET, *name, 0), *name);
	/* By ifindex, a device of B is not found, or another one is: the
	 * index is T's.
	 */
	for (i = 0; i < 7; i++) {
		struct vnl_msg m;
		int err;

		req_link(&nl, &m, VNL_CMD_LINK_GET, NULL, g.ifindex[i]);
		l.name[0] = '\0';
		err = leak_transact(&nl, &m, &l);
		CCHECK(err == -ENODEV || (!err && l.name[0] == 'a'),
		       "LINK_GET by ifindex %u (%s in B): %s, %s", g.ifindex[i], b_names[i],
		       errname(err), l.name);
	}
	CCHECK(!l.bad, "%d findings", l.bad);
	vnl_nl_close(&nl);
}

TEST_F(sec, leak_dumps_and_gets_see_their_own_netns_only)
{
	struct vnl_nl nlB;
	struct names d;
	int b_fd, i;

	share_fixture(self);
	b_fd = ns_new();
	ASSERT_LE(0, b_fd);
	ASSERT_EQ(0, nl_open_in(b_fd, &nlB));
	ASSERT_EQ(0, pair_add(&self->nl, "ap0", "ap1"));
	ASSERT_EQ(0, dummy_add("ad0"));
	make_b_devices(_metadata, self, b_fd, &nlB);
	ASSERT_EQ(0, ns_enter(b_fd));
	for (i = 0; b_names[i]; i++)
		g.ifindex[i] = if_nametoindex(b_names[i]);
	ASSERT_EQ(0, ns_enter(self->t_fd));

	EXPECT_CHILD(run_as(AS_NOBODY, child_dumps_in_T, NULL));
	EXPECT_EQ(0, dump_names(&nlB, &d));
	EXPECT_STREQ("bm0 bm1 bp0 bp1 btap btun bx0", d.list);
	delete_b_devices(_metadata, &nlB);
	vnl_nl_close(&nlB);
	close(b_fd);
}

/* Listens in its netns until the creation of @arg, its proof that events
 * get through; any event about a device whose name starts with 'b' (or,
 * in a user namespace, about anything but its own devices) is a leak.
 */
struct listen_arg {
	const char *proof;	/* the device whose NEW event ends it */
	char own;		/* the first letter of every name it may hear of */
	bool make_proof;	/* it makes the proof itself, when told */
};

static bool listen_stop(struct leak *l, void *arg)
{
	const struct listen_arg *a = arg;

	if (l->name[0] != a->own)
		leak_bad(l, "an event about %s, a device of another netns", l->name);
	return !strcmp(l->name, a->proof);
}

static void child_listens(void *arg)
{
	struct listen_arg *a = arg;
	struct leak l = { .ctx = "events heard in the listener's netns", .unnamed_abroad = true };
	struct vnl_nl mon, nl;
	int n;

	if (monitor_open(&mon)) {
		CFAIL("cannot join the monitor group");
		return;
	}
	child_send(1);
	if (a->make_proof) {
		child_recv();
		CEXPECT(0, nl_open_here(&nl), "open the vnl family");
		CEXPECT(0, pair_add(&nl, a->proof, "nq1"), "LINK_NEW the proof pair");
	}
	n = monitor_read(&mon, &l, 120 * 1000, listen_stop, a);
	CCHECK(n > 0 && !strcmp(l.name, a->proof), "the event about %s never came (%d events)",
	       a->proof, n);
	/* Anything queued after it? */
	monitor_read(&mon, &l, 500, listen_stop, a);
	CCHECK(!l.bad, "%d findings in %d events", l.bad, l.msgs);
	fprintf(stderr, "#   %s: %d events\n", l.ctx, l.msgs);
	vnl_nl_close(&mon);
}

TEST_F(sec, leak_monitor_hears_its_own_netns_only)
{
	struct listen_arg a = { .proof = "aq0", .own = 'a' };
	struct vnl_nl nlB;
	struct proc p;
	int b_fd;

	share_fixture(self);
	b_fd = ns_new();
	ASSERT_LE(0, b_fd);
	ASSERT_EQ(0, nl_open_in(b_fd, &nlB));
	ASSERT_EQ(0, dummy_add("ad0"));

	/* uid 65534 listens in T. */
	ASSERT_LT(0, spawn(AS_NOBODY, NULL, 0, child_listens, &a, &p));
	if (pipe_recv(p.rx, 300 * 1000) != 1) {
		EXPECT_CHILD(proc_finish(&p));
		ASSERT_TRUE(false) TH_LOG("the listener did not start");
	}
	/* Everything happens in B: creations, changes, deletions, and a
	 * child in B of a parent in T.
	 */
	make_b_devices(_metadata, self, b_fd, &nlB);
	delete_b_devices(_metadata, &nlB);
	/* Then one device in T: the listener works. */
	EXPECT_EQ(0, pair_add(&self->nl, "aq0", "aq1"));
	EXPECT_CHILD(proc_finish(&p));
	vnl_nl_close(&nlB);
	close(b_fd);
}

TEST_F(sec, leak_monitor_in_a_user_namespace_hears_its_own_netns_only)
{
	struct listen_arg a = { .proof = "nq0", .own = 'n', .make_proof = true };
	struct vnl_nl nlB;
	struct proc p;
	int b_fd;

	share_fixture(self);
	b_fd = ns_new();
	ASSERT_LE(0, b_fd);
	ASSERT_EQ(0, nl_open_in(b_fd, &nlB));
	ASSERT_EQ(0, dummy_add("ad0"));

	/* A user-namespace root listens in its own netns. */
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_listens, &a, &p));
	if (pipe_recv(p.rx, 300 * 1000) != 1)
		EXPECT_CHILD(proc_finish(&p));
	/* Root works in T and in B. */
	ASSERT_EQ(0, pair_add(&self->nl, "ap0", "ap1"));
	make_b_devices(_metadata, self, b_fd, &nlB);
	delete_b_devices(_metadata, &nlB);
	EXPECT_EQ(0, vnl_del(&self->nl, "ap0"));
	pipe_send(p.tx, 1);	/* it makes nq0 itself */
	EXPECT_CHILD(proc_finish(&p));
	vnl_nl_close(&nlB);
	close(b_fd);
}

/* TUNGETIFF hands back a whole struct ifreq: past the name's NUL and past
 * ifr_flags every byte must be zero, not what the kernel stack held.  The
 * caller's buffer is filled with 0xa5 first; between tries other calls
 * leave other things on the stack.
 */
static void child_tungetiff(void *arg)
{
	const char *const *names = arg;
	struct vnl_nl nl;
	struct vnl_link link;
	int i, fd[2], k, bad = 0;

	CEXPECT(0, nl_open_here(&nl), "open the vnl family");
	for (k = 0; k < 2; k++) {
		char n[IFNAMSIZ];

		snprintf(n, sizeof(n), "%s", names[k]);
		fd[k] = tun_alloc(n, k ? IFF_TUN : IFF_TAP | IFF_NO_PI);
		CCHECK(fd[k] >= 0, "attach to %s: %s", names[k], errname(fd[k]));
		if (fd[k] < 0)
			return;
	}
	for (i = 0; i < 200; i++) {
		struct ifreq ifr;
		const uint8_t *b = (const uint8_t *)&ifr;
		size_t len, j;

		k = i % 2;
		memset(&ifr, 0xa5, sizeof(ifr));
		if (ioctl(fd[k], TUNGETIFF, &ifr)) {
			CFAIL("TUNGETIFF: %s", strerror(errno));
			break;
		}
		len = strnlen(ifr.ifr_name, IFNAMSIZ);
		CCHECK(len < IFNAMSIZ && !strcmp(ifr.ifr_name, names[k]),
		       "TUNGETIFF names %.16s, not %s", ifr.ifr_name, names[k]);
		for (j = len; j < sizeof(ifr); j++) {
			if (j >= offsetof(struct ifreq, ifr_flags) &&
			    j < offsetof(struct ifreq, ifr_flags) + sizeof(ifr.ifr_flags))
				continue;
			if (b[j] && !bad++) {
				char hex[3 * sizeof(ifr) + 1];
				size_t h;

				for (h = 0; h < sizeof(ifr); h++)
					snprintf(hex + 3 * h, 4, "%02x ", b[h]);
				CFAIL("TUNGETIFF byte %zu is 0x%02x, not 0: %s", j, b[j], hex);
			}
		}
		/* Something else on the kernel stack before the next try. */
		vnl_link_get_by_name(&nl, names[k], &link, NULL);
	}
	CCHECK(!bad, "%d bytes of 200 TUNGETIFF replies were not zero", bad);
	close(fd[0]);
	close(fd[1]);
	vnl_nl_close(&nl);
}

TEST_F(sec, leak_tungetiff_returns_no_stack_bytes)
{
	static const char *const names[] = { "gt0", "gtun0" };

	share_fixture(self);
	/* Without owner or group: uid 65534 attaches. */
	ASSERT_EQ(0, persistent_tun("gt0", IFF_TAP | IFF_NO_PI, -1, -1));
	ASSERT_EQ(0, persistent_tun("gtun0", IFF_TUN, -1, -1));
	EXPECT_CHILD(run_as(AS_NOBODY, child_tungetiff, (void *)names));
}

/* Events about a tap that root owns to uid/gid 1000, heard in a user
 * namespace that maps only its own root: the ids must read as they do in
 * its LINK_GET (the overflow id), not as the kernel ids of the initial
 * user namespace.
 */
#define OUTER_ID	1000

static bool owner_stop(struct leak *l, void *arg)
{
	int *mismatch = arg;

	if ((l->has_owner && l->owner != NOBODY) || (l->has_group && l->group != NOBODY)) {
		if (!(*mismatch)++)
			leak_bad(l, "an event says owner %d group %d; uid/gid %d is not mapped here",
				 l->has_owner ? (int)l->owner : -1,
				 l->has_group ? (int)l->group : -1, OUTER_ID);
	}
	return false;
}

static void child_hears_owner(void *arg)
{
	struct leak l = { .ctx = "events in a user namespace", .unnamed_abroad = true };
	struct vnl_nl mon, nl;
	uint32_t owner = 0, group = 0;
	int mismatch = 0, n;

	(void)arg;
	if (monitor_open(&mon) || nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	child_send(getpid());
	child_recv();		/* root made et0 */
	n = monitor_read(&mon, &l, 1000, owner_stop, &mismatch);
	CEXPECT(0, link_get_u32(&nl, "et0", VNL_A_TUN_OWNER, &owner), "LINK_GET et0 owner");
	CEXPECT(0, link_get_u32(&nl, "et0", VNL_A_TUN_GROUP, &group), "LINK_GET et0 group");
	CCHECK(owner == NOBODY && group == NOBODY,
	       "LINK_GET here reads owner %u group %u, not the overflow ids", owner, group);
	CCHECK(n >= 3, "%d events about et0", n);
	CCHECK(!l.bad, "%d of %d events give ids this user namespace does not map",
	       mismatch, l.msgs);
	vnl_nl_close(&mon);
	vnl_nl_close(&nl);
}

TEST_F(sec, leak_events_map_owner_into_the_listeners_user_namespace)
{
	char name[IFNAMSIZ] = "et0", path[64];
	struct proc p;
	int pid, nsfd, fd;

	share_fixture(self);
	ASSERT_LT(0, spawn(AS_USERNS, NULL, 0, child_hears_owner, NULL, &p));
	pid = pipe_recv(p.rx, 300 * 1000);
	if (pid <= 0)
		EXPECT_CHILD(proc_finish(&p));
	ASSERT_LT(0, pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nsfd);
	/* Root, in the child's netns, makes et0 and gives it away. */
	ASSERT_EQ(0, ns_enter(nsfd));
	fd = tun_alloc(name, IFF_TAP | IFF_NO_PI);
	ASSERT_EQ(0, ns_enter(self->t_fd));
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, tun_ioctl_val(fd, TUNSETOWNER, OUTER_ID));
	EXPECT_EQ(0, tun_ioctl_val(fd, TUNSETGROUP, OUTER_ID));
	EXPECT_EQ(0, tun_ioctl_val(fd, TUNSETPERSIST, 1));
	close(fd);
	pipe_send(p.tx, 1);
	EXPECT_CHILD(proc_finish(&p));
	close(nsfd);
}

/* ========================================================================
 * 4. No log line at will
 */

static int hammer_iter(void)
{
	const char *s = getenv("VNL_SECURITY_ITER"), *k = getenv("VNL_KERNEL");
	int n = s ? atoi(s) : 0;

	if (n > 0)
		return n;
	return k && !strcmp(k, "debug") ? HAMMER_ITER_DEBUG : HAMMER_ITER;
}

/* One error path, @n times: each must fail, with @want (-errno), or with
 * the same error each time when @want is 1.
 */
typedef int (*hammer_fn)(void *arg);

static int hammered;

static void hammer(const char *what, int want, hammer_fn fn, void *arg)
{
	int i, n = hammer_iter(), got, first = 0, wrong = 0;

	for (i = 0; i < n; i++) {
		got = fn(arg);
		if (i == 0)
			first = got;
		if ((want == 1 && (got >= 0 || got != first)) || (want != 1 && got != want)) {
			if (!wrong++)
				CFAIL("%s, try %d: got %s, want %s", what, i, errname(got),
				      want == 1 ? "the same error each time" : errname(want));
		}
	}
	hammered += n;
}

/* A prepared request, sent as is. */
struct hreq {
	struct vnl_nl *nl;
	struct vnl_msg m;
};

static int h_transact(void *arg)
{
	struct hreq *h = arg;

	return vnl_nl_transact(h->nl, &h->m, NULL, NULL, NULL);
}

static void hammer_req(const char *what, int want, struct hreq *h)
{
	hammer(what, want, h_transact, h);
}

/* The raw netlink requests: built with vnl_msg_put, which puts whatever
 * length it is given.
 */
static void hammer_genl_common(struct vnl_nl *nl, const char *parent,
			       const char *pair, const char *macvlan)
{
	struct hreq h = { .nl = nl };
	struct nlattr *nest;
	char longname[64];

	req_link(nl, &h.m, VNL_CMD_LINK_GET, "nosuchdev", 0);
	hammer_req("LINK_GET of a name that does not exist", -ENODEV, &h);
	req_link(nl, &h.m, VNL_CMD_LINK_GET, NULL, 99999);
	hammer_req("LINK_GET of an ifindex that does not exist", -ENODEV, &h);
	req_link(nl, &h.m, VNL_CMD_LINK_GET, "lo", 0);
	hammer_req("LINK_GET of a device that is not vnl's", -ENODEV, &h);
	req(nl, &h.m, VNL_CMD_LINK_GET);
	hammer_req("LINK_GET naming nothing", -EINVAL, &h);
	req_link(nl, &h.m, VNL_CMD_LINK_GET, NULL, 0);
	hammer_req("LINK_GET of ifindex 0", 1, &h);
	req(nl, &h.m, 99);
	hammer_req("command 99", -EOPNOTSUPP, &h);
	req(nl, &h.m, VNL_CMD_LINK_CHANGE);
	hammer_req("LINK_CHANGE (an event, not a request)", -EOPNOTSUPP, &h);
	req(nl, &h.m, VNL_CMD_LINK_GET);
	vnl_msg_put_u32(&h.m, VNL_A_MAX + 5, 1);
	hammer_req("an attribute the family does not know", -EINVAL, &h);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	req_link(nl, &h.m, VNL_CMD_LINK_GET, longname, 0);
	hammer_req("a 63-byte interface name", 1, &h);
	req(nl, &h.m, VNL_CMD_LINK_GET);
	vnl_msg_put(&h.m, VNL_A_IFNAME, "abc", 3);
	hammer_req("an interface name without its NUL", -EINVAL, &h);
	vnl_msg_init(&h.m, nl->family.id, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	vnl_msg_put_u32(&h.m, VNL_A_MAX + 5, 1);
	hammer_req("a dump with an unknown attribute", 1, &h);
	vnl_msg_init(&h.m, nl->family.id, NLM_F_REQUEST | NLM_F_ACK, VNL_CMD_LINK_GET,
		     VNL_GENL_VERSION);
	h.m.nlh.nlmsg_len = NLMSG_LENGTH(1);
	hammer_req("a message shorter than its genl header", 1, &h);

	req(nl, &h.m, VNL_CMD_LINK_NEW);
	hammer_req("LINK_NEW without a kind", 1, &h);
	req(nl, &h.m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(&h.m, VNL_A_KIND, 77);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, "x0");
	hammer_req("LINK_NEW of kind 77", 1, &h);
	req(nl, &h.m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(&h.m, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, "x0");
	nest = vnl_msg_nest_start(&h.m, VNL_A_PEER);
	vnl_msg_put_u32(&h.m, VNL_PEER_A_MAX + 3, 0);
	vnl_msg_nest_end(&h.m, nest);
	hammer_req("LINK_NEW pair, peer nest with an unknown attribute", 1, &h);
	req(nl, &h.m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(&h.m, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, "x0");
	vnl_msg_put_u32(&h.m, VNL_A_MTU, 10);
	hammer_req("LINK_NEW pair, MTU 10", 1, &h);
	req_macvlan(nl, &h.m, "x0", parent, 0, -1, -1);
	vnl_msg_put_u32(&h.m, VNL_A_MACVLAN_MODE, 99);
	hammer_req("LINK_NEW macvlan, mode 99", 1, &h);
	req(nl, &h.m, VNL_CMD_LINK_DEL);
	hammer_req("LINK_DEL naming nothing", 1, &h);
	req_link(nl, &h.m, VNL_CMD_LINK_DEL, "nosuchdev", 0);
	hammer_req("LINK_DEL of a name that does not exist", 1, &h);
	req_set_mode(nl, &h.m, macvlan, VNL_MACVLAN_MODE_PASSTHRU);
	hammer_req("LINK_SET mode passthru", 1, &h);
	req(nl, &h.m, VNL_CMD_LINK_SET);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, macvlan);
	hammer_req("LINK_SET changing nothing", 1, &h);
	req_set_mode(nl, &h.m, pair, VNL_MACVLAN_MODE_BRIDGE);
	hammer_req("LINK_SET on a pair", 1, &h);
}

static void child_hammers_genl(void *arg)
{
	struct hreq h;
	struct vnl_nl nl;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	h.nl = &nl;
	hammer_genl_common(&nl, "sd0", "sp0", "sm0");
	req_pair(&nl, &h.m, &(struct pair_req)PAIR("np0", "np1"));
	hammer_req("LINK_NEW pair", -EPERM, &h);
	req_macvlan(&nl, &h.m, "nm0", "sd0", 0, -1, -1);
	hammer_req("LINK_NEW macvlan", -EPERM, &h);
	req_link(&nl, &h.m, VNL_CMD_LINK_DEL, "sp0", 0);
	hammer_req("LINK_DEL sp0", -EPERM, &h);
	req_link(&nl, &h.m, VNL_CMD_LINK_DEL, "stap", 0);
	hammer_req("LINK_DEL stap", -EPERM, &h);
	req_set_mode(&nl, &h.m, "sm0", VNL_MACVLAN_MODE_BRIDGE);
	hammer_req("LINK_SET sm0", -EPERM, &h);
	vnl_nl_close(&nl);
	fprintf(stderr, "#   %d failed requests\n", hammered);
}

/* The kernel log around @fn run as @who: at most LOG_BOUND new lines. */
static void expect_quiet_log(struct __test_metadata *_metadata, enum who who,
			     child_fn fn, void *arg)
{
	struct kmsg k;
	int r;

	ASSERT_EQ(0, kmsg_mark(&k));
	r = run_as(who, fn, arg);
	kmsg_collect(&k);
	TH_LOG("%.1f s of errors; the kernel log grew by %d lines (%d lost)",
	       k.elapsed, k.lines, k.lost);
	EXPECT_CHILD(r);
	EXPECT_EQ(0, k.lost) TH_LOG("the kernel log overflowed");
	EXPECT_GE(LOG_BOUND, k.lines) TH_LOG("an unprivileged user writes to the kernel log at will");
}

TEST_F(sec, log_unprivileged_genl_errors_are_silent)
{
	share_fixture(self);
	make_targets(_metadata, self);
	expect_quiet_log(_metadata, AS_NOBODY, child_hammers_genl, NULL);
}

/* The /dev/vnl error paths.  Each takes a prepared file or opens one. */
struct hchr {
	int fd;
	const char *name;
	unsigned short flags;
	unsigned long cmd, val;
	const void *buf;
	size_t len;
};

static int h_open_setiff(void *arg)
{
	struct hchr *h = arg;
	char name[IFNAMSIZ];
	int fd, err;

	snprintf(name, sizeof(name), "%s", h->name);
	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = tun_set_iff(fd, name, h->flags);
	close(fd);
	return err;
}

static int h_setiff(void *arg)
{
	struct hchr *h = arg;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "%s", h->name);
	return tun_set_iff(h->fd, name, h->flags);
}

static int h_ioctl(void *arg)
{
	struct hchr *h = arg;

	return ioctl(h->fd, h->cmd, h->val) ? -errno : 0;
}

static int h_write(void *arg)
{
	struct hchr *h = arg;

	return write(h->fd, h->buf, h->len) < 0 ? -errno : 0;
}

static int h_read(void *arg)
{
	struct hchr *h = arg;
	char buf[64];

	return read(h->fd, buf, sizeof(buf)) < 0 ? -errno : 0;
}

static int h_set_queue(void *arg)
{
	struct hchr *h = arg;

	return tun_set_queue(h->fd, h->flags);
}

/* The error paths of a file that is attached to @name (up), and of one
 * that is not.
 */
static void hammer_chardev_common(int attached_tap, int attached_tun,
				  int down_tun, const char *pair)
{
	static uint8_t big[70000], zero[64];
	struct hchr h = { 0 };
	int unattached = open(VNL_DEV, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	h.flags = IFF_TAP;
	h.name = pair;
	hammer("TUNSETIFF on the name of a pair", -EINVAL, h_open_setiff, &h);
	h.flags = 0;
	h.name = "nx0";
	hammer("TUNSETIFF with neither IFF_TUN nor IFF_TAP", -EINVAL, h_open_setiff, &h);
	h.flags = IFF_TUN | IFF_TAP;
	hammer("TUNSETIFF with both IFF_TUN and IFF_TAP", -EINVAL, h_open_setiff, &h);
	h.flags = IFF_TAP | IFF_NAPI | IFF_NAPI_FRAGS;
	hammer("TUNSETIFF with IFF_NAPI_FRAGS", -EINVAL, h_open_setiff, &h);

	h.fd = unattached;
	h.cmd = TUNGETIFF;
	h.val = (unsigned long)big;
	hammer("TUNGETIFF, not attached", -EBADFD, h_ioctl, &h);
	h.cmd = TUNSETPERSIST;
	h.val = 1;
	hammer("TUNSETPERSIST, not attached", -EBADFD, h_ioctl, &h);
	h.cmd = TUNSETSNDBUF;
	hammer("TUNSETSNDBUF (not implemented)", -EINVAL, h_ioctl, &h);
	h.cmd = 0x12345678;
	hammer("ioctl 0x12345678", -EINVAL, h_ioctl, &h);
	h.flags = IFF_ATTACH_QUEUE;
	hammer("TUNSETQUEUE, not attached", -EINVAL, h_set_queue, &h);
	h.buf = zero;
	h.len = sizeof(zero);
	hammer("write, not attached", -EBADFD, h_write, &h);
	hammer("read, not attached", -EBADFD, h_read, &h);
	close(unattached);

	h.fd = attached_tap;
	h.name = "nx0";
	h.flags = IFF_TAP | IFF_NO_PI;
	hammer("TUNSETIFF on an attached file", -EEXIST, h_setiff, &h);
	h.flags = IFF_ATTACH_QUEUE;
	hammer("TUNSETQUEUE on a single-queue device", -EINVAL, h_set_queue, &h);
	h.cmd = TUNSETOFFLOAD;
	h.val = TUN_F_TSO4;
	hammer("TUNSETOFFLOAD TUN_F_TSO4 without TUN_F_CSUM", -EINVAL, h_ioctl, &h);
	h.cmd = TUNSETCARRIER;
	h.val = 16;
	hammer("TUNSETCARRIER with a bad pointer", -EFAULT, h_ioctl, &h);
	h.cmd = TUNSETVNETHDRSZ;
	hammer("TUNSETVNETHDRSZ with a bad pointer", -EFAULT, h_ioctl, &h);
	h.cmd = TUNGETVNETHDRSZ;
	hammer("TUNGETVNETHDRSZ with a bad pointer", -EFAULT, h_ioctl, &h);
	h.cmd = TUNGETIFF;
	hammer("TUNGETIFF with a bad pointer", -EFAULT, h_ioctl, &h);
	h.buf = zero;
	h.len = 1;
	hammer("write a 1-byte frame to a tap", -EINVAL, h_write, &h);
	h.buf = big;
	h.len = sizeof(big);
	hammer("write a 70000-byte frame to a tap", -EINVAL, h_write, &h);
	h.buf = (const void *)16;
	h.len = 100;
	hammer("write from a bad pointer", -EFAULT, h_write, &h);
	hammer("read, nothing queued (non-blocking)", -EAGAIN, h_read, &h);

	h.fd = attached_tun;
	h.buf = zero;
	h.len = 2;
	hammer("write to a tun, shorter than its packet information", -EINVAL, h_write, &h);
	h.len = 20;
	hammer("write to a tun, IP version 0", -EINVAL, h_write, &h);
	h.fd = down_tun;
	hammer("write to a tun that is down", -EIO, h_write, &h);
}

static void child_hammers_chardev(void *arg)
{
	struct hchr h = { 0 };
	char tap[IFNAMSIZ] = "htap", tun[IFNAMSIZ] = "htun", dtun[IFNAMSIZ] = "hdtun";
	int ftap, ftun, fdtun;

	(void)arg;
	h.flags = IFF_TAP;
	h.name = "nx0";
	hammer("TUNSETIFF creating a tap", -EPERM, h_open_setiff, &h);
	h.name = "otap";
	h.flags = IFF_TAP | IFF_NO_PI;
	hammer("TUNSETIFF on root's device", -EPERM, h_open_setiff, &h);
	h.name = "htap";
	h.flags = IFF_TUN;
	hammer("TUNSETIFF on a tap as a tun", -EINVAL, h_open_setiff, &h);

	/* Root left htap, htun and hdtun without owner: anyone attaches. */
	ftap = tun_alloc(tap, IFF_TAP | IFF_NO_PI);
	ftun = tun_alloc(tun, IFF_TUN);
	fdtun = tun_alloc(dtun, IFF_TUN);
	if (ftap < 0 || ftun < 0 || fdtun < 0) {
		CFAIL("cannot attach to htap, htun, hdtun");
		return;
	}
	tun_set_nonblock(ftap);
	hammer_chardev_common(ftap, ftun, fdtun, "sp0");
	close(ftap);
	close(ftun);
	close(fdtun);
	fprintf(stderr, "#   %d failed calls\n", hammered);
}

TEST_F(sec, log_unprivileged_chardev_errors_are_silent)
{
	share_fixture(self);
	make_targets(_metadata, self);
	ASSERT_EQ(0, persistent_tun("otap", IFF_TAP | IFF_NO_PI, 0, -1));
	ASSERT_EQ(0, persistent_tun("htap", IFF_TAP | IFF_NO_PI, -1, -1));
	ASSERT_EQ(0, persistent_tun("htun", IFF_TUN, -1, -1));
	ASSERT_EQ(0, persistent_tun("hdtun", IFF_TUN, -1, -1));
	ASSERT_EQ(0, if_up("htap"));
	ASSERT_EQ(0, if_up("htun"));
	expect_quiet_log(_metadata, AS_NOBODY, child_hammers_chardev, NULL);
}

static int h_if_up(void *arg)
{
	return if_up(arg);
}

static int h_if_mtu(void *arg)
{
	return if_set_mtu(arg, 9000);
}

/* Root of its own netns: the deeper error paths, where it may act. */
static void child_userns_hammers(void *arg)
{
	static const uint8_t mac_x[ETH_ALEN] = { 0x02, 0, 0, 0, 0x5e, 1 };
	char tap[IFNAMSIZ] = "utap", tun[IFNAMSIZ] = "utun", dtun[IFNAMSIZ] = "udtun";
	char mq[IFNAMSIZ];
	struct pair_req r = PAIR("u0", "u1");
	struct hreq h;
	struct hchr c = { 0 };
	struct vnl_nl nl;
	int ftap, ftun, fdtun, fmq[TUN_MAX_QUEUES], i, own;
	uint8_t mac[ETH_ALEN];

	(void)arg;
	CEXPECT(0, no_ipv6(), "turn IPv6 off in its own netns");
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	h.nl = &nl;
	own = ns_self();
	CEXPECT(0, pair_add(&nl, "u0", "u1"), "LINK_NEW u0/u1");
	CEXPECT(0, dummy_add("ud0"), "ip link add ud0 type dummy");
	CEXPECT(0, macvlan_new(&nl, "um0", "ud0", VNL_MACVLAN_MODE_BRIDGE, -1, -1), "um0");
	CEXPECT(0, if_set_mac("um0", mac_x), "um0's address");
	CEXPECT(0, macvlan_new(&nl, "um1", "ud0", VNL_MACVLAN_MODE_BRIDGE, -1, -1), "um1");
	/* The parent takes um1's address: um1 cannot come up. */
	CEXPECT(0, if_get_hwaddr("um1", mac, NULL), "um1's address");
	CEXPECT(0, if_set_mac("ud0", mac), "ud0 takes um1's address");
	CEXPECT(0, if_up("ud0"), "ip link set ud0 up");
	CEXPECT(0, if_up("um0"), "ip link set um0 up");
	ftap = tun_alloc(tap, IFF_TAP | IFF_NO_PI);
	ftun = tun_alloc(tun, IFF_TUN);
	fdtun = tun_alloc(dtun, IFF_TUN);
	if (child_fails || ftap < 0 || ftun < 0 || fdtun < 0) {
		CFAIL("setup failed");
		return;
	}
	CEXPECT(0, if_up("utap"), "ip link set utap up");
	CEXPECT(0, if_up("utun"), "ip link set utun up");
	tun_set_nonblock(ftap);

	hammer_genl_common(&nl, "ud0", "u0", "um0");

	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, name in use", -EEXIST, &h);
	req_pair(&nl, &h.m, &(struct pair_req)PAIR("u5", "u5"));
	hammer_req("LINK_NEW pair, peer named as the device", -EINVAL, &h);
	req_pair(&nl, &h.m, &(struct pair_req)PAIR("u/5", "u6"));
	hammer_req("LINK_NEW pair, invalid name", -EINVAL, &h);
	r.name = "u5";
	r.peer = "u6";
	r.peer_fd = g.init_fd;
	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, peer in the initial netns", -EPERM, &h);
	r.peer_fd = -1;
	r.pid = 1;
	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, in pid 1's netns", -EPERM, &h);
	r.fd = own;
	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, netns by fd and by pid", -EINVAL, &h);
	r.pid = -1;
	r.fd = 0;	/* /dev/null, not a netns */
	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, netns fd that is no netns", 1, &h);
	r.fd = 9999;
	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, netns fd that is not open", 1, &h);
	r.fd = -1;
	r.pid = 999999;
	req_pair(&nl, &h.m, &r);
	hammer_req("LINK_NEW pair, netns of a pid that does not exist", 1, &h);
	req_pair(&nl, &h.m, &(struct pair_req)PAIR("u5", "u6"));
	memset(mac, 0xff, sizeof(mac));
	vnl_msg_put(&h.m, VNL_A_ADDRESS, mac, ETH_ALEN);
	hammer_req("LINK_NEW pair, broadcast address", -EINVAL, &h);

	req_macvlan(&nl, &h.m, "um5", "lo", 0, -1, -1);
	hammer_req("LINK_NEW macvlan on lo", -EINVAL, &h);
	req_macvlan(&nl, &h.m, "um5", "nosuchdev", 0, -1, -1);
	hammer_req("LINK_NEW macvlan on a parent that does not exist", -ENODEV, &h);
	req_macvlan(&nl, &h.m, "um5", "ud0", VNL_MACVLAN_MODE_PASSTHRU, -1, -1);
	hammer_req("LINK_NEW macvlan passthru next to siblings", -EINVAL, &h);
	req_macvlan(&nl, &h.m, "um5", "ud0", 0, -1, -1);
	vnl_msg_put_u32(&h.m, VNL_A_MTU, 9000);
	hammer_req("LINK_NEW macvlan, MTU above the parent's", -EINVAL, &h);
	req_macvlan(&nl, &h.m, "um5", "ud0", 0, -1, -1);
	vnl_msg_put(&h.m, VNL_A_ADDRESS, mac_x, ETH_ALEN);
	hammer_req("LINK_NEW macvlan, a sibling's address", -EADDRINUSE, &h);
	req_macvlan(&nl, &h.m, "um5", "ud0", 0, g.init_fd, -1);
	hammer_req("LINK_NEW macvlan in the initial netns", -EPERM, &h);
	req_macvlan(&nl, &h.m, "um5", "ud0", 0, -1, -1);
	vnl_msg_put_u32(&h.m, VNL_A_MACADDR_OP, VNL_MACADDR_OP_ADD);
	hammer_req("LINK_NEW macvlan with a source operation", -EINVAL, &h);
	req(&nl, &h.m, VNL_CMD_LINK_NEW);
	vnl_msg_put_u32(&h.m, VNL_A_KIND, VNL_KIND_TUN);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, "u5");
	hammer_req("LINK_NEW of a tun", -EOPNOTSUPP, &h);
	req(&nl, &h.m, VNL_CMD_LINK_SET);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, "um0");
	vnl_msg_put_u32(&h.m, VNL_A_MACADDR_OP, VNL_MACADDR_OP_ADD);
	hammer_req("LINK_SET add without addresses", -EINVAL, &h);
	{
		struct nlattr *list;

		req(&nl, &h.m, VNL_CMD_LINK_SET);
		vnl_msg_put_str(&h.m, VNL_A_IFNAME, "um0");
		vnl_msg_put_u32(&h.m, VNL_A_MACADDR_OP, VNL_MACADDR_OP_SET);
		list = vnl_msg_nest_start(&h.m, VNL_A_MACADDR_LIST);
		for (i = 0; i < VNL_MACADDR_MAX + 1; i++) {
			uint8_t a[ETH_ALEN] = { 0x02, 0, 0, 0, (i + 1) >> 8, i + 1 };

			vnl_msg_put(&h.m, VNL_MACADDR_A_ADDRESS, a, ETH_ALEN);
		}
		vnl_msg_nest_end(&h.m, list);
		hammer_req("LINK_SET with 257 source addresses", -ENOSPC, &h);
	}
	req(&nl, &h.m, VNL_CMD_LINK_SET);
	vnl_msg_put_str(&h.m, VNL_A_IFNAME, "um0");
	vnl_msg_put_u32(&h.m, VNL_A_MACADDR_OP, VNL_MACADDR_OP_FLUSH);
	hammer_req("LINK_SET source flush in bridge mode", -EINVAL, &h);
	req_link(&nl, &h.m, VNL_CMD_LINK_DEL, "lo", 0);
	hammer_req("LINK_DEL lo", -ENODEV, &h);

	/* Its own netns's devices, through ioctls. */
	hammer("ip link set um1 up (its address is taken)", -EADDRINUSE, h_if_up, "um1");
	hammer("ip link set um0 mtu 9000 (above the parent's)", 1, h_if_mtu, "um0");

	/* /dev/vnl, where it may create. */
	c.flags = IFF_TAP;
	c.name = "u/x";
	hammer("TUNSETIFF with an invalid name", -EINVAL, h_open_setiff, &c);
	c.name = "utap";
	c.flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
	hammer("TUNSETIFF IFF_TUN_EXCL on an existing device", -EBUSY, h_open_setiff, &c);
	c.flags = IFF_TAP | IFF_NO_PI;
	hammer("TUNSETIFF on a single-queue device in use", -EBUSY, h_open_setiff, &c);
	c.flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	hammer("TUNSETIFF multi-queue on a single-queue device", -EINVAL, h_open_setiff, &c);
	snprintf(mq, sizeof(mq), "umq");
	for (i = 0; i < TUN_MAX_QUEUES; i++) {
		fmq[i] = tun_alloc(mq, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
		CCHECK(fmq[i] >= 0, "queue %d of umq: %s", i, errname(fmq[i]));
	}
	c.name = "umq";
	hammer("TUNSETIFF, a ninth queue", -E2BIG, h_open_setiff, &c);
	c.fd = ftap;
	c.cmd = TUNSETOWNER;
	c.val = 1;
	hammer("TUNSETOWNER to an unmapped uid", -EINVAL, h_ioctl, &c);
	c.cmd = TUNSETGROUP;
	hammer("TUNSETGROUP to an unmapped gid", -EINVAL, h_ioctl, &c);
	hammer_chardev_common(ftap, ftun, fdtun, "u0");

	for (i = 0; i < TUN_MAX_QUEUES; i++)
		if (fmq[i] >= 0)
			close(fmq[i]);
	close(ftap);
	close(ftun);
	close(fdtun);
	close(own);
	vnl_nl_close(&nl);
	fprintf(stderr, "#   %d failed calls\n", hammered);
}

TEST_F(sec, log_userns_root_errors_are_silent)
{
	share_fixture(self);
	expect_quiet_log(_metadata, AS_USERNS, child_userns_hammers, NULL);
}

/* Malformed netlink: the core's own (rate-limited) complaints. */
static void child_sends_malformed_netlink(void *arg)
{
	struct hreq h;
	struct vnl_nl nl;
	uint64_t wide = 1;

	(void)arg;
	if (nl_open_here(&nl)) {
		CFAIL("cannot open the vnl family");
		return;
	}
	h.nl = &nl;
	req(&nl, &h.m, VNL_CMD_LINK_GET);
	vnl_msg_put(&h.m, VNL_A_IFINDEX, &wide, sizeof(wide));
	hammer_req("a u32 attribute of 8 bytes", -EINVAL, &h);
	req_link(&nl, &h.m, VNL_CMD_LINK_GET, "lo", 0);
	memset(h.m.buf + h.m.nlh.nlmsg_len, 0, 4);
	h.m.nlh.nlmsg_len += 4;
	hammer_req("4 bytes after the last attribute", -EINVAL, &h);
	vnl_nl_close(&nl);
	fprintf(stderr, "#   %d malformed requests\n", hammered);
}

/* The core warns about these with printk_ratelimited(): the log may grow,
 * but by no more than the rate limit lets through.
 */
static void expect_rate_limited_log(struct __test_metadata *_metadata, enum who who)
{
	struct kmsg k;
	int r, i, budget;

	ASSERT_EQ(0, kmsg_mark(&k));
	r = run_as(who, child_sends_malformed_netlink, NULL);
	kmsg_collect(&k);
	budget = RL_BURST * ((int)(k.elapsed / RL_INTERVAL_S) + 2);
	TH_LOG("%.1f s of malformed requests; the kernel log grew by %d lines in %d kinds (%d lost); at most %d per kind",
	       k.elapsed, k.lines, k.ntemplates, k.lost, budget);
	EXPECT_CHILD(r);
	EXPECT_EQ(0, k.lost);
	EXPECT_GE(LOG_BOUND, k.ntemplates) TH_LOG("too many different lines");
	for (i = 0; i < k.ntemplates; i++) {
		TH_LOG("  %d x \"%s\"", k.t[i].count, k.t[i].text);
		EXPECT_GE(budget, k.t[i].count) TH_LOG("not rate-limited: \"%s\"", k.t[i].text);
	}
}

TEST_F(sec, log_malformed_netlink_is_rate_limited)
{
	share_fixture(self);
	expect_rate_limited_log(_metadata, AS_NOBODY);
}

TEST_F(sec, log_malformed_netlink_in_a_user_namespace_is_rate_limited)
{
	share_fixture(self);
	expect_rate_limited_log(_metadata, AS_USERNS);
}

TEST_HARNESS_MAIN
