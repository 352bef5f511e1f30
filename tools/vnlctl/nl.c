// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: the netlink plumbing, through libnl-genl-3.
 *
 * One request is one vnl_exchange(): send the message, then read until the
 * kernel's ACK (doit), NLMSG_DONE (dump) or error.  Replies go to a parse
 * function.  Errors keep the kernel's extended ACK (NETLINK_EXT_ACK is
 * turned on for every socket), explained by extack.c against the request we
 * sent, so that the user sees why and about what, not just errno.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/vnl.h>

#include "vnlctl.h"

/* Monitor events arrive in bursts (a batch can create 10,000 devices). */
#define VNL_MONITOR_RCVBUF	(32 << 20)

struct vnl_exchange_state {
	struct vnl_ctx *ctx;
	struct nl_msg *request;	/* what we sent: error offsets point into it */
	vnl_parse_fn parse;
	void *arg;
	int error;		/* first failure: a negative errno */
	bool done;		/* ACK, NLMSG_DONE or error seen */
	bool interrupted;	/* the dump saw the device list change */
};

/*
 * The extended ACK attributes follow the nlmsgerr (or, in NLMSG_DONE, the
 * int error) at `offset` bytes into the payload; keep what they say, if
 * anything, in the words of the command line.
 */
static void vnl_extack_save(struct vnl_exchange_state *st,
			    struct nlmsghdr *hdr, size_t offset)
{
	struct vnl_ctx *ctx = st->ctx;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlmsg_datalen(hdr) - (int)offset;

	ctx->extack[0] = '\0';
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(hdr) + offset), len,
		      NULL))
		return;
	vnl_extack_explain(ctx->family.id, st->request, tb, ctx->extack,
			   sizeof(ctx->extack));
}

/* Without NLM_F_CAPPED the kernel echoes our whole request first. */
static size_t vnl_extack_offset(struct nlmsghdr *hdr)
{
	struct nlmsgerr *e = nlmsg_data(hdr);

	if ((hdr->nlmsg_flags & NLM_F_CAPPED) || e->msg.nlmsg_len < NLMSG_HDRLEN)
		return sizeof(*e);
	return sizeof(*e) + NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
}

static int vnl_on_reply(struct nl_msg *msg, void *arg)
{
	struct vnl_exchange_state *st = arg;
	int err;

	/* After a failure keep reading, so the socket stays in step. */
	if (!st->parse || st->error)
		return NL_SKIP;
	err = st->parse(msg, st->arg);
	if (err)
		st->error = err;
	return NL_OK;
}

/* libnl hands us the nlmsgerr; its nlmsghdr sits right before it. */
static int vnl_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct vnl_exchange_state *st = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);

	(void)nla;
	vnl_extack_save(st, hdr, vnl_extack_offset(hdr));
	st->error = e->error;
	st->done = true;
	return NL_STOP;
}

/* A successful ACK may still carry a warning worth showing. */
static int vnl_on_ack(struct nl_msg *msg, void *arg)
{
	struct vnl_exchange_state *st = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);

	vnl_extack_save(st, hdr, vnl_extack_offset(hdr));
	if (st->ctx->extack[0])
		vnl_error(st->ctx, "warning: %s", st->ctx->extack);
	st->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's error, if it failed after starting. */
static int vnl_on_done(struct nl_msg *msg, void *arg)
{
	struct vnl_exchange_state *st = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	int err;

	if (nlmsg_datalen(hdr) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(hdr), sizeof(err));
		if (err < 0 && !st->error) {
			vnl_extack_save(st, hdr, sizeof(err));
			st->error = err;
		}
	}
	st->done = true;
	return NL_STOP;
}

static int vnl_on_dump_interrupted(struct nl_msg *msg, void *arg)
{
	struct vnl_exchange_state *st = arg;

	(void)msg;
	st->interrupted = true;
	return NL_OK;
}

static struct nl_cb *vnl_exchange_callbacks(struct vnl_exchange_state *st)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		vnl_out_of_memory();
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vnl_on_reply, st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vnl_on_ack, st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, vnl_on_done, st);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, vnl_on_dump_interrupted,
		  st);
	nl_cb_err(cb, NL_CB_CUSTOM, vnl_on_error, st);
	return cb;
}

