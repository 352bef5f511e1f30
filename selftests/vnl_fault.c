// SPDX-License-Identifier: GPL-2.0
/*
 * vnl_fault: what the fault and stress selftests (fault_*.sh, stress.sh)
 * cannot do from the shell.  Not a test itself: each subcommand does one
 * thing and prints what happened as one line of key=value words, which
 * the shell test checks.
 *
 *   vnl_fault hold NAME
 *	Attach a /dev/vnl file to the tun/tap device NAME (of this netns)
 *	and print "attached NAME".  Then, for each line read on stdin:
 *	"write" writes one frame and prints "write ok" or "write ERRNO";
 *	"read" reads one frame without waiting: "read LEN" or "read ERRNO".
 *	At EOF the file is closed.
 *
 *   vnl_fault wake NAME [-t SEC]
 *	On one file attached to NAME (down, so nothing arrives), a thread
 *	blocked in read() and another blocked in poll(POLLIN).  Prints
 *	"ready" once both sleep; when both have returned (the device was
 *	deleted) or after SEC seconds (default 60):
 *	"wake: read=ERRNO read_ms=N poll=FLAGS poll_ms=N write=ERRNO
 *	 setiff=ERRNO poll_again=FLAGS"; exit 0, or 2 if one never woke.
 *
 *   vnl_fault busy NAME LOCAL PEER [-r PPS] [-t SEC]
 *	NAME is a tap or tun with address LOCAL and a (permanent) neighbour
 *	PEER: a writer writes ICMP echo requests from PEER to LOCAL as fast
 *	as it can (or PPS a second), a reader reads the replies the stack
 *	sends back, a poller polls; each runs until the device is gone
 *	(EBADFD, EPOLLHUP) or SEC seconds (default 60) pass.  Prints
 *	"ready" once frames flow, then "busy: written=N read=N polls=N
 *	eio=N write_end=ERRNO read_end=ERRNO poll_end=FLAGS"; exit 0, or 2
 *	on a timeout.
 *
 *   vnl_fault blast IFNAME [-t SEC] [-n COUNT] [-d MAC] [-r PPS] [-k]
 *	60-byte broadcast frames (or to MAC) of the local experimental
 *	EtherType 0x88b5, which no protocol takes, on IFNAME through an
 *	AF_PACKET socket, in sendmmsg() bursts, for SEC seconds (default 5)
 *	or COUNT frames, as fast as it can or PPS frames a second (each
 *	millisecond's share at once, at most 32: evenly spread).  Stops
 *	when the device is gone (ENXIO, ENODEV) unless -k, and with -n
 *	when it is down (ENETDOWN).  Prints "blast: sent=N errors=N
 *	end=ERRNO|time|count err_X=N..."
 *
 *   vnl_fault udp ADDR PORT [-t SEC]
 *	UDP datagrams to ADDR:PORT through the stack, as fast as sendto()
 *	takes them.  Prints "udp: sent=N errors=N err_X=N..."
 *
 *   vnl_fault churn PREFIX POOL [-f FRAMES] [-t SEC]
 *	For SEC seconds (default 5): open /dev/vnl, TUNSETIFF a tun or tap
 *	named PREFIX<0..POOL-1> (attaching when it exists, creating it
 *	otherwise), bring it up, write FRAMES frames (default 4), now and
 *	then make it persistent (or, found persistent, not any more: the
 *	close then deletes it), close.  Kind and queue mode are picked at
 *	random: a TUNSETIFF refused with EINVAL (the name is a device of
 *	the other kind or queue mode) is tried again with the three other
 *	combinations, one of which must attach.  Bringing the device up
 *	(ENODEV) and writing to it (EIO) may fail only once it has left
 *	this netns (another process moved it): other failures are counted
 *	as bad_X.  Prints "churn: ops=N created=N attached=N refused=N
 *	frames=N persist=N unpersist=N errors=N err_X=N... bad_X=N..."
 *
 *   vnl_fault names REGEX NETNS...
 *	"NETNS NAME" for each link of each NETNS (a name under /run/netns)
 *	whose name matches the extended REGEX: one process where `ip` would
 *	need one per netns.
 *
 *   vnl_fault pairs NS0 NS1... [-t SEC]
 *   vnl_fault children PARENT NS0 NS1... [-t SEC]
 *   vnl_fault reap REGEX NS...
 *	The stress test's workers on the vnl family: pairs made, brought up
 *	and deleted; macvlan children made, moved between netns (with pair
 *	ends and taps) and deleted; and the final clean-up (see each one's
 *	comment below).
 *
 * blast, udp and churn also stop, and print their line, on SIGTERM or
 * SIGINT.  `vnl_fault -N NETNS SUBCOMMAND ...` runs the subcommand in the
 * netns NETNS (a name under /run/netns), like `ip netns exec` without its
 * extra process.  ERRNO is a name (EBADFD) or "ok"; FLAGS are poll bits
 * (ERR|HUP).  VNL_FAULT_DEV=/dev/net/tun in the environment runs the same
 * against the kernel's tun, for comparison.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <limits.h>
#include <linux/if_packet.h>

#include "tun_util.h"
#include "vnl_genl.h"
#include <linux/vnl.h>

#define MAX_ERRNO 256

/* SIGTERM or SIGINT: blast, udp and churn stop and print what they did. */
static volatile sig_atomic_t stop;

