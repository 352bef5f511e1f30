// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vnl before any interface is attached: a misc character device that
 * anyone may open (like /dev/net/tun), on which reading and writing fail
 * with EBADFD and unknown ioctls fail with EINVAL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* The harness itself is not -Wextra clean: one unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "vnl_harness.h"
#pragma GCC diagnostic pop

#define VNL_DEV		"/dev/vnl"
#define MISC_MAJOR	10
#define NOBODY		65534

/* The minor the misc core gave "vnl", from /proc/misc; -1 if absent. */
static int misc_minor_of(const char *name)
{
	char line[128], n[64];
	int minor, found = -1;
	FILE *f = fopen("/proc/misc", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %63s", &minor, n) == 2 && !strcmp(n, name))
			found = minor;
	fclose(f);
	return found;
}

FIXTURE(chardev)
{
	int fd;
};

FIXTURE_SETUP(chardev)
{
	self->fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VNL_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(chardev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(chardev, is_a_misc_char_device_with_mode_0666)
{
	struct stat st;
	int minor = misc_minor_of("vnl");

	ASSERT_EQ(0, stat(VNL_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(MISC_MAJOR, (int)major(st.st_rdev));
	EXPECT_EQ(0666U, st.st_mode & 07777) {
		TH_LOG("mode is %04o", st.st_mode & 07777);
	}
	ASSERT_LE(0, minor) TH_LOG("no \"vnl\" in /proc/misc");
	EXPECT_EQ(minor, (int)minor(st.st_rdev));
}

static int open_as_nobody(void)
{
	int fd;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 100;
	fd = open(VNL_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

TEST_F(chardev, opens_as_uid_65534)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(open_as_nobody());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(100, WEXITSTATUS(status)) TH_LOG("could not become uid %d", NOBODY);
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("open as uid %d: %s", NOBODY, strerror(WEXITSTATUS(status)));
	}
}

TEST_F(chardev, opens_read_only_and_write_only_as_root)
{
	int fd;

	fd = open(VNL_DEV, O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, fd) TH_LOG("O_RDONLY: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = open(VNL_DEV, O_WRONLY | O_CLOEXEC);
	EXPECT_LE(0, fd) TH_LOG("O_WRONLY: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

TEST_F(chardev, read_before_attach_is_ebadfd)
{
	char buf[2048];

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno) TH_LOG("read: %s", strerror(errno));

	/* Non-blocking changes nothing: there is nothing to wait for. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno) TH_LOG("read: %s", strerror(errno));
}

TEST_F(chardev, write_before_attach_is_ebadfd)
{
	/* A broadcast Ethernet frame of minimum size. */
	unsigned char frame[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x08, 0x06,
	};

	EXPECT_EQ(-1, write(self->fd, frame, sizeof(frame)));
	EXPECT_EQ(EBADFD, errno) TH_LOG("write: %s", strerror(errno));
}

TEST_F(chardev, unknown_ioctl_is_einval)
{
	/* tun's ioctl type with a number it does not use, and a type of
	 * nobody's; neither is one the VFS answers itself.
	 */
	static const unsigned long cmds[] = {
		_IOW('T', 0xff, int), _IO(0xfe, 0x01), _IOR(0xfe, 0x02, int),
	};
	size_t i;
	int arg = 0;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &arg));
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("ioctl 0x%lx: %s", cmds[i], strerror(errno));
		}
	}
}

TEST_HARNESS_MAIN
