/*
 * draw.c — the SQL face of the draw algorithm (drawcore.c): tickets, seeds,
 * the bottom-k sampling aggregate draw_sample with its parallel support
 * functions, the digest aggregates, the secret generator and team forming.
 */
#include "postgres.h"

#include <limits.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include <openssl/rand.h>

#include "drawcore.h"

/* ---- small helpers -------------------------------------------------------- */

/* The UTF-8 bytes of a text value (U(s)); may palloc in the current context. */
static const char *
text_utf8(text *t, size_t *len)
{
	const char *s = VARDATA_ANY(t);
	int			l = VARSIZE_ANY_EXHDR(t);
	char	   *c;

	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
	{
		*len = l;
		return s;
	}
	c = pg_server_to_any(s, l, PG_UTF8);
	if (c == s)
	{
		*len = l;
		return s;
	}
	*len = strlen(c);
	return c;
}

/* A text value from UTF-8 bytes. */
static text *
utf8_text(const char *s, size_t len)
{
	char	   *c;

	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
		return cstring_to_text_with_len(s, len);
	c = pg_any_to_server(s, len, PG_UTF8);
	return cstring_to_text_with_len(c, strlen(c));
}

/* A printable copy of a UTF-8 key for messages. */
static char *
shown(const char *s, size_t len)
{
	return text_to_cstring(utf8_text(s, len));
}

static bytea *
hash_bytea(const uint8_t h[DC_HASH_LEN])
{
	bytea	   *b = palloc(VARHDRSZ + DC_HASH_LEN);

	SET_VARSIZE(b, VARHDRSZ + DC_HASH_LEN);
	memcpy(VARDATA(b), h, DC_HASH_LEN);
	return b;
}

/* A 32-byte argument (a secret, digest or seed): refuses any other length. */
static const uint8_t *
hash_arg(bytea *b, const char *what)
{
	if (VARSIZE_ANY_EXHDR(b) != DC_HASH_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is %d bytes long, not %d", what,
						(int) VARSIZE_ANY_EXHDR(b), DC_HASH_LEN),
				 errhint("Pass the 32-byte SHA-256 value of the draw.")));
	return (const uint8_t *) VARDATA_ANY(b);
}

static void *
palloc_alloc(size_t n)
{
	return palloc(n);
}

static void
palloc_release(void *p)
{
	pfree(p);
}

static const dc_alloc pg_allocator = {palloc_alloc, palloc_release};

/* ---- tickets, commitment, seeds ------------------------------------------ */

PG_FUNCTION_INFO_V1(spotcheck_ticket);
Datum
spotcheck_ticket(PG_FUNCTION_ARGS)
{
	const uint8_t *k = hash_arg(PG_GETARG_BYTEA_PP(0), "stream seed");
	size_t		len;
	const char *key = text_utf8(PG_GETARG_TEXT_PP(1), &len);
	SHA256_CTX	mid;
	uint8_t		t[DC_HASH_LEN];

	dc_ticket_prepare(k, &mid);
	dc_ticket(&mid, key, len, t);
	PG_RETURN_BYTEA_P(hash_bytea(t));
}

PG_FUNCTION_INFO_V1(spotcheck_draw_commitment);
Datum
spotcheck_draw_commitment(PG_FUNCTION_ARGS)
{
	uint8_t		c[DC_HASH_LEN];

	dc_commitment(hash_arg(PG_GETARG_BYTEA_PP(0), "secret"), c);
	PG_RETURN_BYTEA_P(hash_bytea(c));
}

PG_FUNCTION_INFO_V1(spotcheck_draw_seed);
Datum
spotcheck_draw_seed(PG_FUNCTION_ARGS)
{
	const uint8_t *s = hash_arg(PG_GETARG_BYTEA_PP(0), "secret");
	const uint8_t *p = hash_arg(PG_GETARG_BYTEA_PP(1), "pool digest");
	const uint8_t *q = hash_arg(PG_GETARG_BYTEA_PP(2), "quota digest");
	size_t		elen;
	const char *e = text_utf8(PG_GETARG_TEXT_PP(3), &elen);
	uint8_t		seed[DC_HASH_LEN];

	dc_seed(s, p, q, e, elen, seed);
	PG_RETURN_BYTEA_P(hash_bytea(seed));
}

PG_FUNCTION_INFO_V1(spotcheck_draw_stream_seed);
Datum
spotcheck_draw_stream_seed(PG_FUNCTION_ARGS)
{
	const uint8_t *seed = hash_arg(PG_GETARG_BYTEA_PP(0), "seed");
	size_t		plen;
	const char *p = text_utf8(PG_GETARG_TEXT_PP(1), &plen);
	uint8_t		k[DC_HASH_LEN];

	dc_stream_seed(seed, p, plen, k);
	PG_RETURN_BYTEA_P(hash_bytea(k));
}

