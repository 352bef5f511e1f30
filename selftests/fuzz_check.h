/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzzers (fuzz_genl.c, fuzz_chardev.c) share: their per-case
 * counters, and strict checks of the attributes the "vnl" family sends
 * back.  Every attribute must be whole, of a known type and of its type's
 * length, nested ones too, every attribute a device's kind requires must
 * be there and no other; strings must be NUL-terminated.  include/uapi/linux/vnl.h is the reference.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/vnl.h>

/* --- attributes of a reply, strictly ------------------------------------- */

#define A_DATA(nla)	((const uint8_t *)(nla) + NLA_HDRLEN)
#define A_LEN(nla)	((size_t)(nla)->nla_len - NLA_HDRLEN)

struct it {
	const uint8_t *p;
	size_t rem;
	bool bad;
};

static inline void it_init(struct it *it, const void *p, size_t len)
{
	it->p = p;
	it->rem = len;
	it->bad = false;
}

/* The next attribute, whole and padded, or NULL at the end (it->bad if
 * the run did not end exactly on an attribute).
 */
static inline const struct nlattr *it_next(struct it *it)
{
	const struct nlattr *nla;

	if (!it->rem)
		return NULL;
	nla = (const struct nlattr *)it->p;
	if (it->rem < (size_t)NLA_HDRLEN || nla->nla_len < NLA_HDRLEN ||
	    (size_t)NLA_ALIGN(nla->nla_len) > it->rem) {
		it->bad = true;
		return NULL;
	}
	it->p += NLA_ALIGN(nla->nla_len);
	it->rem -= NLA_ALIGN(nla->nla_len);
	return nla;
}

static inline uint32_t get_u32(const struct nlattr *nla)
{
	uint32_t v;

	memcpy(&v, A_DATA(nla), 4);
	return v;
}

/* A NUL-terminated string of 1..@max characters; an interface name if
 * @ifname (dev_valid_name's rules), else printable text.
 */
static inline bool check_str(const struct nlattr *nla, size_t max, bool ifname,
		      char *out, size_t outsz)
{
	const uint8_t *s = A_DATA(nla);
	size_t n = A_LEN(nla), i;

	if (n < 2 || n > max + 1 || s[n - 1])
		return false;
	for (i = 0; i + 1 < n; i++) {
		if (!s[i])
			return false;
		if (ifname && (s[i] == '/' || s[i] == ':' || isspace(s[i])))
			return false;
		if (!ifname && (s[i] < 0x20 || s[i] > 0x7e))
			return false;
	}
	if (ifname && (!strcmp((const char *)s, ".") || !strcmp((const char *)s, "..")))
		return false;
	if (out)
		snprintf(out, outsz, "%s", (const char *)s);
	return true;
}

static inline bool valid_unicast(const uint8_t *a)
{
	static const uint8_t zero[ETH_ALEN];

	return !(a[0] & 1) && memcmp(a, zero, ETH_ALEN);
}

/* A device as the replies, dumps and events describe it. */
struct fz_dev {
	char name[IFNAMSIZ];
	uint32_t ifindex, kind, mtu, mode;
	uint32_t bc_queue_len;		/* a macvlan child's request */
	uint32_t parent_ifindex;
	char parent_name[IFNAMSIZ];
	bool has_parent_netnsid;
	uint8_t mac[ETH_ALEN];
	bool has_mac, up, carrier;
	bool has_peer, peer_has_netnsid;
	uint32_t peer_ifindex;
	char peer_name[IFNAMSIZ];
	uint32_t tun_flags, tun_queues, tun_owner, tun_group;
	bool has_tun_owner, has_tun_group;
	uint32_t tap_face;		/* a macvlan child's VNL_A_TAP_FACE, or 0 */
	unsigned int nsrc;
	uint8_t src[VNL_MACADDR_MAX][ETH_ALEN];
	int ns;
};

