/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tun_*.c selftests share: opening /dev/vnl and attaching with
 * TUNSETIFF, configuring an interface the way ifconfig would (ioctls on
 * an AF_INET socket), reading a link's state and counters the way
 * "ip -s link" does (RTM_GETLINK), deleting and moving links, and building
 * IPv4, IPv6, UDP and ICMP packets byte by byte for write().
 *
 * Every helper returns 0 (or a descriptor, a length) on success and
 * -errno on failure, so that a test can ASSERT_EQ on the exact error.
 *
 * Each test runs in a network namespace of its own (tun_enter_new_netns,
 * from the fixture setup: the harness forks every test), so that names
 * like "tun0" are predictable, no other traffic reaches the counters, and
 * the namespace takes every device with it when the test ends.
 */
#ifndef TUN_UTIL_H
#define TUN_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define VNL_DEV			"/dev/vnl"
/* Every flag TUNGETFEATURES must report, and the queue limit. */
#define TUN_FEATURES_EXPECTED	(IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | \
				 IFF_MULTI_QUEUE | IFF_TUN_EXCL | IFF_NAPI | \
				 IFF_NO_CARRIER | IFF_VNET_HDR)
#define TUN_MAX_QUEUES		8
#define TUN_DEFAULT_QLEN	500
#define NOBODY			65534

/* Bounds of every wait for something that must happen.  Generous: the
 * debug kernel under TCG is several times slower than the others.
 */
#define TUN_WAIT_MS		10000

/* --- /dev/vnl ----------------------------------------------------------- */

/* TUNSETIFF on @fd; @name (IFNAMSIZ bytes, may be "") gets the name the
 * device ended up with.
 */
static inline int tun_set_iff(int fd, char *name, unsigned short flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (name)
		memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_flags = flags;
	if (ioctl(fd, TUNSETIFF, &ifr))
		return -errno;
	if (name)
		memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return 0;
}

/* open("/dev/vnl") and TUNSETIFF: the attached descriptor or -errno. */
static inline int tun_alloc(char *name, unsigned short flags)
{
	int fd, err;

	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = tun_set_iff(fd, name, flags);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static inline int tun_get_iff(int fd, char *name, unsigned short *flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr))
		return -errno;
	if (name)
		memcpy(name, ifr.ifr_name, IFNAMSIZ);
	if (flags)
		*flags = ifr.ifr_flags;
	return 0;
}

/* TUNSETQUEUE with IFF_ATTACH_QUEUE or IFF_DETACH_QUEUE. */
static inline int tun_set_queue(int fd, unsigned short flags)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = flags;
	return ioctl(fd, TUNSETQUEUE, &ifr) ? -errno : 0;
}

/* An ioctl whose argument is a value (TUNSETPERSIST, TUNSETOWNER, ...). */
static inline int tun_ioctl_val(int fd, unsigned long cmd, unsigned long val)
{
	return ioctl(fd, cmd, val) ? -errno : 0;
}

static inline int tun_set_carrier(int fd, int on)
{
	return ioctl(fd, TUNSETCARRIER, &on) ? -errno : 0;
}

/* poll() one descriptor: its revents, 0 on timeout, -errno on error. */
static inline int tun_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n;

	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return -errno;
	return n ? pfd.revents : 0;
}

static inline int tun_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	return 0;
}

/* The first field of /proc/@pid/@file, a number: 0 or -errno. */
static inline int proc_field(pid_t pid, const char *file, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -ENODATA;
	buf[n] = '\0';
	return 0;
}