/* 32 bytes from OpenSSL's cryptographically strong generator. */
PG_FUNCTION_INFO_V1(spotcheck_draw_new_secret);
Datum
spotcheck_draw_new_secret(PG_FUNCTION_ARGS)
{
	uint8_t		s[DC_HASH_LEN];
	bytea	   *b;

	(void) fcinfo;
	if (RAND_priv_bytes(s, DC_HASH_LEN) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("the cryptographic random generator failed"),
				 errhint("Check that OpenSSL can seed itself from the operating system.")));
	b = hash_bytea(s);
	explicit_bzero(s, sizeof(s));
	PG_RETURN_BYTEA_P(b);
}

/* ---- draw_sample: bottom-k per group ----------------------------------------
 *
 * The state keeps the best quota + 1 candidates seen so far (priority order),
 * plus a buffer of newcomers: a candidate that does not come before the
 * threshold (the (quota+1)-th best at the last compaction) is dropped after
 * one comparison; one that does is appended, and when the buffer is full a
 * quickselect keeps the best quota + 1 again.  Keeping one more than the quota
 * lets the aggregate see a duplicated key whose copies straddle the quota
 * boundary.  Keys live in a memory context of their own that is replaced at
 * each compaction, so memory stays O(quota) whatever the size of the group.
 */
typedef struct SampleState
{
	uint8_t		seed[DC_HASH_LEN];
	int32		quota;
	int64		capacity;		/* quota + 1: how many are kept */
	int64		limit;			/* buffer size that triggers a compaction */
	int64		n;
	int64		allocated;
	dc_cand    *entries;		/* keys in keycxt */
	bool		has_threshold;
	dc_cand		threshold;		/* entries[capacity - 1] after the last compaction */
	MemoryContext cxt;			/* the aggregate's context */
	MemoryContext keycxt;
	SHA256_CTX	mid;
} SampleState;

static MemoryContext
new_key_context(MemoryContext parent)
{
	return AllocSetContextCreate(parent, "draw_sample keys", ALLOCSET_SMALL_SIZES);
}

static SampleState *
sample_new(MemoryContext cxt, const uint8_t *seed, int32 quota)
{
	SampleState *st = MemoryContextAllocZero(cxt, sizeof(SampleState));

	memcpy(st->seed, seed, DC_HASH_LEN);
	st->quota = quota;
	st->capacity = (int64) quota + 1;
	st->limit = 2 * st->capacity + 16;
	st->allocated = Min(st->limit, 64);
	st->entries = MemoryContextAlloc(cxt, st->allocated * sizeof(dc_cand));
	st->cxt = cxt;
	st->keycxt = new_key_context(cxt);
	dc_ticket_prepare(seed, &st->mid);
	return st;
}

static void
sample_check_params(SampleState *st, const uint8_t *seed, int32 quota)
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

static void
duplicate_error(const char *key, size_t len)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("key \"%s\" occurs more than once in one draw", shown(key, len)),
			 errhint("Keys must be unique within a draw's pool; remove the duplicate rows.")));
}

static char *
copy_key(MemoryContext cxt, const char *key, size_t len)
{
	char	   *k = MemoryContextAlloc(cxt, len ? len : 1);

	memcpy(k, key, len);
	return k;
}

static inline void
swap_cand(dc_cand *a, dc_cand *b)
{
	dc_cand		t = *a;

	*a = *b;
	*b = t;
}

/* Rearrange e[0..n) so that e[k] holds the (k+1)-th best and e[0..k) the better ones. */
static void
select_nth(dc_cand *e, int64 n, int64 k)
{
	int64		lo = 0,
				hi = n - 1;

	while (hi > lo)
	{
		int64		mid = lo + (hi - lo) / 2,
					i,
					j;
		dc_cand		pivot;

		/* median of three as the pivot, left at e[hi] */
		if (dc_cand_cmp(&e[mid], &e[lo]) < 0)
			swap_cand(&e[mid], &e[lo]);
		if (dc_cand_cmp(&e[hi], &e[lo]) < 0)
			swap_cand(&e[hi], &e[lo]);
		if (dc_cand_cmp(&e[mid], &e[hi]) < 0)
			swap_cand(&e[mid], &e[hi]);
		pivot = e[hi];
		for (i = lo, j = lo; j < hi; j++)
			if (dc_cand_cmp(&e[j], &pivot) < 0)
			{
				swap_cand(&e[i], &e[j]);
				i++;
			}
		swap_cand(&e[i], &e[hi]);
		if (i == k)
			return;
		if (i < k)
			lo = i + 1;
		else
			hi = i - 1;
	}
}

/* Keep the best capacity entries; move their keys to a fresh context. */
static void
sample_compact(SampleState *st)
{
	MemoryContext fresh;
	int64		i;

	if (st->n <= st->capacity)
		return;
	select_nth(st->entries, st->n, st->capacity - 1);
	st->n = st->capacity;
	fresh = new_key_context(st->cxt);
	for (i = 0; i < st->n; i++)
		st->entries[i].key = copy_key(fresh, st->entries[i].key, st->entries[i].keylen);
	MemoryContextDelete(st->keycxt);
	st->keycxt = fresh;
	st->threshold = st->entries[st->capacity - 1];
	st->has_threshold = true;
}

