// SPDX-License-Identifier: GPL-2.0
/*
 * A small raw generic netlink client for the vnl selftests; see vnl_genl.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/vnl.h>

#include "vnl_genl.h"

#define VNL_RECV_SIZE_DEFAULT	32768

#define NLA_DATA(nla)	((void *)((char *)(nla) + NLA_HDRLEN))
#define NLA_LEN(nla)	((nla)->nla_len - NLA_HDRLEN)

/* Walks a run of attributes; stops at the first malformed one. */
#define for_each_attr(nla, attrs, len, rem)				\
	for (nla = (const struct nlattr *)(attrs), rem = (len);	\
	     rem >= (int)sizeof(*nla) && nla->nla_len >= sizeof(*nla) && \
	     nla->nla_len <= rem;					\
	     rem -= NLA_ALIGN(nla->nla_len),				\
	     nla = (const struct nlattr *)((const char *)nla +		\
					   NLA_ALIGN(nla->nla_len)))

int vnl_nl_open(struct vnl_nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->recv_size = VNL_RECV_SIZE_DEFAULT;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	/* Extack messages, and acks without a copy of the request. */
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &salen)) {
		int err = -errno;

		close(nl->fd);
		nl->fd = -1;
		return err;
	}
	nl->portid = sa.nl_pid;
	nl->seq = 1;
	return 0;
}

void vnl_nl_close(struct vnl_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int vnl_nl_join_group(struct vnl_nl *nl, uint32_t group)
{
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)))
		return -errno;
	return 0;
}

void vnl_msg_init(struct vnl_msg *m, uint16_t type, uint16_t flags,
		  uint8_t cmd, uint8_t version)
{
	struct genlmsghdr *genl;

	memset(m, 0, NLMSG_SPACE(GENL_HDRLEN));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = type;
	m->nlh.nlmsg_flags = flags;
	genl = NLMSG_DATA(&m->nlh);
	genl->cmd = cmd;
	genl->version = version;
}

void vnl_msg_put(struct vnl_msg *m, uint16_t type, const void *data,
		 size_t len)
{
	struct nlattr *nla;
	size_t space = NLA_ALIGN(NLA_HDRLEN + len);

	if (NLMSG_ALIGN(m->nlh.nlmsg_len) + space > sizeof(m->buf)) {
		fprintf(stderr, "vnl_genl: request too big\n");
		abort();
	}
	nla = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));
	nla->nla_type = type;
	nla->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(NLA_DATA(nla), data, len);
	memset((char *)NLA_DATA(nla) + len, 0, space - NLA_HDRLEN - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + space;
}

void vnl_msg_put_u32(struct vnl_msg *m, uint16_t type, uint32_t value)
{
	vnl_msg_put(m, type, &value, sizeof(value));
}

void vnl_msg_put_str(struct vnl_msg *m, uint16_t type, const char *s)
{
	vnl_msg_put(m, type, s, strlen(s) + 1);
}

struct nlattr *vnl_msg_nest_start(struct vnl_msg *m, uint16_t type)
{
	struct nlattr *nest;

	nest = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));
	vnl_msg_put(m, type | NLA_F_NESTED, NULL, 0);
	return nest;
}

void vnl_msg_nest_end(struct vnl_msg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

const struct nlattr *vnl_attr_find(const void *attrs, size_t len,
				   uint16_t type)
{
	const struct nlattr *nla;
	int rem;

	for_each_attr(nla, attrs, len, rem)
		if ((nla->nla_type & NLA_TYPE_MASK) == type)
			return nla;
	return NULL;
}

/* The extack attributes that follow the nlmsgerr of an ack. */
static void vnl_parse_ack_tlvs(const struct nlmsghdr *nlh, size_t off,
			       struct vnl_ack *ack)
{
	const struct nlattr *nla;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len <= off)
		return;
	for_each_attr(nla, (const char *)nlh + off, nlh->nlmsg_len - off, rem) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			snprintf(ack->msg, sizeof(ack->msg), "%.*s",
				 (int)NLA_LEN(nla), (const char *)NLA_DATA(nla));
			break;
		case NLMSGERR_ATTR_OFFS:
			ack->has_offs = true;
			memcpy(&ack->offs, NLA_DATA(nla), sizeof(ack->offs));
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			ack->has_miss_type = true;
			memcpy(&ack->miss_type, NLA_DATA(nla),
			       sizeof(ack->miss_type));
			break;
		}
	}
}

