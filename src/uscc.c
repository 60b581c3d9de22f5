/*
 * uscc.c — the uscc base type: input, output, send, receive, comparison,
 * hashing, and the helper functions uscc_check_char, uscc_region and
 * uscc_is_valid.  One validation routine serves all of them.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "uscc.h"

PG_MODULE_MAGIC;

/* The code's alphabet; a character's value is its index here. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Weights for positions 1..17: 3^(i-1) mod 31. */
static const int uscc_weights[USCC_BODY_LEN] =
{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* GB 11714 weights for the eight characters of the organisation code. */
static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

typedef enum UsccProblem
{
	USCC_OK = 0,
	USCC_BAD_LENGTH,
	USCC_BAD_CHARACTER,
	USCC_FULLWIDTH_CHARACTER,
	USCC_BAD_ORG_CHECK,
	USCC_BAD_CHECK
} UsccProblem;

typedef struct UsccVerdict
{
	UsccProblem problem;
	int			length;			/* characters after trimming */
	int			position;		/* 1-based position of the offending character */
	const char *bad;			/* that character in the input */
	int			bad_bytes;		/* its length in bytes */
	char		expected;		/* the check character that was expected */
	char		found;			/* the check character that was found */
} UsccVerdict;

/* Value of a canonical character in the alphabet, or -1. */
static int
alphabet_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(uscc_alphabet, c);
	return p ? (int) (p - uscc_alphabet) : -1;
}

/* GB 11714 value: digits as themselves, letters A=10 ... Z=35. */
static int
org_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c - 'A' + 10;
}

static char
compute_org_check(const char *org8)
{
	int			sum = 0;
	int			c;

	for (int i = 0; i < 8; i++)
		sum += org_value(org8[i]) * org_weights[i];
	c = 11 - (sum % 11);
	if (c == 10)
		return 'X';
	if (c == 11)
		return '0';
	return (char) ('0' + c);
}

static char
compute_check(const char *body)
{
	int			sum = 0;

	for (int i = 0; i < USCC_BODY_LEN; i++)
		sum += alphabet_value(body[i]) * uscc_weights[i];
	return uscc_alphabet[(31 - sum % 31) % 31];
}

static bool
is_blank_at(const char *s, const char *end, int *nbytes)
{
	if (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
					*s == '\v' || *s == '\f'))
	{
		*nbytes = 1;
		return true;
	}
	/* U+3000 IDEOGRAPHIC SPACE, common in text pasted from Chinese forms */
	if (GetDatabaseEncoding() == PG_UTF8 && end - s >= 3 &&
		(unsigned char) s[0] == 0xE3 && (unsigned char) s[1] == 0x80 &&
		(unsigned char) s[2] == 0x80)
	{
		*nbytes = 3;
		return true;
	}
	return false;
}

/* Is this character (in UTF-8) a full-width digit or Latin letter? */
static bool
is_fullwidth_alnum(const char *s, int nbytes)
{
	const unsigned char *u = (const unsigned char *) s;

	if (GetDatabaseEncoding() != PG_UTF8 || nbytes != 3 || u[0] != 0xEF)
		return false;
	if (u[1] == 0xBC)			/* U+FF10..U+FF19 digits, U+FF21..U+FF3A A-Z */
		return (u[2] >= 0x90 && u[2] <= 0x99) || (u[2] >= 0xA1 && u[2] <= 0xBA);
	if (u[1] == 0xBD)			/* U+FF41..U+FF5A a-z */
		return u[2] >= 0x81 && u[2] <= 0x9A;
	return false;
}

/*
 * Validate text (len bytes, server encoding) as a code of want_len
 * characters: a full code (18) or a body whose check character is sought
 * (17).  On success the canonical characters are written to out.
 */
static UsccProblem
uscc_validate(const char *text, int len, int want_len, char *out,
			  UsccVerdict *v)
{
	const char *start = text;
	const char *end = text + len;
	const char *p;
	int			n;
	int			nbytes;

	memset(v, 0, sizeof(*v));

	/* trim surrounding blanks: skip leading ones, then find the end of the
	 * last character that is not blank */
	while (is_blank_at(start, end, &nbytes))
		start += nbytes;
	{
		const char *content_end = start;

		for (p = start; p < end; p += nbytes)
		{
			int			blank;

			nbytes = Min(pg_mblen(p), (int) (end - p));
			if (!is_blank_at(p, end, &blank) || blank != nbytes)
				content_end = p + nbytes;
		}
		end = content_end;
	}

	/* count characters; remember the first one outside the alphabet */
	n = 0;
	for (p = start; p < end; p += nbytes)
	{
		char		c;

		nbytes = Min(pg_mblen(p), (int) (end - p));
		n++;
		c = (nbytes == 1 && *p >= 'a' && *p <= 'z') ? (char) (*p - 'a' + 'A') : *p;
		if (nbytes == 1 && alphabet_value(c) >= 0)
		{
			if (n <= want_len)
				out[n - 1] = c;
			continue;
		}
		if (v->problem == USCC_OK)
		{
			v->problem = is_fullwidth_alnum(p, nbytes) ?
				USCC_FULLWIDTH_CHARACTER : USCC_BAD_CHARACTER;
			v->position = n;
			v->bad = p;
			v->bad_bytes = nbytes;
		}
	}
	v->length = n;

	/* a wrong length is reported first: it usually explains the rest */
	if (n != want_len)
	{
		v->problem = USCC_BAD_LENGTH;
		return v->problem;
	}
	if (v->problem != USCC_OK)
		return v->problem;

	/* position 17: the organisation code's check character */
	v->expected = compute_org_check(out + 8);
	if (out[16] != v->expected)
	{
		v->problem = USCC_BAD_ORG_CHECK;
		v->position = 17;
		v->found = out[16];
		return v->problem;
	}

	/* position 18: the code's check character */
	if (want_len == USCC_LEN)
	{
		v->expected = compute_check(out);
		if (out[17] != v->expected)
		{
			v->problem = USCC_BAD_CHECK;
			v->position = 18;
			v->found = out[17];
			return v->problem;
		}
	}
	return USCC_OK;
}