#define BAD(...) do { snprintf(why, whysz, __VA_ARGS__); return false; } while (0)

static inline bool check_peer(const struct nlattr *nest, struct fz_dev *d,
		       char *why, size_t whysz)
{
	const struct nlattr *nla;
	unsigned int seen = 0, t;
	struct it it;

	it_init(&it, A_DATA(nest), A_LEN(nest));
	while ((nla = it_next(&it))) {
		t = nla->nla_type;
		if (t > VNL_PEER_A_MAX || t == 0)
			BAD("VNL_A_PEER: attribute type %u", t);
		if (seen & (1u << t))
			BAD("VNL_A_PEER: attribute %u twice", t);
		seen |= 1u << t;
		switch (t) {
		case VNL_PEER_A_IFINDEX:
			if (A_LEN(nla) != 4 || !get_u32(nla))
				BAD("VNL_PEER_A_IFINDEX: length %zu or zero", A_LEN(nla));
			d->peer_ifindex = get_u32(nla);
			break;
		case VNL_PEER_A_IFNAME:
			if (!check_str(nla, IFNAMSIZ - 1, true, d->peer_name, IFNAMSIZ))
				BAD("VNL_PEER_A_IFNAME: not an interface name");
			break;
		case VNL_PEER_A_NETNSID:
			if (A_LEN(nla) != 4)
				BAD("VNL_PEER_A_NETNSID: length %zu", A_LEN(nla));
			d->peer_has_netnsid = true;
			break;
		default:
			BAD("VNL_A_PEER: request-only attribute %u in a reply", t);
		}
	}
	if (it.bad)
		BAD("VNL_A_PEER: attributes overrun the nest");
	if (!(seen & (1u << VNL_PEER_A_IFINDEX)))
		BAD("VNL_A_PEER without the peer's ifindex");
	/* A peer abroad is named only to who may see its netns (uapi header). */
	if (!(seen & (1u << VNL_PEER_A_IFNAME)) && !d->peer_has_netnsid)
		BAD("VNL_A_PEER: a peer in the same netns without its name");
	d->has_peer = true;
	return true;
}

/* The drop counters: a u64 typed by its reason each, or the padding. */
static inline bool check_drops(const struct nlattr *nest, char *why, size_t whysz)
{
	const struct nlattr *nla;
	unsigned int seen = 0, t;
	struct it it;

	it_init(&it, A_DATA(nest), A_LEN(nest));
	while ((nla = it_next(&it))) {
		t = nla->nla_type;
		if (t == VNL_DROP_PAD) {
			if (A_LEN(nla))
				BAD("VNL_DROP_PAD of %zu bytes", A_LEN(nla));
			continue;
		}
		if (t > VNL_DROP_MAX)
			BAD("VNL_STATS_A_DROPS: attribute type %u", t);
		if (seen & (1u << t))
			BAD("VNL_STATS_A_DROPS: reason %u twice", t);
		seen |= 1u << t;
		if (A_LEN(nla) != 8)
			BAD("VNL_STATS_A_DROPS: reason %u of %zu bytes", t, A_LEN(nla));
	}
	if (it.bad)
		BAD("VNL_STATS_A_DROPS: attributes overrun the nest");
	return true;
}