/* NLMSG_ERROR: the ack of a request (error 0) or its refusal. */
static int vnl_parse_error(const struct nlmsghdr *nlh, struct vnl_ack *ack)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return -EBADMSG;
	ack->error = e->error;
	/* With NETLINK_CAP_ACK only the request's header is echoed. */
	off = NLMSG_LENGTH(sizeof(*e));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	vnl_parse_ack_tlvs(nlh, NLMSG_ALIGN(off), ack);
	return 0;
}

/* NLMSG_DONE: the end of a dump, with its status and maybe an extack. */
static int vnl_parse_done(const struct nlmsghdr *nlh, struct vnl_ack *ack)
{
	int status = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(status)))
		memcpy(&status, NLMSG_DATA(nlh), sizeof(status));
	ack->error = status;
	vnl_parse_ack_tlvs(nlh, NLMSG_LENGTH(sizeof(status)), ack);
	return 0;
}

int vnl_nl_transact(struct vnl_nl *nl, struct vnl_msg *m, vnl_msg_cb cb,
		    void *arg, struct vnl_ack *ack)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct vnl_ack local_ack;
	char *buf;
	int cb_err = 0;
	bool done = false;
	uint32_t seq;

	if (!ack)
		ack = &local_ack;
	memset(ack, 0, sizeof(*ack));
	seq = nl->seq++;
	m->nlh.nlmsg_seq = seq;
	m->nlh.nlmsg_pid = 0;
	nl->recv_calls = 0;

	if (sendto(nl->fd, m->buf, m->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return ack->error = -errno;

	buf = malloc(nl->recv_size);
	if (!buf)
		return ack->error = -ENOMEM;

	while (!done) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int rem;

		/* MSG_TRUNC: the real length, to catch a buffer too small. */
		n = recv(nl->fd, buf, nl->recv_size, MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ack->error = -errno;
			break;
		}
		if ((size_t)n > nl->recv_size) {
			fprintf(stderr, "vnl_genl: a %zd-byte message did not fit the %zu-byte buffer\n",
				n, nl->recv_size);
			ack->error = -EMSGSIZE;
			break;
		}
		nl->recv_calls++;
		for (nlh = (const struct nlmsghdr *)buf, rem = n;
		     NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			/* Events of a joined group are not ours to read. */
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				vnl_parse_error(nlh, ack);
				done = true;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				vnl_parse_done(nlh, ack);
				done = true;
				break;
			}
			if (cb && nlh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN)) {
				const struct genlmsghdr *genl = NLMSG_DATA(nlh);
				int err;

				err = cb(genl, (const char *)genl + GENL_HDRLEN,
					 nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
					 arg);
				if (err && !cb_err)
					cb_err = err;
			}
			/* A doit reply without NLM_F_ACK ends here. */
			if (!(m->nlh.nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)) &&
			    !(nlh->nlmsg_flags & NLM_F_MULTI)) {
				done = true;
				break;
			}
		}
	}
	free(buf);
	return ack->error ?: cb_err;
}

/* CTRL_CMD_GETFAMILY's reply: the id, version and multicast groups. */
static int vnl_family_cb(const struct genlmsghdr *genl, const void *attrs,
			 size_t len, void *arg)
{
	struct vnl_family *family = arg;
	const struct nlattr *nla, *grp, *g;
	int rem, grem, rrem;

	(void)genl;
	for_each_attr(nla, attrs, len, rem) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case CTRL_ATTR_FAMILY_ID:
			memcpy(&family->id, NLA_DATA(nla), sizeof(family->id));
			break;
		case CTRL_ATTR_VERSION:
			memcpy(&family->version, NLA_DATA(nla), sizeof(uint32_t));
			break;
		case CTRL_ATTR_MAXATTR:
			memcpy(&family->maxattr, NLA_DATA(nla), sizeof(uint32_t));
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			for_each_attr(grp, NLA_DATA(nla), NLA_LEN(nla), grem) {
				int i = family->n_groups;

				if (i == (int)(sizeof(family->groups) /
					       sizeof(family->groups[0])))
					break;
				for_each_attr(g, NLA_DATA(grp), NLA_LEN(grp), rrem) {
					if (g->nla_type == CTRL_ATTR_MCAST_GRP_ID)
						memcpy(&family->groups[i].id,
						       NLA_DATA(g), sizeof(uint32_t));
					else if (g->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
						snprintf(family->groups[i].name,
							 GENL_NAMSIZ, "%.*s",
							 (int)NLA_LEN(g),
							 (const char *)NLA_DATA(g));
				}
				family->n_groups++;
			}
			break;
		}
	}
	return 0;
}

