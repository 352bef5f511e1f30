// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: the trace subcommand.  It shows a packet's journey through vnl
 * live, from the module's trace events (kmod/trace.h), with nothing but
 * tracefs: no BPF toolchain, no perf.
 *
 * Tracing is shared by everyone on the machine, so we never touch its top
 * level: we make a trace instance of our own (instances/vnlctl-PID), which
 * has its own buffer and its own switches, enable the vnl events there,
 * filtered by device name and netns, and read its trace_pipe.  On exit,
 * on Ctrl-C and on SIGTERM the instance is removed, and tracefs is as we
 * found it.
 *
 * Each line of trace_pipe is one step of one frame:
 *
 *	ping-301 [001] b..1.  52.101: vnl_pair_xmit: dev=va ifindex=4 ...
 *
 * Steps that carry the same headers one after the other (the summary the
 * module prints, "10.0.0.1 > 10.0.0.2 icmp echo request seq 1") are one
 * packet, printed under one heading; a drop belongs to the packet it
 * follows.
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "vnlctl.h"

/* Where tracefs is mounted: its own mount point, or the old one under
 * debugfs.
 */
static const char *const vnl_tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* How long a packet's steps may stay quiet before -c COUNT's last packet
 * is taken as complete.
 */
#define VNL_TRACE_SETTLE_MS	900

/* How often trace_pipe is looked at while it is empty. */
#define VNL_TRACE_TICK_MS	50

/* The longest line trace_pipe gives for one of our events. */
#define VNL_TRACE_LINE_MAX	512

struct vnl_trace {
	char dir[128];			/* our instance */
	bool made;			/* dir exists and is ours to remove */
	int pipe;			/* its trace_pipe, or -1 */
	unsigned long count;		/* -c: packets to show, 0: no limit */
	unsigned long packets;		/* packets shown so far */
	char summary[VNL_TRACE_LINE_MAX];	/* the current packet's */
	char buf[2 * VNL_TRACE_LINE_MAX];	/* bytes read, not yet a line */
	size_t len;
};

/* One step, as parsed from a line of trace_pipe. */
struct vnl_trace_step {
	char time[32];
	char event[32];			/* "pair_xmit", "drop", ... */
	char dev[IFNAMSIZ];
	long ifindex;
	unsigned long netns;
	unsigned long len;
	char proto[8];
	long queue;			/* -1: not a tun/tap queue */
	char src[VNL_MAC_STRLEN];
	char dst[VNL_MAC_STRLEN];
	char reason[32];		/* drops only */
	char act[16];			/* XDP verdicts only: "PASS", ... */
	const char *summary;		/* "" for a drop or a verdict */
};

static volatile sig_atomic_t vnl_trace_stop;

static void vnl_trace_on_signal(int sig)
{
	(void)sig;
	vnl_trace_stop = 1;
}

static const int vnl_trace_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Ctrl-C, SIGTERM and SIGHUP are held back while the instance is being
 * set up, and only let in while we wait for events (ppoll), so that
 * whenever one comes, the way out is the same: the loop ends and the
 * instance goes.  @orig gets the signal mask to restore.
 */
static void vnl_trace_catch_signals(sigset_t *orig)
{
	struct sigaction sa = { .sa_handler = vnl_trace_on_signal };
	sigset_t blocked;
	size_t i;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&blocked);
	for (i = 0; i < ARRAY_SIZE(vnl_trace_signals); i++) {
		sigaddset(&blocked, vnl_trace_signals[i]);
		sigaction(vnl_trace_signals[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &blocked, orig);
}

/* Write @value to the file @name of our instance. */
static int vnl_trace_write(const struct vnl_ctx *ctx, struct vnl_trace *tr,
			   const char *name, const char *value)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tr->dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		vnl_error(ctx, "cannot open %s: %s", path, strerror(errno));
		return VNL_EXIT_FAIL;
	}
	n = write(fd, value, strlen(value));
	if (n < 0)
		vnl_error(ctx, "cannot write \"%s\" to %s: %s", value, path,
			  strerror(errno));
	close(fd);
	return n < 0 ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

