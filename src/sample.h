/*
 * sample.h — the bottom-k state behind draw_sample and draw_sample_strata:
 * the best quota candidates of a stream in the priority order of
 * DRAW-SPEC.md, in O(quota) memory.
 *
 * A candidate is kept as 32 bytes: the rank r = BE64(ticket), the weight,
 * and its key, in the entry itself when it has at most 19 bytes (a unified
 * social credit code has 18) and in the state's key space otherwise.  The
 * full ticket is only needed to break a tie of (r+1)*w products, which is
 * rare enough to pay a second hash for, so it is recomputed then and never
 * stored.  Memory is what a large draw pays for most (every page it touches
 * first costs a fault), so the entries are kept small and the final
 * function reuses the buffer's free part as its scratch space.
 */
#ifndef SPOTCHECK_SAMPLE_H
#define SPOTCHECK_SAMPLE_H

#include "postgres.h"

#include "lib/stringinfo.h"

#include "drawcore.h"

#define SAMPLE_INLINE_KEY 19
#define SAMPLE_LONG_KEY 0xFF

typedef struct SampleEntry
{
	uint64		r;				/* BE64 of the ticket */
	uint32		w;				/* weight, 1..4294967295 */
	uint8		len;			/* key length, or SAMPLE_LONG_KEY */
	char		bytes[SAMPLE_INLINE_KEY];	/* the key; when long, its length
											 * (uint32) and address */
} SampleEntry;

StaticAssertDecl(sizeof(SampleEntry) == 32, "a sample entry is 32 bytes");

static inline uint32
sample_keylen(const SampleEntry *e)
{
	uint32		len;

	if (e->len != SAMPLE_LONG_KEY)
		return e->len;
	memcpy(&len, e->bytes, sizeof(len));
	return len;
}

/* The key bytes of an entry (valid while the entry stays where it is). */
static inline const char *
sample_key(const SampleEntry *e)
{
	const char *p;

	if (e->len != SAMPLE_LONG_KEY)
		return e->bytes;
	memcpy(&p, e->bytes + sizeof(uint32), sizeof(p));
	return p;
}

/*
 * Bytes of the live entries' long keys, appended to a chain of blocks that
 * is kept and reused when the space is emptied; two spaces swap at each
 * compaction.  Blocks never move, so entries point straight at their keys.
 */
typedef struct KeyBlock
{
	struct KeyBlock *next;
	uint64		size;
	uint64		used;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} KeyBlock;

typedef struct KeySpace
{
	KeyBlock   *first;
	KeyBlock   *cur;
} KeySpace;

typedef struct SampleState
{
	uint8_t		seed[DC_HASH_LEN];
	int32		quota;
	int64		capacity;		/* quota + 1: how many are kept */
	int64		limit;			/* entries that trigger a compaction */
	int64		n;
	int64		allocated;
	SampleEntry *entries;
	bool		has_threshold;
	SampleEntry threshold;		/* entries[capacity - 1] after the last compaction */
	KeySpace	space[2];
	int			cur;			/* the space new keys go to */
	MemoryContext cxt;			/* where the blocks are allocated */
	SHA256_CTX	mid;			/* the first 64 bytes of every ticket's message */
} SampleState;

extern SampleState *sample_new(MemoryContext cxt, const uint8_t *seed, int32 quota);

/* Refuse a quota or seed that differs from the state's (one group, one draw). */
extern void sample_check_params(const SampleState *st, const uint8_t *seed, int32 quota);

/* Hash one candidate's ticket and offer it (key still owned by the caller). */
extern void sample_add(SampleState *st, const char *key, size_t keylen, uint32 weight);

/* Offer every candidate of b to a (same seed and quota). */
extern void sample_merge(SampleState *a, const SampleState *b);

/* Serialise the best quota + 1; read back into a new state in cxt. */
extern void sample_write(StringInfo buf, SampleState *st);
extern SampleState *sample_read(StringInfo buf, MemoryContext cxt);

/*
 * The selection: the first min(quota, n) entries in priority order.  The
 * state is trimmed to its best quota + 1 and sorted in place, so it still
 * holds the same selection and may be finalised again, but takes no more
 * candidates (FINALFUNC_MODIFY = SHAREABLE).  Refuses a key kept twice.
 * *k is the count; NULL when there is none.
 */
extern const SampleEntry *sample_sorted(SampleState *st, int64 *k);

/*
 * size bytes of scratch space for a final function: the free part of the
 * state's buffer when it is large enough (its pages are already touched),
 * else a fresh allocation in the current context.  Valid until the state
 * is used again; never freed by the caller.
 */
extern void *sample_scratch(SampleState *st, Size size);

/* The error for a key that occurs twice in one draw (23505). */
extern void sample_duplicate_error(const char *key, size_t len) pg_attribute_noreturn();

#endif