int vnl_nl_resolve(struct vnl_nl *nl, const char *name,
		   struct vnl_family *family)
{
	struct vnl_msg req;

	memset(family, 0, sizeof(*family));
	vnl_msg_init(&req, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
		     CTRL_CMD_GETFAMILY, 1);
	vnl_msg_put_str(&req, CTRL_ATTR_FAMILY_NAME, name);
	return vnl_nl_transact(nl, &req, vnl_family_cb, family, NULL);
}

static void vnl_copy_str(char *dst, size_t size, const struct nlattr *nla)
{
	snprintf(dst, size, "%.*s", (int)NLA_LEN(nla),
		 (const char *)NLA_DATA(nla));
}

static uint64_t vnl_get_u64(const struct nlattr *nla)
{
	uint64_t v = 0;

	memcpy(&v, NLA_DATA(nla), NLA_LEN(nla) < 8 ? NLA_LEN(nla) : 8);
	return v;
}

static uint32_t vnl_get_u32(const struct nlattr *nla)
{
	uint32_t v = 0;

	memcpy(&v, NLA_DATA(nla), NLA_LEN(nla) < 4 ? NLA_LEN(nla) : 4);
	return v;
}

static void vnl_link_parse_peer(const struct nlattr *nest, struct vnl_link *l)
{
	const struct nlattr *nla;
	int rem;

	l->has_peer = true;
	for_each_attr(nla, NLA_DATA(nest), NLA_LEN(nest), rem) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case VNL_PEER_A_IFINDEX:
			l->peer.has_ifindex = true;
			l->peer.ifindex = vnl_get_u32(nla);
			break;
		case VNL_PEER_A_IFNAME:
			l->peer.has_ifname = true;
			vnl_copy_str(l->peer.ifname, sizeof(l->peer.ifname), nla);
			break;
		case VNL_PEER_A_NETNSID:
			l->peer.has_netnsid = true;
			l->peer.netnsid = (int32_t)vnl_get_u32(nla);
			break;
		}
	}
}

/* stats.drops_mask holds one bit per reason. */
_Static_assert(VNL_DROP_MAX < 32, "vnl_link.stats.drops_mask is too small");

/* One u64 per reason, typed by it; the padding is skipped. */
static void vnl_link_parse_drops(const struct nlattr *nest, struct vnl_link *l)
{
	const struct nlattr *nla;
	int rem, why;

	for_each_attr(nla, NLA_DATA(nest), NLA_LEN(nest), rem) {
		why = nla->nla_type & NLA_TYPE_MASK;
		if (why == VNL_DROP_PAD || why > VNL_DROP_MAX)
			continue;
		l->stats.drops[why] = vnl_get_u64(nla);
		l->stats.drops_mask |= 1u << why;
	}
}

static void vnl_link_parse_stats(const struct nlattr *nest, struct vnl_link *l)
{
	const struct nlattr *nla;
	int rem;

	l->has_stats = true;
	for_each_attr(nla, NLA_DATA(nest), NLA_LEN(nest), rem) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case VNL_STATS_A_RX_PACKETS:
			l->stats.rx_packets = vnl_get_u64(nla);
			break;
		case VNL_STATS_A_RX_BYTES:
			l->stats.rx_bytes = vnl_get_u64(nla);
			break;
		case VNL_STATS_A_TX_PACKETS:
			l->stats.tx_packets = vnl_get_u64(nla);
			break;
		case VNL_STATS_A_TX_BYTES:
			l->stats.tx_bytes = vnl_get_u64(nla);
			break;
		case VNL_STATS_A_RX_DROPS:
			l->stats.rx_drops = vnl_get_u64(nla);
			break;
		case VNL_STATS_A_TX_DROPS:
			l->stats.tx_drops = vnl_get_u64(nla);
			break;
		case VNL_STATS_A_DROPS:
			vnl_link_parse_drops(nla, l);
			break;
		}
	}
}

