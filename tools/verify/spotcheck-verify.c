/*
 * spotcheck-verify — recompute a spotcheck-v1 draw transcript (DRAW-SPEC.md)
 * with no database: commitment, pool and quota digests, seed, selection and
 * ranks, teams.  Prints one line per check; exits 0 only when all pass,
 * 1 when a check fails, 2 when the transcript cannot be read or is malformed.
 * A public transcript (draw_public_transcript) leaves the teams out and says
 * so in "withheld": their check is reported as skipped, not counted.
 * tools/verify-web/spotcheck-verify.html runs the same checks in a browser.
 *
 *     spotcheck-verify TRANSCRIPT.json      ("-" reads standard input)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drawcore.h"
#include "json.h"

static int	n_checks = 0;
static int	n_failed = 0;

static void
check(int ok, const char *name, const char *fmt,...)
{
	va_list		ap;

	n_checks++;
	if (!ok)
		n_failed++;
	printf("%-5s %s: ", ok ? "ok" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A check this transcript cannot support (a part withheld from it): not counted. */
static void
skip(const char *name, const char *fmt,...)
{
	va_list		ap;

	printf("%-5s %s: ", "skip", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void
die(int code, const char *fmt,...)
{
	va_list		ap;

	fputs("spotcheck-verify: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		die(2, "out of memory");
	return p;
}

static void
xfree(void *p)
{
	free(p);
}

static const dc_alloc heap_allocator = {xmalloc, xfree};

/* ---- reading the transcript's fields: a bad shape is a malformed transcript */

static const json_value *
member(const json_value *obj, const char *name, json_kind kind, const char *where)
{
	const json_value *v = json_get(obj, name);

	if (v == NULL)
		die(2, "%s: member \"%s\" is missing (line %d, column %d)", where, name, obj->line, obj->column);
	if (v->kind != kind && !(kind == JSON_TRUE && v->kind == JSON_FALSE))
		die(2, "%s: member \"%s\" is a %s, expected a %s (line %d, column %d)", where, name,
			json_kind_name(v->kind), kind == JSON_TRUE ? "boolean" : json_kind_name(kind),
			v->line, v->column);
	return v;
}

static dc_str
member_str(const json_value *obj, const char *name, const char *where)
{
	const json_value *v = member(obj, name, JSON_STRING, where);
	dc_str		s;

	s.p = v->str;
	s.len = v->len;
	return s;
}

/* A non-negative integer written without sign, fraction or exponent. */
static uint64_t
member_uint(const json_value *obj, const char *name, uint64_t max, const char *where)
{
	const json_value *v = member(obj, name, JSON_NUMBER, where);
	uint64_t	n = 0;
	size_t		i;

	for (i = 0; i < v->len; i++)
	{
		char		c = v->str[i];

		if (c < '0' || c > '9')
			die(2, "%s: \"%s\" is %s, expected a whole number 0..%llu (line %d, column %d)",
				where, name, v->str, (unsigned long long) max, v->line, v->column);
		if (n > (max - (uint64_t) (c - '0')) / 10)
			die(2, "%s: \"%s\" is %s, above %llu (line %d, column %d)", where, name, v->str,
				(unsigned long long) max, v->line, v->column);
		n = n * 10 + (uint64_t) (c - '0');
	}
	return n;
}

static void
member_hash(const json_value *obj, const char *name, uint8_t out[DC_HASH_LEN], const char *where)
{
	const json_value *v = member(obj, name, JSON_STRING, where);

	if (dc_unhex(v->str, v->len, out, DC_HASH_LEN) != 0)
		die(2, "%s: \"%s\" is not 64 lower-case hex digits (line %d, column %d)", where, name,
			v->line, v->column);
}

static char *
hex32(const uint8_t h[DC_HASH_LEN], char *buf)
{
	dc_hex(h, DC_HASH_LEN, buf);
	return buf;
}

/* A printable copy (for messages) of a string that has no NUL. */
static const char *
cstr(dc_str s)
{
	static char buf[4][256];
	static int	k = 0;
	char	   *b = buf[k++ % 4];
	size_t		n = s.len < 200 ? s.len : 200;

	memcpy(b, s.p, n);
	b[n] = '\0';
	if (n < s.len)
		strcat(b, "...");
	return b;
}

/* ---- the recomputation ---------------------------------------------------- */

typedef struct candidate
{
	dc_cand		c;
	dc_str		stratum;
} candidate;

static int
cand_by_stratum_then_priority(const void *x, const void *y)
{
	const candidate *a = *(const candidate *const *) x;
	const candidate *b = *(const candidate *const *) y;
	int			s = dc_str_cmp(a->stratum.p, a->stratum.len, b->stratum.p, b->stratum.len);

	return s != 0 ? s : dc_cand_cmp(&a->c, &b->c);
}

typedef struct pick
{
	dc_str		stratum;
	uint64_t	rank;
	dc_str		key;
	uint8_t		ticket[DC_HASH_LEN];
} pick;

static int
pick_cmp(const void *x, const void *y)
{
	const pick *a = x;
	const pick *b = y;
	int			s = dc_str_cmp(a->stratum.p, a->stratum.len, b->stratum.p, b->stratum.len);

	if (s != 0)
		return s;
	return a->rank < b->rank ? -1 : a->rank > b->rank;
}

static int
str_cmp_ptr(const void *x, const void *y)
{
	const dc_str *a = x;
	const dc_str *b = y;

	return dc_str_cmp(a->p, a->len, b->p, b->len);
}

/*
 * An RFC 3339 time ("2026-11-28T18:00:00.123456Z", "+08:00" offsets, a space
 * instead of the T) as microseconds since 1970; 0 on success.
 */
static int
parse_time(const char *s, long long *out)
{
	int			y,
				mo,
				d,
				h,
				mi,
				sec,
				n = 0;
	long long	frac = 0,
				scale = 1000000,
				days,
				off = 0;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + n;
	if (*p == '.')
	{
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
		{
			if (scale > 1)
			{
				scale /= 10;
				frac += (*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p == 'Z' && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9')
	{
		int			oh = (p[1] - '0') * 10 + (p[2] - '0'),
					om = 0;

		if (p[3] == ':' && p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9' && p[6] == '\0')
			om = (p[4] - '0') * 10 + (p[5] - '0');
		else if (p[3] != '\0')
			return -1;
		off = (oh * 60LL + om) * 60 * (*p == '+' ? 1 : -1);
	}
	else
		return -1;
	/* days from civil (proleptic Gregorian) */
	{
		int			yy = y - (mo <= 2);
		int			era = (yy >= 0 ? yy : yy - 399) / 400;
		int			yoe = yy - era * 400;
		int			doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		int			doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = (long long) era * 146097 + doe - 719468;
	}
	*out = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000000 + frac;
	return 0;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE	   *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char	   *data = NULL;
	size_t		cap = 0,
				n = 0;

	if (f == NULL)
		die(2, "cannot open %s: %s", path, strerror(errno));
	for (;;)
	{
		size_t		got;

		if (n == cap)
		{
			cap = cap ? cap * 2 : 65536;
			data = realloc(data, cap);
			if (data == NULL)
				die(2, "out of memory reading %s", path);
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		die(2, "cannot read %s: %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	*len = n;
	return data;
}

int
main(int argc, char **argv)
{
	char		err[512];
	char		h1[65],
				h2[65];
	size_t		len,
				i,
				j;
	char	   *text;
	json_value *root;
	const json_value *jpool,
			   *jquotas,
			   *jsel,
			   *jent,
			   *jteams,
			   *jfail,
			   *jsecret,
			   *jv;
	dc_str		algorithm,
				purpose;
	uint8_t		commitment[DC_HASH_LEN],
				secret[DC_HASH_LEN],
				pool_digest[DC_HASH_LEN],
				quota_digest[DC_HASH_LEN],
				seed[DC_HASH_LEN],
				rseed[DC_HASH_LEN],
				h[DC_HASH_LEN],
				stream[DC_HASH_LEN];
	dc_pool_row *pool;
	dc_quota_row *quotas;
	uint64_t   *sizes;
	size_t		npool,
				nquotas,
				nsel,
				nexp = 0;
	pick	   *sel,
			   *expected;
	int			have_secret,
				teams_withheld = 0,
				ok;
	dc_str		entropy = {"", 0};

	if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
	{
		fprintf(argc == 2 ? stdout : stderr,
				"usage: spotcheck-verify TRANSCRIPT.json   (\"-\" reads standard input)\n"
				"Recomputes a spotcheck-v1 draw transcript; exits 0 only when every check passes.\n");
		return argc == 2 ? 0 : 2;
	}
	text = read_all(argv[1], &len);
	root = json_parse(text, len, err, sizeof(err));
	if (root == NULL)
		die(2, "%s: malformed JSON at %s", argv[1], err);
	if (root->kind != JSON_OBJECT)
		die(2, "%s: the transcript is a JSON %s, not an object", argv[1], json_kind_name(root->kind));

	/* ---- the fields */
	algorithm = member_str(root, "algorithm", "transcript");
	purpose = member_str(root, "purpose", "transcript");
	member_hash(root, "commitment", commitment, "transcript");
	member_hash(root, "pool_digest", pool_digest, "transcript");
	member_hash(root, "quota_digest", quota_digest, "transcript");
	jent = member(root, "entropy", JSON_OBJECT, "transcript");
	member(jent, "declaration", JSON_STRING, "entropy");
	jv = json_get(jent, "value");
	jsecret = json_get(root, "secret");
	have_secret = jsecret != NULL && jsecret->kind != JSON_NULL;
	if (have_secret)
		member_hash(root, "secret", secret, "transcript");
	if (have_secret)
	{
		if (jv == NULL || jv->kind != JSON_STRING)
			die(2, "entropy: \"value\" must be a string once the secret is revealed");
		entropy.p = jv->str;
		entropy.len = jv->len;
		member_hash(root, "seed", seed, "transcript");
	}
	jfail = json_get(root, "failure");
	if (jfail != NULL && jfail->kind == JSON_NULL)
		jfail = NULL;

	jpool = member(root, "pool", JSON_ARRAY, "transcript");
	npool = jpool->count;
	pool = xmalloc(npool * sizeof(dc_pool_row));
	for (i = 0; i < npool; i++)
	{
		const json_value *c = jpool->items[i];

		if (c->kind != JSON_OBJECT)
			die(2, "pool[%zu] is not an object (line %d, column %d)", i, c->line, c->column);
		pool[i].key = member_str(c, "key", "pool entry");
		pool[i].stratum = member_str(c, "stratum", "pool entry");
		pool[i].weight = member_uint(c, "weight", UINT64_MAX, "pool entry");
	}
	jquotas = member(root, "quotas", JSON_ARRAY, "transcript");
	nquotas = jquotas->count;
	quotas = xmalloc(nquotas * sizeof(dc_quota_row));
	sizes = xmalloc(nquotas * sizeof(uint64_t));
	for (i = 0; i < nquotas; i++)
	{
		const json_value *q = jquotas->items[i];

		if (q->kind != JSON_OBJECT)
			die(2, "quotas[%zu] is not an object (line %d, column %d)", i, q->line, q->column);
		quotas[i].stratum = member_str(q, "stratum", "quota entry");
		quotas[i].quota = member_uint(q, "quota", UINT64_MAX, "quota entry");
		sizes[i] = json_get(q, "size") ? member_uint(q, "size", UINT64_MAX, "quota entry") : UINT64_MAX;
	}
	jsel = member(root, "selected", JSON_ARRAY, "transcript");
	nsel = jsel->count;
	sel = xmalloc(nsel * sizeof(pick));
	for (i = 0; i < nsel; i++)
	{
		const json_value *s = jsel->items[i];

		if (s->kind != JSON_OBJECT)
			die(2, "selected[%zu] is not an object (line %d, column %d)", i, s->line, s->column);
		sel[i].key = member_str(s, "key", "selected entry");
		sel[i].stratum = member_str(s, "stratum", "selected entry");
		sel[i].rank = member_uint(s, "rank", UINT64_MAX, "selected entry");
		member_hash(s, "ticket", sel[i].ticket, "selected entry");
	}
	jteams = json_get(root, "teams");
	if (jteams != NULL && jteams->kind == JSON_NULL)
		jteams = NULL;
	/* a public transcript names the parts left out of it: "withheld": ["teams"] */
	if (json_get(root, "withheld") != NULL)
	{
		const json_value *jw = member(root, "withheld", JSON_ARRAY, "transcript");

		for (i = 0; i < jw->count; i++)
		{
			if (jw->items[i]->kind != JSON_STRING)
				die(2, "withheld[%zu] is not a string (line %d, column %d)", i,
					jw->items[i]->line, jw->items[i]->column);
			if (jteams == NULL && strcmp(jw->items[i]->str, "teams") == 0)
				teams_withheld = 1;
		}
	}

	jv = json_get(root, "draw");
	printf("spotcheck-verify: draw %s, purpose %s, %zu candidates, %zu strata, %zu selected\n",
		   jv && jv->kind == JSON_NUMBER ? jv->str : "?", cstr(purpose), npool, nquotas, nsel);

	/* ---- the checks */
	check(algorithm.len == strlen(DC_ALGORITHM) && memcmp(algorithm.p, DC_ALGORITHM, algorithm.len) == 0,
		  "algorithm", "%s", cstr(algorithm));
	check((purpose.len == 7 && memcmp(purpose.p, "targets", 7) == 0) ||
		  (purpose.len == 6 && memcmp(purpose.p, "redraw", 6) == 0),
		  "purpose", "%s", cstr(purpose));

	/* pool rules: labels, weights, unique keys, a quota for every stratum */
	{
		dc_str	   *keys = xmalloc(npool * sizeof(dc_str));
		dc_str	   *qs = xmalloc(nquotas * sizeof(dc_str));
		const char *problem = NULL;
		dc_str		at = {"", 0};

		for (i = 0; i < npool && !problem; i++)
		{
			keys[i] = pool[i].key;
			if (!dc_valid_label(pool[i].key.p, pool[i].key.len))
				problem = "a key is empty or has a control character", at = pool[i].key;
			else if (!dc_valid_label(pool[i].stratum.p, pool[i].stratum.len))
				problem = "a stratum is empty or has a control character", at = pool[i].key;
			else if (pool[i].weight < 1 || pool[i].weight > DC_WEIGHT_MAX)
				problem = "a weight is outside 1..4294967295", at = pool[i].key;
		}
		if (!problem)
		{
			qsort(keys, npool, sizeof(dc_str), str_cmp_ptr);
			for (i = 1; i < npool && !problem; i++)
				if (str_cmp_ptr(&keys[i - 1], &keys[i]) == 0)
					problem = "a key occurs twice", at = keys[i];
		}
		for (i = 0; i < nquotas; i++)
			qs[i] = quotas[i].stratum;
		qsort(qs, nquotas, sizeof(dc_str), str_cmp_ptr);
		for (i = 0; i < nquotas && !problem; i++)
		{
			if (!dc_valid_label(qs[i].p, qs[i].len))
				problem = "a quota's stratum is empty or has a control character", at = qs[i];
			else if (i > 0 && str_cmp_ptr(&qs[i - 1], &qs[i]) == 0)
				problem = "a stratum has two quotas", at = qs[i];
		}
		for (i = 0; i < npool && !problem; i++)
			if (!bsearch(&pool[i].stratum, qs, nquotas, sizeof(dc_str), str_cmp_ptr))
				problem = "a stratum of the pool has no quota", at = pool[i].stratum;
		for (i = 0; i < nquotas && !problem; i++)
		{
			uint64_t	n = 0;

			for (j = 0; j < npool; j++)
				if (str_cmp_ptr(&pool[j].stratum, &quotas[i].stratum) == 0)
					n++;
			if (sizes[i] != UINT64_MAX && sizes[i] != n)
				problem = "a quota's size differs from its stratum's candidates in the pool", at = quotas[i].stratum;
		}
		if (problem)
			check(0, "pool_rules", "%s: \"%s\"", problem, cstr(at));
		else
			check(1, "pool_rules", "%zu unique keys, valid strata and weights, every stratum has a quota", npool);
		free(keys);
		free(qs);
	}

	if (dc_pool_digest(pool, npool, &heap_allocator, h) != 0)
		die(2, "out of memory");
	ok = memcmp(h, pool_digest, DC_HASH_LEN) == 0;
	check(ok, "pool_digest", ok ? "%s" : "recomputed %s, transcript says %s", hex32(h, h1), hex32(pool_digest, h2));
	if (dc_quota_digest(quotas, nquotas, &heap_allocator, h) != 0)
		die(2, "out of memory");
	ok = memcmp(h, quota_digest, DC_HASH_LEN) == 0;
	check(ok, "quota_digest", ok ? "%s" : "recomputed %s, transcript says %s", hex32(h, h1), hex32(quota_digest, h2));

	if (!have_secret)
	{
		check(0, "secret", "the transcript does not reveal the secret: the draw was not executed");
		goto done;
	}
	dc_commitment(secret, h);
	ok = memcmp(h, commitment, DC_HASH_LEN) == 0;
	check(ok, "commitment", ok ? "H(TAG || secret) = %s" : "the secret hashes to %s, the published commitment is %s",
		  hex32(h, h1), hex32(commitment, h2));

	dc_seed(secret, pool_digest, quota_digest, entropy.p, entropy.len, h);
	memcpy(rseed, h, DC_HASH_LEN);
	ok = memcmp(h, seed, DC_HASH_LEN) == 0;
	check(ok, "seed", ok ? "%s" : "recomputed %s, transcript says %s", hex32(h, h1), hex32(seed, h2));

	/* the selection, recomputed from the pool */
	dc_stream_seed(h, purpose.p, purpose.len, stream);
	{
		candidate  *cands = xmalloc(npool * sizeof(candidate));
		candidate **order = xmalloc(npool * sizeof(candidate *));
		SHA256_CTX	mid;
		size_t		k;

		dc_ticket_prepare(stream, &mid);
		for (i = 0; i < npool; i++)
		{
			cands[i].c.key = pool[i].key.p;
			cands[i].c.keylen = pool[i].key.len;
			cands[i].c.weight = pool[i].weight;
			cands[i].stratum = pool[i].stratum;
			dc_ticket(&mid, pool[i].key.p, pool[i].key.len, cands[i].c.ticket);
			order[i] = &cands[i];
		}
		qsort(order, npool, sizeof(candidate *), cand_by_stratum_then_priority);
		expected = xmalloc(npool * sizeof(pick));
		for (i = 0; i < npool; i = k)
		{
			uint64_t	quota = 0;
			uint64_t	rank = 0;

			for (j = 0; j < nquotas; j++)
				if (str_cmp_ptr(&quotas[j].stratum, &order[i]->stratum) == 0)
					quota = quotas[j].quota;
			for (k = i; k < npool && str_cmp_ptr(&order[k]->stratum, &order[i]->stratum) == 0; k++)
			{
				if (rank >= quota)
					continue;
				rank++;
				expected[nexp].stratum = order[k]->stratum;
				expected[nexp].rank = rank;
				expected[nexp].key.p = order[k]->c.key;
				expected[nexp].key.len = order[k]->c.keylen;
				memcpy(expected[nexp].ticket, order[k]->c.ticket, DC_HASH_LEN);
				nexp++;
			}
		}
		free(order);
		free(cands);
	}

	if (jfail == NULL)
	{
		qsort(sel, nsel, sizeof(pick), pick_cmp);
		ok = nsel == nexp;
		for (i = 0; ok && i < nsel; i++)
			if (pick_cmp(&sel[i], &expected[i]) != 0 ||
				str_cmp_ptr(&sel[i].key, &expected[i].key) != 0 ||
				memcmp(sel[i].ticket, expected[i].ticket, DC_HASH_LEN) != 0)
			{
				check(0, "selection", "stratum \"%s\" rank %llu: the transcript has \"%s\", recomputed \"%s\" (ticket %s)",
					  cstr(expected[i].stratum), (unsigned long long) expected[i].rank,
					  cstr(sel[i].key), cstr(expected[i].key), hex32(expected[i].ticket, h1));
				break;
			}
		if (ok && i == nsel)
			check(1, "selection", "%zu selected with their ranks and tickets, as recomputed", nsel);
		else if (nsel != nexp)
			check(0, "selection", "the transcript selects %zu, the recomputation %zu", nsel, nexp);
	}

	/* teams, or the failure to form them */
	if (teams_withheld)
	{
		if (jfail != NULL)
			skip("failure", "the draw records a failure%s%s%s; the teams are withheld from this transcript "
				 "(the public may not see inspectors), so it is not recomputed; %zu selected in the transcript",
				 jfail->kind == JSON_STRING ? " (" : "", jfail->kind == JSON_STRING ? cstr((dc_str) {jfail->str, jfail->len}) : "",
				 jfail->kind == JSON_STRING ? ")" : "", nsel);
		else
			skip("teams", "the teams are withheld from this transcript (the public may not see inspectors); not checked");
	}
	else if (jteams != NULL || jfail != NULL)
	{
		const json_value *jinsp,
				   *jexcl,
				   *jt;
		dc_str	   *insp,
				   *targets;
		dc_exclusion *excl;
		size_t	   *order;
		dc_member  *out;
		dc_team_result r;
		uint64_t	m;

		if (jteams == NULL)
			die(2, "transcript: a failed draw must carry its \"teams\" inputs");
		m = member_uint(jteams, "team_size", 1000000, "teams");
		jinsp = member(jteams, "inspectors", JSON_ARRAY, "teams");
		jexcl = member(jteams, "exclusions", JSON_ARRAY, "teams");
		insp = xmalloc(jinsp->count * sizeof(dc_str));
		for (i = 0; i < jinsp->count; i++)
		{
			if (jinsp->items[i]->kind != JSON_STRING)
				die(2, "teams: inspectors[%zu] is not a string (line %d, column %d)", i,
					jinsp->items[i]->line, jinsp->items[i]->column);
			insp[i].p = jinsp->items[i]->str;
			insp[i].len = jinsp->items[i]->len;
		}
		excl = xmalloc(jexcl->count * sizeof(dc_exclusion));
		for (i = 0; i < jexcl->count; i++)
		{
			if (jexcl->items[i]->kind != JSON_OBJECT)
				die(2, "teams: exclusions[%zu] is not an object (line %d, column %d)", i,
					jexcl->items[i]->line, jexcl->items[i]->column);
			excl[i].inspector = member_str(jexcl->items[i], "inspector", "exclusion");
			excl[i].target = member_str(jexcl->items[i], "target", "exclusion");
		}
		targets = xmalloc(nexp * sizeof(dc_str));
		for (i = 0; i < nexp; i++)
			targets[i] = expected[i].key;
		order = xmalloc(nexp * sizeof(size_t));
		out = xmalloc(nexp * (m ? m : 1) * sizeof(dc_member));
		dc_stream_seed(rseed, "teams", 5, h);
		r = dc_form_teams(h, targets, nexp, insp, jinsp->count, (int) m, excl, jexcl->count,
						  &heap_allocator, order, out);
		if (jfail != NULL)
		{
			ok = r.status == DC_TEAMS_TOO_FEW && nsel == 0;
			if (r.status == DC_TEAMS_TOO_FEW)
				check(ok, "failure", "target \"%s\" has %zu candidate inspectors for teams of %llu; %zu selected in the transcript",
					  cstr(targets[r.where]), r.candidates, (unsigned long long) m, nsel);
			else
				check(0, "failure", "the transcript records a failure, but the teams can be formed");
		}
		else if (r.status != DC_TEAMS_OK)
			check(0, "teams", "the teams cannot be formed (status %d at \"%s\"), yet the draw did not record a failure",
				  (int) r.status, nexp ? cstr(targets[r.where]) : "");
		else
		{
			jt = member(jteams, "teams", JSON_ARRAY, "teams");
			ok = jt->count == nexp;
			if (!ok)
				check(0, "teams", "the transcript has %zu teams, the recomputation %zu", jt->count, nexp);
			for (i = 0; ok && i < nexp; i++)
			{
				const json_value *team = NULL,
						   *members;
				dc_str		g = targets[order[i]];

				for (j = 0; j < jt->count; j++)
				{
					dc_str		t;

					if (jt->items[j]->kind != JSON_OBJECT)
						die(2, "teams: teams[%zu] is not an object (line %d, column %d)", j,
							jt->items[j]->line, jt->items[j]->column);
					t = member_str(jt->items[j], "target", "team");
					if (str_cmp_ptr(&t, &g) == 0)
						team = jt->items[j];
				}
				if (team == NULL)
				{
					check(ok = 0, "teams", "no team in the transcript for target \"%s\"", cstr(g));
					break;
				}
				members = member(team, "members", JSON_ARRAY, "team");
				if (members->count != m)
				{
					check(ok = 0, "teams", "target \"%s\" has %zu members, not %llu", cstr(g),
						  members->count, (unsigned long long) m);
					break;
				}
				for (j = 0; j < m; j++)
				{
					const json_value *mem = members->items[j];
					dc_str		who;
					int			over;

					if (mem->kind != JSON_OBJECT)
						die(2, "teams: a member is not an object (line %d, column %d)", mem->line, mem->column);
					who = member_str(mem, "inspector", "member");
					over = member(mem, "over_cap", JSON_TRUE, "member")->kind == JSON_TRUE;
					if (str_cmp_ptr(&who, &insp[out[i * m + j].inspector]) != 0 || over != out[i * m + j].over_cap)
					{
						check(ok = 0, "teams", "target \"%s\" member %zu: the transcript has \"%s\"%s, recomputed \"%s\"%s",
							  cstr(g), j + 1, cstr(who), over ? " (over cap)" : "",
							  cstr(insp[out[i * m + j].inspector]), out[i * m + j].over_cap ? " (over cap)" : "");
						break;
					}
				}
			}
			if (ok)
				check(1, "teams", "%zu teams of %llu, cap %llu, as recomputed", nexp, (unsigned long long) m,
					  (unsigned long long) r.cap);
		}
		free(insp);
		free(excl);
		free(targets);
		free(order);
		free(out);
	}

	/* the commitment was made before the execution */
	{
		const json_value *ca = json_get(root, "committed_at"),
				   *ea = json_get(root, "executed_at");

		if (ca && ea && ca->kind == JSON_STRING && ea->kind == JSON_STRING)
		{
			long long	ct,
						et;

			if (parse_time(ca->str, &ct) == 0 && parse_time(ea->str, &et) == 0)
				check(ct < et, "commit_before_execute", "committed %s, executed %s", ca->str, ea->str);
			else
				check(0, "commit_before_execute", "cannot read the times \"%s\" and \"%s\" (RFC 3339 expected)",
					  ca->str, ea->str);
			printf("note: the entropy (%s) must have become known only after %s; check its source.\n",
				   cstr(member_str(jent, "declaration", "entropy")), ca->str);
		}
		else
			check(0, "commit_before_execute",
				  "the transcript gives no %s: the commitment cannot be shown to precede the execution",
				  ca == NULL || ca->kind != JSON_STRING ? (ea == NULL || ea->kind != JSON_STRING ? "committed_at nor executed_at" : "committed_at")
				  : "executed_at");
	}
	free(expected);

done:
	if (n_failed == 0)
		printf("all %d checks passed\n", n_checks);
	else
		printf("%d of %d checks failed\n", n_failed, n_checks);
	json_free(root);
	free(text);
	free(pool);
	free(quotas);
	free(sizes);
	free(sel);
	return n_failed == 0 ? 0 : 1;
}