/* The state letter of /proc/@pid/stat ('R', 'S', 'Z', ...), or 0. */
static inline char proc_state(pid_t pid)
{
	char buf[256], *p;

	if (proc_field(pid, "stat", buf, sizeof(buf)))
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait, bounded, until the child @pid sleeps (state S in /proc/PID/stat)
 * inside system call @nr (SYS_read, SYS_poll, ...: the first field of
 * /proc/PID/syscall): it is then blocked in the read(), poll() or
 * epoll_wait() it was started for, and what wakes it is what the test
 * does next.  An assertion: 0 once seen; -ESRCH if the child ended first
 * (its call returned, or a signal killed it, before it was seen asleep
 * there), -ETIMEDOUT if it was not seen asleep there within TUN_WAIT_MS.
 * On failure the child is killed and reaped, so that the test can stop
 * at once.
 */
static inline int wait_sleeping(pid_t pid, long nr)
{
	struct timespec now, end;
	int err = -ETIMEDOUT;
	char buf[256];

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += TUN_WAIT_MS / 1000;
	for (;;) {
		char state = proc_state(pid);

		if (!state || state == 'Z' || state == 'X') {
			err = -ESRCH;
			break;
		}
		/* "running", or "NR ARGS... SP PC" while it is blocked. */
		if (state == 'S' && !proc_field(pid, "syscall", buf, sizeof(buf)) &&
		    buf[0] >= '0' && buf[0] <= '9' && strtol(buf, NULL, 10) == nr)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			break;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return err;
}

/* --- the test's own network namespace --------------------------------- */

static inline int tun_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static inline int if_set_flag(const char *name, short flag, bool on);

/* A fresh netns for the calling process, loopback up and IPv6 off: no
 * router solicitation or MLD report lands in a queue a test counts.
 * (/proc/sys/net shows the netns of whoever reads it.)
 */
static inline int tun_enter_new_netns(void)
{
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	err = tun_write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	if (!err)
		err = tun_write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	if (err)
		return err;
	return if_set_flag("lo", IFF_UP, true);
}

/* IPv6 back on for one device (it was made with the default "off"). */
static inline int tun_enable_ipv6(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	return tun_write_file(path, "0");
}

/* --- interface configuration, as ifconfig does it ---------------------- */

static inline int if_ioctl(unsigned long cmd, struct ifreq *ifr)
{
	int s, err = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, cmd, ifr))
		err = -errno;
	close(s);
	return err;
}

static inline void if_req(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, name, strnlen(name, IFNAMSIZ - 1));
}

/* The interface flags of SIOCGIFFLAGS (IFF_UP, IFF_POINTOPOINT, ...). */
static inline int if_get_flags(const char *name, unsigned int *flags)
{
	struct ifreq ifr;
	int err;

	if_req(&ifr, name);
	err = if_ioctl(SIOCGIFFLAGS, &ifr);
	if (!err)
		*flags = (unsigned short)ifr.ifr_flags;
	return err;
}

static inline int if_set_flag(const char *name, short flag, bool on)
{
	struct ifreq ifr;
	int err;

	if_req(&ifr, name);
	err = if_ioctl(SIOCGIFFLAGS, &ifr);
	if (err)
		return err;
	if (on)
		ifr.ifr_flags |= flag;
	else
		ifr.ifr_flags &= ~flag;
	return if_ioctl(SIOCSIFFLAGS, &ifr);
}

static inline int if_up(const char *name)
{
	return if_set_flag(name, IFF_UP, true);
}

static inline int if_down(const char *name)
{
	return if_set_flag(name, IFF_UP, false);
}

static inline int if_set_sin(const char *name, unsigned long cmd,
			     const char *addr)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;

	if_req(&ifr, name);
	sin = (struct sockaddr_in *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		return -EINVAL;
	return if_ioctl(cmd, &ifr);
}

/* ADDR/PREFIX on the interface (the subnet route comes with it). */
static inline int if_addr4(const char *name, const char *addr, int prefix)
{
	char mask[INET_ADDRSTRLEN];
	struct in_addr m;
	int err;

	err = if_set_sin(name, SIOCSIFADDR, addr);
	if (err)
		return err;
	m.s_addr = htonl(prefix ? ~0U << (32 - prefix) : 0);
	inet_ntop(AF_INET, &m, mask, sizeof(mask));
	return if_set_sin(name, SIOCSIFNETMASK, mask);
}