static inline bool check_stats(const struct nlattr *nest, char *why, size_t whysz)
{
	const struct nlattr *nla;
	unsigned int seen = 0, t;
	struct it it;

	it_init(&it, A_DATA(nest), A_LEN(nest));
	while ((nla = it_next(&it))) {
		t = nla->nla_type & NLA_TYPE_MASK;
		/* nla_nest_start() flags the one nest; nothing else is flagged */
		if ((nla->nla_type & ~NLA_TYPE_MASK) !=
		    (t == VNL_STATS_A_DROPS ? NLA_F_NESTED : 0))
			BAD("VNL_A_STATS: attribute %u with flags 0x%x", t,
			    nla->nla_type & ~NLA_TYPE_MASK);
		if (t == VNL_STATS_A_PAD)
			continue;
		if (t < VNL_STATS_A_RX_PACKETS || t > VNL_STATS_A_MAX)
			BAD("VNL_A_STATS: attribute type %u", t);
		if (seen & (1u << t))
			BAD("VNL_A_STATS: attribute %u twice", t);
		seen |= 1u << t;
		if (t == VNL_STATS_A_DROPS) {
			if (!check_drops(nla, why, whysz))
				return false;
		} else if (A_LEN(nla) != 8) {
			BAD("VNL_A_STATS: counter %u of %zu bytes", t, A_LEN(nla));
		}
	}
	if (it.bad)
		BAD("VNL_A_STATS: attributes overrun the nest");
	if (seen != ((1u << (VNL_STATS_A_MAX + 1)) - (1u << VNL_STATS_A_RX_PACKETS)))
		BAD("VNL_A_STATS: counters missing (seen 0x%x)", seen);
	return true;
}

static inline bool check_macaddrs(const struct nlattr *nest, struct fz_dev *d,
			   char *why, size_t whysz)
{
	const struct nlattr *nla;
	unsigned int i;
	struct it it;

	d->nsrc = 0;
	it_init(&it, A_DATA(nest), A_LEN(nest));
	while ((nla = it_next(&it))) {
		if (nla->nla_type != VNL_MACADDR_A_ADDRESS || A_LEN(nla) != ETH_ALEN)
			BAD("VNL_A_MACADDR_LIST: attribute %u of %zu bytes",
			    nla->nla_type, A_LEN(nla));
		if (!valid_unicast(A_DATA(nla)))
			BAD("VNL_A_MACADDR_LIST: an address that is not unicast");
		if (d->nsrc == VNL_MACADDR_MAX)
			BAD("VNL_A_MACADDR_LIST: more than %d addresses", VNL_MACADDR_MAX);
		for (i = 0; i < d->nsrc; i++)
			if (!memcmp(d->src[i], A_DATA(nla), ETH_ALEN))
				BAD("VNL_A_MACADDR_LIST: an address listed twice");
		memcpy(d->src[d->nsrc++], A_DATA(nla), ETH_ALEN);
	}
	if (it.bad)
		BAD("VNL_A_MACADDR_LIST: attributes overrun the nest");
	return true;
}

