// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: network namespaces, named the way `ip netns` names them.
 *
 * A NETNS argument is either a name under /run/netns (what `ip netns add`
 * creates) or "pid:N", the netns of process N.  Names are opened here and
 * sent to the kernel as file descriptors; pids are sent as they are.
 *
 * The kernel reports a peer in another netns by a netnsid: a number that
 * only means something from the device's own netns.  To show a name
 * instead, we ask rtnetlink (RTM_GETNSID) which netnsid each /run/netns
 * file has as seen from here, and match.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <linux/vnl.h>

#include "vnlctl.h"

#define VNL_NETNS_DIR	"/run/netns"
#define VNL_PID_PREFIX	"pid:"

static bool vnl_netns_name_valid(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

/* A pid is decimal digits only, 1 to INT_MAX, as pid_t allows. */
static bool vnl_parse_pid(const char *s, uint32_t *pid)
{
	unsigned long value;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	value = strtoul(s, &end, 10);
	if (errno || *end || value == 0 || value > INT_MAX)
		return false;
	*pid = value;
	return true;
}

static bool vnl_netns_is_pid(const char *spec)
{
	return !strncmp(spec, VNL_PID_PREFIX, strlen(VNL_PID_PREFIX));
}

/* Checks the syntax of a NETNS argument; opens nothing yet. */
int vnl_netns_arg_set(const struct vnl_ctx *ctx, struct vnl_netns_arg *arg,
		      const char *spec)
{
	arg->spec = spec;
	arg->pid = 0;
	arg->fd = -1;
	if (vnl_netns_is_pid(spec)) {
		if (!vnl_parse_pid(spec + strlen(VNL_PID_PREFIX), &arg->pid))
			return vnl_usage_error(ctx, "bad pid in netns \"%s\"",
					       spec);
		return VNL_EXIT_OK;
	}
	if (!vnl_netns_name_valid(spec))
		return vnl_usage_error(ctx, "bad netns name \"%s\"", spec);
	return VNL_EXIT_OK;
}

static int vnl_netns_open_name(const struct vnl_ctx *ctx, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", VNL_NETNS_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		vnl_error(ctx, "cannot open netns \"%s\": %s: %s", name, path,
			  strerror(errno));
	return fd;
}

/* Opens a named netns argument; a pid needs nothing opened. */
int vnl_netns_arg_open(const struct vnl_ctx *ctx, struct vnl_netns_arg *arg)
{
	if (!arg->spec || arg->pid)
		return VNL_EXIT_OK;
	arg->fd = vnl_netns_open_name(ctx, arg->spec);
	return arg->fd < 0 ? VNL_EXIT_FAIL : VNL_EXIT_OK;
}

int vnl_netns_arg_put(struct nl_msg *msg, const struct vnl_netns_arg *arg,
		      int fd_attr, int pid_attr)
{
	if (arg->fd >= 0)
		return nla_put_u32(msg, fd_attr, arg->fd);
	if (arg->pid)
		return nla_put_u32(msg, pid_attr, arg->pid);
	return 0;
}

void vnl_netns_arg_close(struct vnl_netns_arg *arg)
{
	if (arg->fd >= 0)
		close(arg->fd);
	arg->fd = -1;
}

/*
 * -n NETNS: move the whole process into NETNS, like `ip -n`.  Must run
 * before any netlink socket is opened: a socket stays in the netns it was
 * created in.
 */
int vnl_netns_enter(const struct vnl_ctx *ctx, const char *spec)
{
	struct vnl_netns_arg arg;
	char path[PATH_MAX];
	int status;
	int fd;

	status = vnl_netns_arg_set(ctx, &arg, spec);
	if (status)
		return status;
	if (arg.pid) {
		snprintf(path, sizeof(path), "/proc/%u/ns/net", arg.pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			vnl_error(ctx, "cannot open netns \"%s\": %s: %s",
				  spec, path, strerror(errno));
			return VNL_EXIT_FAIL;
		}
	} else {
		fd = vnl_netns_open_name(ctx, spec);
		if (fd < 0)
			return VNL_EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET)) {
		vnl_error(ctx, "cannot enter netns \"%s\": %s", spec,
			  strerror(errno));
		close(fd);
		return VNL_EXIT_FAIL;
	}
	close(fd);
	return VNL_EXIT_OK;
}

static int vnl_nsid_parse(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	int32_t *nsid = arg;

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb,
			NETNSA_MAX, NULL) || !tb[NETNSA_NSID])
		return -EBADMSG;
	*nsid = (int32_t)nla_get_u32(tb[NETNSA_NSID]);
	return 0;
}

/* The netnsid that the netns open at `fd` has from here, or -1. */
static int32_t vnl_nsid_of(struct vnl_ctx *ctx, struct nl_sock *rtnl, int fd)
{
	struct rtgenmsg rt = { .rtgen_family = AF_UNSPEC };
	int32_t nsid = NETNSA_NSID_NOT_ASSIGNED;
	struct nl_msg *msg;

	msg = nlmsg_alloc_simple(RTM_GETNSID, 0);
	if (!msg || nlmsg_append(msg, &rt, sizeof(rt), NLMSG_ALIGNTO) ||
	    nla_put_u32(msg, NETNSA_FD, fd))
		vnl_out_of_memory();
	if (vnl_exchange(ctx, rtnl, msg, vnl_nsid_parse, &nsid))
		return NETNSA_NSID_NOT_ASSIGNED;
	return nsid;
}

static bool vnl_links_have_netnsid(const struct vnl_link *links, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (vnl_peer_has(&links[i], VNL_PEER_A_NETNSID))
			return true;
	return false;
}

static void vnl_name_peers_in(struct vnl_link *links, size_t count,
			      int32_t nsid, const char *name)
{
	size_t i;

	for (i = 0; i < count; i++) {
		struct vnl_link *link = &links[i];

		if (vnl_peer_has(link, VNL_PEER_A_NETNSID) &&
		    link->peer.netnsid == nsid && !link->peer.netns[0])
			snprintf(link->peer.netns, sizeof(link->peer.netns),
				 "%s", name);
	}
}

static int vnl_netns_dirent_filter(const struct dirent *entry)
{
	return strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..");
}

/*
 * Fills peer.netns for every link whose peer has a netnsid matching one of
 * /run/netns (scanned in name order, so a netns mounted under two names
 * always shows the same one).  A peer with no match keeps its bare netnsid:
 * this is a help for reading, never a reason to fail.
 */
void vnl_netns_name_peers(struct vnl_ctx *ctx, struct vnl_link *links,
			  size_t count)
{
	struct dirent **entries;
	struct nl_sock *rtnl;
	int n, i;

	if (!vnl_links_have_netnsid(links, count))
		return;
	rtnl = vnl_rtnl_socket(ctx);
	if (!rtnl)
		return;
	n = scandir(VNL_NETNS_DIR, &entries, vnl_netns_dirent_filter,
		    alphasort);
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		int32_t nsid;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", VNL_NETNS_DIR,
			 entries[i]->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			nsid = vnl_nsid_of(ctx, rtnl, fd);
			close(fd);
			if (nsid >= 0)
				vnl_name_peers_in(links, count, nsid,
						  entries[i]->d_name);
		}
		free(entries[i]);
	}
	if (n >= 0)
		free(entries);
}
