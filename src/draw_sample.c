/*
 * draw_sample.c — the sampling aggregates: draw_sample (one group's first
 * quota keys in priority order) and draw_sample_strata (every stratum of a
 * draw in one pass), with their parallel support functions.  The bottom-k
 * state itself is in sample.c.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "drawcore.h"
#include "draw.h"
#include "sample.h"

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

/* A candidate's key (UTF-8) and weight, checked. */
typedef struct Candidate
{
	const char *key;
	size_t		keylen;
	uint32		weight;
} Candidate;

/* The candidate in arguments keyarg (key) and weightarg (weight), checked. */
static inline void
read_candidate(FunctionCallInfo fcinfo, int keyarg, int weightarg, Candidate *c)
{
	int64		weight;

	if (PG_ARGISNULL(keyarg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("key of a draw candidate must not be null"),
				 errhint("Every candidate needs a key; remove or fix rows whose key is null.")));
	c->key = text_utf8(PG_GETARG_TEXT_PP(keyarg), &c->keylen);
	if (PG_ARGISNULL(weightarg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("weight of key \"%s\" must not be null", utf8_shown(c->key, c->keylen)),
				 errhint("Weights are integers from 1 to 4294967295.")));
	weight = PG_GETARG_INT64(weightarg);
	if (weight < 1 || (uint64_t) weight > DC_WEIGHT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("weight " INT64_FORMAT " of key \"%s\" is outside 1..4294967295",
						weight, utf8_shown(c->key, c->keylen)),
				 errhint("Weights are integers from 1 to 4294967295.")));
	c->weight = (uint32) weight;
}

/* A key of the selection as a text value. */
static inline text *
entry_text(const SampleEntry *e)
{
	return utf8_text(sample_key(e), sample_keylen(e));
}

/* ---- draw_sample ---------------------------------------------------------- */

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_trans);
Datum
spotcheck_draw_sample_trans(PG_FUNCTION_ARGS)
{
	SampleState *st = PG_ARGISNULL(0) ? NULL : (SampleState *) PG_GETARG_POINTER(0);
	const uint8_t *seed = read_seed(fcinfo, 4);
	int32		quota;
	Candidate	c;

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
		st = sample_new(agg_context(fcinfo, "draw_sample_trans"), seed, quota);
	else
		sample_check_params(st, seed, quota);
	sample_add(st, c.key, c.keylen, c.weight);
	PG_RETURN_POINTER(st);
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
	 * so workers' states do not pile up in the leader.
	 */
	StringInfoData buf;
	SampleState *st;

	bytea_reader(PG_GETARG_BYTEA_PP(0), &buf);
	st = sample_read(&buf, CurrentMemoryContext);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_final);
Datum
spotcheck_draw_sample_final(PG_FUNCTION_ARGS)
{
	SampleState *st = PG_ARGISNULL(0) ? NULL : (SampleState *) PG_GETARG_POINTER(0);
	int64		k;
	const SampleEntry *e = sample_sorted(st, &k);
	Datum	   *keys;

	if (k == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	keys = palloc(k * sizeof(Datum));
	for (int64 i = 0; i < k; i++)
		keys[i] = PointerGetDatum(entry_text(&e[i]));
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
	bool		fixed_inputs;	/* quotas and seed cannot change between rows */
	MemoryContext cxt;
} StrataState;

static int
name_cmp(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* Index of a stratum, or -1. */
static inline int
strata_find(const StrataState *st, const char *name, int len)
{
	int			lo = 0,
				hi = st->n - 1;

	/* a handful of strata (the usual case): the length rules most out */
	if (st->n <= 8)
	{
		for (int i = 0; i < st->n; i++)
			if (st->namelens[i] == len && memcmp(st->names[i], name, len) == 0)
				return i;
		return -1;
	}
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

/*
 * Is argument argno (1-based, after the state) of this aggregate call the
 * same for every row of one aggregation?  A literal is; so is a parameter
 * (a bound value, an initPlan's result, an outer query's or a lateral
 * reference's value): when one of those changes, the executor rescans the
 * aggregate, which starts a new transition state.  Such an argument is
 * read and checked on the first row only.
 */
static bool
agg_arg_is_fixed(FunctionCallInfo fcinfo, int argno)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	Node	   *arg;

	if (aggref == NULL || argno > list_length(aggref->args))
		return false;
	arg = (Node *) ((TargetEntry *) list_nth(aggref->args, argno - 1))->expr;
	return IsA(arg, Const) || IsA(arg, Param);
}

PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_trans);
Datum
spotcheck_draw_sample_strata_trans(PG_FUNCTION_ARGS)
{
	StrataState *st = PG_ARGISNULL(0) ? NULL : (StrataState *) PG_GETARG_POINTER(0);
	text	   *stratum;
	int			i;
	Candidate	c;

	if (st == NULL || !st->fixed_inputs)
	{
		const uint8_t *seed = read_seed(fcinfo, 5);
		struct varlena *qraw;

		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("quotas of draw_sample_strata must not be null"),
					 errhint("Pass one quota per stratum, e.g. {\"general\": 6, \"key_crowded\": 5}.")));
		/* the quotas, compared byte for byte with the first row's */
		qraw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));
		if (st == NULL)
		{
			MemoryContext cxt = agg_context(fcinfo, "draw_sample_strata_trans");

			st = strata_from_quotas(cxt, seed, PG_GETARG_JSONB_P(4));
			st->quotas_rawlen = VARSIZE_ANY_EXHDR(qraw);
			st->quotas_raw = MemoryContextAlloc(cxt, Max(st->quotas_rawlen, 1));
			memcpy(st->quotas_raw, VARDATA_ANY(qraw), st->quotas_rawlen);
			st->fixed_inputs = agg_arg_is_fixed(fcinfo, 4) && agg_arg_is_fixed(fcinfo, 5);
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
	}

	read_candidate(fcinfo, 1, 3, &c);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("stratum of key \"%s\" must not be null", utf8_shown(c.key, c.keylen)),
				 errhint("Every candidate belongs to a stratum that has a quota.")));
	stratum = PG_GETARG_TEXT_PP(2);
	i = strata_find(st, VARDATA_ANY(stratum), VARSIZE_ANY_EXHDR(stratum));
	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("stratum \"%s\" of key \"%s\" has no quota",
						text_to_cstring(stratum), utf8_shown(c.key, c.keylen)),
				 errhint("Give every stratum of the pool a quota (0 to select none).")));
	if (st->samples[i] == NULL)
		st->samples[i] = sample_new(st->cxt, st->seed, st->quotas[i]);
	sample_add(st->samples[i], c.key, c.keylen, c.weight);
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
	/* as for draw_sample; the names point into the bytea, the samples copy their keys */
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