/* One device's description (LINK_GET, LINK_NEW, dumps, events). */
static inline bool check_link(const void *attrs, size_t len, struct fz_dev *d,
		       char *why, size_t whysz)
{
	const struct nlattr *nla;
	uint64_t seen = 0;
	unsigned int t;
	uint32_t v;
	struct it it;

	memset(d, 0, sizeof(*d));
	it_init(&it, attrs, len);
	while ((nla = it_next(&it))) {
		t = nla->nla_type & NLA_TYPE_MASK;
		if (t == 0 || t > VNL_A_MAX)
			BAD("attribute type %u", t);
		/* nla_nest_start() flags nests; nothing else is flagged */
		if ((nla->nla_type & ~NLA_TYPE_MASK) !=
		    (t == VNL_A_PEER || t == VNL_A_STATS || t == VNL_A_MACADDR_LIST ?
		     NLA_F_NESTED : 0))
			BAD("attribute %u with flags 0x%x", t, nla->nla_type & ~NLA_TYPE_MASK);
		if (t == VNL_A_PAD) {
			if (A_LEN(nla))
				BAD("VNL_A_PAD of %zu bytes", A_LEN(nla));
			continue;
		}
		if (seen & (1ull << t))
			BAD("attribute %u twice", t);
		seen |= 1ull << t;
		switch (t) {
		case VNL_A_IFINDEX:
		case VNL_A_KIND:
		case VNL_A_MTU:
		case VNL_A_TUN_FLAGS:
		case VNL_A_TUN_QUEUES:
		case VNL_A_TUN_OWNER:
		case VNL_A_TUN_GROUP:
		case VNL_A_PARENT_IFINDEX:
		case VNL_A_PARENT_NETNSID:
		case VNL_A_MACVLAN_MODE:
		case VNL_A_BC_QUEUE_LEN:
		case VNL_A_BC_QUEUE_LEN_USED:
		case VNL_A_TAP_FACE:
			if (A_LEN(nla) != 4)
				BAD("u32 attribute %u of %zu bytes", t, A_LEN(nla));
			v = get_u32(nla);
			if (t == VNL_A_IFINDEX && !v)
				BAD("VNL_A_IFINDEX 0");
			if (t == VNL_A_KIND && (v < VNL_KIND_PAIR || v > VNL_KIND_MAX))
				BAD("VNL_A_KIND %u", v);
			if (t == VNL_A_MTU && (v < 68 || v > 65535))
				BAD("VNL_A_MTU %u", v);
			if (t == VNL_A_TUN_QUEUES && v > 8)
				BAD("VNL_A_TUN_QUEUES %u", v);
			if (t == VNL_A_PARENT_IFINDEX && !v)
				BAD("VNL_A_PARENT_IFINDEX 0");
			if (t == VNL_A_MACVLAN_MODE &&
			    (v < VNL_MACVLAN_MODE_PRIVATE || v > VNL_MACVLAN_MODE_MAX))
				BAD("VNL_A_MACVLAN_MODE %u", v);
			if ((t == VNL_A_BC_QUEUE_LEN || t == VNL_A_BC_QUEUE_LEN_USED) &&
			    v > VNL_BC_QUEUE_LEN_MAX)
				BAD("broadcast queue length %u of attribute %u", v, t);
			/* What LINK_NEW accepted: a tap, one queue or many. */
			if (t == VNL_A_TAP_FACE &&
			    v != IFF_TAP && v != (IFF_TAP | IFF_MULTI_QUEUE))
				BAD("VNL_A_TAP_FACE 0x%x", v);
			if (t == VNL_A_TAP_FACE)
				d->tap_face = v;
			if (t == VNL_A_IFINDEX)
				d->ifindex = v;
			else if (t == VNL_A_KIND)
				d->kind = v;
			else if (t == VNL_A_MTU)
				d->mtu = v;
			else if (t == VNL_A_PARENT_IFINDEX)
				d->parent_ifindex = v;
			else if (t == VNL_A_MACVLAN_MODE)
				d->mode = v;
			else if (t == VNL_A_BC_QUEUE_LEN)
				d->bc_queue_len = v;
			else if (t == VNL_A_PARENT_NETNSID)
				d->has_parent_netnsid = true;
			else if (t == VNL_A_TUN_QUEUES)
				d->tun_queues = v;
			else if (t == VNL_A_TUN_OWNER)
				d->tun_owner = v, d->has_tun_owner = true;
			else if (t == VNL_A_TUN_GROUP)
				d->tun_group = v, d->has_tun_group = true;
			if (t == VNL_A_TUN_FLAGS &&
			    (v & ~(IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE |
				   IFF_NAPI | IFF_PERSIST | IFF_VNET_HDR)))
				BAD("VNL_A_TUN_FLAGS 0x%x", v);
			if (t == VNL_A_TUN_FLAGS)
				d->tun_flags = v;
			break;
		case VNL_A_IFNAME:
			if (!check_str(nla, IFNAMSIZ - 1, true, d->name, IFNAMSIZ))
				BAD("VNL_A_IFNAME: not an interface name");
			break;
		case VNL_A_PARENT_IFNAME:
			if (!check_str(nla, IFNAMSIZ - 1, true, d->parent_name, IFNAMSIZ))
				BAD("VNL_A_PARENT_IFNAME: not an interface name");
			break;
		case VNL_A_ADDRESS:
			if (A_LEN(nla) != ETH_ALEN)
				BAD("VNL_A_ADDRESS of %zu bytes", A_LEN(nla));
			memcpy(d->mac, A_DATA(nla), ETH_ALEN);
			d->has_mac = true;
			break;
		case VNL_A_UP:
		case VNL_A_CARRIER:
			if (A_LEN(nla) != 1 || *A_DATA(nla) > 1)
				BAD("u8 flag %u of %zu bytes or not 0/1", t, A_LEN(nla));
			if (t == VNL_A_UP)
				d->up = *A_DATA(nla);
			else
				d->carrier = *A_DATA(nla);
			break;
		case VNL_A_BC_DROPS:
			if (A_LEN(nla) != 8)
				BAD("VNL_A_BC_DROPS of %zu bytes", A_LEN(nla));
			break;
		case VNL_A_PEER:
			if (!check_peer(nla, d, why, whysz))
				return false;
			break;
		case VNL_A_STATS:
			if (!check_stats(nla, why, whysz))
				return false;
			break;
		case VNL_A_MACADDR_LIST:
			if (!check_macaddrs(nla, d, why, whysz))
				return false;
			break;
		default:
			BAD("attribute %u does not belong in a device's description", t);
		}
	}
	if (it.bad)
		BAD("attributes overrun the message");

#define HAS(t)	(!!(seen & (1ull << (t))))
	if (!HAS(VNL_A_IFINDEX) || !HAS(VNL_A_IFNAME) || !HAS(VNL_A_KIND) ||
	    !HAS(VNL_A_MTU) || !HAS(VNL_A_UP) || !HAS(VNL_A_CARRIER) ||
	    !HAS(VNL_A_STATS))
		BAD("a mandatory attribute is missing (seen 0x%llx)",
		    (unsigned long long)seen);
	if (HAS(VNL_A_ADDRESS) != (d->kind != VNL_KIND_TUN))
		BAD("VNL_A_ADDRESS %s for kind %u", HAS(VNL_A_ADDRESS) ? "present" : "absent", d->kind);
	if (HAS(VNL_A_PEER) && d->kind != VNL_KIND_PAIR)
		BAD("VNL_A_PEER on kind %u", d->kind);
	/* A macvlan child's tap face has a tap's attributes too. */
	if ((d->kind == VNL_KIND_TUN || d->kind == VNL_KIND_TAP ||
	     HAS(VNL_A_TAP_FACE)) !=
	    (HAS(VNL_A_TUN_FLAGS) && HAS(VNL_A_TUN_QUEUES)))
		BAD("VNL_A_TUN_FLAGS/QUEUES do not match kind %u", d->kind);
	if (HAS(VNL_A_TAP_FACE) && d->kind != VNL_KIND_MACVLAN)
		BAD("VNL_A_TAP_FACE on kind %u", d->kind);
	/* A face's files are a tap's, multi-queue as the face; it never
	 * persists (TUNSETPERSIST 1 changes nothing) and drops IFF_NAPI.
	 */
	if (HAS(VNL_A_TAP_FACE) &&
	    ((d->tun_flags & (IFF_TUN | IFF_TAP)) != IFF_TAP ||
	     (d->tun_flags & IFF_MULTI_QUEUE) != (d->tap_face & IFF_MULTI_QUEUE) ||
	     (d->tun_flags & (IFF_PERSIST | IFF_NAPI))))
		BAD("tap face 0x%x with VNL_A_TUN_FLAGS 0x%x", d->tap_face, d->tun_flags);
	if (d->kind == VNL_KIND_TUN &&
	    (d->tun_flags & (IFF_TUN | IFF_TAP)) != IFF_TUN)
		BAD("tun with VNL_A_TUN_FLAGS 0x%x", d->tun_flags);
	if (d->kind == VNL_KIND_TAP &&
	    (d->tun_flags & (IFF_TUN | IFF_TAP)) != IFF_TAP)
		BAD("tap with VNL_A_TUN_FLAGS 0x%x", d->tun_flags);
	if ((HAS(VNL_A_TUN_OWNER) || HAS(VNL_A_TUN_GROUP)) &&
	    d->kind != VNL_KIND_TUN && d->kind != VNL_KIND_TAP && !HAS(VNL_A_TAP_FACE))
		BAD("VNL_A_TUN_OWNER/GROUP on kind %u without a tap face", d->kind);
	if (d->kind == VNL_KIND_MACVLAN) {
		if (!HAS(VNL_A_PARENT_IFINDEX) || !HAS(VNL_A_MACVLAN_MODE) ||
		    !HAS(VNL_A_BC_DROPS) || !HAS(VNL_A_BC_QUEUE_LEN) ||
		    !HAS(VNL_A_BC_QUEUE_LEN_USED))
			BAD("macvlan child without its parent, mode, drops or queue lengths");
		/* As a peer's name: absent only for a parent abroad. */
		if (!HAS(VNL_A_PARENT_IFNAME) && !HAS(VNL_A_PARENT_NETNSID))
			BAD("macvlan child with a parent in its netns but no name");
		if (HAS(VNL_A_MACADDR_LIST) != (d->mode == VNL_MACVLAN_MODE_SOURCE))
			BAD("VNL_A_MACADDR_LIST %s in mode %u",
			    HAS(VNL_A_MACADDR_LIST) ? "present" : "absent", d->mode);
	} else if (HAS(VNL_A_PARENT_IFINDEX) || HAS(VNL_A_PARENT_IFNAME) ||
		   HAS(VNL_A_PARENT_NETNSID) || HAS(VNL_A_MACVLAN_MODE) ||
		   HAS(VNL_A_BC_DROPS) || HAS(VNL_A_MACADDR_LIST) ||
		   HAS(VNL_A_BC_QUEUE_LEN) || HAS(VNL_A_BC_QUEUE_LEN_USED)) {
		BAD("macvlan attributes on kind %u", d->kind);
	}
#undef HAS
	return true;
}

