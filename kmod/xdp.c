// SPDX-License-Identifier: GPL-2.0
/*
 * Native XDP on pair ends.  Without a program, an end hands what it sends
 * to the CPU backlog of its peer (pair.c:__vnl_pair_xmit).  A program
 * attached to an end runs on what that end receives, before any skb
 * reaches its stack, as a NIC driver runs one in its receive path:
 *
 *   the peer's transmit              a program elsewhere redirected
 *   (pair.c, vnl_xdp_enqueue_skb)    frames to the peer, or the peer's
 *              \                     own XDP_TX (vnl_xdp_send)
 *               \                   /
 *                +--> this end's ring
 *                         |
 *                  vnl_xdp_poll (NAPI, softirq): the program runs
 *                         |                              (vnl_xdp_run)
 *     PASS: napi_gro_receive    TX: the peer's ring    REDIRECT: the core
 *     DROP, ABORTED: freed, counted as drops with their reason
 *
 * Why NAPI: a program runs where a driver's receive runs, in softirq, on
 * one CPU at a time per ring, in batches that end with one flush of the
 * redirects (xdp_do_flush) and one of the XDP_TX frames; GRO merges what
 * passes.  Each end's ring and NAPI exist while it is up, program or not,
 * so that frames redirected into a vnl end always reach its peer (veth
 * needs a program or GRO on the peer for that).
 *
 * Who owns a frame: an skb from the peer stays an skb until a program is
 * to run on it; then its bytes are copied to a page fragment with XDP's
 * headroom in front (vnl_xdp_copy), the fragment is the frame and the
 * skb is freed once the verdict is known.  An XDP frame (struct xdp_frame)
 * belongs to whoever allocated its memory, which its memory type names,
 * until it is given back, built into an skb or sent on.
 *
 * tun and tap devices run a program too, tun's way: on each frame a
 * program writes to /dev/vnl, in write() itself, before the stack sees
 * it (vnl_xdp_tun_rx, from tun.c:vnl_tun_deliver).  There XDP_TX queues
 * the frame back for read() on the writer's own file, and a frame
 * redirected to a tap (ndo_xdp_xmit, vnl_xdp_tun_xmit) is queued for
 * read() as the stack's frames are.
 */
#include <linux/bpf.h>
#include <linux/bpf_trace.h>
#include <linux/filter.h>

#include "vnl.h"
#include "trace.h"

/* Slots in an end's ring, as veth has: what one poll's budget drains
 * about four times over.
 */
#define VNL_XDP_RING_SIZE 256
/* XDP_TX frames gathered before they go to the peer's ring together. */
#define VNL_XDP_TX_BULK 16

/* A ring slot holds an sk_buff, or an XDP frame with the low bit of its
 * pointer set (both are at least word-aligned).
 */
#define VNL_XDP_FRAME_BIT 0x1UL

/* One run's state (a pair end's poll, a tun/tap's write): the program,
 * and what must be flushed when the run ends.
 */
struct vnl_xdp_batch {
	struct net_device *dev;
	struct vnl_xdp *x;
	struct bpf_prog *prog;
	bool redirected;
	/* tun/tap: XDP_TX goes back to this queue (the writer's file),
	 * with the protocol the written frame had.
	 */
	bool tun;
	u16 queue;
	__be16 proto;
	/* pair: XDP_TX frames, for the peer's ring */
	int ntx;
	struct xdp_frame *tx[VNL_XDP_TX_BULK];
};

static void *vnl_xdp_frame_to_ptr(struct xdp_frame *frame)
{
	return (void *)((unsigned long)frame | VNL_XDP_FRAME_BIT);
}

static bool vnl_xdp_ptr_is_frame(const void *ptr)
{
	return (unsigned long)ptr & VNL_XDP_FRAME_BIT;
}

static struct xdp_frame *vnl_xdp_ptr_to_frame(void *ptr)
{
	return (void *)((unsigned long)ptr & ~VNL_XDP_FRAME_BIT);
}

static struct vnl_xdp *vnl_xdp_of(struct net_device *dev)
{
	struct vnl_dev *vnl = netdev_priv(dev);

	return &vnl->xdp;
}

/* The EtherType of a frame, for the drop counters and events. */
static __be16 vnl_xdp_proto(const void *data, unsigned int len)
{
	const struct ethhdr *eth = data;

	return len >= ETH_HLEN ? eth->h_proto : 0;
}