/* A jsonb string of server-encoded bytes (not copied). */
static inline void
set_string(JsonbValue *v, const char *s, int len)
{
	v->type = jbvString;
	v->val.string.val = unconstify(char *, s);
	v->val.string.len = len;
}

/* jsonb's order of object keys: shorter first, then bytes. */
static int
jsonb_key_order(const void *x, const void *y)
{
	const JsonbPair *a = x;
	const JsonbPair *b = y;

	if (a->key.val.string.len != b->key.val.string.len)
		return a->key.val.string.len < b->key.val.string.len ? -1 : 1;
	return memcmp(a->key.val.string.val, b->key.val.string.val, a->key.val.string.len);
}

/*
 * The result {stratum: [keys in priority order]} is built as one JsonbValue
 * tree and converted once: the strings point at the state's key bytes when
 * the database encoding is UTF-8, so no key is copied until the conversion,
 * and each array of values lives in its stratum's scratch space.
 */
PG_FUNCTION_INFO_V1(spotcheck_draw_sample_strata_final);
Datum
spotcheck_draw_sample_strata_final(PG_FUNCTION_ARGS)
{
	StrataState *st = PG_ARGISNULL(0) ? NULL : (StrataState *) PG_GETARG_POINTER(0);
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII;
	JsonbValue	root;
	JsonbPair  *pairs;

	if (st == NULL)
		PG_RETURN_NULL();
	pairs = palloc0(Max(st->n, 1) * sizeof(JsonbPair));
	for (int i = 0; i < st->n; i++)
	{
		JsonbValue *arr = &pairs[i].value;
		int64		k;
		const SampleEntry *e = sample_sorted(st->samples[i], &k);

		set_string(&pairs[i].key, st->names[i], st->namelens[i]);
		pairs[i].order = i;
		arr->type = jbvArray;
		arr->val.array.rawScalar = false;
		arr->val.array.nElems = (int) k;
		arr->val.array.elems = st->samples[i] == NULL ? NULL :
			sample_scratch(st->samples[i], k * sizeof(JsonbValue));
		for (int64 j = 0; j < k; j++)
		{
			if (utf8)
				set_string(&arr->val.array.elems[j], sample_key(&e[j]), (int) sample_keylen(&e[j]));
			else
			{
				text	   *t = entry_text(&e[j]);

				set_string(&arr->val.array.elems[j], VARDATA(t), VARSIZE(t) - VARHDRSZ);
			}
		}
	}
	qsort(pairs, st->n, sizeof(JsonbPair), jsonb_key_order);
	root.type = jbvObject;
	root.val.object.nPairs = st->n;
	root.val.object.pairs = pairs;
	PG_RETURN_JSONB_P(JsonbValueToJsonb(&root));
}
