// SPDX-License-Identifier: GPL-2.0
/*
 * Batches on /dev/vnl: many packets per read() and write().
 *
 * A file in batch mode (VNL_IOC_SET_BATCH) moves up to VNL_BATCH_MAX
 * packets per call, each as a record: a struct vnl_batch_hdr with the
 * payload's length, the payload (what one read() or write() without
 * batches would carry: packet information, vnet header, packet), and
 * padding up to the next multiple of VNL_BATCH_ALIGN.  The uapi header
 * (include/uapi/linux/vnl.h) is the contract; this file holds the framing
 * and leaves the packets to tun.c, so that a packet in a batch is read and
 * written, traced, counted and dropped exactly as a packet alone is.
 *
 * Context: read() and write(), process context, may sleep (the copies
 * may fault), with a reference on the device held by the caller
 * (chardev.c).  The file's queue is locked only while frames are taken
 * from it or put back, never across a copy.
 */
#include <linux/uio.h>

#include "vnl.h"
#include "trace.h"

/* The room a record takes in the buffer, padding included: records start
 * at multiples of VNL_BATCH_ALIGN, and the header is as long as that, so
 * every payload starts aligned too.
 */
static size_t vnl_batch_span(size_t len)
{
	return sizeof(struct vnl_batch_hdr) + ALIGN(len, VNL_BATCH_ALIGN);
}

/* VNL_IOC_SET_BATCH: the framing of this file, whatever it is attached
 * to.  An unknown bit refuses the request and changes nothing.
 */
int vnl_batch_set(struct vnl_tfile *tfile, u32 __user *argp)
{
	u32 mode;

	if (get_user(mode, argp))
		return -EFAULT;
	if (mode & ~VNL_BATCH_MODES)
		return -EINVAL;
	WRITE_ONCE(tfile->batch, mode);
	return 0;
}

/* Take off the file's queue, in order, the frames whose records fit in
 * @room bytes, at most VNL_BATCH_MAX, with their payload sizes in @sizes.
 * Sizing and taking happen under the queue's lock (interrupts off, as
 * every process-context user of rxq.lock), so that a frame is never taken
 * that does not fit, nor one skipped for another reader of the same file.
 * The number taken, or -EAGAIN (nothing queued) or -EMSGSIZE (the first
 * frame does not fit, and stays queued).
 */
static int vnl_batch_take(struct vnl_tfile *tfile, struct net_device *dev,
			  size_t room, struct sk_buff_head *taken, u32 *sizes)
{
	struct sk_buff *skb = NULL;
	unsigned long flags;
	size_t end = 0;
	int n = 0;

	spin_lock_irqsave(&tfile->rxq.lock, flags);
	while (n < VNL_BATCH_MAX && (skb = skb_peek(&tfile->rxq))) {
		size_t size = vnl_tun_frame_size(dev, skb);
		size_t start = ALIGN(end, VNL_BATCH_ALIGN);

		end = start + sizeof(struct vnl_batch_hdr) + size;
		if (end > room)
			break;
		__skb_unlink(skb, &tfile->rxq);
		__skb_queue_tail(taken, skb);
		sizes[n++] = size;
	}
	if (!n)
		n = skb ? -EMSGSIZE : -EAGAIN;
	spin_unlock_irqrestore(&tfile->rxq.lock, flags);
	return n;
}

/* Frames taken and not copied out go back to the head of the queue, in
 * their order, unless the file stopped being a queue meanwhile: its queue
 * was then emptied (vnl_tun_retire_queue, after clearing tfile->dev and a
 * synchronize_net()), and what came back now would never be read nor
 * freed.  Checked under the queue's lock, which the emptying takes too:
 * either it comes after us and drops them, or we see tfile->dev cleared
 * and drop them ourselves, as unread.
 */
static void vnl_batch_put_back(struct vnl_tfile *tfile, struct net_device *dev,
			       struct sk_buff_head *rest)
{
	struct sk_buff *skb;
	unsigned long flags;

	if (skb_queue_empty(rest))
		return;
	spin_lock_irqsave(&tfile->rxq.lock, flags);
	if (rcu_access_pointer(tfile->dev) == dev)
		skb_queue_splice_init(rest, &tfile->rxq);
	spin_unlock_irqrestore(&tfile->rxq.lock, flags);

	while ((skb = __skb_dequeue(rest)))
		vnl_tun_drop_unread(dev, skb);
}

/* A record's padding (after the one before it) and header, with @len
 * for its payload; @at keeps where the header is, for
 * vnl_batch_put_frame.  False if the program's memory cannot take them.
 */
