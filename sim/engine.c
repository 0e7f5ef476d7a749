/* engine.c - the discrete-event engine; see engine.h.
 *
 * Data layout, chosen for speed (the benchmark, tests/bench_engine.c, must
 * sustain over ten million schedule+run pairs per second):
 *
 *   heap[]   a 4-ary min-heap of compact entries (when, seq, slot), ordered
 *            by (when, seq). Four children per node make the tree half as
 *            deep as a binary heap, and the four children sit next to each
 *            other in memory, so a pop touches fewer cache lines. An entry
 *            is 16 bytes (seq and slot share one word), so a family is 64
 *            bytes: with 150,000 pods two million timers can be pending,
 *            and the smaller entry made the heap a third smaller and pops
 *            faster.
 *   slots[]  one slot per timer: handler, argument, generation, state.
 *            Free slots form a LIFO free list, so a handler that schedules
 *            its successor reuses the slot it just vacated, still in cache.
 *
 * Memory per pending timer is fixed (one entry, one slot) and both arrays
 * only grow to the high-water mark, so a steady state allocates nothing.
 *
 * Repeated timers (engine_at_times) are what make a watch cheap: a write
 * to a pod reaches a dozen watchers, each delivery an event of its own,
 * and 150,000 pods turning Running in one instant once queued two million
 * entries. A timer due `times` times takes `times` consecutive sequence
 * numbers at once but only one entry and one slot: when a run is
 * dispatched and more are left, the entry stays at the root with the next
 * reserved sequence number. Nothing else can be ordered between two
 * consecutive numbers, so the entry is still the smallest and no sift is
 * needed; every run is still one event (one step, one step-hook call), in
 * exactly the place that many engine_at calls in a row would have given.
 *
 * Timer ids are (generation << 32) | slot index. The index finds the slot in
 * O(1) for engine_cancel; the generation, bumped each time the slot is
 * reused, makes ids unique: a stale id names an old generation and no longer
 * matches. Generations start at 1 (so no id is 0) and a slot whose
 * generation is exhausted is retired, never reused, so ids are never
 * repeated even in runs of billions of events.
 *
 * Cancellation is lazy: engine_cancel marks the slot cancelled and leaves
 * its heap entry to be discarded when it reaches the top. Removing it
 * eagerly would need every heap move to update a back-pointer in the slot,
 * slowing down the common path (timers that fire) for the rare one. Two
 * rules keep lazy cancellation honest:
 *   - the heap's root is never a cancelled entry (prune_top runs after every
 *     pop and cancel), so engine_next_time and engine_run see the truth;
 *   - when cancelled entries outnumber live ones, the heap is rebuilt
 *     without them (compact), so a timer reset over and over - a lease
 *     renewal, a resync period - cannot grow memory without bound. The
 *     rebuild costs O(n) after n/2 cancellations: O(1) amortised.
 */
#include "engine.h"
#include "xmalloc.h"

#include <stdlib.h>

#define HEAP_ARITY	4
#define NO_SLOT		UINT32_MAX	/* ends the free list */
#define SLOT_BITS	26		/* slot index bits in an entry's order */
#define SLOT_LIMIT	(1U << SLOT_BITS)	/* 67 million timers pending */
#define SEQ_LIMIT	(1ULL << (64 - SLOT_BITS))	/* 2.7e11 events */
#define ID_INDEX_MASK	0xffffffffULL

struct heap_entry {
	ktime_t when;		/* due time */
	uint64_t order;		/* seq << SLOT_BITS | slot: seq is the insertion
				 * order, which breaks ties in when; slot is
				 * the index into engine->slots */
};

static inline uint32_t entry_slot(const struct heap_entry *entry)
{
	return (uint32_t)(entry->order & (SLOT_LIMIT - 1));
}

enum slot_state {
	SLOT_FREE,		/* on the free list, or retired */
	SLOT_PENDING,		/* in the heap, will fire */
	SLOT_CANCELLED,		/* in the heap, will be discarded */
};

/* 24 bytes: the generation stands for the id (slot_id) and a free slot
 * keeps its free-list link where its argument was. */
#define MORE_LIMIT	(1U << 30)	/* runs of one repeated timer */
struct slot {
	timer_fn fn;
	union {
		void *arg;		/* borrowed from the caller */
		uint32_t next_free;	/* free-list link while SLOT_FREE */
	};
	uint32_t generation;	/* of the current id (when free: the last one) */
	uint32_t state : 2;	/* enum slot_state */
	uint32_t more : 30;	/* runs left after the queued one (repeated
				 * timers; 0 for a plain one) */
};

struct engine {
	ktime_t now;		/* virtual time; only engine_run moves it */
	uint64_t next_seq;	/* sequence number for the next event */
	uint64_t steps;		/* events run */

