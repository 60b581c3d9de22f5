/*
 * drawcore.c — the spotcheck-v1 draw algorithm in plain C (see drawcore.h).
 * Shared, unchanged, by the extension and by spotcheck-verify.
 */
#include "drawcore.h"

#include <stdlib.h>
#include <string.h>

void
dc_tag(const char *s, uint8_t out[DC_HASH_LEN])
{
	size_t		n = strlen(s);

	memset(out, 0, DC_HASH_LEN);
	memcpy(out, s, n < DC_HASH_LEN ? n : DC_HASH_LEN);
}

static void
tagged_init(SHA256_CTX *ctx, const char *tag)
{
	uint8_t		t[DC_HASH_LEN];

	dc_tag(tag, t);
	SHA256_Init(ctx);
	SHA256_Update(ctx, t, DC_HASH_LEN);
}

void
dc_commitment(const uint8_t secret[DC_HASH_LEN], uint8_t out[DC_HASH_LEN])
{
	SHA256_CTX	ctx;

	tagged_init(&ctx, "spotcheck-v1/commit");
	SHA256_Update(&ctx, secret, DC_HASH_LEN);
	SHA256_Final(out, &ctx);
}

void
dc_seed(const uint8_t secret[DC_HASH_LEN], const uint8_t pool[DC_HASH_LEN],
		const uint8_t quota[DC_HASH_LEN], const char *entropy, size_t entropy_len,
		uint8_t out[DC_HASH_LEN])
{
	SHA256_CTX	ctx;

	tagged_init(&ctx, "spotcheck-v1/seed");
	SHA256_Update(&ctx, secret, DC_HASH_LEN);
	SHA256_Update(&ctx, pool, DC_HASH_LEN);
	SHA256_Update(&ctx, quota, DC_HASH_LEN);
	SHA256_Update(&ctx, entropy, entropy_len);
	SHA256_Final(out, &ctx);
}

void
dc_stream_seed(const uint8_t seed[DC_HASH_LEN], const char *purpose,
			   size_t purpose_len, uint8_t out[DC_HASH_LEN])
{
	SHA256_CTX	ctx;

	tagged_init(&ctx, "spotcheck-v1/stream");
	SHA256_Update(&ctx, seed, DC_HASH_LEN);
	SHA256_Update(&ctx, purpose, purpose_len);
	SHA256_Final(out, &ctx);
}

void
dc_ticket_prepare(const uint8_t stream_seed[DC_HASH_LEN], SHA256_CTX *mid)
{
	tagged_init(mid, "spotcheck-v1/ticket");
	SHA256_Update(mid, stream_seed, DC_HASH_LEN);
}

/*
 * The last block of a ticket's message when the midstate ends on a block
 * boundary (the usual case: 64 bytes of tag and seed) and the key is at most
 * 55 bytes: the key, 0x80, zeros and the bit length.  Returns 0 otherwise.
 */
static inline int
ticket_block(const SHA256_CTX *mid, const char *key, size_t keylen, uint8_t block[64])
{
	uint64_t	bits;

	if (keylen > 55 || mid->num != 0)
		return 0;
	bits = ((((uint64_t) mid->Nh) << 32) | mid->Nl) + (uint64_t) keylen * 8;
	memset(block, 0, 64);
	memcpy(block, key, keylen);
	block[keylen] = 0x80;
	for (int i = 0; i < 8; i++)
		block[56 + i] = (uint8_t) (bits >> (56 - 8 * i));
	return 1;
}

/* One compression of the last block on a copy of the chaining value, left in ctx->h. */
static inline int
ticket_one_block(const SHA256_CTX *mid, const char *key, size_t keylen, SHA256_CTX *ctx)
{
	uint8_t		block[64];

	if (!ticket_block(mid, key, keylen, block))
		return 0;
	memcpy(ctx->h, mid->h, sizeof(ctx->h));
	SHA256_Transform(ctx, block);
	return 1;
}

void
dc_ticket(const SHA256_CTX *mid, const char *key, size_t keylen,
		  uint8_t out[DC_HASH_LEN])
{
	SHA256_CTX	ctx;

	if (ticket_one_block(mid, key, keylen, &ctx))
	{
		for (int i = 0; i < 8; i++)
		{
			out[4 * i] = (uint8_t) (ctx.h[i] >> 24);
			out[4 * i + 1] = (uint8_t) (ctx.h[i] >> 16);
			out[4 * i + 2] = (uint8_t) (ctx.h[i] >> 8);
			out[4 * i + 3] = (uint8_t) ctx.h[i];
		}
		return;
	}
	ctx = *mid;
	SHA256_Update(&ctx, key, keylen);
	SHA256_Final(out, &ctx);
}

uint64_t
dc_ticket_rank(const SHA256_CTX *mid, const char *key, size_t keylen)
{
	SHA256_CTX	ctx;
	uint8_t		t[DC_HASH_LEN];

	if (ticket_one_block(mid, key, keylen, &ctx))
		return ((uint64_t) ctx.h[0] << 32) | ctx.h[1];
	dc_ticket(mid, key, keylen, t);
	return dc_be64(t);
}

