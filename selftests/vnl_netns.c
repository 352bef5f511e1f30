// SPDX-License-Identifier: GPL-2.0
/*
 * vnl_netns: the named network namespaces of a shell test, made, set up
 * and removed by one process for all of them, the way `ip netns` does
 * (a namespace is named by a bind mount of it on /run/netns/NAME, so that
 * `ip -n NAME` and `ip netns exec NAME` find it):
 *
 *   vnl_netns add NAME...      new namespaces, loopback up in each
 *   vnl_netns no-ipv6 NAME...  IPv6 off in each (the default and all)
 *   vnl_netns del NAME...      the names removed; a namespace goes once
 *                              nothing else holds it
 *
 * lib.sh's setup_ns, no_ipv6 and cleanup use it: with `ip` these cost
 * five process starts per namespace, and in the debug kernel's guest
 * under TCG each start costs a third of a second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define NETNS_DIR "/run/netns"

static int fail(const char *what, const char *name)
{
	fprintf(stderr, "vnl_netns: %s %s: %s\n", what, name, strerror(errno));
	return -1;
}

/*
 * The names' directory as a shared mount point, as `ip netns add` makes
 * it: a name unmounted in one mount namespace is then unmounted in the
 * others (those of `ip netns exec`) too, and the namespace can go.
 */
static int share_netns_dir(void)
{
	if (mkdir(NETNS_DIR, 0755) && errno != EEXIST)
		return fail("mkdir", NETNS_DIR);
	if (!mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL))
		return 0;
	/* EINVAL: not a mount point yet; make it one, on itself. */
	if (errno != EINVAL ||
	    mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) ||
	    mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL))
		return fail("mount --make-rshared", NETNS_DIR);
	return 0;
}

/* The caller's namespace is the new one: its loopback up. */
static int loopback_up(const char *name)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail("socket in", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = fail("SIOCGIFFLAGS lo in", name);
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = fail("SIOCSIFFLAGS lo in", name);
	close(fd);
	return err;
}

static int add(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return fail("create", path);
	close(fd);
	/* Each unshare() leaves the previous namespace to its bind mount. */
	if (unshare(CLONE_NEWNET)) {
		fail("unshare for", name);
		goto err_unlink;
	}
	if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL)) {
		fail("bind mount on", path);
		goto err_unlink;
	}
	return loopback_up(name);

err_unlink:
	unlink(path);
	return -1;
}

/* Best effort, as a kernel without IPv6 has nothing to turn off. */
static void write_sysctl(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		fprintf(stderr, "vnl_netns: %s: %s\n", path, strerror(errno));
	close(fd);
}

/* /proc/sys/net is the caller's namespace's, looked up at open(). */
static int no_ipv6(const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", path);
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return fail("setns to", name);
	}
	close(fd);
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6");
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6");
	return 0;
}

static int del(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	if (umount2(path, MNT_DETACH) && errno != EINVAL)
		return fail("umount", path);
	if (unlink(path))
		return fail("unlink", path);
	return 0;
}

int main(int argc, char **argv)
{
	int (*op)(const char *name);
	int i, err = 0;

	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "add"))
		op = add;
	else if (!strcmp(argv[1], "no-ipv6"))
		op = no_ipv6;
	else if (!strcmp(argv[1], "del"))
		op = del;
	else
		goto usage;
	if (op == add && share_netns_dir())
		return 1;
	/* Every name is tried: a cleanup removes what it can. */
	for (i = 2; i < argc; i++)
		if (op(argv[i]))
			err = 1;
	return err;

usage:
	fprintf(stderr, "usage: vnl_netns add|no-ipv6|del NAME...\n");
	return 2;
}
