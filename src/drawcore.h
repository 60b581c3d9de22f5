/*
 * drawcore.h — the spotcheck-v1 draw algorithm (DRAW-SPEC.md) in plain C:
 * tags, commitment, seed, stream seeds, tickets with a reused first block,
 * the exact priority order, pool and quota digests, and team forming.
 *
 * No PostgreSQL dependency: the extension and the standalone verifier
 * (tools/verify) compile this same file.  Functions that need working memory
 * take an allocator, so the extension can use palloc and the verifier malloc.
 * Text is always passed as UTF-8 bytes with an explicit length.
 */
#ifndef SPOTCHECK_DRAWCORE_H
#define SPOTCHECK_DRAWCORE_H

#include <stddef.h>
#include <stdint.h>

#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>

#define DC_HASH_LEN 32
#define DC_WEIGHT_MAX UINT64_C(4294967295)
#define DC_ALGORITHM "spotcheck-v1"

/* A byte string (UTF-8 text, not terminated). */
typedef struct dc_str
{
	const char *p;
	size_t		len;
} dc_str;

/* One candidate as the priority order sees it. */
typedef struct dc_cand
{
	uint8_t		ticket[DC_HASH_LEN];
	uint64_t	weight;
	const char *key;
	size_t		keylen;
} dc_cand;

/* The allocator for functions that need working memory. */
typedef struct dc_alloc
{
	void	   *(*alloc) (size_t size);
	void		(*release) (void *p);
} dc_alloc;

/* TAG(s): s right-padded with zero bytes to 32 bytes (s shorter than 32). */
extern void dc_tag(const char *s, uint8_t out[DC_HASH_LEN]);

/* C = H(TAG("spotcheck-v1/commit") || S). */
extern void dc_commitment(const uint8_t secret[DC_HASH_LEN], uint8_t out[DC_HASH_LEN]);

/* SEED = H(TAG("spotcheck-v1/seed") || S || POOL || QUOTA || U(E)). */
extern void dc_seed(const uint8_t secret[DC_HASH_LEN], const uint8_t pool[DC_HASH_LEN],
					const uint8_t quota[DC_HASH_LEN], const char *entropy, size_t entropy_len,
					uint8_t out[DC_HASH_LEN]);

/* SEED_p = H(TAG("spotcheck-v1/stream") || SEED || U(p)). */
extern void dc_stream_seed(const uint8_t seed[DC_HASH_LEN], const char *purpose,
						   size_t purpose_len, uint8_t out[DC_HASH_LEN]);

/*
 * Tickets.  dc_ticket_prepare hashes the first 64 bytes of every ticket's
 * message, TAG("spotcheck-v1/ticket") || K, once; dc_ticket copies that
 * midstate and hashes only the key (one compression for keys up to 55 bytes).
 */
extern void dc_ticket_prepare(const uint8_t stream_seed[DC_HASH_LEN], SHA256_CTX *mid);
extern void dc_ticket(const SHA256_CTX *mid, const char *key, size_t keylen,
					  uint8_t out[DC_HASH_LEN]);

/* BE64 of the ticket (its rank r), without writing the ticket out. */
extern uint64_t dc_ticket_rank(const SHA256_CTX *mid, const char *key, size_t keylen);

/* BE64 of the first 8 bytes. */
static inline uint64_t
dc_be64(const uint8_t *b)
{
	return ((uint64_t) b[0] << 56) | ((uint64_t) b[1] << 48) | ((uint64_t) b[2] << 40) |
		((uint64_t) b[3] << 32) | ((uint64_t) b[4] << 24) | ((uint64_t) b[5] << 16) |
		((uint64_t) b[6] << 8) | (uint64_t) b[7];
}

/* Byte order of two strings (memcmp, shorter first on a common prefix). */
extern int	dc_str_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* The tie-breaks of dc_cand_cmp, out of line: ticket bytes, then key bytes. */
extern int	dc_cand_cmp_tie(const dc_cand *a, const dc_cand *b);

/*
 * The order of the priorities (r_a+1)/w_a and (r_b+1)/w_b, where r is the
 * BE64 of a ticket: < 0, 0 or > 0.  Exact: (r+1)*w in 128 bits (below 2^96).
 * Inline: it runs once per candidate.
 */