/* Offer one candidate (key still owned by the caller). */
static inline void
sample_offer(SampleState *st, const dc_cand *c)
{
	if (st->has_threshold)
	{
		int			cmp = dc_cand_cmp(c, &st->threshold);

		if (cmp >= 0)
		{
			if (cmp == 0)
				duplicate_error(c->key, c->keylen);
			return;
		}
	}
	if (st->n == st->allocated)
	{
		st->allocated = Min(st->limit, st->allocated * 2);
		st->entries = repalloc(st->entries, st->allocated * sizeof(dc_cand));
	}
	st->entries[st->n] = *c;
	st->entries[st->n].key = copy_key(st->keycxt, c->key, c->keylen);
	st->n++;
	if (st->n == st->limit)
		sample_compact(st);
}

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return cxt;
}

/* The stream seed argument: 32 bytes, never null. */
static const uint8_t *
read_seed(FunctionCallInfo fcinfo, int arg)
{
	if (PG_ARGISNULL(arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("stream seed of draw_sample must not be null"),
				 errhint("Pass the draw's 32-byte stream seed.")));
	return hash_arg(PG_GETARG_BYTEA_PP(arg), "stream seed");
}

/* The candidate in arguments keyarg (key) and weightarg (weight), checked. */
static void
read_candidate(FunctionCallInfo fcinfo, int keyarg, int weightarg, dc_cand *c)
{
	int64		weight;
	size_t		keylen;

	if (PG_ARGISNULL(keyarg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key of a draw candidate must not be null"),
				 errhint("Every candidate needs a key; remove or fix rows whose key is null.")));
	c->key = text_utf8(PG_GETARG_TEXT_PP(keyarg), &keylen);
	c->keylen = keylen;
	if (PG_ARGISNULL(weightarg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("weight of key \"%s\" must not be null", shown(c->key, c->keylen)),
				 errhint("Weights are integers from 1 to 4294967295.")));
	weight = PG_GETARG_INT64(weightarg);
	if (weight < 1 || (uint64_t) weight > DC_WEIGHT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("weight " INT64_FORMAT " of key \"%s\" is outside 1..4294967295",
						weight, shown(c->key, c->keylen)),
				 errhint("Weights are integers from 1 to 4294967295.")));
	c->weight = (uint64_t) weight;
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_trans);
Datum
spotcheck_draw_sample_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "draw_sample_trans");
	SampleState *st = PG_ARGISNULL(0) ? NULL : (SampleState *) PG_GETARG_POINTER(0);
	const uint8_t *seed = read_seed(fcinfo, 4);
	int32		quota;
	dc_cand		c;

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("quota of draw_sample must not be null"),
				 errhint("Pass the number of candidates to select, 0 or more.")));
	quota = PG_GETARG_INT32(3);
	if (quota < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("quota %d is negative", quota),
				 errhint("Pass the number of candidates to select, 0 or more.")));
	read_candidate(fcinfo, 1, 2, &c);

	if (st == NULL)
		st = sample_new(cxt, seed, quota);
	else
		sample_check_params(st, seed, quota);

	dc_ticket(&st->mid, c.key, c.keylen, c.ticket);
	sample_offer(st, &c);
	PG_RETURN_POINTER(st);
}

/* Offer every candidate of b to a (same seed and quota). */
static void
sample_merge(SampleState *a, const SampleState *b)
{
	int64		i;

	sample_check_params(a, b->seed, b->quota);
	for (i = 0; i < b->n; i++)
		sample_offer(a, &b->entries[i]);
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_combine);
Datum
spotcheck_draw_sample_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "draw_sample_combine");
	SampleState *a = PG_ARGISNULL(0) ? NULL : (SampleState *) PG_GETARG_POINTER(0);
	SampleState *b = PG_ARGISNULL(1) ? NULL : (SampleState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = sample_new(cxt, b->seed, b->quota);
	sample_merge(a, b);
	PG_RETURN_POINTER(a);
}

/* Write a state's best quota + 1 candidates (all the leader needs). */
static void
sample_write(StringInfo buf, SampleState *st)
{
	int64		i;

	sample_compact(st);
	pq_sendbytes(buf, (const char *) st->seed, DC_HASH_LEN);
	pq_sendint32(buf, st->quota);
	pq_sendint64(buf, st->n);
	for (i = 0; i < st->n; i++)
	{
		const dc_cand *c = &st->entries[i];

		pq_sendbytes(buf, (const char *) c->ticket, DC_HASH_LEN);
		pq_sendint64(buf, c->weight);
		pq_sendint32(buf, (int32) c->keylen);
		pq_sendbytes(buf, c->key, c->keylen);
	}
}

/*
 * Read a state written by sample_write.  The keys point into buf's data,
 * which must live as long as the state; the state is allocated in cxt.
 */