	struct heap_entry *heap;
	size_t heap_len, heap_cap;	/* heap_len == live + cancelled */
	size_t live;		/* pending entries */
	size_t cancelled;	/* cancelled entries still in the heap */

	struct slot *slots;
	size_t slots_len, slots_cap;
	uint32_t free_head;	/* first free slot, or NO_SLOT */

	bool running;		/* inside engine_run */
	bool stop_requested;	/* engine_stop called during this run */
	void (*step_hook)(void *arg);
	void *step_hook_arg;
};

/* The queue's order: earlier time first, then earlier insertion. Written as
 * one comparison of 128-bit keys (when in the high half; when >= 0, so it
 * compares correctly as unsigned; seq in the top bits of order, and seqs
 * are unique, so the slot bits never decide) because the compiler turns
 * that into flag arithmetic without a branch. With `a || (b && c)` it
 * branches, and in sift_down those branches go either way at random:
 * mispredictions cost more than a third of the run time before this was
 * changed. */
static inline unsigned __int128 entry_key(const struct heap_entry *entry)
{
	return (unsigned __int128)(uint64_t)entry->when << 64 | entry->order;
}

static inline bool entry_before(const struct heap_entry *a,
				const struct heap_entry *b)
{
	return entry_key(a) < entry_key(b);
}

/* Moves entry down from position i (a hole) to where it belongs among the
 * first len entries. */
static void sift_down(struct heap_entry *heap, size_t len, size_t i,
		      struct heap_entry entry)
{
	for (;;) {
		size_t first = HEAP_ARITY * i + 1;
		if (first >= len)
			break;
		size_t best;
		if (first + HEAP_ARITY <= len) {
			/* All four children: a knock-out of two pairs, whose
			 * results are indices added up, not branches taken. */
			const struct heap_entry *family = &heap[first];
			size_t left = first +
				entry_before(&family[1], &family[0]);
			size_t right = first + 2 +
				entry_before(&family[3], &family[2]);
			best = entry_before(&heap[right], &heap[left]) ?
				right : left;
		} else {
			best = first;	/* the last, partial family */
			for (size_t child = first + 1; child < len; child++)
				if (entry_before(&heap[child], &heap[best]))
					best = child;
		}
		if (!entry_before(&heap[best], &entry))
			break;
		heap[i] = heap[best];
		i = best;
	}
	heap[i] = entry;
}

static void heap_push(struct engine *engine, struct heap_entry entry)
{
	/* Test first: keeps a function call off the hot path. */
	if (engine->heap_len == engine->heap_cap)
		xgrow((void **)&engine->heap, &engine->heap_cap,
		      engine->heap_len + 1, sizeof(*engine->heap));
	size_t i = engine->heap_len++;
	while (i > 0) {
		size_t parent = (i - 1) / HEAP_ARITY;
		if (!entry_before(&entry, &engine->heap[parent]))
			break;
		engine->heap[i] = engine->heap[parent];
		i = parent;
	}
	engine->heap[i] = entry;
}

static void heap_remove_top(struct engine *engine)
{
	struct heap_entry last = engine->heap[--engine->heap_len];
	if (engine->heap_len > 0)
		sift_down(engine->heap, engine->heap_len, 0, last);
}

static uint32_t slot_alloc(struct engine *engine, timer_fn fn, void *arg)
{
	uint32_t index = engine->free_head;
	struct slot *slot;
	if (index != NO_SLOT) {
		slot = &engine->slots[index];
		engine->free_head = slot->next_free;
		slot->generation++;	/* never wraps: see slot_free */
	} else {
		BUG_ON(engine->slots_len >= SLOT_LIMIT);
		xgrow((void **)&engine->slots, &engine->slots_cap,
		      engine->slots_len + 1, sizeof(*engine->slots));
		index = (uint32_t)engine->slots_len++;
		slot = &engine->slots[index];
		slot->generation = 1;
	}
	slot->fn = fn;
	slot->arg = arg;
	slot->state = SLOT_PENDING;
	slot->more = 0;
	return index;
}

static timer_id slot_id(const struct engine *engine, uint32_t index)
{
	return (timer_id)engine->slots[index].generation << 32 | index;
}

static void slot_free(struct engine *engine, uint32_t index)
{
	struct slot *slot = &engine->slots[index];
	slot->state = SLOT_FREE;
	if (slot->generation == UINT32_MAX)
		return;		/* generation exhausted: retire the slot */
	slot->next_free = engine->free_head;
	engine->free_head = index;
}

/* Restores "the root is live" by discarding cancelled entries at the top. */
static void prune_top(struct engine *engine)
{
	if (engine->cancelled == 0)
		return;		/* the common case, without touching a slot */
	while (engine->heap_len > 0) {
		uint32_t index = entry_slot(&engine->heap[0]);
		if (engine->slots[index].state != SLOT_CANCELLED)
			return;
		slot_free(engine, index);
		engine->cancelled--;
		heap_remove_top(engine);
	}
}