/* VNL_FAULT_DEV=/dev/net/tun runs the same against the kernel's tun. */
static const char *chardev = VNL_DEV;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *errname(int err)
{
	const char *s;

	if (!err)
		return "ok";
	s = strerrorname_np(err);
	return s ? s : "EUNKNOWN";
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "vnl_fault: %s: %s\n", what, strerror(err));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vnl_fault [-N NETNS] SUBCOMMAND ARGS...\n"
		"       vnl_fault hold NAME\n"
		"       vnl_fault wake NAME [-t SEC]\n"
		"       vnl_fault busy NAME LOCAL PEER [-r PPS] [-t SEC]\n"
		"       vnl_fault blast IFNAME [-t SEC] [-n COUNT] [-d MAC] [-r PPS] [-k]\n"
		"       vnl_fault udp ADDR PORT [-t SEC]\n"
		"       vnl_fault churn PREFIX POOL [-f FRAMES] [-t SEC]\n"
		"       vnl_fault names REGEX NETNS...\n"
		"       vnl_fault pairs NS0 NS1... [-t SEC]\n"
		"       vnl_fault children PARENT NS0 NS1... [-t SEC]\n"
		"       vnl_fault reap REGEX NS...\n");
	exit(2);
}

/* Errors counted by errno, printed as err_ENAME=N. */
struct errcount {
	unsigned long n[MAX_ERRNO];
	unsigned long total;
};

static void err_add(struct errcount *ec, int err)
{
	ec->n[err > 0 && err < MAX_ERRNO ? err : 0]++;
	ec->total++;
}

/* @err (0 or -errno) counted if an error; returned. */
static int counted_err(struct errcount *ec, int err)
{
	if (err)
		err_add(ec, -err);
	return err;
}

/* " PREFIX_EXXX=N" for each errno counted. */
static void err_print_as(const struct errcount *ec, const char *prefix)
{
	int i;

	for (i = 0; i < MAX_ERRNO; i++)
		if (ec->n[i])
			printf(" %s_%s=%lu", prefix, i ? errname(i) : "OTHER", ec->n[i]);
}

static void err_print(const struct errcount *ec)
{
	err_print_as(ec, "err");
}