static SampleState *
sample_read(StringInfo buf, MemoryContext cxt)
{
	uint8_t		seed[DC_HASH_LEN];
	int32		quota;
	int64		n,
				i;
	SampleState *st;

	pq_copymsgbytes(buf, (char *) seed, DC_HASH_LEN);
	quota = pq_getmsgint(buf, 4);
	n = pq_getmsgint64(buf);
	st = sample_new(cxt, seed, quota);
	if (n < 0 || n > st->capacity)
		elog(ERROR, "draw_sample_deserial: %lld entries for quota %d", (long long) n, quota);
	st->allocated = Max(n, 1);
	st->entries = repalloc(st->entries, st->allocated * sizeof(dc_cand));
	for (i = 0; i < n; i++)
	{
		dc_cand    *c = &st->entries[i];
		int32		len;

		pq_copymsgbytes(buf, (char *) c->ticket, DC_HASH_LEN);
		c->weight = (uint64_t) pq_getmsgint64(buf);
		len = pq_getmsgint(buf, 4);
		c->key = pq_getmsgbytes(buf, len);
		c->keylen = len;
	}
	st->n = n;
	return st;
}

/* A StringInfo reading a bytea in place. */
static void
bytea_reader(bytea *b, StringInfo buf)
{
	buf->data = VARDATA_ANY(b);
	buf->len = VARSIZE_ANY_EXHDR(b);
	buf->maxlen = 0;
	buf->cursor = 0;
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_serial);
Datum
spotcheck_draw_sample_serial(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	sample_write(&buf, (SampleState *) PG_GETARG_POINTER(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_deserial);
Datum
spotcheck_draw_sample_deserial(PG_FUNCTION_ARGS)
{
	/*
	 * The deserialised state lives in the current (per-input) context: the
	 * combine function copies what it keeps into the aggregate's context,
	 * so workers' states do not pile up in the leader.  Its keys point into
	 * the bytea, which lives as long.
	 */
	StringInfoData buf;
	SampleState *st;

	bytea_reader(PG_GETARG_BYTEA_PP(0), &buf);
	st = sample_read(&buf, CurrentMemoryContext);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

static int
cand_cmp_qsort(const void *x, const void *y)
{
	return dc_cand_cmp((const dc_cand *) x, (const dc_cand *) y);
}

/*
 * A duplicated key among the kept candidates: copies of one key have one
 * ticket whatever their weights, so an open-addressing table on the tickets
 * finds them in O(n).
 */
static void
check_duplicates(const dc_cand *e, int64 n)
{
	int64		size = 16,
				i;
	int64	   *slot;

	while (size < 2 * n)
		size *= 2;
	slot = palloc(size * sizeof(int64));
	for (i = 0; i < size; i++)
		slot[i] = -1;
	for (i = 0; i < n; i++)
	{
		int64		h = (int64) (dc_be64(e[i].ticket) & (uint64_t) (size - 1));

		while (slot[h] >= 0)
		{
			const dc_cand *o = &e[slot[h]];

			if (memcmp(o->ticket, e[i].ticket, DC_HASH_LEN) == 0 &&
				dc_str_cmp(o->key, o->keylen, e[i].key, e[i].keylen) == 0)
				duplicate_error(e[i].key, e[i].keylen);
			h = (h + 1) & (size - 1);
		}
		slot[h] = i;
	}
	pfree(slot);
}

/*
 * The selection of a state: its first min(quota, n) candidates in priority
 * order, in a fresh array (the state stays as it was, FINALFUNC_MODIFY =
 * READ_ONLY).  Refuses a key kept twice.
 */
static dc_cand *
sample_sorted(const SampleState *st, int64 *k)
{
	dc_cand    *e;
	int64		m;

	*k = 0;
	if (st == NULL || st->n == 0)
		return NULL;
	e = palloc(st->n * sizeof(dc_cand));
	memcpy(e, st->entries, st->n * sizeof(dc_cand));
	m = st->n;
	if (m > st->capacity)
	{
		select_nth(e, m, st->capacity - 1);
		m = st->capacity;
	}
	check_duplicates(e, m);
	qsort(e, m, sizeof(dc_cand), cand_cmp_qsort);
	*k = Min(m, (int64) st->quota);
	return e;
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_final);
Datum
spotcheck_draw_sample_final(PG_FUNCTION_ARGS)
{
	SampleState *st = PG_ARGISNULL(0) ? NULL : (SampleState *) PG_GETARG_POINTER(0);
	int64		i,
				k;
	dc_cand    *e = sample_sorted(st, &k);
	Datum	   *keys;

	if (k == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	keys = palloc(k * sizeof(Datum));
	for (i = 0; i < k; i++)
		keys[i] = PointerGetDatum(utf8_text(e[i].key, e[i].keylen));
	PG_RETURN_ARRAYTYPE_P(construct_array(keys, (int) k, TEXTOID, -1, false, TYPALIGN_INT));
}

/* ---- draw_sample_strata ---------------------------------------------------
 *
 * draw_sample_strata(key, stratum, weight, quotas jsonb, stream_seed): the
 * whole selection of a stratified draw in one pass and one group, as a jsonb
 * object {stratum: [keys in priority order]}.  It is draw_sample run per
 * stratum inside the aggregate, so it needs neither a join to find each
 * row's quota nor a hash aggregate by stratum; quotas is the draw's quota
 * object, e.g. {"general": 6, "key_crowded": 5}.  Every stratum of the
 * quotas appears in the result (with [] when it selected nothing), and a
 * row whose stratum has no quota is refused.
 */
typedef struct StrataState
{
	uint8_t		seed[DC_HASH_LEN];
	int			n;				/* strata, sorted by name bytes */
	char	  **names;			/* server encoding */
	int		   *namelens;
	int32	   *quotas;
	SampleState **samples;		/* created on a stratum's first row */
	char	   *quotas_raw;		/* the quotas' bytes, to see a change */
	int			quotas_rawlen;
	MemoryContext cxt;
} StrataState;

static int
name_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* Index of a stratum, or -1. */
static int
strata_find(const StrataState *st, const char *name, int len)
{
	int			lo = 0,
				hi = st->n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			c = name_cmp(name, len, st->names[mid], st->namelens[mid]);

		if (c == 0)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

static StrataState *
strata_new(MemoryContext cxt, const uint8_t *seed, int n)
{
	StrataState *st = MemoryContextAllocZero(cxt, sizeof(StrataState));

	memcpy(st->seed, seed, DC_HASH_LEN);
	st->cxt = cxt;
	st->n = n;
	st->names = MemoryContextAllocZero(cxt, Max(n, 1) * sizeof(char *));
	st->namelens = MemoryContextAllocZero(cxt, Max(n, 1) * sizeof(int));
	st->quotas = MemoryContextAllocZero(cxt, Max(n, 1) * sizeof(int32));
	st->samples = MemoryContextAllocZero(cxt, Max(n, 1) * sizeof(SampleState *));
	return st;
}

/* Sort the strata by name (insertion sort: there are a handful) and refuse repeats. */
static void
strata_sort(StrataState *st)
{
	for (int i = 1; i < st->n; i++)
		for (int j = i; j > 0 && name_cmp(st->names[j - 1], st->namelens[j - 1],
										 st->names[j], st->namelens[j]) > 0; j--)
		{
			char	   *tn = st->names[j];
			int			tl = st->namelens[j];
			int32		tq = st->quotas[j];

			st->names[j] = st->names[j - 1];
			st->namelens[j] = st->namelens[j - 1];
			st->quotas[j] = st->quotas[j - 1];
			st->names[j - 1] = tn;
			st->namelens[j - 1] = tl;
			st->quotas[j - 1] = tq;
		}
	for (int i = 1; i < st->n; i++)
		if (name_cmp(st->names[i - 1], st->namelens[i - 1], st->names[i], st->namelens[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("stratum \"%.*s\" has two quotas", st->namelens[i], st->names[i]),
					 errhint("Give each stratum one quota.")));
}

/* Build the strata from the quotas object {"stratum": n, ...}. */
static StrataState *
strata_from_quotas(MemoryContext cxt, const uint8_t *seed, Jsonb *q)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	StrataState *st;
	int			i = 0;
	char	   *name = NULL;
	int			namelen = 0;

	if (!JB_ROOT_IS_OBJECT(q) || JB_ROOT_IS_SCALAR(q))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("quotas must be a JSON object, not %s",
						JsonbToCString(NULL, &q->root, VARSIZE(q))),
				 errhint("Pass one quota per stratum, e.g. {\"general\": 6, \"key_crowded\": 5}.")));
	st = strata_new(cxt, seed, (int) JB_ROOT_COUNT(q));
	it = JsonbIteratorInit(&q->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			name = v.val.string.val;
			namelen = v.val.string.len;
		}
		else if (tok == WJB_VALUE)
		{
			int64		quota = -1;
			bool		ok = false;

			if (v.type == jbvNumeric)
			{
				Numeric		num = v.val.numeric;
				Numeric		back;

				if (!numeric_is_nan(num) && !numeric_is_inf(num))
				{
					quota = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(num)));
					back = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(quota)));
					ok = DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(num),
														  NumericGetDatum(back)))
						&& quota >= 0 && quota <= PG_INT32_MAX;
				}
			}
			if (!ok)
			{
				JsonbValue	copy = v;

				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("quota %s of stratum \"%.*s\" is not a whole number from 0 to 2147483647",
								JsonbToCString(NULL, &JsonbValueToJsonb(&copy)->root, 0),
								namelen, name),
						 errhint("Give each stratum the number of candidates to select, 0 to select none.")));
			}
			st->names[i] = MemoryContextAlloc(cxt, Max(namelen, 1));
			memcpy(st->names[i], name, namelen);
			st->namelens[i] = namelen;
			st->quotas[i] = (int32) quota;
			i++;
		}
	}
	st->n = i;
	strata_sort(st);
	return st;
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_trans);
Datum
spotcheck_draw_sample_strata_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "draw_sample_strata_trans");
	StrataState *st = PG_ARGISNULL(0) ? NULL : (StrataState *) PG_GETARG_POINTER(0);
	const uint8_t *seed = read_seed(fcinfo, 5);
	text	   *stratum;
	struct varlena *qraw;
	int			i;
	dc_cand		c;

	if (PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("quotas of draw_sample_strata must not be null"),
				 errhint("Pass one quota per stratum, e.g. {\"general\": 6, \"key_crowded\": 5}.")));
	/* the quotas, compared byte for byte with the first row's */
	qraw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));
	if (st == NULL)
	{
		st = strata_from_quotas(cxt, seed, PG_GETARG_JSONB_P(4));
		st->quotas_rawlen = VARSIZE_ANY_EXHDR(qraw);
		st->quotas_raw = MemoryContextAlloc(cxt, Max(st->quotas_rawlen, 1));
		memcpy(st->quotas_raw, VARDATA_ANY(qraw), st->quotas_rawlen);
	}
	else if ((int) VARSIZE_ANY_EXHDR(qraw) != st->quotas_rawlen ||
			 memcmp(VARDATA_ANY(qraw), st->quotas_raw, st->quotas_rawlen) != 0)
	{
		Jsonb	   *q = PG_GETARG_JSONB_P(4);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("quotas changed to %s within one draw_sample_strata",
						JsonbToCString(NULL, &q->root, VARSIZE(q))),
				 errhint("Pass the draw's quota object unchanged for every row.")));
	}
	if (memcmp(seed, st->seed, DC_HASH_LEN) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stream seed changed within one draw_sample_strata"),
				 errhint("Pass one stream seed for the whole draw.")));

	read_candidate(fcinfo, 1, 3, &c);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("stratum of key \"%s\" must not be null", shown(c.key, c.keylen)),
				 errhint("Every candidate belongs to a stratum that has a quota.")));
	stratum = PG_GETARG_TEXT_PP(2);
	i = strata_find(st, VARDATA_ANY(stratum), VARSIZE_ANY_EXHDR(stratum));
	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stratum \"%s\" of key \"%s\" has no quota",
						text_to_cstring(stratum), shown(c.key, c.keylen)),
				 errhint("Give every stratum of the pool a quota (0 to select none).")));
	if (st->samples[i] == NULL)
		st->samples[i] = sample_new(cxt, st->seed, st->quotas[i]);
	dc_ticket(&st->samples[i]->mid, c.key, c.keylen, c.ticket);
	sample_offer(st->samples[i], &c);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_combine);