static inline int
dc_rank_cmp(uint64_t ra, uint64_t wa, uint64_t rb, uint64_t wb)
{
	unsigned __int128 lhs = ((unsigned __int128) ra + 1) * wb;
	unsigned __int128 rhs = ((unsigned __int128) rb + 1) * wa;

	return (lhs > rhs) - (lhs < rhs);
}

/*
 * The priority order: < 0 when a comes before b, > 0 when after, 0 only when
 * tickets, keys and weights are all equal.
 */
static inline int
dc_cand_cmp(const dc_cand *a, const dc_cand *b)
{
	int			c = dc_rank_cmp(dc_be64(a->ticket), a->weight, dc_be64(b->ticket), b->weight);

	return c != 0 ? c : dc_cand_cmp_tie(a, b);
}

/* The decimal digits of v into buf (at least 21 bytes); returns the length. */
extern size_t dc_decimal(uint64_t v, char *buf);

/*
 * Digest lines "a\tb\tdecimal\n": the caller feeds them in key order.
 * dc_digest_line appends one line to a running SHA-256.
 */
extern void dc_digest_line(SHA256_CTX *ctx, const char *a, size_t alen,
						   const char *b, size_t blen, int with_b, uint64_t n);

/*
 * Pool and quota digests of unsorted arrays (sorted here by key / stratum).
 * Returns 0, or -1 when memory ran out.
 */
typedef struct dc_pool_row
{
	dc_str		key;
	dc_str		stratum;
	uint64_t	weight;
} dc_pool_row;

typedef struct dc_quota_row
{
	dc_str		stratum;
	uint64_t	quota;
} dc_quota_row;

extern int	dc_pool_digest(const dc_pool_row *rows, size_t n, const dc_alloc *a,
						   uint8_t out[DC_HASH_LEN]);
extern int	dc_quota_digest(const dc_quota_row *rows, size_t n, const dc_alloc *a,
							uint8_t out[DC_HASH_LEN]);

/* Is s a valid key or stratum: non-empty, no U+0000-U+001F or U+007F. */
extern int	dc_valid_label(const char *s, size_t len);

/*
 * Forming teams (DRAW-SPEC.md "Forming teams").  Targets need not be sorted;
 * members are written to out[i * m + j] for the i-th target in U(key) order,
 * which is also reported in order[i] (an index into targets).
 */
typedef struct dc_member
{
	size_t		inspector;		/* index into inspectors */
	int			over_cap;
} dc_member;

typedef struct dc_exclusion
{
	dc_str		inspector;
	dc_str		target;
} dc_exclusion;

typedef enum dc_team_status
{
	DC_TEAMS_OK = 0,
	DC_TEAMS_TOO_FEW,			/* a target has fewer than m candidates */
	DC_TEAMS_DUPLICATE_INSPECTOR,	/* inspectors are not unique */
	DC_TEAMS_DUPLICATE_TARGET,	/* targets are not unique */
	DC_TEAMS_BAD_SIZE,			/* m < 2 */
	DC_TEAMS_NO_MEMORY
} dc_team_status;

typedef struct dc_team_result
{
	dc_team_status status;
	size_t		where;			/* the target (index) or inspector (index) at fault */
	size_t		candidates;		/* for TOO_FEW: how many candidates it had */
	uint64_t	cap;
} dc_team_result;

extern dc_team_result dc_form_teams(const uint8_t teams_seed[DC_HASH_LEN],
									const dc_str *targets, size_t ntargets,
									const dc_str *inspectors, size_t ninspectors,
									int m,
									const dc_exclusion *excl, size_t nexcl,
									const dc_alloc *a,
									size_t *order, dc_member *out);

/* Lower-case hex of n bytes into out (2n+1 bytes, terminated). */
extern void dc_hex(const uint8_t *b, size_t n, char *out);

/* Parse exactly 2n lower-case hex digits into out; 0 on success. */
extern int	dc_unhex(const char *s, size_t slen, uint8_t *out, size_t n);

#endif