/* A point-to-point interface's local address and its peer's. */
static inline int if_addr4_peer(const char *name, const char *local,
				const char *peer)
{
	int err = if_set_sin(name, SIOCSIFADDR, local);

	return err ? err : if_set_sin(name, SIOCSIFDSTADDR, peer);
}

/* An IPv6 address on the interface, as "ifconfig add" does it. */
static inline int if_addr6(const char *name, const char *addr, int prefix)
{
	struct {
		struct in6_addr addr;
		uint32_t prefixlen;
		int ifindex;
	} req;
	int s, err = 0;

	memset(&req, 0, sizeof(req));
	if (inet_pton(AF_INET6, addr, &req.addr) != 1)
		return -EINVAL;
	req.prefixlen = prefix;
	req.ifindex = if_nametoindex(name);
	if (!req.ifindex)
		return -errno;
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCSIFADDR, &req))
		err = -errno;
	close(s);
	return err;
}

static inline int if_set_txqlen(const char *name, int qlen)
{
	struct ifreq ifr;

	if_req(&ifr, name);
	ifr.ifr_qlen = qlen;
	return if_ioctl(SIOCSIFTXQLEN, &ifr);
}

static inline int if_get_mtu(const char *name, int *mtu)
{
	struct ifreq ifr;
	int err;

	if_req(&ifr, name);
	err = if_ioctl(SIOCGIFMTU, &ifr);
	if (!err)
		*mtu = ifr.ifr_mtu;
	return err;
}

/* The link-layer address and type (ARPHRD_*) of SIOCGIFHWADDR. */
static inline int if_get_hwaddr(const char *name, unsigned char mac[ETH_ALEN],
				unsigned short *type)
{
	struct ifreq ifr;
	int err;

	if_req(&ifr, name);
	err = if_ioctl(SIOCGIFHWADDR, &ifr);
	if (err)
		return err;
	if (mac)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (type)
		*type = ifr.ifr_hwaddr.sa_family;
	return 0;
}

/* A permanent ARP entry, so that the stack sends to ADDR on a tap at once
 * instead of asking for it first.
 */
static inline int if_neigh4(const char *name, const char *addr,
			    const unsigned char mac[ETH_ALEN])
{
	struct sockaddr_in *sin;
	struct arpreq req;
	int s, err = 0;

	memset(&req, 0, sizeof(req));
	sin = (struct sockaddr_in *)&req.arp_pa;
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		return -EINVAL;
	req.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(req.arp_ha.sa_data, mac, ETH_ALEN);
	req.arp_flags = ATF_PERM | ATF_COM;
	memcpy(req.arp_dev, name, strnlen(name, sizeof(req.arp_dev) - 1));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCSARP, &req))
		err = -errno;
	close(s);
	return err;
}

/* --- rtnetlink: what "ip -s -d link" shows, "ip link del", "netns" ----- */

/* What RTM_GETLINK says about one link. */
struct link_state {
	int ifindex;
	unsigned short type;		/* ARPHRD_* */
	unsigned int flags;		/* IFF_*, with IFF_LOWER_UP */
	int carrier;			/* IFLA_CARRIER */
	unsigned int mtu;
	unsigned int txqlen;
	char kind[32];			/* IFLA_INFO_KIND, "" if none */
	struct rtnl_link_stats64 stats;
};

/* One request, one answer: the reply's first message goes to @reply (if
 * given); an NLMSG_ERROR gives its error.
 */
static inline int rtnl_transact(struct nlmsghdr *req, void *reply, size_t size)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384];
	struct nlmsghdr *nh;
	int s, err = -EPROTO;
	ssize_t n;

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (sendto(s, req, req->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(s, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (size_t)n))
		goto out;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		goto out;
	}
	if (reply) {
		memcpy(reply, nh, nh->nlmsg_len < size ? nh->nlmsg_len : size);
		err = 0;
	}
out:
	close(s);
	return err;
}