Datum
spotcheck_draw_sample_strata_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = agg_context(fcinfo, "draw_sample_strata_combine");
	StrataState *a = PG_ARGISNULL(0) ? NULL : (StrataState *) PG_GETARG_POINTER(0);
	StrataState *b = PG_ARGISNULL(1) ? NULL : (StrataState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		/* copy b's strata into the aggregate's context */
		a = strata_new(cxt, b->seed, b->n);
		for (int i = 0; i < b->n; i++)
		{
			a->names[i] = MemoryContextAlloc(cxt, Max(b->namelens[i], 1));
			memcpy(a->names[i], b->names[i], b->namelens[i]);
			a->namelens[i] = b->namelens[i];
			a->quotas[i] = b->quotas[i];
		}
	}
	if (a->n != b->n || memcmp(a->seed, b->seed, DC_HASH_LEN) != 0)
		elog(ERROR, "draw_sample_strata_combine: states of different draws");
	for (int i = 0; i < b->n; i++)
	{
		if (b->samples[i] == NULL)
			continue;
		if (name_cmp(a->names[i], a->namelens[i], b->names[i], b->namelens[i]) != 0 ||
			a->quotas[i] != b->quotas[i])
			elog(ERROR, "draw_sample_strata_combine: states of different draws");
		if (a->samples[i] == NULL)
			a->samples[i] = sample_new(cxt, a->seed, a->quotas[i]);
		sample_merge(a->samples[i], b->samples[i]);
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_serial);
Datum
spotcheck_draw_sample_strata_serial(PG_FUNCTION_ARGS)
{
	StrataState *st = (StrataState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) st->seed, DC_HASH_LEN);
	pq_sendint32(&buf, st->n);
	for (int i = 0; i < st->n; i++)
	{
		pq_sendint32(&buf, st->namelens[i]);
		pq_sendbytes(&buf, st->names[i], st->namelens[i]);
		pq_sendint32(&buf, st->quotas[i]);
		pq_sendbyte(&buf, st->samples[i] != NULL);
		if (st->samples[i] != NULL)
			sample_write(&buf, st->samples[i]);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_deserial);