static const char *pollbits(int revents, char *buf, size_t size)
{
	static const struct { int bit; const char *name; } bits[] = {
		{ POLLIN, "IN" }, { POLLOUT, "OUT" }, { POLLERR, "ERR" },
		{ POLLHUP, "HUP" }, { POLLNVAL, "NVAL" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (revents & bits[i].bit)
			len += snprintf(buf + len, size - len, "%s%s",
					len ? "|" : "", bits[i].name);
	if (!len)
		snprintf(buf, size, "none");
	return buf;
}

/* Attach to an existing tap, or tun (the first TUNSETIFF says EINVAL when
 * the type differs): the descriptor, *@tap says which it was.
 */
static int attach(const char *name, bool *tap)
{
	char ifname[IFNAMSIZ] = { 0 };
	int fd, err;

	fd = open(chardev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(chardev, errno);
	strncpy(ifname, name, IFNAMSIZ - 1);
	err = tun_set_iff(fd, ifname, IFF_TAP | IFF_NO_PI);
	*tap = true;
	if (err == -EINVAL) {
		err = tun_set_iff(fd, ifname, IFF_TUN | IFF_NO_PI);
		*tap = false;
	}
	if (err)
		die("TUNSETIFF", -err);
	return fd;
}

/* Whether a link of that name exists, and its index: by rtnetlink.  Not
 * by ioctl (if_nametoindex, SIOCGIFFLAGS): for a name that does not
 * exist, those make the kernel run modprobe ("netdev-NAME", dev_load()),
 * which costs a second in a TCG guest.
 */
static int link_index(const char *name)
{
	struct link_state st;
	int err = link_get(name, &st);

	return err ? err : st.ifindex;
}

/* "ip link set NAME up", by rtnetlink for the same reason. */
static int link_up(const char *name)
{
	struct rtnl_link_req req;

	rtnl_link_req_init(&req, RTM_NEWLINK, NLM_F_ACK);
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;
	rtnl_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
	return rtnl_transact(&req.nh, NULL, 0);
}

/* One small frame for a tap (Ethernet broadcast) or a tun (IPv4): UDP to
 * the discard port of 255.255.255.255, which the stack drops quietly.
 */
static size_t bcast_frame(uint8_t *buf, bool tap)
{
	static const unsigned char bc[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char src[ETH_ALEN] = { 0x02, 0, 0, 0, 0xfa, 0x01 };
	static const char data[18] = "vnl-fault";
	size_t off = 0;

	if (tap)
		off = build_eth(buf, bc, src, ETH_P_IP);
	return off + build_udp4(buf + off, "10.255.255.1", "255.255.255.255",
				9, 9, data, sizeof(data));
}

/* --- hold --------------------------------------------------------------- */

static int cmd_hold(int argc, char **argv)
{
	uint8_t buf[2048];
	char line[64];
	bool tap;
	int fd;

	if (argc != 1)
		usage();
	fd = attach(argv[0], &tap);
	printf("attached %s\n", argv[0]);
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		ssize_t n;

		if (!strncmp(line, "write", 5)) {
			size_t len = bcast_frame(buf, tap);

			n = write(fd, buf, len);
			printf("write %s\n", n == (ssize_t)len ? "ok" : errname(n < 0 ? errno : EIO));
		} else if (!strncmp(line, "read", 4)) {
			n = read_wait(fd, buf, sizeof(buf), 0);
			if (n >= 0)
				printf("read %zd\n", n);
			else
				printf("read %s\n", errname(-n));
		} else {
			printf("unknown %s", line);
		}
		fflush(stdout);
	}
	close(fd);
	return 0;
}

/* --- wake --------------------------------------------------------------- */

struct sleeper {
	int fd;
	pid_t tid;
	long long done_ms;	/* 0 until it returned */
	int result;		/* errno, or revents for poll */
};

static void *read_sleeper(void *arg)
{
	struct sleeper *s = arg;
	uint8_t buf[2048];
	ssize_t n;

	s->tid = gettid();
	do {
		n = read(s->fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	s->result = n < 0 ? errno : 0;
	s->done_ms = now_ms();
	return NULL;
}

static void *poll_sleeper(void *arg)
{
	struct sleeper *s = arg;
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
	int n;

	s->tid = gettid();
	do {
		n = poll(&pfd, 1, -1);
	} while (n < 0 && errno == EINTR);
	s->result = n < 0 ? -errno : pfd.revents;
	s->done_ms = now_ms();
	return NULL;
}

/* The thread sleeps (state S in /proc): it is in its read() or poll(). */
static bool thread_sleeps(pid_t tid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static bool join_by(pthread_t t, long long deadline_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (deadline_ms - now_ms()) / 1000 + 1;
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

static int parse_secs(int *argc, char **argv, int def)
{
	int i, secs = def;

	for (i = 0; i + 1 < *argc; i++) {
		if (!strcmp(argv[i], "-t")) {
			secs = atoi(argv[i + 1]);
			memmove(&argv[i], &argv[i + 2], (*argc - i - 2) * sizeof(*argv));
			*argc -= 2;
			break;
		}
	}
	return secs;
}

static int cmd_wake(int argc, char **argv)
{
	struct sleeper rd = { 0 }, pl = { 0 };
	long long start, deadline;
	char b1[64], b2[64];
	uint8_t buf[2048];
	pthread_t tr, tp;
	int secs, again, werr, serr;
	char name[IFNAMSIZ] = { 0 };
	bool tap, ok;

	secs = parse_secs(&argc, argv, 60);
	if (argc != 1)
		usage();
	rd.fd = pl.fd = attach(argv[0], &tap);
	pthread_create(&tr, NULL, read_sleeper, &rd);
	pthread_create(&tp, NULL, poll_sleeper, &pl);

	/* Both asleep (bounded: the outcome is checked anyway). */
	deadline = now_ms() + 10000;
	while (now_ms() < deadline &&
	       !(rd.tid && pl.tid && thread_sleeps(rd.tid) && thread_sleeps(pl.tid)))
		usleep(1000);
	if (rd.done_ms || pl.done_ms) {
		printf("wake: woke before the device went: read_ms=%lld poll_ms=%lld\n",
		       rd.done_ms, pl.done_ms);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	start = now_ms();
	deadline = start + secs * 1000LL;
	ok = join_by(tr, deadline);
	ok = join_by(tp, deadline) && ok;
	if (!ok) {
		printf("wake: timeout after %d s: read %s, poll %s\n", secs,
		       rd.done_ms ? "returned" : "still asleep",
		       pl.done_ms ? "returned" : "still asleep");
		fflush(stdout);
		_exit(2);
	}

	/* And now that the device is gone, the file itself. */
	werr = write(rd.fd, buf, bcast_frame(buf, tap)) < 0 ? errno : 0;
	strncpy(name, argv[0], IFNAMSIZ - 1);
	serr = -tun_set_iff(rd.fd, name, IFF_TAP | IFF_NO_PI);
	again = tun_poll(rd.fd, POLLIN, 0);
	printf("wake: read=%s read_ms=%lld poll=%s poll_ms=%lld write=%s setiff=%s poll_again=%s\n",
	       errname(rd.result), rd.done_ms - start,
	       pl.result < 0 ? errname(-pl.result) : pollbits(pl.result, b1, sizeof(b1)),
	       pl.done_ms - start, errname(werr), errname(serr),
	       again < 0 ? errname(-again) : pollbits(again, b2, sizeof(b2)));
	close(rd.fd);
	return 0;
}

/* --- busy --------------------------------------------------------------- */

struct busy {
	int fd;
	bool tap;
	long long start, deadline;
	unsigned long rate;
	const char *local, *peer;
	unsigned char local_mac[ETH_ALEN];
	atomic_ulong written, readn, polls, eio;
	int write_end, read_end, poll_end;
	atomic_bool write_done, read_done, poll_done;
};

static void *busy_writer(void *arg)
{
	static const unsigned char peer_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0xfa, 0x02 };
	struct busy *b = arg;
	uint8_t buf[256];
	uint16_t seq = 0;
	size_t off = 0, len;

	b->write_end = ETIMEDOUT;
	while (now_ms() < b->deadline) {
		if (b->rate && b->written > (unsigned long)(now_ms() - b->start) * b->rate / 1000) {
			usleep(1000);
			continue;
		}
		off = b->tap ? build_eth(buf, b->local_mac, peer_mac, ETH_P_IP) : 0;
		len = off + build_icmp4_echo(buf + off, b->peer, b->local, 0x7e57,
					     seq++, "vnl-fault-busy", 14);
		if (write(b->fd, buf, len) == (ssize_t)len) {
			b->written++;
			continue;
		}
		if (errno == EIO) {	/* down for a moment: being deleted */
			b->eio++;
			usleep(100);
			continue;
		}
		if (errno == EINTR || errno == ENOBUFS || errno == ENOMEM)
			continue;
		b->write_end = errno;
		break;
	}
	b->write_done = true;
	return NULL;
}

static void *busy_reader(void *arg)
{
	struct busy *b = arg;
	uint8_t buf[2048];
	ssize_t n;

	b->read_end = ETIMEDOUT;
	while (now_ms() < b->deadline) {
		/* Bounded waits, so that the deadline is never slept
		 * through; read() once there is a frame or an error.
		 */
		int ev = tun_poll(b->fd, POLLIN, 200);

		if (ev <= 0)
			continue;
		n = read(b->fd, buf, sizeof(buf));
		if (n >= 0) {
			b->readn++;
			continue;
		}
		if (errno == EAGAIN || errno == EINTR)
			continue;
		b->read_end = errno;
		break;
	}
	b->read_done = true;
	return NULL;
}

static void *busy_poller(void *arg)
{
	struct busy *b = arg;
	int ev;

	b->poll_end = 0;
	while (now_ms() < b->deadline) {
		ev = tun_poll(b->fd, POLLIN, 100);
		b->polls++;
		if (ev < 0 && ev != -EINTR) {
			b->poll_end = POLLNVAL;
			break;
		}
		if (ev > 0 && (ev & (POLLERR | POLLHUP))) {
			b->poll_end = ev;
			break;
		}
		usleep(1000);
	}
	b->poll_done = true;
	return NULL;
}

static int cmd_busy(int argc, char **argv)
{
	struct busy b = { 0 };
	pthread_t tw, tr, tp;
	char bits[64];
	bool ok;
	int secs;

	secs = parse_secs(&argc, argv, 60);
	if (argc == 5 && !strcmp(argv[3], "-r")) {
		b.rate = strtoul(argv[4], NULL, 10);
		argc -= 2;
	}
	if (argc != 3)
		usage();
	b.local = argv[1];
	b.peer = argv[2];
	b.fd = attach(argv[0], &b.tap);
	if (b.tap) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		if (ioctl(b.fd, SIOCGIFHWADDR, &ifr))
			die("SIOCGIFHWADDR", errno);
		memcpy(b.local_mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	}
	b.start = now_ms();
	b.deadline = b.start + secs * 1000LL;
	pthread_create(&tw, NULL, busy_writer, &b);
	pthread_create(&tr, NULL, busy_reader, &b);
	pthread_create(&tp, NULL, busy_poller, &b);

	while (now_ms() < b.deadline && !b.write_done && (b.written < 100 || b.readn < 10))
		usleep(1000);
	printf("ready written=%lu read=%lu\n", (unsigned long)b.written,
	       (unsigned long)b.readn);
	fflush(stdout);

	ok = join_by(tw, b.deadline + 5000);
	ok = join_by(tr, b.deadline + 5000) && ok;
	ok = join_by(tp, b.deadline + 5000) && ok;
	printf("busy: written=%lu read=%lu polls=%lu eio=%lu write_end=%s read_end=%s poll_end=%s\n",
	       (unsigned long)b.written, (unsigned long)b.readn,
	       (unsigned long)b.polls, (unsigned long)b.eio,
	       errname(b.write_end), errname(b.read_end),
	       b.poll_end ? pollbits(b.poll_end, bits, sizeof(bits)) : "timeout");
	fflush(stdout);
	if (!ok || b.write_end == ETIMEDOUT || b.read_end == ETIMEDOUT || !b.poll_end)
		_exit(2);
	close(b.fd);
	return 0;
}

/* --- blast -------------------------------------------------------------- */

#define BURST 32

static int parse_mac(const char *s, unsigned char mac[ETH_ALEN])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static int cmd_blast(int argc, char **argv)
{
	unsigned char dst[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char src[ETH_ALEN] = { 0x02, 0, 0, 0, 0xfa, 0x03 };
	static const char data[ETH_ZLEN - ETH_HLEN] = "vnl-fault-blast";
	struct mmsghdr msgs[BURST];
	struct iovec iov;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned long sent = 0, count = 0, rate = 0;
	struct errcount ec = { 0 };
	const char *end = "time";
	long long start;
	bool keep = false;
	uint8_t frame[128];
	long long deadline;
	int i, s, secs;
	size_t len;

	secs = parse_secs(&argc, argv, 5);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			count = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			if (parse_mac(argv[++i], dst))
				usage();
		} else if (!strcmp(argv[i], "-k")) {
			keep = true;
		} else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			rate = strtoul(argv[++i], NULL, 10);
		} else {
			usage();
		}
	}
	if (argc < 1)
		usage();

	sll.sll_ifindex = link_index(argv[0]);
	if (sll.sll_ifindex < 0)
		die(argv[0], -sll.sll_ifindex);
	sll.sll_protocol = htons(ETH_P_802_EX1);
	sll.sll_halen = ETH_ALEN;
	memcpy(sll.sll_addr, dst, ETH_ALEN);
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket(AF_PACKET)", errno);

	/* Not IP: each IPv4 broadcast would cost every receiving netns a
	 * route, allocated for the frame and freed after an RCU grace
	 * period.  The blaster loads the devices, not the IP stack: these
	 * frames cost nothing past the device that counts them.
	 */
	len = build_eth(frame, dst, src, ETH_P_802_EX1);
	memcpy(frame + len, data, sizeof(data));
	len += sizeof(data);
	iov.iov_base = frame;
	iov.iov_len = len;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BURST; i++) {
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now_ms();
	deadline = start + secs * 1000LL;
	while (!stop && now_ms() < deadline && (!count || sent < count)) {
		unsigned int want = BURST;
		int n;

		/* -r: no more than RATE frames a second, on average, and a
		 * millisecond's share at a time, so that a short window (a
		 * race a test provokes) meets frames whenever it opens.
		 */
		if (rate && sent > (unsigned long)(now_ms() - start) * rate / 1000) {
			usleep(1000);
			continue;
		}
		if (rate && rate / 1000 < want)
			want = rate / 1000 ? rate / 1000 : 1;
		if (count && count - sent < want)
			want = count - sent;
		n = sendmmsg(s, msgs, want, 0);
		if (n > 0) {
			sent += n;
			continue;
		}
		if (errno == EINTR)
			continue;
		err_add(&ec, errno);
		/* Gone; or, when a few frames were asked for, down. */
		if (!keep && (errno == ENXIO || errno == ENODEV ||
			      (count && errno == ENETDOWN))) {
			end = errname(errno);
			break;
		}
		/* Down, full, or (with -k) elsewhere for now. */
		usleep(errno == ENOBUFS ? 100 : 1000);
	}
	if (count && sent >= count)
		end = "count";
	printf("blast: sent=%lu errors=%lu end=%s", sent, ec.total, end);
	err_print(&ec);
	printf("\n");
	return 0;
}

/* --- udp ---------------------------------------------------------------- */

static int cmd_udp(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct errcount ec = { 0 };
	unsigned long sent = 0;
	char data[32] = "vnl-fault-udp";
	long long deadline;
	int s, secs;

	secs = parse_secs(&argc, argv, 5);
	if (argc != 2)
		usage();
	if (inet_pton(AF_INET, argv[0], &sin.sin_addr) != 1)
		usage();
	sin.sin_port = htons(atoi(argv[1]));
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket", errno);

	deadline = now_ms() + secs * 1000LL;
	while (!stop && now_ms() < deadline) {
		int i;

		/* The clock is read once per hundred datagrams. */
		for (i = 0; i < 100 && !stop; i++) {
			if (sendto(s, data, sizeof(data), 0, (struct sockaddr *)&sin,
				   sizeof(sin)) == sizeof(data))
				sent++;
			else if (errno != EINTR)
				err_add(&ec, errno);
		}
	}
	printf("udp: sent=%lu errors=%lu", sent, ec.total);
	err_print(&ec);
	printf("\n");
	return 0;
}

/* --- churn -------------------------------------------------------------- */

/* TUNSETIFF @name as a tun or tap, single- or multi-queue, as @flags
 * says; refused with EINVAL (the name is a device of the other kind or
 * queue mode), the three other combinations in turn, each refusal
 * counted in @refused.  Returns 0 or the last -errno; @flags becomes the
 * combination that attached.
 */
static int churn_set_iff(int fd, char *name, unsigned short *flags,
			 unsigned long *refused)
{
	static const unsigned short flip[] = {
		0, IFF_MULTI_QUEUE, IFF_TUN | IFF_TAP,
		IFF_TUN | IFF_TAP | IFF_MULTI_QUEUE,
	};
	int err = -EINVAL;
	unsigned int k;

	for (k = 0; k < 4 && err == -EINVAL; k++) {
		if (k)
			(*refused)++;
		err = tun_set_iff(fd, name, *flags ^ flip[k]);
		if (!err)
			*flags ^= flip[k];
	}
	return err;
}

/* Counts @err (a positive errno) of a churn step that may fail only once
 * the device left this netns: in @ec if it has (no device of that name
 * here, or another one than @ifindex), in @bad if it has not.
 */
static void churn_err(struct errcount *ec, struct errcount *bad, int err,
		      const char *name, int ifindex)
{
	err_add(ifindex > 0 && link_index(name) == ifindex ? bad : ec, err);
}

static int cmd_churn(int argc, char **argv)
{
	unsigned long ops = 0, created = 0, attached = 0, frames = 0, persist = 0;
	unsigned long unpersist = 0, refused = 0;
	struct errcount ec = { 0 }, bad = { 0 };
	long long deadline;
	uint8_t buf[256];
	int secs, pool, nframes = 4;

	secs = parse_secs(&argc, argv, 5);
	if (argc == 4 && !strcmp(argv[2], "-f")) {
		nframes = atoi(argv[3]);
		argc -= 2;
	}
	if (argc != 2)
		usage();
	pool = atoi(argv[1]);
	if (pool < 1 || strlen(argv[0]) > 8)
		usage();
	srandom(getpid() ^ now_ms());

	deadline = now_ms() + secs * 1000LL;
	while (!stop && now_ms() < deadline) {
		char name[IFNAMSIZ];
		unsigned short flags = ((random() & 1) ? IFF_TAP : IFF_TUN) | IFF_NO_PI;
		bool existed;
		int fd, err, i, ifindex;
		size_t len;

		snprintf(name, sizeof(name), "%s%ld", argv[0], random() % pool);
		if (!(random() % 4))
			flags |= IFF_MULTI_QUEUE;
		existed = link_index(name) > 0;

		ops++;
		fd = open(chardev, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			err_add(&ec, errno);
			continue;
		}
		err = churn_set_iff(fd, name, &flags, &refused);
		if (err) {
			err_add(&ec, -err);
			close(fd);
			continue;
		}
		if (existed)
			attached++;
		else
			created++;
		/* Which device this file has, to tell a move from a failure. */
		ifindex = link_index(name);

		/* Up (from this netns: the device may have been moved away
		 * by another worker meanwhile), then a few frames.
		 */
		err = link_up(name);
		if (err)
			churn_err(&ec, &bad, -err, name, ifindex);
		len = bcast_frame(buf, flags & IFF_TAP);
		for (i = 0; i < nframes; i++) {
			if (write(fd, buf, len) == (ssize_t)len)
				frames++;
			else
				churn_err(&ec, &bad, errno, name, ifindex);
		}
		/* Now and then persistent (it outlives the close), and a
		 * persistent one found again is often let go (the close
		 * deletes it).
		 */
		if (!(random() % 16)) {
			if (!counted_err(&ec, tun_ioctl_val(fd, TUNSETPERSIST, 1)))
				persist++;
		} else if (existed && random() % 2) {
			if (!counted_err(&ec, tun_ioctl_val(fd, TUNSETPERSIST, 0)))
				unpersist++;
		}
		close(fd);
	}
	printf("churn: ops=%lu created=%lu attached=%lu refused=%lu frames=%lu persist=%lu unpersist=%lu errors=%lu",
	       ops, created, attached, refused, frames, persist, unpersist, ec.total);
	err_print(&ec);
	err_print_as(&bad, "bad");
	printf("\n");
	return 0;
}

/* --- names --------------------------------------------------------------- */

/* Into the netns named @name (under /run/netns), as `ip netns exec` does
 * for the network, without its process and mounts.
 */
static void enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path, errno);
	close(fd);
}

static int cmd_names(int argc, char **argv)
{
	regex_t re;
	int i;

	if (argc < 1 || regcomp(&re, argv[0], REG_EXTENDED | REG_NOSUB))
		usage();
	for (i = 1; i < argc; i++) {
		struct if_nameindex *ifs, *p;

		enter_netns(argv[i]);
		ifs = if_nameindex();
		if (!ifs)
			die("if_nameindex", errno);
		for (p = ifs; p->if_index; p++)
			if (!regexec(&re, p->if_name, 0, NULL, 0))
				printf("%s %s\n", argv[i], p->if_name);
		if_freenameindex(ifs);
	}
	return 0;
}

/* --- pairs, children, reap: the family's workers ------------------------ */

/* The netns a worker works in, each with a genl socket of its own (a
 * LINK_DEL names a device of the socket's netns).
 */
#define MAX_NS	8
#define POOL	8

static struct wns {
	const char *name;
	int fd;
	struct vnl_nl nl;
} wns[MAX_NS];
static int n_wns;

static void ns_enter(int i)
{
	if (setns(wns[i].fd, CLONE_NEWNET))
		die(wns[i].name, errno);
}

static void open_nss(int argc, char **argv)
{
	int i;

	if (argc < 2 || argc > MAX_NS)
		usage();
	for (i = 0; i < argc; i++) {
		char path[PATH_MAX];

		wns[i].name = argv[i];
		snprintf(path, sizeof(path), "/run/netns/%s", argv[i]);
		wns[i].fd = open(path, O_RDONLY | O_CLOEXEC);
		if (wns[i].fd < 0)
			die(path, errno);
		ns_enter(i);
		if (vnl_nl_open(&wns[i].nl) || vnl_nl_resolve(&wns[i].nl, VNL_GENL_NAME,
							      &wns[i].nl.family))
			die("the vnl family", errno ? errno : ENOENT);
	}
	n_wns = argc;
}

/* The netns (index) holding a device of that name, or -1. */
static int ns_of(const char *name)
{
	int i;

	for (i = 0; i < n_wns; i++) {
		ns_enter(i);
		if (link_index(name) > 0)
			return i;
	}
	return -1;
}

static int genl_del(int ns, const char *name)
{
	struct vnl_msg req;
	struct vnl_ack ack;

	vnl_msg_init(&req, wns[ns].nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_DEL, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	return vnl_nl_transact(&wns[ns].nl, &req, NULL, NULL, &ack);
}

static int up_in(int ns, const char *name)
{
	ns_enter(ns);
	return link_up(name);
}

/* The counters of a worker, printed as "WHAT: key=N ... err_X=N". */
struct wcount {
	unsigned long ops, made, deleted, up, moves;
	/* Taps (st<i>) moved out of the first netns, where stress.sh's
	 * churn works on them: what explains its ENODEV and EIO.
	 */
	unsigned long st_moves_out;
	struct errcount ec;
};

static void wcount_print(const char *what, const struct wcount *c)
{
	printf("%s: ops=%lu made=%lu deleted=%lu up=%lu moves=%lu st_moves_out=%lu errors=%lu",
	       what, c->ops, c->made, c->deleted, c->up, c->moves,
	       c->st_moves_out, c->ec.total);
	err_print(&c->ec);
	printf("\n");
}

/* One operation: counted, and its error (if any) by errno. */
static int counted(struct wcount *c, int err)
{
	c->ops++;
	if (err)
		err_add(&c->ec, -err);
	return err;
}

/* Delete a device of the pool PREFIX<0..POOL-1>, wherever it is now; a
 * pair end takes its peer along.  Most of the time one that exists.
 */
static void del_one(struct wcount *c, const char *const *prefixes, int n)
{
	char name[IFNAMSIZ];
	int i, ns = -1;

	for (i = 0; i < 4 && ns < 0; i++) {
		snprintf(name, sizeof(name), "%s%ld", prefixes[random() % n],
			 random() % POOL);
		ns = ns_of(name);
	}
	if (ns < 0)
		ns = random() % n_wns;
	if (!counted(c, genl_del(ns, name)))
		c->deleted++;
}

/*
 *   vnl_fault pairs NS0 NS1... [-t SEC]
 *	Pairs sp<i> (in NS0) - sq<i> (in one of the others), made through
 *	the family, both ends up, and one deleted, round after round.
 */
static int cmd_pairs(int argc, char **argv)
{
	static const char *const prefixes[] = { "sp", "sq" };
	struct wcount c = { 0 };
	long long deadline;
	int secs;

	secs = parse_secs(&argc, argv, 5);
	open_nss(argc, argv);
	srandom(getpid() ^ now_ms());
	deadline = now_ms() + secs * 1000LL;
	while (!stop && now_ms() < deadline) {
		char name[IFNAMSIZ], peer[IFNAMSIZ];
		int i = random() % POOL, pns = 1 + random() % (n_wns - 1);
		struct vnl_msg req;
		struct vnl_ack ack;
		struct nlattr *nest;

		snprintf(name, sizeof(name), "sp%d", i);
		snprintf(peer, sizeof(peer), "sq%d", i);
		vnl_msg_init(&req, wns[0].nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
			     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
		vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_PAIR);
		vnl_msg_put_str(&req, VNL_A_IFNAME, name);
		nest = vnl_msg_nest_start(&req, VNL_A_PEER);
		vnl_msg_put_str(&req, VNL_PEER_A_IFNAME, peer);
		vnl_msg_put_u32(&req, VNL_PEER_A_NETNS_FD, wns[pns].fd);
		vnl_msg_nest_end(&req, nest);
		if (!counted(&c, vnl_nl_transact(&wns[0].nl, &req, NULL, NULL, &ack))) {
			c.made++;
			if (!counted(&c, up_in(0, name)))
				c.up++;
			if (!counted(&c, up_in(pns, peer)))
				c.up++;
		}
		del_one(&c, prefixes, 2);
	}
	wcount_print("pairs", &c);
	return 0;
}

/*
 *   vnl_fault children PARENT NS0 NS1... [-t SEC]
 *	Macvlan children mv<i> of PARENT (in NS0), each made in one of the
 *	other netns, brought up; a device of the pools mv, sq (pair ends)
 *	and st (tun/tap) moved to another netns and brought up there; a
 *	child deleted; round after round.
 */
static int cmd_children(int argc, char **argv)
{
	static const char *const mine[] = { "mv" };
	static const char *const movable[] = { "mv", "sq", "st" };
	struct wcount c = { 0 };
	const char *parent;
	long long deadline;
	int secs;

	secs = parse_secs(&argc, argv, 5);
	if (argc < 3)
		usage();
	parent = argv[0];
	open_nss(argc - 1, argv + 1);
	srandom(getpid() ^ now_ms());
	deadline = now_ms() + secs * 1000LL;
	while (!stop && now_ms() < deadline) {
		char name[IFNAMSIZ];
		int i = random() % POOL, ns = 1 + random() % (n_wns - 1), src, dst, k;
		struct vnl_msg req;
		struct vnl_ack ack;

		snprintf(name, sizeof(name), "mv%d", i);
		vnl_msg_init(&req, wns[0].nl.family.id, NLM_F_REQUEST | NLM_F_ACK,
			     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
		vnl_msg_put_u32(&req, VNL_A_KIND, VNL_KIND_MACVLAN);
		vnl_msg_put_str(&req, VNL_A_IFNAME, name);
		vnl_msg_put_str(&req, VNL_A_PARENT_IFNAME, parent);
		vnl_msg_put_u32(&req, VNL_A_MACVLAN_MODE, VNL_MACVLAN_MODE_BRIDGE);
		vnl_msg_put_u32(&req, VNL_A_NETNS_FD, wns[ns].fd);
		if (!counted(&c, vnl_nl_transact(&wns[0].nl, &req, NULL, NULL, &ack))) {
			c.made++;
			if (!counted(&c, up_in(ns, name)))
				c.up++;
		}

		/* A move: of one that exists, if one is found soon. */
		src = -1;
		for (k = 0; k < 4 && src < 0; k++) {
			snprintf(name, sizeof(name), "%s%ld", movable[random() % 3],
				 random() % POOL);
			src = ns_of(name);
		}
		if (src >= 0) {
			dst = (src + 1 + random() % (n_wns - 1)) % n_wns;
			ns_enter(src);
			if (!counted(&c, link_set_netns(name, wns[dst].fd))) {
				c.moves++;
				if (src == 0 && !strncmp(name, "st", 2))
					c.st_moves_out++;
				if (!counted(&c, up_in(dst, name)))
					c.up++;
			}
		}
		del_one(&c, mine, 1);
	}
	wcount_print("children", &c);
	return 0;
}

/*
 *   vnl_fault reap REGEX NS...
 *	Deletes (LINK_DEL) every device whose name matches REGEX in the
 *	given netns, pass after pass until one finds none (10 at most):
 *	"reap: deleted=N passes=N left=N errors=N err_X=N".  A pair end
 *	deleted takes its peer: ENODEV for the peer is expected.
 */
static int cmd_reap(int argc, char **argv)
{
	struct wcount c = { 0 };
	unsigned long found = 0;
	int pass, i;
	regex_t re;

	if (argc < 2 || regcomp(&re, argv[0], REG_EXTENDED | REG_NOSUB))
		usage();
	open_nss(argc - 1, argv + 1);
	for (pass = 1; pass <= 10; pass++) {
		found = 0;
		for (i = 0; i < n_wns; i++) {
			struct if_nameindex *ifs, *p;

			ns_enter(i);
			ifs = if_nameindex();
			if (!ifs)
				die("if_nameindex", errno);
			for (p = ifs; p->if_index; p++) {
				if (regexec(&re, p->if_name, 0, NULL, 0))
					continue;
				found++;
				if (!counted(&c, genl_del(i, p->if_name)))
					c.deleted++;
			}
			if_freenameindex(ifs);
		}
		if (!found)
			break;
	}
	printf("reap: deleted=%lu passes=%d left=%lu errors=%lu", c.deleted,
	       pass, found, c.ec.total);
	err_print(&c.ec);
	printf("\n");
	return found ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	struct sigaction sa = { .sa_handler = on_stop };

	signal(SIGPIPE, SIG_IGN);
	/* No SA_RESTART: a blocked send returns EINTR and the loop ends. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("VNL_FAULT_DEV"))
		chardev = getenv("VNL_FAULT_DEV");
	if (argc >= 4 && !strcmp(argv[1], "-N")) {
		enter_netns(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc - 2, argv + 2);
	if (!strcmp(argv[1], "wake"))
		return cmd_wake(argc - 2, argv + 2);
	if (!strcmp(argv[1], "busy"))
		return cmd_busy(argc - 2, argv + 2);
	if (!strcmp(argv[1], "blast"))
		return cmd_blast(argc - 2, argv + 2);
	if (!strcmp(argv[1], "udp"))
		return cmd_udp(argc - 2, argv + 2);
	if (!strcmp(argv[1], "churn"))
		return cmd_churn(argc - 2, argv + 2);
	if (!strcmp(argv[1], "names"))
		return cmd_names(argc - 2, argv + 2);
	if (!strcmp(argv[1], "pairs"))
		return cmd_pairs(argc - 2, argv + 2);
	if (!strcmp(argv[1], "children"))
		return cmd_children(argc - 2, argv + 2);
	if (!strcmp(argv[1], "reap"))
		return cmd_reap(argc - 2, argv + 2);
	usage();
	return 2;
}
