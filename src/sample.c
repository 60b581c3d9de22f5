/*
 * sample.c — the bottom-k state of the sampling aggregates (sample.h).
 *
 * The state keeps the best quota + 1 candidates seen so far plus a buffer
 * of newcomers.  A candidate that does not come before the threshold (the
 * (quota+1)-th best at the last compaction) is dropped after one
 * comparison; one that does is appended, and when the buffer holds `limit`
 * entries a quickselect keeps the best quota + 1 again.  Keeping one more
 * than the quota lets the aggregate see a duplicated key whose copies
 * straddle the quota boundary.
 *
 * Short keys travel inside their entries (sample.h).  Longer ones are appended to one
 * of two key spaces; a compaction copies the kept ones to the other space
 * and swaps, so the memory of a state is reused for the whole stream and
 * stays O(quota) whatever the size of the group.
 */
#include "postgres.h"

#include "libpq/pqformat.h"
#include "utils/memutils.h"

#include "draw.h"
#include "sample.h"

void
sample_duplicate_error(const char *key, size_t len)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("key \"%s\" occurs more than once in one draw", utf8_shown(key, len)),
			 errhint("Keys must be unique within a draw's pool; remove the duplicate rows.")));
}

SampleState *
sample_new(MemoryContext cxt, const uint8_t *seed, int32 quota)
{
	SampleState *st = MemoryContextAllocZero(cxt, sizeof(SampleState));

	memcpy(st->seed, seed, DC_HASH_LEN);
	st->quota = quota;
	st->capacity = (int64) quota + 1;
	st->limit = 2 * st->capacity + 16;
	st->allocated = Min(st->limit, 256);
	st->entries = MemoryContextAllocHuge(cxt, st->allocated * sizeof(SampleEntry));
	st->cxt = cxt;
	dc_ticket_prepare(seed, &st->mid);
	return st;
}

void
sample_check_params(const SampleState *st, const uint8_t *seed, int32 quota)
{
	if (quota != st->quota)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("quota changed from %d to %d within one group of draw_sample",
						st->quota, quota),
				 errhint("Pass one quota per group (per stratum).")));
	if (memcmp(seed, st->seed, DC_HASH_LEN) != 0)
	{
		char		a[2 * DC_HASH_LEN + 1],
					b[2 * DC_HASH_LEN + 1];

		dc_hex(st->seed, DC_HASH_LEN, a);
		dc_hex(seed, DC_HASH_LEN, b);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stream seed changed from %s to %s within one group of draw_sample", a, b),
				 errhint("Pass one stream seed for the whole draw.")));
	}
}

/*
 * Equal products: the tie-breaks of the priority order (dc_cand_cmp_tie),
 * on tickets recomputed for the two keys.
 */
static int
tie_cmp(const SHA256_CTX *mid, const char *ka, uint32 la, uint32 wa,
		const char *kb, uint32 lb, uint32 wb)
{
	dc_cand		a = {.weight = wa, .key = ka, .keylen = la};
	dc_cand		b = {.weight = wb, .key = kb, .keylen = lb};

	dc_ticket(mid, ka, la, a.ticket);
	dc_ticket(mid, kb, lb, b.ticket);
	return dc_cand_cmp_tie(&a, &b);
}

static inline int
entry_cmp(const SampleState *st, const SampleEntry *a, const SampleEntry *b)
{
	int			c = dc_rank_cmp(a->r, a->w, b->r, b->w);

	if (c != 0)
		return c;
	return tie_cmp(&st->mid, sample_key(a), sample_keylen(a), a->w,
				   sample_key(b), sample_keylen(b), b->w);
}

static inline void
swap_entry(SampleEntry *a, SampleEntry *b)
{
	SampleEntry t = *a;

	*a = *b;
	*b = t;
}

/* Rearrange e[0..n) so that e[k] holds the (k+1)-th best and e[0..k) the better ones. */
static void
select_nth(const SampleState *st, SampleEntry *e, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;

	while (hi > lo)
	{
		int64		mid = lo + (hi - lo) / 2,
					i,
					j;
		SampleEntry pivot;

		/* median of three as the pivot, left at e[hi] */
		if (entry_cmp(st, &e[mid], &e[lo]) < 0)
			swap_entry(&e[mid], &e[lo]);
		if (entry_cmp(st, &e[hi], &e[lo]) < 0)
			swap_entry(&e[hi], &e[lo]);
		if (entry_cmp(st, &e[mid], &e[hi]) < 0)
			swap_entry(&e[mid], &e[hi]);
		pivot = e[hi];
		for (i = lo, j = lo; j < hi; j++)
			if (entry_cmp(st, &e[j], &pivot) < 0)
			{
				swap_entry(&e[i], &e[j]);
				i++;
			}
		swap_entry(&e[i], &e[hi]);
		if (i == k)
			return;
		if (i < k)
			lo = i + 1;
		else
			hi = i - 1;
	}
}