static unsigned int vnl_xdp_len(const struct xdp_buff *xdp)
{
	return xdp->data_end - xdp->data;
}

/* The receive queue's memory type while a program runs on the end's own
 * page fragments: what xdp_return_buff() and the conversion to an XDP
 * frame read to know how the memory goes back.
 */
static void vnl_xdp_own_mem(struct vnl_xdp *x)
{
	x->rxq.mem.type = MEM_TYPE_PAGE_SHARED;
	x->rxq.mem.id = 0;
}

/* Count the drop of an XDP frame and give it back to its allocator.
 * @rx: on the receive side of @dev.
 */
static void vnl_xdp_drop_frame(struct net_device *dev,
			       struct xdp_frame *frame,
			       enum vnl_drop_reason why, bool rx)
{
	vnl_drop_count(dev, frame->len, vnl_xdp_proto(frame->data, frame->len),
		       why, rx);
	xdp_return_frame(frame);
}

/* Put frames that @dev sends on its peer's ring, in order, until one
 * does not fit, and wake the peer's NAPI; return how many went.  The
 * others are counted as drops here; the caller gives them back.  Under
 * RCU, bottom halves off: every producer of a ring is, so its plain
 * spinlock is enough.
 */
static int vnl_xdp_send(struct net_device *dev, struct xdp_frame **frames,
			int n)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer = rcu_dereference(vnl->peer);
	unsigned int max_len = 0;
	struct vnl_xdp *px = NULL;
	int i = 0, j;

	if (likely(peer)) {
		px = vnl_xdp_of(peer);
		/* Pairs with vnl_xdp_start(): the ring is ready. */
		if (!smp_load_acquire(&px->running))
			px = NULL;
	}
	if (unlikely(!px))
		goto unsent;

	/* What the peer could receive from a wire, as for an skb. */
	max_len = peer->mtu + peer->hard_header_len + VLAN_HLEN;
	spin_lock(&px->ring.producer_lock);
	for (; i < n; i++) {
		if (unlikely(frames[i]->len > max_len ||
			     __ptr_ring_produce(&px->ring,
						vnl_xdp_frame_to_ptr(frames[i]))))
			break;
		vnl_dev_count_tx(dev, frames[i]->len);
		vnl_dev_count_rx(peer, frames[i]->len);
	}
	spin_unlock(&px->ring.producer_lock);
	if (i)
		napi_schedule(&px->napi);

unsent:
	for (j = i; j < n; j++) {
		unsigned int len = frames[j]->len;
		__be16 proto = vnl_xdp_proto(frames[j]->data, len);

		if (!px)
			vnl_drop_count(dev, len, proto, VNL_DROP_PEER_DOWN, false);
		else if (len > max_len)
			vnl_drop_count(dev, len, proto, VNL_DROP_TOO_BIG, false);
		else
			vnl_drop_count(peer, len, proto, VNL_DROP_RING_FULL, true);
	}
	return i;
}

/* ndo_xdp_xmit: a program elsewhere redirected @n frames to @dev, which
 * sends them: they cross to its peer's ring.  Called from the redirecting
 * driver's flush (xdp_do_flush), in softirq, under RCU.
 */
int vnl_xdp_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		 u32 flags)
{
	int sent;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;

	/* XDP_XMIT_FLUSH asks for the doorbell: the peer's NAPI is woken
	 * for every batch anyway.
	 */
	sent = vnl_xdp_send(dev, frames, n);
	vnl_dev_count_xdp(dev, VNL_XDP_XMIT, sent);
	vnl_compat_xdp_xmit_unsent(frames + sent, n - sent);
	return sent;
}

/* The XDP_TX frames of one poll leave together: back out of this end,
 * that is into its peer's ring.
 */
static void vnl_xdp_flush_tx(struct vnl_xdp_batch *b)
{
	int sent = vnl_xdp_send(b->dev, b->tx, b->ntx);

	while (sent < b->ntx)
		xdp_return_frame(b->tx[sent++]);
	b->ntx = 0;
}

/* Run the end's program on one frame; an unknown verdict is XDP_ABORTED.
 * The kernels before 5.17 WARN on an unknown verdict: vnl does not let a
 * program splat there, it counts and traces it like XDP_ABORTED.
 */