static inline bool check_version(const void *attrs, size_t len, char *why, size_t whysz)
{
	const struct nlattr *nla;
	bool found = false;
	struct it it;

	it_init(&it, attrs, len);
	while ((nla = it_next(&it))) {
		if (nla->nla_type != VNL_A_VERSION || found)
			BAD("GET_VERSION reply: attribute %u", nla->nla_type);
		if (!check_str(nla, 64, false, NULL, 0))
			BAD("VNL_A_VERSION is not a printable NUL-terminated string");
		found = true;
	}
	if (it.bad || !found)
		BAD("GET_VERSION reply: attributes malformed or VNL_A_VERSION missing");
	return true;
}

/* Any well-formed attribute run, nests followed where flagged. */
static inline bool check_tree(const void *p, size_t len, int depth)
{
	const struct nlattr *nla;
	struct it it;

	if (depth > 16)
		return false;
	it_init(&it, p, len);
	while ((nla = it_next(&it)))
		if ((nla->nla_type & NLA_F_NESTED) &&
		    !check_tree(A_DATA(nla), A_LEN(nla), depth + 1))
			return false;
	return !it.bad;
}

#undef BAD

/* Each case's counters, mapped shared before the harness forks a child per
 * case, so that the harness's own process (fz_harness_pid) can add them up
 * at its exit, a case that failed half-way included.
 */
enum { CASE_PRIVILEGED, CASE_UNPRIVILEGED, CASE_N };
static pid_t fz_harness_pid;

static inline void *fz_map_cases(size_t size, const char *prog)
{
	void *p = mmap(NULL, CASE_N * size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "%s: mmap of the counters: %s\n", prog, strerror(errno));
		exit(KSFT_FAIL);
	}
	fz_harness_pid = getpid();
	return p;
}

#endif /* FUZZ_CHECK_H */