#define KEY_BLOCK_FIRST 8192
#define KEY_BLOCK_MAX (4 * 1024 * 1024)

/* Empty a key space, keeping its blocks for reuse. */
static void
space_reset(KeySpace *s)
{
	s->cur = s->first;
	if (s->cur)
		s->cur->used = 0;
}

/* A copy of len key bytes in space s. */
static inline const char *
space_copy(MemoryContext cxt, KeySpace *s, const char *key, uint32 len)
{
	KeyBlock   *b = s->cur;
	char	   *p;

	if (b == NULL || b->used + len > b->size)
	{
		/* the next kept block when the key fits it, else a new one after b */
		if (b != NULL && b->next != NULL && len <= b->next->size)
			b = b->next;
		else
		{
			uint64		size = b == NULL ? KEY_BLOCK_FIRST : Min(2 * b->size, KEY_BLOCK_MAX);
			KeyBlock   *nb;

			size = Max(size, len);
			nb = MemoryContextAllocHuge(cxt, offsetof(KeyBlock, data) + size);
			nb->size = size;
			if (b == NULL)
			{
				nb->next = s->first;
				s->first = nb;
			}
			else
			{
				nb->next = b->next;
				b->next = nb;
			}
			b = nb;
		}
		b->used = 0;
		s->cur = b;
	}
	p = b->data + b->used;
	memcpy(p, key, len);
	b->used += len;
	return p;
}

/* Point a long-key entry at its bytes (its length is already there). */
static inline void
set_long_key(SampleEntry *e, const char *p)
{
	memcpy(e->bytes + sizeof(uint32), &p, sizeof(p));
}

/* Keep the best capacity entries; their long keys move to the other space. */
static void
sample_compact(SampleState *st)
{
	KeySpace   *to = &st->space[1 - st->cur];

	if (st->n <= st->capacity)
		return;
	select_nth(st, st->entries, st->n, st->capacity - 1);
	st->n = st->capacity;
	space_reset(to);
	for (int64 i = 0; i < st->n; i++)
		if (st->entries[i].len == SAMPLE_LONG_KEY)
			set_long_key(&st->entries[i],
						 space_copy(st->cxt, to, sample_key(&st->entries[i]),
									sample_keylen(&st->entries[i])));
	space_reset(&st->space[st->cur]);
	st->cur = 1 - st->cur;
	st->threshold = st->entries[st->capacity - 1];
	st->has_threshold = true;
}

/* Offer one candidate whose rank is known (key still owned by the caller). */
static inline void
sample_offer(SampleState *st, uint64 r, uint32 w, const char *key, uint32 keylen)
{
	SampleEntry *e;

	if (st->has_threshold)
	{
		int			c = dc_rank_cmp(r, w, st->threshold.r, st->threshold.w);

		if (c == 0)
			c = tie_cmp(&st->mid, key, keylen, w, sample_key(&st->threshold),
						sample_keylen(&st->threshold), st->threshold.w);
		if (c >= 0)
		{
			if (c == 0)
				sample_duplicate_error(key, keylen);
			return;
		}
	}
	if (st->n == st->allocated)
	{
		/* grow by 8: few copies on the way to limit */
		st->allocated = Min(st->limit, st->allocated * 8);
		st->entries = repalloc_huge(st->entries, st->allocated * sizeof(SampleEntry));
	}
	e = &st->entries[st->n++];
	e->r = r;
	e->w = w;
	if (keylen <= SAMPLE_INLINE_KEY)
	{
		e->len = (uint8) keylen;
		memcpy(e->bytes, key, keylen);
	}
	else
	{
		e->len = SAMPLE_LONG_KEY;
		memcpy(e->bytes, &keylen, sizeof(keylen));
		set_long_key(e, space_copy(st->cxt, &st->space[st->cur], key, keylen));
	}
	if (st->n == st->limit)
		sample_compact(st);
}