/* The tracefs mount point, or an error that says what is missing. */
static int vnl_trace_find_tracefs(const struct vnl_ctx *ctx, const char **root)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vnl_tracefs_dirs); i++) {
		snprintf(path, sizeof(path), "%s/instances", vnl_tracefs_dirs[i]);
		if (!access(path, F_OK)) {
			*root = vnl_tracefs_dirs[i];
			return VNL_EXIT_OK;
		}
		if (errno == EACCES || errno == EPERM) {
			vnl_error(ctx, "tracing needs root (CAP_SYS_ADMIN): %s: %s",
				  vnl_tracefs_dirs[i], strerror(errno));
			return VNL_EXIT_FAIL;
		}
	}
	vnl_error(ctx, "tracefs is not mounted: mount -t tracefs nodev %s",
		  vnl_tracefs_dirs[0]);
	return VNL_EXIT_FAIL;
}

/* Our own instance, with the vnl events in it; the module must be loaded
 * for them to be there.
 */
static int vnl_trace_make_instance(const struct vnl_ctx *ctx,
				   struct vnl_trace *tr)
{
	char path[PATH_MAX];
	const char *root;
	int status;

	status = vnl_trace_find_tracefs(ctx, &root);
	if (status)
		return status;

	snprintf(tr->dir, sizeof(tr->dir), "%s/instances/vnlctl-%ld", root,
		 (long)getpid());
	if (mkdir(tr->dir, 0700)) {
		if (errno == EACCES || errno == EPERM)
			vnl_error(ctx, "tracing needs root (CAP_SYS_ADMIN): cannot make %s: %s",
				  tr->dir, strerror(errno));
		else
			vnl_error(ctx, "cannot make the trace instance %s: %s",
				  tr->dir, strerror(errno));
		return VNL_EXIT_FAIL;
	}
	tr->made = true;

	snprintf(path, sizeof(path), "%s/events/vnl", tr->dir);
	if (access(path, F_OK)) {
		vnl_error(ctx, "tracefs has no vnl events: the vnl module is not loaded (modprobe vnl)");
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

/* Closing trace_pipe first: an instance someone reads cannot go. */
static void vnl_trace_remove_instance(struct vnl_trace *tr)
{
	if (tr->pipe >= 0)
		close(tr->pipe);
	tr->pipe = -1;
	if (tr->made && rmdir(tr->dir))
		fprintf(stderr, "vnlctl: cannot remove the trace instance %s: %s\n",
			tr->dir, strerror(errno));
	tr->made = false;
}

/* The netns vnlctl runs in (-n moved it there), by inode: what the events
 * carry as netns=.
 */
static int vnl_trace_netns_inode(const struct vnl_ctx *ctx, unsigned long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st)) {
		vnl_error(ctx, "cannot read /proc/self/ns/net: %s",
			  strerror(errno));
		return VNL_EXIT_FAIL;
	}
	*ino = st.st_ino;
	return VNL_EXIT_OK;
}

/* An event filter: the devices named, in the netns given with -n. */
static int vnl_trace_set_filter(const struct vnl_ctx *ctx, struct vnl_trace *tr,
				int ndevs, char **devs, bool in_netns)
{
	char filter[4096] = "";
	size_t used = 0;
	unsigned long ino;
	int i, status;

	for (i = 0; i < ndevs; i++)
		used += snprintf(filter + used, sizeof(filter) - used,
				 "%sname == \"%s\"", i ? " || " : "(", devs[i]);
	if (ndevs)
		used += snprintf(filter + used, sizeof(filter) - used, ")");
	if (in_netns) {
		status = vnl_trace_netns_inode(ctx, &ino);
		if (status)
			return status;
		used += snprintf(filter + used, sizeof(filter) - used,
				 "%snetns == %lu", ndevs ? " && " : "", ino);
	}
	if (!used)
		return VNL_EXIT_OK;
	if (used >= sizeof(filter))
		return vnl_usage_error(ctx, "too many devices to trace");
	return vnl_trace_write(ctx, tr, "events/vnl/filter", filter);
}