/* A hint for a letter that is not in the alphabet but looks like one that is. */
static int
lookalike_hint(const UsccVerdict *v)
{
	char		c = v->bad_bytes == 1 ? v->bad[0] : '\0';

	switch (c)
	{
		case 'O':
		case 'o':
			return errhint("The letter O is not used; it is probably the digit 0.");
		case 'I':
		case 'i':
			return errhint("The letter I is not used; it is probably the digit 1.");
		case 'Z':
		case 'z':
			return errhint("The letter Z is not used; it is probably the digit 2.");
		case 'S':
		case 's':
			return errhint("The letter S is not used; it is probably the digit 5.");
		case 'V':
		case 'v':
			return errhint("The letter V is not used; it is probably the letter U or Y.");
		default:
			return errhint("Copy the code again from the business licence or registration record.");
	}
}

/* At most this many characters of a refused input are quoted in a message. */
#define USCC_QUOTE_CHARS 40

/*
 * The input as a message quotes it: whole when it is short, else its first
 * USCC_QUOTE_CHARS characters and how long it was, so that a huge value
 * never makes a huge message (or server log line).
 */
static char *
quote_input(const char *text, int len)
{
	int			nchars = pg_mbstrlen_with_len(text, len);
	int			clip;

	if (nchars <= USCC_QUOTE_CHARS)
		return psprintf("\"%.*s\"", len, text);
	clip = pg_mbcharcliplen(text, len, USCC_QUOTE_CHARS);
	return psprintf("\"%.*s%s\" (%d characters)", clip, text,
					GetDatabaseEncoding() == PG_UTF8 ? "\u2026" : "...", nchars);
}

/* What is wrong, as the part of the message after the quoted value. */
static char *
problem_reason(int want_len, const UsccVerdict *v)
{
	switch (v->problem)
	{
		case USCC_OK:
			break;
		case USCC_BAD_LENGTH:
			return psprintf("it has %d characters, expected %d", v->length, want_len);
		case USCC_BAD_CHARACTER:
			return psprintf("character \"%.*s\" at position %d is not in the code's alphabet",
							v->bad_bytes, v->bad, v->position);
		case USCC_FULLWIDTH_CHARACTER:
			return psprintf("character \"%.*s\" at position %d is a full-width character",
							v->bad_bytes, v->bad, v->position);
		case USCC_BAD_ORG_CHECK:
			return psprintf("organisation code check character at position 17 is \"%c\", expected \"%c\"",
							v->found, v->expected);
		case USCC_BAD_CHECK:
			return psprintf("check character at position 18 is \"%c\", expected \"%c\"",
							v->found, v->expected);
	}
	return NULL;
}

/* Raise the error that describes a failed validation of text (len bytes). */
static void
report_problem(const char *what, const char *text, int len, int want_len,
			   const UsccVerdict *v)
{
	char	   *quoted;
	char	   *reason;

	if (v->problem == USCC_OK)
		return;
	quoted = quote_input(text, len);
	reason = problem_reason(want_len, v);
	switch (v->problem)
	{
		case USCC_OK:
			break;
		case USCC_BAD_LENGTH:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s %s: %s", what, quoted, reason),
					 errhint("A unified social credit code has 18 characters; "
							 "a unit holding only a 15-digit registration number is "
							 "recorded by that number, not as a uscc.")));
			break;
		case USCC_BAD_CHARACTER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s %s: %s", what, quoted, reason),
					 errdetail("The alphabet is the digits 0-9 and the letters A-Z "
							   "except I, O, Z, S and V."),
					 lookalike_hint(v)));
			break;
		case USCC_FULLWIDTH_CHARACTER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s %s: %s", what, quoted, reason),
					 errhint("Type the code with half-width (ASCII) digits and letters.")));
			break;
		case USCC_BAD_ORG_CHECK:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s %s: %s", what, quoted, reason),
					 errdetail("Positions 9 to 17 are the GB 11714 organisation code, "
							   "whose last character checks the eight before it."),
					 errhint("Compare the code with the business licence; a registered "
							 "code that really fails the check is held only through a "
							 "recorded exception.")));
			break;
		case USCC_BAD_CHECK:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid %s %s: %s", what, quoted, reason),
					 errhint("Compare the code with the business licence; a registered "
							 "code that really fails the check is held only through a "
							 "recorded exception.")));
			break;
	}
}