struct rtnl_link_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static inline void rtnl_link_req_init(struct rtnl_link_req *r, int type,
				      int flags)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(r->ifi));
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	r->ifi.ifi_family = AF_UNSPEC;
}

static inline void rtnl_put(struct rtnl_link_req *r, int type,
			    const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* -ENODEV when there is no such link in the caller's netns. */
static inline int link_get(const char *name, struct link_state *st)
{
	static char reply[16384];
	struct nlmsghdr *nh = (struct nlmsghdr *)reply;
	struct rtnl_link_req req;
	struct ifinfomsg *ifi;
	struct rtattr *rta, *info;
	int len, ilen, err;

	rtnl_link_req_init(&req, RTM_GETLINK, 0);
	rtnl_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
	err = rtnl_transact(&req.nh, reply, sizeof(reply));
	if (err)
		return err;
	if (nh->nlmsg_type != RTM_NEWLINK)
		return -EPROTO;

	memset(st, 0, sizeof(*st));
	st->carrier = -1;
	ifi = NLMSG_DATA(nh);
	st->ifindex = ifi->ifi_index;
	st->type = ifi->ifi_type;
	st->flags = ifi->ifi_flags;
	len = IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case IFLA_CARRIER:
			st->carrier = *(uint8_t *)RTA_DATA(rta);
			break;
		case IFLA_MTU:
			st->mtu = *(uint32_t *)RTA_DATA(rta);
			break;
		case IFLA_TXQLEN:
			st->txqlen = *(uint32_t *)RTA_DATA(rta);
			break;
		case IFLA_STATS64:
			memcpy(&st->stats, RTA_DATA(rta), sizeof(st->stats));
			break;
		case IFLA_LINKINFO:
			ilen = RTA_PAYLOAD(rta);
			for (info = RTA_DATA(rta); RTA_OK(info, ilen);
			     info = RTA_NEXT(info, ilen))
				if (info->rta_type == IFLA_INFO_KIND)
					snprintf(st->kind, sizeof(st->kind), "%.*s",
						 (int)RTA_PAYLOAD(info),
						 (char *)RTA_DATA(info));
			break;
		}
	}
	return 0;
}

static inline bool link_exists(const char *name)
{
	struct link_state st;

	return link_get(name, &st) == 0;
}

/* "ip link del NAME" */
static inline int link_del(const char *name)
{
	struct rtnl_link_req req;

	rtnl_link_req_init(&req, RTM_DELLINK, NLM_F_ACK);
	rtnl_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
	return rtnl_transact(&req.nh, NULL, 0);
}

/* "ip link set NAME netns NSFD" */
static inline int link_set_netns(const char *name, int nsfd)
{
	struct rtnl_link_req req;
	uint32_t fd = nsfd;

	rtnl_link_req_init(&req, RTM_NEWLINK, NLM_F_ACK);
	rtnl_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
	rtnl_put(&req, IFLA_NET_NS_FD, &fd, sizeof(fd));
	return rtnl_transact(&req.nh, NULL, 0);
}

/* The type (RTN_LOCAL, RTN_UNICAST, ...) of the route "ip route get ADDR"
 * finds, or -errno.
 */
static inline int route_type(const char *addr)
{
	static char reply[8192];
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
		char attrs[64];
	} req;
	bool v6 = strchr(addr, ':');
	struct rtattr *rta;
	int err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.rt));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.rt.rtm_family = v6 ? AF_INET6 : AF_INET;
	req.rt.rtm_dst_len = v6 ? 128 : 32;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(v6 ? 16 : 4);
	if (inet_pton(req.rt.rtm_family, addr, RTA_DATA(rta)) != 1)
		return -EINVAL;
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	err = rtnl_transact(&req.nh, reply, sizeof(reply));
	if (err)
		return err;
	return ((struct rtmsg *)NLMSG_DATA((struct nlmsghdr *)reply))->rtm_type;
}