static bool vnl_batch_put_hdr(struct iov_iter *to, size_t pad, u32 len,
			      struct iov_iter *at)
{
	struct vnl_batch_hdr hdr = { .len = len };

	if (iov_iter_zero(pad, to) != pad)
		return false;
	*at = *to;
	return copy_to_iter(&hdr, sizeof(hdr), to) == sizeof(hdr);
}

/* A record's payload: the frame as a read() without batches writes it
 * (tun.c:vnl_tun_put_frame), in at most @size bytes.  Should it come out
 * shorter than sized (a TUNSETVNETHDRSZ or TUNSETIFF between sizing and
 * copying: the program raced with itself), the header at @at is
 * rewritten: the framing stays right.  The bytes written, or -errno.
 */
static ssize_t vnl_batch_put_frame(struct net_device *dev,
				   struct sk_buff *skb, u32 size,
				   struct iov_iter *at, struct iov_iter *to)
{
	struct iov_iter payload = *to;
	ssize_t n;

	iov_iter_truncate(&payload, size);
	n = vnl_tun_put_frame(dev, skb, &payload);
	if (n < 0)
		return n;
	iov_iter_advance(to, n);
	if (n != (ssize_t)size) {
		struct vnl_batch_hdr hdr = { .len = n };

		if (copy_to_iter(&hdr, sizeof(hdr), at) != sizeof(hdr))
			return -EFAULT;
	}
	return n;
}

/* read() in batch mode: the frames queued now that fit, as records; the
 * caller (chardev.c:vnl_chr_read_iter) waits for the first one as for a
 * read without batches, on -EAGAIN.  A record whose header cannot be
 * written leaves its frame untouched, and it goes back with the rest; a
 * frame that cannot be copied out is lost (unread), as without batches.
 * Either way the records before it are returned, the frames after it put
 * back.  Each frame is traced and counted as a single read is.
 */
ssize_t vnl_batch_read(struct vnl_tfile *tfile, struct net_device *dev,
		       struct iov_iter *to)
{
	struct sk_buff_head taken;
	u32 sizes[VNL_BATCH_MAX];
	struct iov_iter at;
	struct sk_buff *skb;
	size_t done = 0;
	ssize_t ret = 0;
	int n, i;

	__skb_queue_head_init(&taken);
	n = vnl_batch_take(tfile, dev, iov_iter_count(to), &taken, sizes);
	if (n < 0)
		return n;

	for (i = 0; (skb = __skb_dequeue(&taken)); i++) {
		size_t pad = ALIGN(done, VNL_BATCH_ALIGN) - done;

		if (!vnl_batch_put_hdr(to, pad, sizes[i], &at)) {
			__skb_queue_head(&taken, skb);
			ret = -EFAULT;
			break;
		}
		trace_vnl_tun_read(dev, skb, tfile->index);
		ret = vnl_batch_put_frame(dev, skb, sizes[i], &at, to);
		if (ret < 0) {
			vnl_tun_drop_unread(dev, skb);
			break;
		}
		consume_skb(skb);
		done += pad + sizeof(struct vnl_batch_hdr) + ret;
	}
	atomic64_add(i, &tfile->read);
	vnl_batch_put_back(tfile, dev, &taken);
	if (done)
		return done;
	return ret;
}

/* The file's page for batched writes: 32 KiB, room for 73 frames of 64
 * bytes, or a single page when memory is too fragmented for that.
 */
#define VNL_BATCH_PAGE_ORDER	get_order(SZ_32K)

static struct page *vnl_batch_new_page(void)
{
	struct page *page;

	page = alloc_pages(GFP_KERNEL | __GFP_COMP | __GFP_NOWARN |
			   __GFP_NORETRY, VNL_BATCH_PAGE_ORDER);
	return page ?: alloc_page(GFP_KERNEL);
}

/* Room for one frame of a batched write(), @size bytes (skb shared info
 * included, as build_skb() wants it), carved from the file's own page;
 * NULL if there is no memory.  Each frame holds a reference on the page,
 * dropped when its skb is freed (skb_free_frag()), wherever that is.
 *
 * Why not the CPU's fragment cache, as a single write() uses
 * (tun.c:vnl_tun_copy_small)?  That cache reuses its page only when it
 * runs out of it with every fragment freed.  A batch keeps its frames in
 * flight until it is delivered, so a batch that crosses the end of the
 * page finds it still in use, and the cache takes a fresh page, zeroed
 * by init_on_alloc: 32 KiB cleared for every batch of 64.  Here the page
 * starts over whenever ours is its only reference (every frame carved
 * from it is freed): the next batch, after the last one was read, reuses
 * it as it is.  A frame freed on another CPU was done with before its
 * put_page(), whose atomic orders it before our look at the count; no
 * new frame can be carved meanwhile, as carving holds frag_lock (a mutex:
 * a new page is allocated under it, and only writers take it).  A page
 * from the emergency reserves (pfmemalloc) is not reused, as in the core.
 */
