// SPDX-License-Identifier: GPL-2.0
/*
 * vnlctl: a kernel refusal, told in the words of the command line.
 *
 * The kernel's extended ACK says why (NLMSGERR_ATTR_MSG) and, when one
 * attribute is to blame, which: NLMSGERR_ATTR_OFFS is where that attribute
 * starts in the request we sent, and NLMSGERR_ATTR_POLICY the policy it was
 * checked against.  We find the attribute at that offset in our own copy of
 * the request, name it by the keyword that set it, and, when its value broke
 * a bound of the policy, say which bound:
 *
 *	name longer than 15 bytes
 *	mtu out of range 68..65535
 *	peer-address: the peer address must be unicast and not zero
 *	macaddr 01:00:5e:00:00:01: ...
 *
 * An address of a `macaddr` list is named by its value, since the list
 * has many.
 *
 * Without an offset, or for a request that is not the vnl family's, the
 * kernel's message is kept as it is.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <linux/vnl.h>

#include "vnlctl.h"

/* The word of the command line that a request attribute comes from. */
struct vnl_attr_word {
	int nest;		/* the attribute holding it; VNL_A_UNSPEC: none */
	int type;
	const char *word;
};

static const struct vnl_attr_word vnl_attr_words[] = {
	{ VNL_A_UNSPEC,	VNL_A_IFNAME,		"name" },
	{ VNL_A_UNSPEC,	VNL_A_KIND,		"kind" },
	{ VNL_A_UNSPEC,	VNL_A_MTU,		"mtu" },
	{ VNL_A_UNSPEC,	VNL_A_ADDRESS,		"address" },
	{ VNL_A_UNSPEC,	VNL_A_NETNS_FD,		"netns" },
	{ VNL_A_UNSPEC,	VNL_A_NETNS_PID,	"netns" },
	{ VNL_A_UNSPEC,	VNL_A_PEER,		"peer" },
	{ VNL_A_PEER,	VNL_PEER_A_IFNAME,	"peer" },
	{ VNL_A_PEER,	VNL_PEER_A_ADDRESS,	"peer-address" },
	{ VNL_A_PEER,	VNL_PEER_A_NETNS_FD,	"peer-netns" },
	{ VNL_A_PEER,	VNL_PEER_A_NETNS_PID,	"peer-netns" },
	{ VNL_A_UNSPEC,	VNL_A_PARENT_IFINDEX,	"parent" },
	{ VNL_A_UNSPEC,	VNL_A_PARENT_IFNAME,	"parent" },
	{ VNL_A_UNSPEC,	VNL_A_MACVLAN_MODE,	"mode" },
	{ VNL_A_UNSPEC,	VNL_A_BC_QUEUE_LEN,	"bcqueuelen" },
	{ VNL_A_UNSPEC,	VNL_A_MACADDR_OP,	"macaddr" },
	{ VNL_A_UNSPEC,	VNL_A_MACADDR_LIST,	"macaddr" },
	{ VNL_A_MACADDR_LIST, VNL_MACADDR_A_ADDRESS, "macaddr" },
};

/* The nests a request may have, whose attributes an error may point at. */
static bool vnl_request_nest(int type)
{
	return type == VNL_A_PEER || type == VNL_A_MACADDR_LIST;
}

static size_t vnl_offset_of(const struct nlmsghdr *hdr,
			    const struct nlattr *attr)
{
	return (const char *)attr - (const char *)hdr;
}

static const char *vnl_attr_word(int nest, int type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vnl_attr_words); i++)
		if (vnl_attr_words[i].nest == nest &&
		    vnl_attr_words[i].type == type)
			return vnl_attr_words[i].word;
	return NULL;
}

/*
 * The attribute that starts `offset` bytes into the request `hdr`, at the
 * top level or inside the VNL_A_PEER or VNL_A_MACADDR_LIST nest; the type
 * of the attribute holding it goes to *nest.
 */
static struct nlattr *vnl_attr_at(struct nlmsghdr *hdr, uint32_t offset,
				  int *nest)
{
	struct genlmsghdr *genl = nlmsg_data(hdr);
	struct nlattr *attr, *inner;
	int rem, inner_rem;

	nla_for_each_attr(attr, genlmsg_attrdata(genl, 0),
			  genlmsg_attrlen(genl, 0), rem) {
		if (vnl_offset_of(hdr, attr) == offset) {
			*nest = VNL_A_UNSPEC;
			return attr;
		}
		if (!vnl_request_nest(nla_type(attr)))
			continue;
		nla_for_each_nested(inner, attr, inner_rem) {
			if (vnl_offset_of(hdr, inner) == offset) {
				*nest = nla_type(attr);
				return inner;
			}
		}
	}
	return NULL;
}