int vnl_link_parse(const struct genlmsghdr *genl, const void *attrs,
		   size_t len, struct vnl_link *l)
{
	const struct nlattr *nla;
	int rem;

	memset(l, 0, sizeof(*l));
	l->cmd = genl->cmd;
	for_each_attr(nla, attrs, len, rem) {
		switch (nla->nla_type & NLA_TYPE_MASK) {
		case VNL_A_IFINDEX:
			l->has_ifindex = true;
			l->ifindex = vnl_get_u32(nla);
			break;
		case VNL_A_IFNAME:
			l->has_ifname = true;
			vnl_copy_str(l->ifname, sizeof(l->ifname), nla);
			break;
		case VNL_A_KIND:
			l->has_kind = true;
			l->kind = vnl_get_u32(nla);
			break;
		case VNL_A_MTU:
			l->has_mtu = true;
			l->mtu = vnl_get_u32(nla);
			break;
		case VNL_A_ADDRESS:
			if (NLA_LEN(nla) != ETH_ALEN)
				return -EBADMSG;
			l->has_address = true;
			memcpy(l->address, NLA_DATA(nla), ETH_ALEN);
			break;
		case VNL_A_UP:
			l->has_up = true;
			l->up = *(const uint8_t *)NLA_DATA(nla);
			break;
		case VNL_A_CARRIER:
			l->has_carrier = true;
			l->carrier = *(const uint8_t *)NLA_DATA(nla);
			break;
		case VNL_A_PEER:
			vnl_link_parse_peer(nla, l);
			break;
		case VNL_A_STATS:
			vnl_link_parse_stats(nla, l);
			break;
		case VNL_A_MACVLAN_MODE:
			l->has_macvlan_mode = true;
			l->macvlan_mode = vnl_get_u32(nla);
			break;
		case VNL_A_BC_QUEUE_LEN:
			l->has_bc_queue_len = true;
			l->bc_queue_len = vnl_get_u32(nla);
			break;
		case VNL_A_BC_QUEUE_LEN_USED:
			l->has_bc_queue_len_used = true;
			l->bc_queue_len_used = vnl_get_u32(nla);
			break;
		case VNL_A_PARENT_IFINDEX:
			l->parent.has_ifindex = true;
			l->parent.ifindex = vnl_get_u32(nla);
			break;
		case VNL_A_PARENT_IFNAME:
			l->parent.has_ifname = true;
			vnl_copy_str(l->parent.ifname, sizeof(l->parent.ifname), nla);
			break;
		case VNL_A_PARENT_NETNSID:
			l->parent.has_netnsid = true;
			l->parent.netnsid = (int32_t)vnl_get_u32(nla);
			break;
		}
	}
	return l->has_ifindex && l->has_ifname ? 0 : -EBADMSG;
}

void vnl_req_link_new_pair(struct vnl_nl *nl, struct vnl_msg *m,
			   const char *name, const char *peer)
{
	struct nlattr *nest;

	vnl_msg_init(m, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_NEW, VNL_GENL_VERSION);
	vnl_msg_put_u32(m, VNL_A_KIND, VNL_KIND_PAIR);
	vnl_msg_put_str(m, VNL_A_IFNAME, name);
	nest = vnl_msg_nest_start(m, VNL_A_PEER);
	vnl_msg_put_str(m, VNL_PEER_A_IFNAME, peer);
	vnl_msg_nest_end(m, nest);
}

int vnl_link_new_pair(struct vnl_nl *nl, const char *name, const char *peer,
		      struct vnl_ack *ack)
{
	struct vnl_msg req;

	vnl_req_link_new_pair(nl, &req, name, peer);
	return vnl_nl_transact(nl, &req, NULL, NULL, ack);
}

static int vnl_link_get_cb(const struct genlmsghdr *genl, const void *attrs,
			   size_t len, void *arg)
{
	return vnl_link_parse(genl, attrs, len, arg);
}

int vnl_link_get_by_name(struct vnl_nl *nl, const char *name,
			 struct vnl_link *link, struct vnl_ack *ack)
{
	struct vnl_msg req;

	memset(link, 0, sizeof(*link));
	vnl_msg_init(&req, nl->family.id, NLM_F_REQUEST | NLM_F_ACK,
		     VNL_CMD_LINK_GET, VNL_GENL_VERSION);
	vnl_msg_put_str(&req, VNL_A_IFNAME, name);
	return vnl_nl_transact(nl, &req, vnl_link_get_cb, link, ack);
}

bool vnl_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}