/* Parse and validate a full code from len bytes of text, or raise. */
static Uscc *
uscc_from_bytes(const char *text, int len)
{
	Uscc	   *result = (Uscc *) palloc(sizeof(Uscc));
	UsccVerdict v;

	if (uscc_validate(text, len, USCC_LEN, result->data, &v) != USCC_OK)
		report_problem("unified social credit code", text, len, USCC_LEN, &v);
	return result;
}

/* ---- I/O ---------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(uscc_in);
Datum
uscc_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);

	PG_RETURN_USCC_P(uscc_from_bytes(str, (int) strlen(str)));
}

PG_FUNCTION_INFO_V1(uscc_out);
Datum
uscc_out(PG_FUNCTION_ARGS)
{
	Uscc	   *u = PG_GETARG_USCC_P(0);

	PG_RETURN_CSTRING(pnstrdup(u->data, USCC_LEN));
}

/* Binary form: the 18 characters, as text would send them. */
PG_FUNCTION_INFO_V1(uscc_send);
Datum
uscc_send(PG_FUNCTION_ARGS)
{
	Uscc	   *u = PG_GETARG_USCC_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendtext(&buf, u->data, USCC_LEN);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Receive validates exactly as input does. */
PG_FUNCTION_INFO_V1(uscc_recv);
Datum
uscc_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			nbytes = buf->len - buf->cursor;
	char	   *str = pq_getmsgtext(buf, nbytes, &nbytes);

	PG_RETURN_USCC_P(uscc_from_bytes(str, nbytes));
}

/* ---- helper functions ----------------------------------------------------- */

PG_FUNCTION_INFO_V1(uscc_check_char);
Datum
uscc_check_char(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char		body[USCC_BODY_LEN];
	UsccVerdict v;

	if (uscc_validate(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), USCC_BODY_LEN,
					  body, &v) != USCC_OK)
		report_problem("unified social credit code body", VARDATA_ANY(t),
					   VARSIZE_ANY_EXHDR(t), USCC_BODY_LEN, &v);
	PG_RETURN_CHAR(compute_check(body));
}

PG_FUNCTION_INFO_V1(uscc_is_valid);
Datum
uscc_is_valid(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char		code[USCC_LEN];
	UsccVerdict v;

	PG_RETURN_BOOL(uscc_validate(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t),
								 USCC_LEN, code, &v) == USCC_OK);
}

/* Why the text is not a valid code (the message's reason), or NULL. */
PG_FUNCTION_INFO_V1(uscc_problem);
Datum
uscc_problem(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char		code[USCC_LEN];
	UsccVerdict v;

	if (uscc_validate(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), USCC_LEN, code,
					  &v) == USCC_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(problem_reason(USCC_LEN, &v)));
}

/* Positions 3-8: the administrative division code (GB/T 2260). */
PG_FUNCTION_INFO_V1(uscc_region);
Datum
uscc_region(PG_FUNCTION_ARGS)
{
	Uscc	   *u = PG_GETARG_USCC_P(0);

	PG_RETURN_TEXT_P(cstring_to_text_with_len(u->data + 2, 6));
}

/* ---- comparison and hashing ---------------------------------------------- */

static inline int
uscc_cmp_internal(const Uscc *a, const Uscc *b)
{
	return memcmp(a->data, b->data, USCC_LEN);
}

#define USCC_COMPARISON(name, op) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BOOL(uscc_cmp_internal(PG_GETARG_USCC_P(0), \
									 PG_GETARG_USCC_P(1)) op 0); \
}

USCC_COMPARISON(uscc_lt, <)
USCC_COMPARISON(uscc_le, <=)
USCC_COMPARISON(uscc_eq, ==)
USCC_COMPARISON(uscc_ne, !=)
USCC_COMPARISON(uscc_ge, >=)
USCC_COMPARISON(uscc_gt, >)

PG_FUNCTION_INFO_V1(uscc_cmp);
Datum
uscc_cmp(PG_FUNCTION_ARGS)
{
	int			c = uscc_cmp_internal(PG_GETARG_USCC_P(0), PG_GETARG_USCC_P(1));

	PG_RETURN_INT32(c < 0 ? -1 : (c > 0 ? 1 : 0));
}

PG_FUNCTION_INFO_V1(uscc_hash);
Datum
uscc_hash(PG_FUNCTION_ARGS)
{
	Uscc	   *u = PG_GETARG_USCC_P(0);

	return hash_any((const unsigned char *) u->data, USCC_LEN);
}

PG_FUNCTION_INFO_V1(uscc_hash_extended);
Datum
uscc_hash_extended(PG_FUNCTION_ARGS)
{
	Uscc	   *u = PG_GETARG_USCC_P(0);

	return hash_any_extended((const unsigned char *) u->data, USCC_LEN,
							 PG_GETARG_INT64(1));
}