static int vnl_trace_start(const struct vnl_ctx *ctx, struct vnl_trace *tr,
			   int ndevs, char **devs, bool in_netns)
{
	char path[PATH_MAX];
	int status;

	status = vnl_trace_make_instance(ctx, tr);
	/* A packet's steps may happen on two CPUs (a tap's enqueue on the
	 * sender's, its read() on the reader's); each CPU's own clock, the
	 * default, need not agree with the other's, and the steps could
	 * come out of order.  The global clock orders them, but for two
	 * steps on two CPUs within a moment of each other (it orders only
	 * when it gets its lock); the selftests, which check the order,
	 * use the counter clock, which has no times to show.
	 */
	if (!status)
		status = vnl_trace_write(ctx, tr, "trace_clock", "global");
	if (!status)
		status = vnl_trace_set_filter(ctx, tr, ndevs, devs, in_netns);
	if (!status)
		status = vnl_trace_write(ctx, tr, "events/vnl/enable", "1");
	if (status)
		return status;

	snprintf(path, sizeof(path), "%s/trace_pipe", tr->dir);
	tr->pipe = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (tr->pipe < 0) {
		vnl_error(ctx, "cannot open %s: %s", path, strerror(errno));
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

/* "key=value" at *@p: the value copied to @val, *@p moved past it. */
static bool vnl_trace_field(char **p, const char *key, char *val, size_t size)
{
	size_t klen = strlen(key), n;

	while (**p == ' ')
		(*p)++;
	if (strncmp(*p, key, klen) || (*p)[klen] != '=')
		return false;
	*p += klen + 1;
	n = strcspn(*p, " ");
	if (n >= size)
		return false;
	memcpy(val, *p, n);
	val[n] = '\0';
	*p += n;
	return true;
}

static bool vnl_trace_number(char **p, const char *key, long *val)
{
	char buf[32], *end;

	if (!vnl_trace_field(p, key, buf, sizeof(buf)))
		return false;
	*val = strtol(buf, &end, 10);
	return !*end;
}

/* A word of the rest of the line: a MAC address, ">". */
static bool vnl_trace_word(char **p, char *val, size_t size)
{
	size_t n;

	while (**p == ' ')
		(*p)++;
	n = strcspn(*p, " ");
	if (!n || n >= size)
		return false;
	memcpy(val, *p, n);
	val[n] = '\0';
	*p += n;
	return true;
}

/* The time stamp is the word before ": vnl_", without its colon. */
static bool vnl_trace_time(const char *line, const char *colon, char *val,
			   size_t size)
{
	const char *start = colon;
	size_t n;

	while (start > line && start[-1] != ' ')
		start--;
	n = colon - start;
	if (!n || n >= size)
		return false;
	memcpy(val, start, n);
	val[n] = '\0';
	return true;
}

/* One line of trace_pipe into @st; false for anything not ours. */
static bool vnl_trace_parse(char *line, struct vnl_trace_step *st)
{
	char *p = strstr(line, ": vnl_"), arrow[4];
	long netns, len;
	size_t n;

	if (!p || !vnl_trace_time(line, p, st->time, sizeof(st->time)))
		return false;
	p += strlen(": vnl_");
	n = strcspn(p, ":");
	if (!n || n >= sizeof(st->event) || p[n] != ':')
		return false;
	memcpy(st->event, p, n);
	st->event[n] = '\0';
	p += n + 1;

	if (!vnl_trace_field(&p, "dev", st->dev, sizeof(st->dev)) ||
	    !vnl_trace_number(&p, "ifindex", &st->ifindex) ||
	    !vnl_trace_number(&p, "netns", &netns) ||
	    !vnl_trace_number(&p, "len", &len) ||
	    !vnl_trace_field(&p, "proto", st->proto, sizeof(st->proto)))
		return false;
	st->netns = netns;
	st->len = len;
	st->queue = -1;
	st->src[0] = st->dst[0] = st->reason[0] = st->act[0] = '\0';

	/* A drop or an XDP program's verdict is a step of the packet
	 * shown last: it has no summary of its own.
	 */
	if (!strcmp(st->event, "drop")) {
		st->summary = "";
		return vnl_trace_field(&p, "reason", st->reason,
				       sizeof(st->reason));
	}
	if (!strcmp(st->event, "xdp")) {
		st->summary = "";
		return vnl_trace_field(&p, "act", st->act, sizeof(st->act));
	}
	if (!vnl_trace_number(&p, "queue", &st->queue) ||
	    !vnl_trace_word(&p, st->src, sizeof(st->src)) ||
	    !vnl_trace_word(&p, arrow, sizeof(arrow)) || strcmp(arrow, ">") ||
	    !vnl_trace_word(&p, st->dst, sizeof(st->dst)))
		return false;
	while (*p == ' ')
		p++;
	st->summary = p;
	return true;
}

static void vnl_trace_print_text(const struct vnl_trace *tr,
				 const struct vnl_trace_step *st, bool first)
{
	if (first)
		printf("packet %lu: %s\n", tr->packets, st->summary);
	printf("  %s %-16s %-15s ifindex %ld netns %lu len %lu", st->time,
	       st->event, st->dev, st->ifindex, st->netns, st->len);
	if (st->reason[0])
		printf(" reason %s\n", st->reason);
	else if (st->act[0])
		printf(" act %s\n", st->act);
	else if (st->queue >= 0)
		printf(" queue %ld %s > %s\n", st->queue, st->src, st->dst);
	else
		printf(" %s > %s\n", st->src, st->dst);
}

/* One JSON object per step and line, so that a script reads them as they
 * come; "packet" numbers the packet a step belongs to.
 */
static void vnl_trace_print_json(const struct vnl_trace *tr,
				 const struct vnl_trace_step *st)
{
	printf("{\"packet\":%lu,\"time\":", tr->packets);
	vnl_json_string(st->time);
	printf(",\"event\":");
	vnl_json_string(st->event);
	printf(",\"dev\":");
	vnl_json_string(st->dev);
	printf(",\"ifindex\":%ld,\"netns\":%lu,\"len\":%lu,\"proto\":",
	       st->ifindex, st->netns, st->len);
	vnl_json_string(st->proto);
	if (st->reason[0]) {
		printf(",\"reason\":");
		vnl_json_string(st->reason);
	} else if (st->act[0]) {
		printf(",\"act\":");
		vnl_json_string(st->act);
	} else {
		printf(",\"queue\":%ld,\"src\":", st->queue);
		vnl_json_string(st->src);
		printf(",\"dst\":");
		vnl_json_string(st->dst);
		printf(",\"summary\":");
		vnl_json_string(st->summary);
	}
	printf("}\n");
}

/* Print one step; false once -c COUNT packets are done and this step is
 * the next packet's.
 */
static bool vnl_trace_show(const struct vnl_ctx *ctx, struct vnl_trace *tr,
			   const struct vnl_trace_step *st)
{
	bool first = !tr->packets ||
		     (st->summary[0] && strcmp(st->summary, tr->summary));

	if (first) {
		if (tr->count && tr->packets == tr->count)
			return false;
		tr->packets++;
		snprintf(tr->summary, sizeof(tr->summary), "%s", st->summary);
	}
	if (ctx->json)
		vnl_trace_print_json(tr, st);
	else
		vnl_trace_print_text(tr, st, first);
	fflush(stdout);
	return true;
}

/* Show the whole lines in tr->buf; false when -c is satisfied. */
static bool vnl_trace_show_lines(const struct vnl_ctx *ctx,
				 struct vnl_trace *tr)
{
	char *line = tr->buf, *nl;
	bool more = true;

	while (more && (nl = memchr(line, '\n', tr->buf + tr->len - line))) {
		struct vnl_trace_step st;

		*nl = '\0';
		if (vnl_trace_parse(line, &st))
			more = vnl_trace_show(ctx, tr, &st);
		line = nl + 1;
	}
	tr->len -= line - tr->buf;
	memmove(tr->buf, line, tr->len);
	/* A line longer than the buffer is not one of ours: drop it. */
	if (tr->len == sizeof(tr->buf))
		tr->len = 0;
	return more;
}

/* Read trace_pipe until a signal, or -c COUNT packets and a quiet moment.
 *
 * poll() cannot be trusted to wake us for each event: since 6.1 a poller
 * of trace_pipe may only be woken once the buffer is buffer_percent full.
 * So we look every VNL_TRACE_TICK_MS whether there is anything to read,
 * and sleep in ppoll() in between, where a signal still wakes us at once.
 */
static int vnl_trace_loop(const struct vnl_ctx *ctx, struct vnl_trace *tr,
			  const sigset_t *orig)
{
	const struct timespec tick = { .tv_nsec = VNL_TRACE_TICK_MS * 1000000L };
	struct pollfd pfd = { .fd = tr->pipe, .events = POLLIN };
	unsigned int quiet_ms = 0;
	sigset_t unblocked = *orig;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vnl_trace_signals); i++)
		sigdelset(&unblocked, vnl_trace_signals[i]);

	while (!vnl_trace_stop) {
		ssize_t n;

		n = read(tr->pipe, tr->buf + tr->len, sizeof(tr->buf) - tr->len);
		if (n > 0) {
			quiet_ms = 0;
			tr->len += n;
			if (!vnl_trace_show_lines(ctx, tr))
				break;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			vnl_error(ctx, "cannot read trace events: %s",
				  strerror(errno));
			return VNL_EXIT_FAIL;
		}
		/* -c COUNT: the last packet's steps are all in. */
		if (tr->count && tr->packets == tr->count &&
		    quiet_ms >= VNL_TRACE_SETTLE_MS)
			break;
		if (ppoll(&pfd, 1, &tick, &unblocked) < 0 && errno != EINTR) {
			vnl_error(ctx, "cannot wait for trace events: %s",
				  strerror(errno));
			return VNL_EXIT_FAIL;
		}
		quiet_ms += VNL_TRACE_TICK_MS;
	}
	return VNL_EXIT_OK;
}