void *vnl_batch_frag(struct vnl_tfile *tfile, unsigned int size)
{
	struct page *page;
	void *data = NULL;

	mutex_lock(&tfile->frag_lock);
	page = tfile->frag_page;
	if (page && page_ref_count(page) == 1 && !page_is_pfmemalloc(page))
		tfile->frag_offset = 0;	/* no frame of it is left */
	if (page && tfile->frag_offset + size > page_size(page)) {
		put_page(page);		/* its frames still hold it */
		page = NULL;
	}
	if (!page) {
		page = vnl_batch_new_page();
		tfile->frag_page = page;
		tfile->frag_offset = 0;
		if (!page)
			goto out;
	}
	data = page_address(page) + tfile->frag_offset;
	tfile->frag_offset += size;
	page_ref_inc(page);
out:
	mutex_unlock(&tfile->frag_lock);
	return data;
}

/* The file is closing: its page goes once its last frame does. */
void vnl_batch_release(struct vnl_tfile *tfile)
{
	if (tfile->frag_page)
		put_page(tfile->frag_page);
	mutex_destroy(&tfile->frag_lock);
}

/* The records of a batched write(), checked before anything is built:
 * their payload lengths into @lens.  The headers are read once, here;
 * building the frames reads the payloads only, so a program changing its
 * buffer meanwhile cannot change the framing.  The number of records, or
 * -EINVAL (the framing is wrong), or -EFAULT.
 */
static int vnl_batch_parse(const struct iov_iter *from, u32 *lens)
{
	struct iov_iter it = *from;
	struct vnl_batch_hdr hdr;
	size_t left;
	int n = 0;

	while ((left = iov_iter_count(&it))) {
		if (left < sizeof(hdr) || n == VNL_BATCH_MAX)
			return -EINVAL;
		if (copy_from_iter(&hdr, sizeof(hdr), &it) != sizeof(hdr))
			return -EFAULT;
		left -= sizeof(hdr);
		if (!hdr.len || hdr.len > left || hdr.reserved)
			return -EINVAL;
		lens[n++] = hdr.len;
		/* The padding, or what is left of it: the last record's may
		 * be left out.
		 */
		iov_iter_advance(&it, min(vnl_batch_span(hdr.len) - sizeof(hdr),
					  left));
	}
	return n;
}

/* Frames built for a batch refused as a whole.  They are not drops of the
 * device: it never received them, and the writer, told EINVAL, still has
 * them.  The frame that was refused is counted as a single write's would
 * be (tun.c:vnl_tun_build_frame).
 */
static void vnl_batch_discard(struct sk_buff_head *frames)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(frames)))
		consume_skb(skb);
}

/* write() in batch mode: every record checked, every frame built
 * (tun.c:vnl_tun_build_frame, as for a single write), then all of them
 * handed to the stack together (tun.c:vnl_tun_deliver_batch).  Any
 * refusal refuses the whole batch, and nothing is sent.
 */
ssize_t vnl_batch_write(struct vnl_tfile *tfile, struct net_device *dev,
			struct iov_iter *from)
{
	size_t total = iov_iter_count(from);
	struct sk_buff_head frames;
	u32 lens[VNL_BATCH_MAX];
	struct sk_buff *skb;
	int n, i, err;

	if (!netif_running(dev))
		return -EIO;
	n = vnl_batch_parse(from, lens);
	if (n <= 0)
		return n;	/* 0: nothing was given, nothing is sent */

	__skb_queue_head_init(&frames);
	for (i = 0; i < n; i++) {
		struct iov_iter frame;

		iov_iter_advance(from, sizeof(struct vnl_batch_hdr));
		frame = *from;
		iov_iter_truncate(&frame, lens[i]);
		skb = vnl_tun_build_frame(dev, &frame, tfile);
		if (IS_ERR(skb)) {
			vnl_batch_discard(&frames);
			return PTR_ERR(skb);
		}
		__skb_queue_tail(&frames, skb);
		iov_iter_advance(from, min(vnl_batch_span(lens[i]) -
					   sizeof(struct vnl_batch_hdr),
					   iov_iter_count(from)));
	}

	err = vnl_tun_deliver_batch(tfile, dev, &frames);
	if (err)
		return err;
	return total;
}