static u32 vnl_xdp_run(struct vnl_xdp_batch *b, struct xdp_buff *xdp)
{
	u32 act = bpf_prog_run_xdp(b->prog, xdp);

	switch (act) {
	case XDP_PASS:
	case XDP_TX:
	case XDP_REDIRECT:
	case XDP_DROP:
		break;
	default:
		vnl_compat_warn_xdp_action(b->dev, b->prog, act);
		fallthrough;
	case XDP_ABORTED:
		trace_xdp_exception(b->dev, b->prog, act);
		act = XDP_ABORTED;
	}
	trace_vnl_xdp(b->dev, vnl_xdp_len(xdp),
		      vnl_xdp_proto(xdp->data, vnl_xdp_len(xdp)), act);
	return act;
}

static enum vnl_drop_reason vnl_xdp_drop_reason(u32 act)
{
	return act == XDP_DROP ? VNL_DROP_XDP_DROP : VNL_DROP_XDP_ABORTED;
}

/* An skb around one of our buffers, as the program left it, its data at
 * the frame's first byte; NULL without memory (the buffer is still ours).
 */
static struct sk_buff *vnl_xdp_build_skb(struct xdp_buff *xdp)
{
	unsigned int metalen = xdp->data - xdp->data_meta;
	struct sk_buff *skb;

	skb = vnl_compat_napi_build_skb(xdp->data_hard_start, xdp->frame_sz);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, xdp->data - xdp->data_hard_start);
	__skb_put(skb, vnl_xdp_len(xdp));
	skb_reset_mac_header(skb);
	if (metalen)
		skb_metadata_set(skb, metalen);
	return skb;
}

/* XDP_TX on a tun/tap: the frame goes back to the writer's own file, to be
 * read, as the stack's frames are queued (tun.c:vnl_tun_enqueue, which
 * counts what it cannot queue).  Returns 0, or why it could not go.
 */
static enum vnl_drop_reason vnl_xdp_tun_tx(struct vnl_xdp_batch *b,
					   struct xdp_buff *xdp)
{
	struct sk_buff *skb = vnl_xdp_build_skb(xdp);

	if (unlikely(!skb))
		return VNL_DROP_NOMEM;
	skb->protocol = b->proto;
	vnl_dev_count_xdp(b->dev, VNL_XDP_TX, 1);
	vnl_tun_enqueue(b->dev, skb, b->queue, false);
	return 0;
}

/* XDP_TX and XDP_REDIRECT: the buffer leaves as an XDP frame.  The receive
 * queue's memory type must be the buffer's (vnl_xdp_own_mem, or the
 * frame's): the frame takes it along.  Returns 0, or why the buffer
 * could not leave: the caller then gives it back.
 */
static enum vnl_drop_reason vnl_xdp_send_on(struct vnl_xdp_batch *b,
					    struct xdp_buff *xdp, u32 act)
{
	struct xdp_frame *frame;

	if (act == XDP_REDIRECT) {
		/* The core queues it for its target (a device's
		 * ndo_xdp_xmit, a CPU, an AF_XDP socket) until
		 * xdp_do_flush() at the end of the poll.
		 */
		if (unlikely(xdp_do_redirect(b->dev, xdp, b->prog)))
			return VNL_DROP_XDP_REDIRECT_ERR;
		b->redirected = true;
		vnl_dev_count_xdp(b->dev, VNL_XDP_REDIRECT, 1);
		return 0;
	}

	if (b->tun)
		return vnl_xdp_tun_tx(b, xdp);

	/* The frame's description goes in its own headroom, which a
	 * program may have taken with bpf_xdp_adjust_head().
	 */
	frame = xdp_convert_buff_to_frame(xdp);
	if (unlikely(!frame)) {
		trace_xdp_exception(b->dev, b->prog, act);
		return VNL_DROP_XDP_TX_ERR;
	}
	if (b->ntx == VNL_XDP_TX_BULK)
		vnl_xdp_flush_tx(b);
	b->tx[b->ntx++] = frame;
	vnl_dev_count_xdp(b->dev, VNL_XDP_TX, 1);
	return 0;
}

/* Hand a frame to the end's stack, through GRO. */
static void vnl_xdp_deliver(struct vnl_xdp_batch *b, struct sk_buff *skb)
{
	napi_gro_receive(&b->x->napi, skb);
}