/* vnlctl trace [DEV...] [-n NETNS] [-c COUNT] */
int cmd_trace(struct vnl_ctx *ctx, int argc, char **argv)
{
	struct vnl_trace tr = { .pipe = -1 };
	sigset_t orig;
	bool in_netns = ctx->netns != NULL;
	char **devs = argv;
	int i, ndevs = 0, status;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-c")) {
			char *end;

			if (++i == argc)
				return vnl_usage_error(ctx, "-c needs a COUNT");
			errno = 0;
			tr.count = strtoul(argv[i], &end, 10);
			if (errno || *end || !tr.count || argv[i][0] == '-')
				return vnl_usage_error(ctx, "bad COUNT \"%s\"",
						       argv[i]);
		} else if (!strcmp(argv[i], "-n")) {
			if (++i == argc)
				return vnl_usage_error(ctx, "-n needs a NETNS");
			if (ctx->netns)
				return vnl_usage_error(ctx, "-n given twice");
			status = vnl_netns_enter(ctx, argv[i]);
			if (status)
				return status;
			in_netns = true;
		} else if (argv[i][0] == '-') {
			return vnl_usage_error(ctx, "unknown option \"%s\"",
					       argv[i]);
		} else if (strlen(argv[i]) >= IFNAMSIZ || strchr(argv[i], '"')) {
			return vnl_usage_error(ctx, "bad device name \"%s\"",
					       argv[i]);
		} else {
			devs[ndevs++] = argv[i];
		}
	}

	vnl_trace_catch_signals(&orig);
	status = vnl_trace_start(ctx, &tr, ndevs, devs, in_netns);
	if (!status) {
		/* As tcpdump's "listening on": from here on, nothing is
		 * missed (scripts wait for this line).
		 */
		fprintf(stderr, "vnlctl: tracing %s, Ctrl-C to stop\n",
			ndevs ? "the devices named" : "every vnl device");
		status = vnl_trace_loop(ctx, &tr, &orig);
	}
	vnl_trace_remove_instance(&tr);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return status;
}