int
dc_str_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c < 0 ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

int
dc_cand_cmp_tie(const dc_cand *a, const dc_cand *b)
{
	int			c = memcmp(a->ticket, b->ticket, DC_HASH_LEN);

	if (c != 0)
		return c < 0 ? -1 : 1;
	c = dc_str_cmp(a->key, a->keylen, b->key, b->keylen);
	if (c != 0)
		return c;
	/* Same key, hence same ticket: only a duplicate gets here. */
	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	return 0;
}

size_t
dc_decimal(uint64_t v, char *buf)
{
	char		tmp[24];
	size_t		n = 0,
				i;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

void
dc_digest_line(SHA256_CTX *ctx, const char *a, size_t alen,
			   const char *b, size_t blen, int with_b, uint64_t n)
{
	char		num[24];
	size_t		nlen = dc_decimal(n, num);

	SHA256_Update(ctx, a, alen);
	SHA256_Update(ctx, "\t", 1);
	if (with_b)
	{
		SHA256_Update(ctx, b, blen);
		SHA256_Update(ctx, "\t", 1);
	}
	num[nlen] = '\n';
	SHA256_Update(ctx, num, nlen + 1);
}

/* Byte order of the strings two pointers point at. */
static int
str_ptr_cmp(const void *x, const void *y)
{
	const dc_str *a = *(const dc_str *const *) x;
	const dc_str *b = *(const dc_str *const *) y;

	return dc_str_cmp(a->p, a->len, b->p, b->len);
}

/*
 * The digest of n rows of size bytes: each row has a first field (a dc_str
 * at first_off) by which the lines are sorted, optionally a second field
 * (second_off, or -1 for none) and a number (a uint64_t at num_off).
 */
static int
digest_rows(const void *rows, size_t n, size_t size, size_t first_off,
			long second_off, size_t num_off, const dc_alloc *a,
			uint8_t out[DC_HASH_LEN])
{
	const dc_str **sorted;
	SHA256_CTX	ctx;

	sorted = a->alloc((n ? n : 1) * sizeof(*sorted));
	if (sorted == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		sorted[i] = (const dc_str *) ((const char *) rows + i * size + first_off);
	qsort(sorted, n, sizeof(*sorted), str_ptr_cmp);
	SHA256_Init(&ctx);
	for (size_t i = 0; i < n; i++)
	{
		const char *row = (const char *) sorted[i] - first_off;
		const dc_str *second = second_off < 0 ? NULL : (const dc_str *) (row + second_off);
		uint64_t	num;

		memcpy(&num, row + num_off, sizeof(num));
		dc_digest_line(&ctx, sorted[i]->p, sorted[i]->len,
					   second ? second->p : NULL, second ? second->len : 0,
					   second != NULL, num);
	}
	SHA256_Final(out, &ctx);
	a->release(sorted);
	return 0;
}

int
dc_pool_digest(const dc_pool_row *rows, size_t n, const dc_alloc *a,
			   uint8_t out[DC_HASH_LEN])
{
	return digest_rows(rows, n, sizeof(dc_pool_row), offsetof(dc_pool_row, key),
					   (long) offsetof(dc_pool_row, stratum), offsetof(dc_pool_row, weight),
					   a, out);
}

int
dc_quota_digest(const dc_quota_row *rows, size_t n, const dc_alloc *a,
				uint8_t out[DC_HASH_LEN])
{
	return digest_rows(rows, n, sizeof(dc_quota_row), offsetof(dc_quota_row, stratum),
					   -1, offsetof(dc_quota_row, quota), a, out);
}

int
dc_valid_label(const char *s, size_t len)
{
	size_t		i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/* ---- teams ------------------------------------------------------------ */

typedef struct team_sort_ctx_item
{
	const dc_str *s;
	size_t		index;
} team_item;

static int
team_item_cmp(const void *x, const void *y)
{
	const team_item *a = x;
	const team_item *b = y;

	return dc_str_cmp(a->s->p, a->s->len, b->s->p, b->s->len);
}

static int
excl_cmp(const void *x, const void *y)
{
	const dc_exclusion *a = x;
	const dc_exclusion *b = y;
	int			c = dc_str_cmp(a->target.p, a->target.len, b->target.p, b->target.len);

	if (c != 0)
		return c;
	return dc_str_cmp(a->inspector.p, a->inspector.len, b->inspector.p, b->inspector.len);
}

typedef struct team_cand
{
	dc_cand		c;
	size_t		inspector;
} team_cand;

static int
team_cand_cmp(const void *x, const void *y)
{
	return dc_cand_cmp(&((const team_cand *) x)->c, &((const team_cand *) y)->c);
}

dc_team_result
dc_form_teams(const uint8_t teams_seed[DC_HASH_LEN],
			  const dc_str *targets, size_t ntargets,
			  const dc_str *inspectors, size_t ninspectors,
			  int m,
			  const dc_exclusion *excl, size_t nexcl,
			  const dc_alloc *a,
			  size_t *order, dc_member *out)
{
	dc_team_result res = {DC_TEAMS_OK, 0, 0, 0};
	team_item  *titems = NULL,
			   *iitems = NULL;
	dc_exclusion *ex = NULL;
	team_cand  *cands = NULL;
	uint64_t   *load = NULL;
	int		   *taken = NULL;
	SHA256_CTX	mid;
	size_t		i,
				j;

	if (m < 2)
	{
		res.status = DC_TEAMS_BAD_SIZE;
		return res;
	}
	titems = a->alloc((ntargets ? ntargets : 1) * sizeof(team_item));
	iitems = a->alloc((ninspectors ? ninspectors : 1) * sizeof(team_item));
	ex = a->alloc((nexcl ? nexcl : 1) * sizeof(dc_exclusion));
	cands = a->alloc((ninspectors ? ninspectors : 1) * sizeof(team_cand));
	load = a->alloc((ninspectors ? ninspectors : 1) * sizeof(uint64_t));
	taken = a->alloc((ninspectors ? ninspectors : 1) * sizeof(int));
	if (!titems || !iitems || !ex || !cands || !load || !taken)
	{
		res.status = DC_TEAMS_NO_MEMORY;
		goto done;
	}

	/* Targets in U(key) order; inspectors must be unique. */
	for (i = 0; i < ntargets; i++)
	{
		titems[i].s = &targets[i];
		titems[i].index = i;
	}
	qsort(titems, ntargets, sizeof(team_item), team_item_cmp);
	for (i = 1; i < ntargets; i++)
		if (team_item_cmp(&titems[i - 1], &titems[i]) == 0)
		{
			res.status = DC_TEAMS_DUPLICATE_TARGET;
			res.where = titems[i].index;
			goto done;
		}
	for (i = 0; i < ninspectors; i++)
	{
		iitems[i].s = &inspectors[i];
		iitems[i].index = i;
		load[i] = 0;
	}
	qsort(iitems, ninspectors, sizeof(team_item), team_item_cmp);
	for (i = 1; i < ninspectors; i++)
		if (team_item_cmp(&iitems[i - 1], &iitems[i]) == 0)
		{
			res.status = DC_TEAMS_DUPLICATE_INSPECTOR;
			res.where = iitems[i].index;
			goto done;
		}
	if (nexcl)
		memcpy(ex, excl, nexcl * sizeof(dc_exclusion));
	qsort(ex, nexcl, sizeof(dc_exclusion), excl_cmp);

	/* cap = ceil(m * targets / inspectors) */
	if (ninspectors > 0)
		res.cap = ((uint64_t) m * ntargets + ninspectors - 1) / ninspectors;

	dc_ticket_prepare(teams_seed, &mid);
	for (i = 0; i < ntargets; i++)
	{
		const dc_str *g = titems[i].s;
		SHA256_CTX	tctx = mid;
		size_t		n = 0,
					got = 0;
		int			pass;

		order[i] = titems[i].index;
		/* every ticket of this target starts with U(g) || 0x1F */
		SHA256_Update(&tctx, g->p, g->len);
		SHA256_Update(&tctx, "\x1f", 1);
		for (j = 0; j < ninspectors; j++)
		{
			dc_exclusion probe;

			probe.inspector = inspectors[j];
			probe.target = *g;
			if (nexcl && bsearch(&probe, ex, nexcl, sizeof(dc_exclusion), excl_cmp))
				continue;
			dc_ticket(&tctx, inspectors[j].p, inspectors[j].len, cands[n].c.ticket);
			cands[n].c.weight = 1;
			cands[n].c.key = inspectors[j].p;
			cands[n].c.keylen = inspectors[j].len;
			cands[n].inspector = j;
			taken[n] = 0;
			n++;
		}
		if (n < (size_t) m)
		{
			res.status = DC_TEAMS_TOO_FEW;
			res.where = titems[i].index;
			res.candidates = n;
			goto done;
		}
		qsort(cands, n, sizeof(team_cand), team_cand_cmp);
		for (pass = 0; pass < 2 && got < (size_t) m; pass++)
			for (j = 0; j < n && got < (size_t) m; j++)
			{
				if (taken[j])
					continue;
				if (pass == 0 && load[cands[j].inspector] >= res.cap)
					continue;
				taken[j] = 1;
				out[i * m + got].inspector = cands[j].inspector;
				out[i * m + got].over_cap = pass == 1;
				got++;
			}
		for (j = 0; j < (size_t) m; j++)
			load[out[i * m + j].inspector]++;
	}

done:
	if (titems)
		a->release(titems);
	if (iitems)
		a->release(iitems);
	if (ex)
		a->release(ex);
	if (cands)
		a->release(cands);
	if (load)
		a->release(load);
	if (taken)
		a->release(taken);
	return res;
}

void
dc_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
dc_unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	size_t		i;

	if (slen != 2 * n)
		return -1;
	for (i = 0; i < n; i++)
	{
		int			hi = hexval(s[2 * i]),
					lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t) (hi << 4 | lo);
	}
	return 0;
}