/* An XDP frame from the ring: the program runs on it where it lies, then
 * whatever passes is built into an skb around the same memory.
 */
static void vnl_xdp_rx_frame(struct vnl_xdp_batch *b, struct xdp_frame *frame)
{
	enum vnl_drop_reason why;
	struct sk_buff *skb;
	struct xdp_buff xdp;
	u32 act;

	if (b->prog) {
		xdp_convert_frame_to_buff(frame, &xdp);
		xdp.rxq = &b->x->rxq;
		vnl_compat_xdp_rxq_mem_of(&b->x->rxq, frame);

		act = vnl_xdp_run(b, &xdp);
		switch (act) {
		case XDP_PASS:
			/* The helpers keep a program's changes inside the
			 * buffer, so this cannot fail; if it did, the skb
			 * would be built over a wrong frame.
			 */
			if (unlikely(xdp_update_frame_from_buff(&xdp, frame))) {
				vnl_xdp_drop_frame(b->dev, frame,
						   VNL_DROP_XDP_ABORTED, true);
				return;
			}
			vnl_dev_count_xdp(b->dev, VNL_XDP_PASS, 1);
			break;
		case XDP_TX:
		case XDP_REDIRECT:
			/* On failure the frame's memory is still the
			 * frame's (a conversion rewrites its description
			 * in place): give the frame back.
			 */
			why = vnl_xdp_send_on(b, &xdp, act);
			if (why)
				vnl_xdp_drop_frame(b->dev, frame, why, true);
			return;
		default:
			vnl_xdp_drop_frame(b->dev, frame,
					   vnl_xdp_drop_reason(act), true);
			return;
		}
	}

	skb = vnl_compat_xdp_frame_skb(frame, b->dev);
	if (unlikely(!skb)) {
		vnl_xdp_drop_frame(b->dev, frame, VNL_DROP_NOMEM, true);
		return;
	}
	trace_vnl_pair_rx(b->dev, skb, -1);
	vnl_xdp_deliver(b, skb);
}

/* Copy an skb's bytes, Ethernet header first, to a page fragment with
 * XDP's headroom in front and room for an skb's shared info behind: a
 * buffer a program may grow at both ends, that can become an XDP frame
 * or an skb's head.  A partial checksum is finished first, so that the
 * program and whoever gets the frame see the bytes a wire would carry.
 * Returns false if the skb was dropped.
 */
static bool vnl_xdp_copy(struct vnl_xdp_batch *b, struct sk_buff *skb,
			 struct xdp_buff *xdp)
{
	unsigned int len, size;
	void *buf;

	__skb_push(skb, skb->data - skb_mac_header(skb));
	len = skb->len;
	size = SKB_DATA_ALIGN(VNL_XDP_HEADROOM + len) +
	       SKB_DATA_ALIGN(sizeof(struct skb_shared_info));

	/* Sent before the program came: the MTU and the peer's GSO are
	 * limited from then on (vnl_xdp_set_prog).
	 */
	if (unlikely(size > PAGE_SIZE || skb_is_gso(skb))) {
		vnl_drop_rx(b->dev, skb, VNL_DROP_TOO_BIG);
		return false;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		vnl_drop_rx(b->dev, skb, VNL_DROP_NOMEM);
		return false;
	}
	buf = napi_alloc_frag(size);
	if (unlikely(!buf)) {
		vnl_drop_rx(b->dev, skb, VNL_DROP_NOMEM);
		return false;
	}
	skb_copy_bits(skb, 0, buf + VNL_XDP_HEADROOM, len);

	vnl_xdp_own_mem(b->x);
	vnl_compat_xdp_prepare(xdp, &b->x->rxq, buf, VNL_XDP_HEADROOM, len,
			       size);
	return true;
}

/* XDP_PASS of a copy: the skb built around the buffer replaces @skb.  Of
 * the old skb's metadata it keeps the mark and priority (zero if it
 * crossed netns: __dev_forward_skb scrubbed them).
 */
static struct sk_buff *vnl_xdp_pass_copy(struct vnl_xdp_batch *b,
					 struct sk_buff *skb,
					 struct xdp_buff *xdp)
{
	struct sk_buff *nskb = vnl_xdp_build_skb(xdp);