void
sample_add(SampleState *st, const char *key, size_t keylen, uint32 weight)
{
	sample_offer(st, dc_ticket_rank(&st->mid, key, keylen), weight, key, (uint32) keylen);
}

void
sample_merge(SampleState *a, const SampleState *b)
{
	sample_check_params(a, b->seed, b->quota);
	for (int64 i = 0; i < b->n; i++)
	{
		const SampleEntry *e = &b->entries[i];

		sample_offer(a, e->r, e->w, sample_key(e), sample_keylen(e));
	}
}

void
sample_write(StringInfo buf, SampleState *st)
{
	sample_compact(st);
	pq_sendbytes(buf, (const char *) st->seed, DC_HASH_LEN);
	pq_sendint32(buf, st->quota);
	pq_sendint64(buf, st->n);
	for (int64 i = 0; i < st->n; i++)
	{
		const SampleEntry *e = &st->entries[i];

		pq_sendint64(buf, e->r);
		pq_sendint32(buf, e->w);
		pq_sendint32(buf, sample_keylen(e));
		pq_sendbytes(buf, sample_key(e), sample_keylen(e));
	}
}

SampleState *
sample_read(StringInfo buf, MemoryContext cxt)
{
	uint8_t		seed[DC_HASH_LEN];
	int32		quota;
	int64		n;
	SampleState *st;

	pq_copymsgbytes(buf, (char *) seed, DC_HASH_LEN);
	quota = pq_getmsgint(buf, 4);
	n = pq_getmsgint64(buf);
	if (quota < 0 || n < 0 || n > (int64) quota + 1)
		elog(ERROR, "draw_sample_deserial: %lld entries for quota %d", (long long) n, quota);
	st = sample_new(cxt, seed, quota);
	for (int64 i = 0; i < n; i++)
	{
		uint64		r = (uint64) pq_getmsgint64(buf);
		uint32		w = (uint32) pq_getmsgint(buf, 4);
		uint32		keylen = (uint32) pq_getmsgint(buf, 4);
		const char *key = pq_getmsgbytes(buf, (int) keylen);

		sample_offer(st, r, w, key, keylen);
	}
	return st;
}

/* sort_entries(e, n, st): the priority order, with the comparison inlined */
#define ST_SORT sort_entries
#define ST_ELEMENT_TYPE SampleEntry
#define ST_COMPARE(a, b, st) entry_cmp((st), (a), (b))
#define ST_COMPARE_ARG_TYPE const SampleState
#define ST_SCOPE static
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * A duplicated key among the kept entries.  Copies of a key share one
 * ticket, hence one rank r, and r is already a uniform 64-bit hash: an
 * open-addressing table on r finds them in O(n), comparing key bytes only
 * when two ranks are equal.
 */
static void
check_duplicates(SampleState *st)
{
	const SampleEntry *e = st->entries;
	int64		n = st->n;
	uint64		size = 16;
	int32	   *slot;

	while (size < (uint64) (2 * n))
		size *= 2;
	slot = sample_scratch(st, size * sizeof(int32));
	memset(slot, 0xff, size * sizeof(int32));
	for (int64 i = 0; i < n; i++)
	{
		uint64		h = e[i].r & (size - 1);

		while (slot[h] >= 0)
		{
			const SampleEntry *o = &e[slot[h]];

			if (o->r == e[i].r &&
				dc_str_cmp(sample_key(o), sample_keylen(o), sample_key(&e[i]), sample_keylen(&e[i])) == 0)
				sample_duplicate_error(sample_key(&e[i]), sample_keylen(&e[i]));
			h = (h + 1) & (size - 1);
		}
		slot[h] = (int32) i;
	}
}

void *
sample_scratch(SampleState *st, Size size)
{
	if ((Size) (st->allocated - st->n) * sizeof(SampleEntry) >= size)
		return &st->entries[st->n];
	return palloc_extended(Max(size, 1), MCXT_ALLOC_HUGE);
}

const SampleEntry *
sample_sorted(SampleState *st, int64 *k)
{
	*k = 0;
	if (st == NULL || st->n == 0)
		return NULL;
	sample_compact(st);
	check_duplicates(st);
	sort_entries(st->entries, st->n, st);
	*k = Min(st->n, (int64) st->quota);
	return st->entries;
}