/* A failure of libnl itself, not of the kernel: say so in its words. */
static int vnl_libnl_failure(struct vnl_ctx *ctx, int nlerr)
{
	snprintf(ctx->extack, sizeof(ctx->extack), "netlink: %s",
		 nl_geterror(nlerr));
	return -EPROTO;
}

/*
 * Sends `msg` and reads every reply until the request is over, then frees
 * `msg`, which is kept till then because an error may point into it.
 * Returns 0, a negative errno (the kernel's explanation, if it gave one, is
 * in ctx->extack), or -EINTR when a dump was interrupted by a change of the
 * device list and should be run again.  Prints nothing.
 */
int vnl_exchange(struct vnl_ctx *ctx, struct nl_sock *sk, struct nl_msg *msg,
		 vnl_parse_fn parse, void *arg)
{
	struct vnl_exchange_state st = {
		.ctx = ctx, .request = msg, .parse = parse, .arg = arg,
	};
	struct nl_cb *cb = vnl_exchange_callbacks(&st);
	int err;

	ctx->extack[0] = '\0';
	err = nl_send_auto(sk, msg);
	if (err < 0) {
		st.error = vnl_libnl_failure(ctx, err);
		st.done = true;
	}
	while (!st.done) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !st.done) {
			st.error = vnl_libnl_failure(ctx, err);
			break;
		}
	}
	nl_cb_put(cb);
	nlmsg_free(msg);
	if (!st.error && st.interrupted)
		return -EINTR;
	return st.error;
}

/* Prints `vnlctl: <explained extack> (<strerror>)`, or just the strerror. */
void vnl_report_error(const struct vnl_ctx *ctx, int err)
{
	if (ctx->extack[0])
		vnl_error(ctx, "%s (%s)", ctx->extack, strerror(-err));
	else
		vnl_error(ctx, "%s", strerror(-err));
}

/* vnl_exchange() on the vnl socket, reporting any failure. */
int vnl_request(struct vnl_ctx *ctx, struct nl_msg *msg,
		vnl_parse_fn parse, void *arg)
{
	int err = vnl_exchange(ctx, ctx->genl, msg, parse, arg);

	if (err)
		vnl_report_error(ctx, err);
	return err;
}

static struct nl_sock *vnl_socket_open(const struct vnl_ctx *ctx, int protocol)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;
	int err;

	if (!sk)
		vnl_out_of_memory();
	err = nl_connect(sk, protocol);
	if (err) {
		vnl_error(ctx, "cannot open a netlink socket: %s",
			  nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	/* Dump replies can be larger than a page: size each read by a peek. */
	nl_socket_enable_msg_peek(sk);
	/* Kernels without extended ACK still answer, just without a reason. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	return sk;
}

struct nl_sock *vnl_rtnl_socket(struct vnl_ctx *ctx)
{
	if (!ctx->rtnl)
		ctx->rtnl = vnl_socket_open(ctx, NETLINK_ROUTE);
	return ctx->rtnl;
}

static void vnl_family_parse_group(struct vnl_family *family,
				   struct nlattr *group)
{
	struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];

	if (nla_parse_nested(tb, CTRL_ATTR_MCAST_GRP_MAX, group, NULL))
		return;
	if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID])
		return;
	if (!nla_strcmp(tb[CTRL_ATTR_MCAST_GRP_NAME], VNL_MCGRP_MONITOR))
		family->monitor_group = nla_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
}

static int vnl_family_parse(struct nl_msg *msg, void *arg)
{
	struct vnl_family *family = arg;
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nlattr *group;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	family->id = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		family->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		nla_for_each_nested(group, tb[CTRL_ATTR_MCAST_GROUPS], rem)
			vnl_family_parse_group(family, group);
	return 0;
}

/*
 * Opens the vnl socket and asks the genl controller for the family: its
 * id, version and multicast groups in one CTRL_CMD_GETFAMILY.  Done once per
 * process; every later call returns at once.
 */
static int vnl_connect_family(struct vnl_ctx *ctx, bool absent_ok,
			      bool *loaded)
{
	struct nl_msg *msg;
	int err;

	*loaded = true;
	if (ctx->family.id)
		return VNL_EXIT_OK;
	if (!ctx->genl) {
		ctx->genl = vnl_socket_open(ctx, NETLINK_GENERIC);
		if (!ctx->genl)
			return VNL_EXIT_FAIL;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL,
				 0, 0, CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, VNL_GENL_NAME))
		vnl_out_of_memory();
	err = vnl_exchange(ctx, ctx->genl, msg, vnl_family_parse, &ctx->family);
	if (err == -ENOENT) {
		*loaded = false;
		if (absent_ok)
			return VNL_EXIT_OK;
		vnl_print_not_loaded(ctx);
		return VNL_EXIT_FAIL;
	}
	if (err) {
		vnl_report_error(ctx, err);
		return VNL_EXIT_FAIL;
	}
	return VNL_EXIT_OK;
}

int vnl_connect(struct vnl_ctx *ctx)
{
	bool loaded;

	return vnl_connect_family(ctx, false, &loaded);
}

/* The same, for who only asks: the module missing is no failure. */
int vnl_connect_if_loaded(struct vnl_ctx *ctx, bool *loaded)
{
	return vnl_connect_family(ctx, true, loaded);
}

void vnl_disconnect(struct vnl_ctx *ctx)
{
	nl_socket_free(ctx->genl);
	nl_socket_free(ctx->rtnl);
	ctx->genl = NULL;
	ctx->rtnl = NULL;
	ctx->family.id = 0;
}

static struct nl_msg *vnl_msg_init(const struct vnl_ctx *ctx,
				   struct nl_msg *msg, uint8_t cmd, int flags)
{
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				 ctx->family.id, 0, flags, cmd,
				 VNL_GENL_VERSION))
		vnl_out_of_memory();
	return msg;
}