	if (unlikely(!nskb)) {
		skb_free_frag(xdp->data_hard_start);
		vnl_drop_rx(b->dev, skb, VNL_DROP_NOMEM);
		return NULL;
	}
	nskb->mark = skb->mark;
	nskb->priority = skb->priority;
	consume_skb(skb);
	vnl_dev_count_xdp(b->dev, VNL_XDP_PASS, 1);
	return nskb;
}

/* The program on a copy of @skb's bytes: returns the skb to deliver,
 * data at the frame's first byte, or NULL if the program sent the frame
 * elsewhere or it was dropped.
 */
static struct sk_buff *vnl_xdp_run_copy(struct vnl_xdp_batch *b,
					struct sk_buff *skb)
{
	enum vnl_drop_reason why;
	struct xdp_buff xdp;
	unsigned int len;
	__be16 proto;
	u32 act;

	if (!vnl_xdp_copy(b, skb, &xdp))
		return NULL;

	act = vnl_xdp_run(b, &xdp);
	switch (act) {
	case XDP_PASS:
		return vnl_xdp_pass_copy(b, skb, &xdp);
	case XDP_TX:
	case XDP_REDIRECT:
		consume_skb(skb);
		len = vnl_xdp_len(&xdp);
		proto = vnl_xdp_proto(xdp.data, len);
		why = vnl_xdp_send_on(b, &xdp, act);
		if (why) {
			skb_free_frag(xdp.data_hard_start);
			vnl_drop_count(b->dev, len, proto, why, true);
		}
		break;
	default:
		skb_free_frag(xdp.data_hard_start);
		vnl_drop_rx(b->dev, skb, vnl_xdp_drop_reason(act));
	}
	return NULL;
}

/* An skb from the peer's transmit (vnl_xdp_enqueue_skb): already made
 * this end's by __dev_forward_skb.  Without a program (detached since it
 * was queued) it goes straight up.
 */
static void vnl_xdp_rx_skb(struct vnl_xdp_batch *b, struct sk_buff *skb)
{
	if (b->prog) {
		skb = vnl_xdp_run_copy(b, skb);
		if (!skb)
			return;
		skb->protocol = eth_type_trans(skb, b->dev);
	}
	vnl_xdp_deliver(b, skb);
}

/* The NAPI poll: up to @budget frames from the ring.  Redirects and XDP_TX
 * frames are flushed before the poll returns, as the core requires.  A
 * producer that queues a frame while this poll is finishing finds the
 * NAPI still scheduled; napi_complete_done() then sees its mark
 * (NAPIF_STATE_MISSED) and schedules another poll.
 */
static int vnl_xdp_poll(struct napi_struct *napi, int budget)
{
	struct vnl_xdp *x = container_of(napi, struct vnl_xdp, napi);
	struct vnl_xdp_batch b = { .dev = napi->dev, .x = x };
	int done = 0;
	void *ptr;

	rcu_read_lock();
	b.prog = rcu_dereference(x->prog);
	/* Frames given back here may belong to another NAPI's page pool,
	 * which only that NAPI may refill directly.
	 */
	xdp_set_return_frame_no_direct();
	while (done < budget && (ptr = __ptr_ring_consume(&x->ring))) {
		if (vnl_xdp_ptr_is_frame(ptr))
			vnl_xdp_rx_frame(&b, vnl_xdp_ptr_to_frame(ptr));
		else
			vnl_xdp_rx_skb(&b, ptr);
		done++;
	}
	if (b.redirected)
		xdp_do_flush();
	if (b.ntx)
		vnl_xdp_flush_tx(&b);
	xdp_clear_return_frame_no_direct();
	rcu_read_unlock();

	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/* Does the end take skbs from its peer through its ring?  Only while it
 * is up and has a program: otherwise the backlog is cheaper.  RCU.
 */
bool vnl_xdp_takes_skb(struct net_device *dev)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);

	/* Pairs with vnl_xdp_start(): the ring is ready. */
	return smp_load_acquire(&x->running) && rcu_access_pointer(x->prog);
}

/* Queue an skb the peer sent (pair.c, after vnl_xdp_takes_skb() said yes,
 * in the same RCU section) for the program.  @len: its length on the
 * wire, for the counters.
 */
void vnl_xdp_enqueue_skb(struct net_device *dev, struct sk_buff *skb,
			 unsigned int len)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);

	if (unlikely(ptr_ring_produce(&x->ring, skb))) {
		vnl_drop_rx(dev, skb, VNL_DROP_RING_FULL);
		return;
	}
	vnl_dev_count_rx(dev, len);
	napi_schedule(&x->napi);
}

