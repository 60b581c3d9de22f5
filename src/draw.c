/*
 * draw.c — the SQL face of the draw algorithm (drawcore.c): tickets, seeds,
 * the digest aggregates, the secret generator and team forming, and the
 * helpers the sampling aggregates (draw_sample.c) share.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include <openssl/rand.h>

#include "drawcore.h"
#include "draw.h"

/* ---- small helpers -------------------------------------------------------- */

const char *
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

text *
utf8_text(const char *s, size_t len)
{
	char	   *c;

	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
		return cstring_to_text_with_len(s, len);
	c = pg_any_to_server(s, len, PG_UTF8);
	return cstring_to_text_with_len(c, strlen(c));
}

static bytea *
hash_bytea(const uint8_t h[DC_HASH_LEN])
{
	bytea	   *b = palloc(VARHDRSZ + DC_HASH_LEN);

	SET_VARSIZE(b, VARHDRSZ + DC_HASH_LEN);
	memcpy(VARDATA(b), h, DC_HASH_LEN);
	return b;
}

char *
utf8_shown(const char *s, size_t len)
{
	if (GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII)
		return pnstrdup(s, len);
	return pstrdup(pg_any_to_server(s, (int) len, PG_UTF8));
}

const uint8_t *
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

MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return cxt;
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
				 errmsg("%s: value " INT64_FORMAT " of \"%s\" is negative", fn, n, utf8_shown(a, alen)),
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
						utf8_shown(a, alen), utf8_shown(st->last, st->lastlen)),
				 errhint("Aggregate with ORDER BY convert_to(first_field, 'UTF8'); the first field must be unique.")));
	if (st->last)
		pfree(st->last);
	st->last = MemoryContextAlloc(cxt, Max(alen, 1));
	memcpy(st->last, a, alen);
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
							utf8_shown(targets[r.where].p, targets[r.where].len),
							(int) r.candidates, m),
					 errhint("Add inspectors to the pool or reduce the exclusions; the draw fails.")));
			break;
		case DC_TEAMS_DUPLICATE_INSPECTOR:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("inspector \"%s\" occurs more than once in the inspector pool",
							utf8_shown(inspectors[r.where].p, inspectors[r.where].len)),
					 errhint("Inspector keys must be unique.")));
			break;
		case DC_TEAMS_DUPLICATE_TARGET:
			ereport(ERROR,
					(errcode(ERRCODE_UNIQUE_VIOLATION),
					 errmsg("target \"%s\" occurs more than once",
							utf8_shown(targets[r.where].p, targets[r.where].len)),
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