/* Drops every cancelled entry and re-heapifies (Floyd: sift down each
 * internal node, last first). The pop order is unchanged because (when, seq)
 * is a total order, whatever the heap's shape. */
static void compact(struct engine *engine)
{
	size_t kept = 0;
	for (size_t i = 0; i < engine->heap_len; i++) {
		uint32_t index = entry_slot(&engine->heap[i]);
		if (engine->slots[index].state == SLOT_CANCELLED)
			slot_free(engine, index);
		else
			engine->heap[kept++] = engine->heap[i];
	}
	engine->heap_len = kept;
	engine->cancelled = 0;
	if (kept < 2)
		return;
	for (size_t i = (kept - 2) / HEAP_ARITY + 1; i-- > 0;)
		sift_down(engine->heap, kept, i, engine->heap[i]);
}

struct engine *engine_new(void)
{
	struct engine *engine = xcalloc(1, sizeof(*engine));
	engine->free_head = NO_SLOT;
	return engine;
}

void engine_free(struct engine *engine)
{
	if (!engine)
		return;
	BUG_ON(engine->running);
	free(engine->heap);
	free(engine->slots);
	free(engine);
}

ktime_t engine_now(const struct engine *engine)
{
	return engine->now;
}

timer_id engine_at(struct engine *engine, ktime_t when, timer_fn fn, void *arg)
{
	return engine_at_times(engine, when, 1, fn, arg);
}

timer_id engine_at_times(struct engine *engine, ktime_t when, uint32_t times,
			 timer_fn fn, void *arg)
{
	BUG_ON(when < engine->now);
	BUG_ON(when == KTIME_NEVER);
	BUG_ON(fn == NULL);
	BUG_ON(times == 0 || times > MORE_LIMIT);
	BUG_ON(engine->next_seq >= SEQ_LIMIT - times);
	uint32_t index = slot_alloc(engine, fn, arg);
	engine->slots[index].more = times - 1;
	struct heap_entry entry = {
		.when = when, .order = engine->next_seq << SLOT_BITS | index,
	};
	engine->next_seq += times;	/* the later runs' places, reserved */
	heap_push(engine, entry);
	engine->live++;
	return slot_id(engine, index);
}

timer_id engine_after(struct engine *engine, ktime_t delay, timer_fn fn,
		      void *arg)
{
	BUG_ON(delay < 0);
	BUG_ON(delay >= KTIME_NEVER - engine->now);
	return engine_at(engine, engine->now + delay, fn, arg);
}

timer_id engine_after_times(struct engine *engine, ktime_t delay, uint32_t times,
			    timer_fn fn, void *arg)
{
	BUG_ON(delay < 0);
	BUG_ON(delay >= KTIME_NEVER - engine->now);
	return engine_at_times(engine, engine->now + delay, times, fn, arg);
}

bool engine_cancel(struct engine *engine, timer_id id)
{
	uint64_t index = id & ID_INDEX_MASK;
	if (index >= engine->slots_len)
		return false;
	struct slot *slot = &engine->slots[index];
	if (slot->generation != id >> 32 || slot->state != SLOT_PENDING)
		return false;	/* ran, running, cancelled, or a stale id */
	slot->state = SLOT_CANCELLED;
	engine->live--;
	engine->cancelled++;
	if (entry_slot(&engine->heap[0]) == index)
		prune_top(engine);
	else if (engine->cancelled > engine->live)
		compact(engine);
	return true;
}

/* The loop. Steps 1-3 are all the engine does; everything else is policy in
 * the handlers. LAB: engine-loop */
static enum engine_stop run_loop(struct engine *engine, ktime_t until,
				 uint64_t max_steps)
{
	for (uint64_t ran = 0;;) {
		/* 1. Find the next event; stop if there is none or it is due
		 *    after `until`. The root is never cancelled (prune_top). */
		if (engine->heap_len == 0)
			return ENGINE_IDLE;
		struct heap_entry next = engine->heap[0];
		if (next.when > until) {
			engine->now = until;
			return ENGINE_UNTIL;
		}
		/* 2. Take it off the queue (with any cancelled entries that
		 *    surface behind it) and advance the clock to it. The
		 *    slot is freed before the handler runs, so the handler
		 *    may reuse it, and cancelling its own id returns false.
		 *    A repeated timer with runs left stays instead, at its
		 *    next place (still the root: see the top of the file). */
		struct slot *slot = &engine->slots[entry_slot(&next)];
		timer_fn fn = slot->fn;
		void *arg = slot->arg;
		engine->now = next.when;
		if (slot->more) {
			slot->more--;
			engine->heap[0].order += 1ULL << SLOT_BITS;
		} else {
			heap_remove_top(engine);
			prune_top(engine);
			slot_free(engine, entry_slot(&next));
			engine->live--;
		}
		/* 3. Dispatch. */
		engine->steps++;
		fn(arg);
		if (engine->step_hook)
			engine->step_hook(engine->step_hook_arg);
		if (engine->stop_requested)
			return ENGINE_STOPPED;
		if (++ran == max_steps)
			return ENGINE_STEP_LIMIT;
	}
}