/* Frames in the ring when the end goes down, or that a producer racing
 * with the stop put there after it: dropped, counted as left unread.
 */
static void vnl_xdp_purge(struct net_device *dev, struct vnl_xdp *x)
{
	void *ptr;

	while ((ptr = __ptr_ring_consume(&x->ring))) {
		if (vnl_xdp_ptr_is_frame(ptr))
			vnl_xdp_drop_frame(dev, vnl_xdp_ptr_to_frame(ptr),
					   VNL_DROP_UNREAD, true);
		else
			vnl_drop_rx(dev, ptr, VNL_DROP_UNREAD);
	}
}

/* A pair end's ring lives as long as the end (ndo_init to ndo_uninit):
 * a producer that saw the end running may still fill it after the end
 * went down, and only unregistering waits for every producer (a grace
 * period between ndo_stop and ndo_uninit).  RTNL.
 */
int vnl_xdp_pair_init(struct net_device *dev)
{
	return ptr_ring_init(&vnl_xdp_of(dev)->ring, VNL_XDP_RING_SIZE,
			     GFP_KERNEL);
}

void vnl_xdp_pair_uninit(struct net_device *dev)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);

	vnl_xdp_purge(dev, x);
	ptr_ring_cleanup(&x->ring, NULL);
}

/* ndo_open: the NAPI comes to life, program or not.  RTNL. */
int vnl_xdp_start(struct net_device *dev)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);
	int err;

	/* Late frames of the last time it was up. */
	vnl_xdp_purge(dev, x);
	vnl_compat_napi_add(dev, &x->napi, vnl_xdp_poll);
	napi_enable(&x->napi);
	/* After napi_enable(): newer kernels give the NAPI its id there. */
	err = vnl_compat_xdp_rxq_reg(&x->rxq, dev, x->napi.napi_id);
	if (err)
		goto err_napi;
	err = xdp_rxq_info_reg_mem_model(&x->rxq, MEM_TYPE_PAGE_SHARED, NULL);
	if (err)
		goto err_rxq;

	/* Pairs with the producers' smp_load_acquire(): whoever sees the
	 * end running sees its ring ready.
	 */
	smp_store_release(&x->running, true);
	return 0;

err_rxq:
	xdp_rxq_info_unreg(&x->rxq);
err_napi:
	napi_disable(&x->napi);
	netif_napi_del(&x->napi);
	return err;
}

/* ndo_stop.  RTNL.  No grace period is waited for here (it would cost
 * every "ip link set down" one): a producer that saw the end running
 * may still add a frame after the purge; the next start or the uninit
 * counts it.  Its napi_schedule() finds the NAPI disabled and does
 * nothing.
 */
void vnl_xdp_stop(struct net_device *dev)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);

	WRITE_ONCE(x->running, false);
	napi_disable(&x->napi);
	vnl_xdp_purge(dev, x);

	/* The last frame may have left a foreign memory model here: the
	 * queue must unregister its own.
	 */
	vnl_xdp_own_mem(x);
	xdp_rxq_info_unreg(&x->rxq);
	netif_napi_del(&x->napi);
}

/* A frame written to a tun/tap's file @queue, built (tun.c), before the
 * stack sees it: the program runs on a copy of its bytes.  Returns the
 * skb to hand to the stack, data at the frame's first byte and its
 * headers to be set again, or NULL if the program sent the frame
 * elsewhere or it was dropped.  A frame that a buffer of one page cannot
 * hold (a GSO super-frame, more than the capped MTU) is dropped as
 * too_big: the program must see every frame.  In write(), under RCU,
 * bottom halves off.
 */
struct sk_buff *vnl_xdp_tun_rx(struct net_device *dev, struct sk_buff *skb,
			       u16 queue)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);
	struct vnl_xdp_batch b = {
		.dev = dev, .x = x, .tun = true, .queue = queue,
		.proto = skb->protocol,
	};
	struct vnl_compat_bpf_net_ctx ctx;

	b.prog = rcu_dereference(x->prog);
	if (!b.prog)
		return skb;

	vnl_compat_bpf_net_ctx_set(&ctx);
	skb = vnl_xdp_run_copy(&b, skb);
	if (b.redirected)
		xdp_do_flush();
	vnl_compat_bpf_net_ctx_clear(&ctx);
	return skb;
}

