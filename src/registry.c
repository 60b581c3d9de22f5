/*
 * registry.c — which registry tables the bulk loaders are writing, as state
 * of the backend that no SQL setting can reach; and the full-width folding
 * the registries apply to numbers, codes and dates.
 *
 * A bulk load audits a registry once per statement and agency (the digest of
 * the history rows it wrote) instead of row by row.  Which of the two a
 * change gets must not be up to the role that makes it, so the switch is not
 * a GUC: it is this module's static state, set only through
 * spotcheck.registry_bulk_begin(), which no role may execute (the loaders,
 * SECURITY DEFINER functions owned by the extension's owner, call it), and
 * cleared by spotcheck.registry_bulk_end(), at the end of the transaction,
 * and when the subtransaction that set it aborts.  Triggers ask
 * spotcheck.registry_bulk_active(table).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/array.h"

#define REGISTRY_BULK_MAX 8

static Oid	bulk_tables[REGISTRY_BULK_MAX];
static int	bulk_ntables = 0;
/* the (sub)transaction nesting level that switched bulk mode on */
static int	bulk_level = 0;
static bool callbacks_registered = false;

static void
bulk_clear(void)
{
	bulk_ntables = 0;
	bulk_level = 0;
}

static void
bulk_xact_callback(XactEvent event, void *arg)
{
	(void) arg;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			bulk_clear();
			break;
		default:
			break;
	}
}

static void
bulk_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					  SubTransactionId parentSubid, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();

	(void) mySubid;
	(void) parentSubid;
	(void) arg;
	if (bulk_ntables == 0)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB && bulk_level >= level)
		bulk_clear();
	else if (event == SUBXACT_EVENT_COMMIT_SUB && bulk_level == level)
		bulk_level = level - 1;
}

/* registry_bulk_begin(tables regclass[]): these tables are written in bulk
 * until registry_bulk_end() or the end of the (sub)transaction. */
PG_FUNCTION_INFO_V1(spotcheck_registry_bulk_begin);
Datum
spotcheck_registry_bulk_begin(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_ELEMTYPE(arr) != REGCLASSOID && ARR_ELEMTYPE(arr) != OIDOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("registry_bulk_begin expects an array of regclass")));
	deconstruct_array(arr, ARR_ELEMTYPE(arr), sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n < 1 || n > REGISTRY_BULK_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("registry_bulk_begin takes 1 to %d tables, got %d",
						REGISTRY_BULK_MAX, n)));
	if (!callbacks_registered)
	{
		RegisterXactCallback(bulk_xact_callback, NULL);
		RegisterSubXactCallback(bulk_subxact_callback, NULL);
		callbacks_registered = true;
	}
	bulk_clear();
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("registry_bulk_begin: a table cannot be null")));
		bulk_tables[i] = DatumGetObjectId(elems[i]);
	}
	bulk_ntables = n;
	bulk_level = GetCurrentTransactionNestLevel();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(spotcheck_registry_bulk_end);
Datum
spotcheck_registry_bulk_end(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	bulk_clear();
	PG_RETURN_VOID();
}

/* registry_bulk_active(table regclass): is that table being written in bulk? */
PG_FUNCTION_INFO_V1(spotcheck_registry_bulk_active);
Datum
spotcheck_registry_bulk_active(PG_FUNCTION_ARGS)
{
	Oid			rel = PG_GETARG_OID(0);

	for (int i = 0; i < bulk_ntables; i++)
		if (bulk_tables[i] == rel)
			PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
}

/*
 * registry_halfwidth(text): the full-width forms of ASCII characters
 * (U+FF01..U+FF5E: digits, Latin letters, punctuation) and the ideographic
 * space U+3000 as their ASCII counterparts, as Chinese input methods and
 * government exports write numbers, codes, dates and phone numbers.  Other
 * characters are kept.  An ASCII value (the common case) is returned as it
 * is; in a database whose encoding is not UTF-8 every value is.
 */