Datum
spotcheck_draw_sample_strata_deserial(PG_FUNCTION_ARGS)
{
	/* as for draw_sample: names and keys point into the bytea */
	StringInfoData buf;
	uint8_t		seed[DC_HASH_LEN];
	StrataState *st;
	int			n;

	bytea_reader(PG_GETARG_BYTEA_PP(0), &buf);
	pq_copymsgbytes(&buf, (char *) seed, DC_HASH_LEN);
	n = pq_getmsgint(&buf, 4);
	if (n < 0 || n > buf.len)
		elog(ERROR, "draw_sample_strata_deserial: %d strata", n);
	st = strata_new(CurrentMemoryContext, seed, n);
	for (int i = 0; i < n; i++)
	{
		st->namelens[i] = pq_getmsgint(&buf, 4);
		st->names[i] = unconstify(char *, pq_getmsgbytes(&buf, st->namelens[i]));
		st->quotas[i] = pq_getmsgint(&buf, 4);
		if (pq_getmsgbyte(&buf))
			st->samples[i] = sample_read(&buf, CurrentMemoryContext);
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_final);
Datum
spotcheck_draw_sample_strata_final(PG_FUNCTION_ARGS)
{
	StrataState *st = PG_ARGISNULL(0) ? NULL : (StrataState *) PG_GETARG_POINTER(0);
	StringInfoData json;

	if (st == NULL)
		PG_RETURN_NULL();
	initStringInfo(&json);
	appendStringInfoChar(&json, '{');
	for (int i = 0; i < st->n; i++)
	{
		int64		k;
		dc_cand    *e = sample_sorted(st->samples[i], &k);

		if (i > 0)
			appendStringInfoString(&json, ", ");
		escape_json(&json, pnstrdup(st->names[i], st->namelens[i]));
		appendStringInfoString(&json, ": [");
		for (int64 j = 0; j < k; j++)
		{
			if (j > 0)
				appendStringInfoString(&json, ", ");
			escape_json(&json, shown(e[j].key, e[j].keylen));
		}
		appendStringInfoChar(&json, ']');
	}
	appendStringInfoChar(&json, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json.data)));
}