/* A length outside NL_POLICY_TYPE_ATTR_{MIN,MAX}_LENGTH, said in `buf`. */
static bool vnl_length_broken(const char *word, size_t len,
			      struct nlattr **pol, char *buf, size_t size)
{
	if (pol[NL_POLICY_TYPE_ATTR_MAX_LENGTH] &&
	    len > nla_get_u32(pol[NL_POLICY_TYPE_ATTR_MAX_LENGTH])) {
		snprintf(buf, size, "%s longer than %" PRIu32 " bytes", word,
			 nla_get_u32(pol[NL_POLICY_TYPE_ATTR_MAX_LENGTH]));
		return true;
	}
	if (pol[NL_POLICY_TYPE_ATTR_MIN_LENGTH] &&
	    len < nla_get_u32(pol[NL_POLICY_TYPE_ATTR_MIN_LENGTH])) {
		snprintf(buf, size, "%s shorter than %" PRIu32 " bytes", word,
			 nla_get_u32(pol[NL_POLICY_TYPE_ATTR_MIN_LENGTH]));
		return true;
	}
	return false;
}

/* A value outside NL_POLICY_TYPE_ATTR_{MIN,MAX}_VALUE_U, said in `buf`. */
static bool vnl_range_broken(const char *word, uint64_t value,
			     struct nlattr **pol, char *buf, size_t size)
{
	uint64_t min, max;

	if (!pol[NL_POLICY_TYPE_ATTR_MIN_VALUE_U] ||
	    !pol[NL_POLICY_TYPE_ATTR_MAX_VALUE_U])
		return false;
	min = nla_get_u64(pol[NL_POLICY_TYPE_ATTR_MIN_VALUE_U]);
	max = nla_get_u64(pol[NL_POLICY_TYPE_ATTR_MAX_VALUE_U]);
	if (value >= min && value <= max)
		return false;
	snprintf(buf, size, "%s out of range %" PRIu64 "..%" PRIu64, word,
		 min, max);
	return true;
}

/*
 * Which bound of `policy` (an NLMSGERR_ATTR_POLICY nest) the value of
 * `attr` broke, said in `buf`; false when the value is within every bound
 * we know, so the failure was something else.  vnlctl sends strings,
 * binary addresses and u32s only.
 */
static bool vnl_policy_broken(const char *word, struct nlattr *attr,
			      struct nlattr *policy, char *buf, size_t size)
{
	struct nlattr *pol[NL_POLICY_TYPE_ATTR_MAX + 1];

	if (nla_parse_nested(pol, NL_POLICY_TYPE_ATTR_MAX, policy, NULL) ||
	    !pol[NL_POLICY_TYPE_ATTR_TYPE])
		return false;
	switch (nla_get_u32(pol[NL_POLICY_TYPE_ATTR_TYPE])) {
	case NL_ATTR_TYPE_STRING:
	case NL_ATTR_TYPE_NUL_STRING:
		return vnl_length_broken(word, strnlen(nla_data(attr),
						       nla_len(attr)),
					 pol, buf, size);
	case NL_ATTR_TYPE_BINARY:
		return vnl_length_broken(word, nla_len(attr), pol, buf, size);
	case NL_ATTR_TYPE_U32:
		return nla_len(attr) == sizeof(uint32_t) &&
		       vnl_range_broken(word, nla_get_u32(attr), pol, buf,
					size);
	default:
		return false;
	}
}

/*
 * Writes to `buf` what the extended ACK `tb` (NLMSGERR_ATTR_*) says about
 * `request`, a request to the generic netlink family `family` (or to
 * another one: then the message is taken as it is).
 */
void vnl_extack_explain(int family, struct nl_msg *request,
			struct nlattr **tb, char *buf, size_t size)
{
	struct nlmsghdr *hdr = nlmsg_hdr(request);
	char msg[VNL_EXTACK_MAX] = "";
	char addr_word[sizeof("macaddr ") + VNL_MAC_STRLEN];
	struct nlattr *attr;
	const char *word;
	int nest;

	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(msg, tb[NLMSGERR_ATTR_MSG], sizeof(msg));
	snprintf(buf, size, "%s", msg);
	if (!family || hdr->nlmsg_type != family || !tb[NLMSGERR_ATTR_OFFS])
		return;
	attr = vnl_attr_at(hdr, nla_get_u32(tb[NLMSGERR_ATTR_OFFS]), &nest);
	word = attr ? vnl_attr_word(nest, nla_type(attr)) : NULL;
	if (!word)
		return;
	if (nest == VNL_A_MACADDR_LIST && nla_len(attr) == ETH_ALEN) {
		char mac[VNL_MAC_STRLEN];

		vnl_format_mac(mac, nla_data(attr));
		snprintf(addr_word, sizeof(addr_word), "%s %s", word, mac);
		word = addr_word;
	}
	if (tb[NLMSGERR_ATTR_POLICY] &&
	    vnl_policy_broken(word, attr, tb[NLMSGERR_ATTR_POLICY], buf, size))
		return;
	if (msg[0])
		snprintf(buf, size, "%s: %s", word, msg);
	else
		snprintf(buf, size, "%s refused", word);
}
