// SPDX-License-Identifier: GPL-2.0
/*
 * vnl_probe: answers, for each line read on stdin, whether the genl family
 * "vnl" is registered right now: "present <id>" or "absent".  A shell test
 * runs it as a coprocess, so that asking costs no process start:
 * module_reload.sh asks 200 times.
 *
 * It dumps the controller's list of families instead of asking for "vnl"
 * by name: a lookup by name of a family that is not there makes the kernel
 * try to load its module (request_module, a modprobe process in the
 * guest), which would cost more than the reload under test.
 */
#include <stdio.h>
#include <string.h>
#include <linux/vnl.h>

#include "vnl_genl.h"

struct lookup {
	const char *name;
	int id;		/* 0: not found */
};

static int family_cb(const struct genlmsghdr *genl, const void *attrs,
		     size_t len, void *arg)
{
	const struct nlattr *name, *id;
	struct lookup *l = arg;

	(void)genl;
	name = vnl_attr_find(attrs, len, CTRL_ATTR_FAMILY_NAME);
	id = vnl_attr_find(attrs, len, CTRL_ATTR_FAMILY_ID);
	if (name && id && !strcmp((const char *)name + NLA_HDRLEN, l->name))
		l->id = *(const __u16 *)((const char *)id + NLA_HDRLEN);
	return 0;
}

int main(void)
{
	struct lookup l = { .name = VNL_GENL_NAME };
	struct vnl_msg req;
	struct vnl_nl nl;
	char line[64];
	int err;

	err = vnl_nl_open(&nl);
	if (err) {
		fprintf(stderr, "vnl_probe: netlink socket: %s\n", strerror(-err));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		vnl_msg_init(&req, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_DUMP,
			     CTRL_CMD_GETFAMILY, 1);
		l.id = 0;
		err = vnl_nl_transact(&nl, &req, family_cb, &l, NULL);
		if (err)
			printf("error %s\n", strerror(-err));
		else if (l.id)
			printf("present %d\n", l.id);
		else
			printf("absent\n");
	}
	vnl_nl_close(&nl);
	return 0;
}