/* ---- digest aggregates ---------------------------------------------------
 *
 * pool_digest(key, stratum, weight) and quota_digest(stratum, quota) hash
 * their lines in the order they arrive and insist that the first field
 * strictly increases in byte order: a call without the right ORDER BY, or a
 * repeated key, is an error rather than a wrong digest.
 */
typedef struct DigestState
{
	SHA256_CTX	ctx;
	char	   *last;
	size_t		lastlen;
	bool		any;
} DigestState;

static Datum
digest_add(FunctionCallInfo fcinfo, bool with_b, const char *fn)
{
	MemoryContext cxt = agg_context(fcinfo, fn);
	DigestState *st = PG_ARGISNULL(0) ? NULL : (DigestState *) PG_GETARG_POINTER(0);
	int			nargs = with_b ? 4 : 3;
	size_t		alen,
				blen = 0;
	const char *a,
			   *b = NULL;
	int64		n;
	int			i;

	for (i = 1; i < nargs; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: argument %d must not be null", fn, i),
					 errhint("Every line of a digest needs all its fields.")));
	a = text_utf8(PG_GETARG_TEXT_PP(1), &alen);
	if (with_b)
		b = text_utf8(PG_GETARG_TEXT_PP(2), &blen);
	n = PG_GETARG_INT64(nargs - 1);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: value " INT64_FORMAT " of \"%s\" is negative", fn, n, shown(a, alen)),
				 errhint("Digest lines hold non-negative integers.")));
	if (st == NULL)
	{
		st = MemoryContextAllocZero(cxt, sizeof(DigestState));
		SHA256_Init(&st->ctx);
	}
	else if (dc_str_cmp(st->last, st->lastlen, a, alen) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s: \"%s\" does not come after \"%s\" in byte order", fn,
						shown(a, alen), shown(st->last, st->lastlen)),
				 errhint("Aggregate with ORDER BY convert_to(first_field, 'UTF8'); the first field must be unique.")));
	if (st->last)
		pfree(st->last);
	st->last = copy_key(cxt, a, alen);
	st->lastlen = alen;
	st->any = true;
	dc_digest_line(&st->ctx, a, alen, b, blen, with_b, (uint64_t) n);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(spotcheck_pool_digest_trans);
Datum
spotcheck_pool_digest_trans(PG_FUNCTION_ARGS)
{
	return digest_add(fcinfo, true, "pool_digest");
}

PG_FUNCTION_INFO_V1(spotcheck_quota_digest_trans);
Datum
spotcheck_quota_digest_trans(PG_FUNCTION_ARGS)
{
	return digest_add(fcinfo, false, "quota_digest");
}