/* Wait up to MS milliseconds for ADDR, just added, to be usable: an IPv6
 * address is tentative until duplicate address detection (skipped on a
 * NOARP device, but from a work item all the same) clears it and installs
 * its local route; until then it cannot be bound to, nor chosen as a
 * source.  Returns the route type last seen (RTN_LOCAL once usable).
 */
static inline int wait_route_local(const char *addr, int ms)
{
	int type, i;

	for (i = 0; i < ms / 10; i++) {
		type = route_type(addr);
		if (type == RTN_LOCAL)
			return type;
		usleep(10000);
	}
	return route_type(addr);
}

/* --- packets -------------------------------------------------------------- */

#define IP4_HLEN	20
#define IP6_HLEN	40
#define UDP_HLEN	8
#define ICMP_HLEN	8

static inline uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (p[0] << 8) | p[1];
}

/* The partial checksum NEEDS_CSUM wants in the checksum field: the
 * pseudo-header's sum, folded, not complemented (network order).
 */
static inline uint16_t pseudo_partial4(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	return (uint16_t)~csum_fold(csum_add(proto + l4len, ip + 12, 8));
}

/* True if the TCP or UDP checksum of the IPv4 packet @ip is right. */
static inline bool l4_csum_ok4(const uint8_t *ip)
{
	size_t l4len = get16(ip + 2) - IP4_HLEN;

	return csum_fold(csum_add(ip[9] + l4len, ip + 12, 8) +
			 csum_add(0, ip + IP4_HLEN, l4len)) == 0;
}

/* A TCP header at @t; @doff_words counts its 32-bit words. */
static inline void build_tcp(uint8_t *t, uint16_t sport, uint16_t dport,
			     uint32_t seq, uint32_t ack, uint8_t flags, int doff_words)
{
	memset(t, 0, doff_words * 4);
	put16(t, sport);
	put16(t + 2, dport);
	put16(t + 4, seq >> 16);
	put16(t + 6, seq);
	put16(t + 8, ack >> 16);
	put16(t + 10, ack);
	t[12] = doff_words << 4;
	t[13] = flags;
	put16(t + 14, 65535);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* An IPv4 header at @p for @plen bytes of protocol @proto. */
static inline void build_ip4(uint8_t *p, const char *src, const char *dst,
			     uint8_t proto, size_t plen)
{
	uint16_t sum;

	memset(p, 0, IP4_HLEN);
	p[0] = 0x45;
	put16(p + 2, IP4_HLEN + plen);
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	sum = csum_fold(csum_add(0, p, IP4_HLEN));
	memcpy(p + 10, &sum, 2);
}

/* A whole IPv4 UDP datagram at @p (checksummed); its length. */
static inline size_t build_udp4(uint8_t *p, const char *src, const char *dst,
				uint16_t sport, uint16_t dport,
				const void *data, size_t dlen)
{
	uint8_t *u = p + IP4_HLEN;
	uint32_t sum;
	uint16_t c;

	build_ip4(p, src, dst, IPPROTO_UDP, UDP_HLEN + dlen);
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, UDP_HLEN + dlen);
	memset(u + 6, 0, 2);
	memcpy(u + UDP_HLEN, data, dlen);
	/* The pseudo-header: addresses, protocol, UDP length. */
	sum = csum_add(0, p + 12, 8) + IPPROTO_UDP + UDP_HLEN + dlen;
	sum = csum_add(sum, u, UDP_HLEN + dlen);
	c = csum_fold(sum);
	memcpy(u + 6, c ? &c : &(uint16_t){ 0xffff }, 2);
	return IP4_HLEN + UDP_HLEN + dlen;
}