/* Does a program run on what is written to @dev's files?  RCU. */
bool vnl_xdp_tun_has_prog(struct net_device *dev)
{
	return rcu_access_pointer(vnl_xdp_of(dev)->prog);
}

/* ndo_xdp_xmit of a tap: a program elsewhere redirected frames to it;
 * they are queued for read() as the stack's frames are, each as an skb
 * around the frame's own memory.  A tun has none: a frame from an
 * Ethernet device's program is no IP packet.
 */
int vnl_xdp_tun_xmit(struct net_device *dev, int n, struct xdp_frame **frames,
		     u32 flags)
{
	int i, queued = 0;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;

	for (i = 0; i < n; i++) {
		struct sk_buff *skb = vnl_compat_xdp_frame_skb(frames[i], dev);

		if (unlikely(!skb)) {
			vnl_xdp_drop_frame(dev, frames[i], VNL_DROP_NOMEM,
					   false);
			continue;
		}
		/* Queued from the Ethernet header, as the stack sends. */
		__skb_push(skb, skb->data - skb_mac_header(skb));
		vnl_tun_enqueue(dev, skb, smp_processor_id(), false);
		queued++;
	}
	/* Every frame was taken: those without an skb are counted drops. */
	vnl_dev_count_xdp(dev, VNL_XDP_XMIT, queued);
	return n;
}

/* A tun/tap's receive queue, for the programs' context (one for the
 * device: its files are not told apart there).  ndo_init and ndo_uninit,
 * RTNL.
 */
int vnl_xdp_tun_init(struct net_device *dev)
{
	struct vnl_xdp *x = vnl_xdp_of(dev);
	int err;

	err = vnl_compat_xdp_rxq_reg(&x->rxq, dev, 0);
	if (err)
		return err;
	err = xdp_rxq_info_reg_mem_model(&x->rxq, MEM_TYPE_PAGE_SHARED, NULL);
	if (err)
		xdp_rxq_info_unreg(&x->rxq);
	return err;
}

void vnl_xdp_tun_uninit(struct net_device *dev)
{
	xdp_rxq_info_unreg(&vnl_xdp_of(dev)->rxq);
}

/* Attach, replace or detach the device's program (a pair end's, a
 * tun/tap's).  RTNL; the core holds a reference on @prog for us and we
 * drop the old program's.
 */
static int vnl_xdp_set_prog(struct net_device *dev, struct bpf_prog *prog,
			    struct netlink_ext_ack *extack)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct bpf_prog *old = rtnl_dereference(vnl->xdp.prog);
	struct net_device *peer = rtnl_dereference(vnl->peer);

	if (prog && dev->mtu > VNL_XDP_MAX_MTU) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MTU too large for XDP: a frame must fit in one page");
		return -ERANGE;
	}

	rcu_assign_pointer(vnl->xdp.prog, prog);
	if (old)
		bpf_prog_put(old);

	/* While a program runs here, frames must fit one page: the MTU
	 * is capped, and a pair's peer sends no GSO super-packets.
	 */
	if (!old != !prog) {
		if (prog) {
			vnl->xdp.max_mtu = dev->max_mtu;
			dev->max_mtu = VNL_XDP_MAX_MTU;
		} else {
			dev->max_mtu = vnl->xdp.max_mtu;
		}
		if (peer)
			netdev_update_features(peer);
	}
	return 0;
}

/* ndo_bpf: the core's XDP requests.  Zero-copy AF_XDP (an XSK pool) is
 * not offered: the core refuses it before it gets here, as vnl has no
 * ndo_xsk_wakeup.
 */
int vnl_xdp_bpf(struct net_device *dev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return vnl_xdp_set_prog(dev, bpf->prog, bpf->extack);
	default:
		return -EOPNOTSUPP;
	}
}

/* ndo_fix_features: no GSO toward a peer that runs a program.  RTNL. */
netdev_features_t vnl_xdp_fix_features(struct net_device *dev,
				       netdev_features_t features)
{
	struct vnl_dev *vnl = netdev_priv(dev);
	struct net_device *peer = rtnl_dereference(vnl->peer);

	if (peer && rtnl_dereference(vnl_xdp_of(peer)->prog))
		features &= ~NETIF_F_GSO_SOFTWARE;
	return features;
}