PG_FUNCTION_INFO_V1(spotcheck_digest_final);
Datum
spotcheck_digest_final(PG_FUNCTION_ARGS)
{
	SHA256_CTX	ctx;
	uint8_t		h[DC_HASH_LEN];

	if (PG_ARGISNULL(0))
		SHA256_Init(&ctx);
	else
		ctx = ((DigestState *) PG_GETARG_POINTER(0))->ctx;
	SHA256_Final(h, &ctx);
	PG_RETURN_BYTEA_P(hash_bytea(h));
}

/* ---- teams ---------------------------------------------------------------- */

static dc_str *
text_array_strs(ArrayType *arr, const char *what, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	dc_str	   *out;
	int			i;

	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	out = palloc((*n ? *n : 1) * sizeof(dc_str));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain null (element %d)", what, i + 1),
					 errhint("Remove the null elements.")));
		out[i].p = text_utf8(DatumGetTextPP(elems[i]), &out[i].len);
	}
	return out;
}

/*
 * draw_teams(teams_seed, targets, inspectors, team_size, excluded_inspectors,
 *            excluded_targets) returns (target, member, inspector, over_cap)
 */
PG_FUNCTION_INFO_V1(spotcheck_draw_teams);
Datum
spotcheck_draw_teams(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	const uint8_t *seed;
	dc_str	   *targets,
			   *inspectors,
			   *xi,
			   *xt;
	int			nt,
				ni,
				nxi,
				nxt,
				m,
				i,
				j;
	dc_exclusion *excl;
	size_t	   *order;
	dc_member  *out;
	dc_team_result r;

	for (i = 0; i < 6; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %d of draw_teams must not be null", i + 1),
					 errhint("Pass empty arrays for no exclusions.")));
	seed = hash_arg(PG_GETARG_BYTEA_PP(0), "teams stream seed");
	targets = text_array_strs(PG_GETARG_ARRAYTYPE_P(1), "targets", &nt);
	inspectors = text_array_strs(PG_GETARG_ARRAYTYPE_P(2), "inspectors", &ni);
	m = PG_GETARG_INT32(3);
	xi = text_array_strs(PG_GETARG_ARRAYTYPE_P(4), "excluded inspectors", &nxi);
	xt = text_array_strs(PG_GETARG_ARRAYTYPE_P(5), "excluded targets", &nxt);
	if (nxi != nxt)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%d excluded inspectors but %d excluded targets", nxi, nxt),
				 errhint("Exclusions are pairs: pass arrays of equal length.")));
	if (m < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("team size %d is below 2", m),
				 errhint("An inspection team has at least two inspectors.")));
	excl = palloc((nxi ? nxi : 1) * sizeof(dc_exclusion));
	for (i = 0; i < nxi; i++)
	{
		excl[i].inspector = xi[i];
		excl[i].target = xt[i];
	}
	order = palloc((nt ? nt : 1) * sizeof(size_t));
	out = palloc((nt ? (size_t) nt * m : 1) * sizeof(dc_member));
	r = dc_form_teams(seed, targets, nt, inspectors, ni, m, excl, nxi,
					  &pg_allocator, order, out);
	switch (r.status)
	{
		case DC_TEAMS_OK:
			break;
		case DC_TEAMS_TOO_FEW:
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_RESOURCES),
					 errmsg("target \"%s\" has %d candidate inspectors, fewer than the team size %d",
							shown(targets[r.where].p, targets[r.where].len),
							(int) r.candidates, m),
					 errhint("Add inspectors to the pool or reduce the exclusions; the draw fails.")));
			break;
		case DC_TEAMS_DUPLICATE_INSPECTOR:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("inspector \"%s\" occurs more than once in the inspector pool",
							shown(inspectors[r.where].p, inspectors[r.where].len)),
					 errhint("Inspector keys must be unique.")));
			break;
		case DC_TEAMS_DUPLICATE_TARGET:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("target \"%s\" occurs more than once",
							shown(targets[r.where].p, targets[r.where].len)),
					 errhint("Target keys must be unique.")));
			break;
		case DC_TEAMS_BAD_SIZE:
		case DC_TEAMS_NO_MEMORY:
			elog(ERROR, "draw_teams: unexpected status %d", (int) r.status);
	}

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < nt; i++)
		for (j = 0; j < m; j++)
		{
			Datum		values[4];
			bool		nulls[4] = {false, false, false, false};
			const dc_str *g = &targets[order[i]];
			const dc_str *ins = &inspectors[out[(size_t) i * m + j].inspector];

			values[0] = PointerGetDatum(utf8_text(g->p, g->len));
			values[1] = Int32GetDatum(j + 1);
			values[2] = PointerGetDatum(utf8_text(ins->p, ins->len));
			values[3] = BoolGetDatum(out[(size_t) i * m + j].over_cap != 0);
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	return (Datum) 0;
}

/*
 * The role that called into the extension: the current user outside every
 * SECURITY DEFINER function (the session user, or the role it SET ROLE to).
 * commit_draw checks the pool's privileges for this role.
 */
PG_FUNCTION_INFO_V1(spotcheck_invoking_role);
Datum
spotcheck_invoking_role(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_OID(GetOuterUserId());
}