/* An IPv4 ICMP echo request at @p; its length. */
static inline size_t build_icmp4_echo(uint8_t *p, const char *src,
				      const char *dst, uint16_t id,
				      uint16_t seq, const void *data,
				      size_t dlen)
{
	uint8_t *ic = p + IP4_HLEN;
	uint16_t c;

	build_ip4(p, src, dst, IPPROTO_ICMP, ICMP_HLEN + dlen);
	memset(ic, 0, ICMP_HLEN);
	ic[0] = 8;	/* echo request */
	put16(ic + 4, id);
	put16(ic + 6, seq);
	memcpy(ic + ICMP_HLEN, data, dlen);
	c = csum_fold(csum_add(0, ic, ICMP_HLEN + dlen));
	memcpy(ic + 2, &c, 2);
	return IP4_HLEN + ICMP_HLEN + dlen;
}

/* A whole IPv6 UDP datagram at @p (checksummed); its length. */
static inline size_t build_udp6(uint8_t *p, const char *src, const char *dst,
				uint16_t sport, uint16_t dport,
				const void *data, size_t dlen)
{
	uint8_t *u = p + IP6_HLEN;
	uint32_t sum;
	uint16_t c;

	memset(p, 0, IP6_HLEN);
	p[0] = 0x60;
	put16(p + 4, UDP_HLEN + dlen);
	p[6] = IPPROTO_UDP;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, UDP_HLEN + dlen);
	memset(u + 6, 0, 2);
	memcpy(u + UDP_HLEN, data, dlen);
	sum = csum_add(0, p + 8, 32) + IPPROTO_UDP + UDP_HLEN + dlen;
	sum = csum_add(sum, u, UDP_HLEN + dlen);
	c = csum_fold(sum);
	memcpy(u + 6, c ? &c : &(uint16_t){ 0xffff }, 2);
	return IP6_HLEN + UDP_HLEN + dlen;
}

/* An Ethernet header at @p; returns ETH_HLEN. */
static inline size_t build_eth(uint8_t *p, const unsigned char dst[ETH_ALEN],
			       const unsigned char src[ETH_ALEN], uint16_t proto)
{
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, src, ETH_ALEN);
	put16(p + 2 * ETH_ALEN, proto);
	return ETH_HLEN;
}

/* --- sockets -------------------------------------------------------------- */

/* A UDP socket bound to ADDR:PORT (family from the address). */
static inline int udp_bind(const char *addr, uint16_t port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };
	bool v6 = strchr(addr, ':');
	int s, err;

	s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (v6)
		err = inet_pton(AF_INET6, addr, &s6.sin6_addr) == 1 ?
		      bind(s, (struct sockaddr *)&s6, sizeof(s6)) : -1;
	else
		err = inet_pton(AF_INET, addr, &s4.sin_addr) == 1 ?
		      bind(s, (struct sockaddr *)&s4, sizeof(s4)) : -1;
	if (err) {
		err = -errno;
		close(s);
		return err;
	}
	return s;
}

/* sendto() IPv4 ADDR:PORT from @s; 0 or -errno. */
static inline int udp_send4(int s, const char *addr, uint16_t port,
			    const void *data, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &sin.sin_addr);
	if (sendto(s, data, len, 0, (struct sockaddr *)&sin, sizeof(sin)) != (ssize_t)len)
		return -errno;
	return 0;
}

/* recv() with a bounded wait: the length, -ETIMEDOUT or -errno. */
static inline ssize_t recv_wait(int s, void *buf, size_t size, int timeout_ms)
{
	int ev = tun_poll(s, POLLIN, timeout_ms);
	ssize_t n;

	if (ev < 0)
		return ev;
	if (!(ev & POLLIN))
		return -ETIMEDOUT;
	n = recv(s, buf, size, MSG_DONTWAIT);
	return n < 0 ? -errno : n;
}

/* read() from a tun descriptor with a bounded wait. */
static inline ssize_t read_wait(int fd, void *buf, size_t size, int timeout_ms)
{
	int ev = tun_poll(fd, POLLIN, timeout_ms);
	ssize_t n;

	if (ev < 0)
		return ev;
	if (!(ev & POLLIN))
		return -ETIMEDOUT;
	n = read(fd, buf, size);
	return n < 0 ? -errno : n;
}

#endif /* TUN_UTIL_H */