PG_FUNCTION_INFO_V1(spotcheck_registry_halfwidth);
Datum
spotcheck_registry_halfwidth(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const unsigned char *s = (const unsigned char *) VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	bool		ascii = true;
	text	   *result;
	unsigned char *out;
	int			i;
	int			o;

	for (i = 0; i < len; i++)
		if (s[i] >= 0x80)
		{
			ascii = false;
			break;
		}
	if (ascii || GetDatabaseEncoding() != PG_UTF8)
		PG_RETURN_TEXT_P(t);

	result = (text *) palloc(VARHDRSZ + len);
	out = (unsigned char *) VARDATA(result);
	o = 0;
	for (i = 0; i < len;)
	{
		/* U+FF01..U+FF3F is EF BC 81..BF; U+FF40..U+FF5E is EF BD 80..9E */
		if (i + 2 < len && s[i] == 0xEF && s[i + 1] == 0xBC &&
			s[i + 2] >= 0x81 && s[i + 2] <= 0xBF)
		{
			out[o++] = (unsigned char) (s[i + 2] - 0x81 + 0x21);
			i += 3;
		}
		else if (i + 2 < len && s[i] == 0xEF && s[i + 1] == 0xBD &&
				 s[i + 2] >= 0x80 && s[i + 2] <= 0x9E)
		{
			out[o++] = (unsigned char) (s[i + 2] - 0x80 + 0x60);
			i += 3;
		}
		else if (i + 2 < len && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
		{
			out[o++] = ' ';
			i += 3;
		}
		else
			out[o++] = s[i++];
	}
	SET_VARSIZE(result, VARHDRSZ + o);
	PG_RETURN_TEXT_P(result);
}

/* Length of the blank character at s (at most n bytes), or 0. */
static int
blank_len(const unsigned char *s, int n, bool utf8)
{
	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (!utf8)
		return 0;
	if (n >= 2 && s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
		return 2;				/* U+0085, U+00A0 */
	if (n < 3)
		return 0;
	if (s[0] == 0xE2 && s[1] == 0x80 &&
		((s[2] >= 0x80 && s[2] <= 0x8B) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
		return 3;				/* U+2000..U+200B, U+2028, U+2029, U+202F */
	if ((s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) ||	/* U+205F */
		(s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) ||	/* U+3000 */
		(s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) ||	/* U+FEFF */
		(s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80) ||	/* U+1680 */
		(s[0] == 0xE1 && s[1] == 0xA0 && s[2] == 0x8E))		/* U+180E */
		return 3;
	return 0;
}

/*
 * registry_trim(text): the value without the blanks around it -- ASCII
 * white space and every Unicode space an exported or pasted value carries
 * (U+0085, U+00A0, U+1680, U+180E, U+2000..U+200B, U+2028, U+2029, U+202F,
 * U+205F, U+3000, U+FEFF) -- or NULL when nothing else is left.
 */
PG_FUNCTION_INFO_V1(spotcheck_registry_trim);
Datum
spotcheck_registry_trim(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const unsigned char *s = (const unsigned char *) VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	bool		utf8 = GetDatabaseEncoding() == PG_UTF8;
	int			start = 0;
	int			end = len;
	int			b;

	while (start < end && (b = blank_len(s + start, end - start, utf8)) > 0)
		start += b;
	while (end > start)
	{
		int			c = end - 1;

		/* the start of the last character */
		if (utf8)
			while (c > start && (s[c] & 0xC0) == 0x80)
				c--;
		if (blank_len(s + c, end - c, utf8) != end - c)
			break;
		end = c;
	}
	if (start == end)
		PG_RETURN_NULL();
	if (start == 0 && end == len)
		PG_RETURN_TEXT_P(t);
	PG_RETURN_TEXT_P(cstring_to_text_with_len((const char *) s + start, end - start));
}