/*
 * A request to the vnl family, with libnl's default room (a page);
 * nl_send_auto() adds NLM_F_REQUEST|ACK.
 */
struct nl_msg *vnl_msg_new(const struct vnl_ctx *ctx, uint8_t cmd, int flags)
{
	return vnl_msg_init(ctx, nlmsg_alloc(), cmd, flags);
}

/* The same, with room for `size` bytes in all, for long address lists. */
struct nl_msg *vnl_msg_new_size(const struct vnl_ctx *ctx, uint8_t cmd,
				int flags, size_t size)
{
	return vnl_msg_init(ctx, nlmsg_alloc_size(size), cmd, flags);
}

/* Events come unasked, with sequence number 0: accept them all. */
static int vnl_accept_any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/*
 * Root may grow the receive buffer past net.core.rmem_max, which makes
 * losing events under a burst much less likely; others get what they get.
 */
static void vnl_grow_rcvbuf(struct nl_sock *sk)
{
	int size = VNL_MONITOR_RCVBUF;
	int fd = nl_socket_get_fd(sk);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/*
 * Joins the "monitor" group and hands every event to `on_event`, until a
 * read fails for a reason other than lost events.  Never returns success.
 */
int vnl_listen(struct vnl_ctx *ctx, vnl_event_fn on_event, void *arg)
{
	struct nl_cb *cb;
	int err;

	if (!ctx->family.monitor_group) {
		vnl_error(ctx, "the vnl module has no \"%s\" multicast group",
			  VNL_MCGRP_MONITOR);
		return VNL_EXIT_FAIL;
	}
	err = nl_socket_add_membership(ctx->genl, ctx->family.monitor_group);
	if (err) {
		vnl_error(ctx, "cannot join the \"%s\" group: %s",
			  VNL_MCGRP_MONITOR, nl_geterror(err));
		return VNL_EXIT_FAIL;
	}
	vnl_grow_rcvbuf(ctx->genl);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		vnl_out_of_memory();
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vnl_accept_any_seq, NULL);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event, arg);
	for (;;) {
		err = nl_recvmsgs(ctx->genl, cb);
		if (err >= 0)
			continue;
		/* ENOBUFS: the kernel dropped events, the socket still works. */
		if (err == -NLE_NOMEM) {
			vnl_error(ctx, "events were lost: %s",
				  strerror(ENOBUFS));
			continue;
		}
		vnl_error(ctx, "netlink: %s", nl_geterror(err));
		break;
	}
	nl_cb_put(cb);
	return VNL_EXIT_FAIL;
}