enum engine_stop engine_run(struct engine *engine, ktime_t until,
			    uint64_t max_steps)
{
	BUG_ON(engine->running);	/* handlers must not run the loop */
	BUG_ON(until < engine->now);	/* time never goes backwards */
	engine->running = true;
	engine->stop_requested = false;
	enum engine_stop why = run_loop(engine, until, max_steps);
	engine->running = false;
	return why;
}

void engine_stop(struct engine *engine)
{
	if (engine->running)
		engine->stop_requested = true;
}

uint64_t engine_steps(const struct engine *engine)
{
	return engine->steps;
}

size_t engine_pending(const struct engine *engine)
{
	return engine->live;
}

ktime_t engine_next_time(const struct engine *engine)
{
	return engine->heap_len ? engine->heap[0].when : KTIME_NEVER;
}

void engine_set_step_hook(struct engine *engine, void (*hook)(void *arg),
			  void *arg)
{
	engine->step_hook = hook;
	engine->step_hook_arg = arg;
}

void engine_check(const struct engine *engine)
{
	BUG_ON(engine->heap_len != engine->live + engine->cancelled);
	BUG_ON(engine->heap_len > engine->heap_cap);
	BUG_ON(engine->slots_len > engine->slots_cap);
	if (engine->heap_len > 0) {
		const struct heap_entry *root = &engine->heap[0];
		BUG_ON(engine->slots[entry_slot(root)].state != SLOT_PENDING);
		BUG_ON(root->when < engine->now);
	}
	/* Every heap entry names a distinct in-heap slot, in heap order. */
	unsigned char *seen = xcalloc(engine->slots_len + 1, 1);
	size_t live = 0, cancelled = 0;
	for (size_t i = 0; i < engine->heap_len; i++) {
		const struct heap_entry *entry = &engine->heap[i];
		uint32_t index = entry_slot(entry);
		BUG_ON(index >= engine->slots_len);
		BUG_ON(seen[index]);
		seen[index] = 1;
		BUG_ON((entry->order >> SLOT_BITS) + engine->slots[index].more >=
		       engine->next_seq);
		BUG_ON(entry->when >= KTIME_NEVER);
		size_t parent = (i - 1) / HEAP_ARITY;
		BUG_ON(i > 0 && entry_before(entry, &engine->heap[parent]));
		uint32_t state = engine->slots[index].state;
		BUG_ON(state == SLOT_FREE);
		live += state == SLOT_PENDING;
		cancelled += state == SLOT_CANCELLED;
	}
	BUG_ON(live != engine->live || cancelled != engine->cancelled);
	/* Every slot's id carries its index and a generation >= 1; slots not
	 * in the heap are free; the free list holds only free slots, once. */
	size_t in_heap = 0;
	for (size_t i = 0; i < engine->slots_len; i++) {
		const struct slot *slot = &engine->slots[i];
		BUG_ON(slot->generation == 0);
		BUG_ON(seen[i] != (slot->state != SLOT_FREE));
		in_heap += seen[i];
	}
	BUG_ON(in_heap != engine->heap_len);
	for (uint32_t i = engine->free_head; i != NO_SLOT;
	     i = engine->slots[i].next_free) {
		BUG_ON(i >= engine->slots_len || seen[i]);
		BUG_ON(engine->slots[i].state != SLOT_FREE);
		seen[i] = 2;	/* on the free list */
	}
	free(seen);
}

/* The clock seam in sim mode: thin adapters onto the functions above. */
static ktime_t clock_engine_now(void *impl)
{
	return engine_now(impl);
}

static timer_id clock_engine_after(void *impl, ktime_t delay, timer_fn fn,
				   void *arg)
{
	return engine_after(impl, delay, fn, arg);
}

static bool clock_engine_cancel(void *impl, timer_id id)
{
	return engine_cancel(impl, id);
}

static timer_id clock_engine_after_times(void *impl, ktime_t delay, uint32_t times,
					 timer_fn fn, void *arg)
{
	return engine_after_times(impl, delay, times, fn, arg);
}

static const struct clock_ops engine_clock_ops = {
	.now = clock_engine_now,
	.after = clock_engine_after,
	.cancel = clock_engine_cancel,
	.after_times = clock_engine_after_times,
};

struct clock engine_clock(struct engine *engine)
{
	return (struct clock){ .ops = &engine_clock_ops, .impl = engine };
}
