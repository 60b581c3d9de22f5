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

/*
 * The code point of the UTF-8 character at s (at most n bytes) and its
 * length, or length 0 when s does not start with a whole character.
 */
static int
utf8_char(const unsigned char *s, int n, pg_wchar *cp)
{
	int			len = pg_utf_mblen(s);

	if (len < 1 || len > n || !pg_utf8_islegal(s, len))
		return 0;
	*cp = utf8_to_unicode(s);
	return len;
}

/*
 * A blank: white space, or a character that shows nothing and means nothing
 * at either end of a value -- the no-break and zero-width spaces, the soft
 * hyphen, the word joiner and its kin, the joiners and direction marks, the
 * Hangul fillers, the byte-order mark.  Trimmed from both ends.
 */
static bool
blank_char(pg_wchar c)
{
	return c == 0x0085 || c == 0x00A0 || c == 0x00AD || c == 0x061C ||
		c == 0x115F || c == 0x1160 || c == 0x1680 || c == 0x180E ||
		(c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
		(c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x206F) ||
		c == 0x3000 || c == 0x3164 || c == 0xFEFF || c == 0xFFA0;
}

/*
 * A character that shows nothing but may belong to the character before it
 * (variation selectors, the combining grapheme joiner, Mongolian free
 * variation selectors, tags) or is otherwise default-ignorable (Unicode's
 * Default_Ignorable_Code_Point), the C1 controls, the interlinear annotation
 * and Egyptian format controls, and the blank Braille pattern: not trimmed,
 * but a value made of nothing else holds no visible character.
 */
static bool
invisible_char(pg_wchar c)
{
	return blank_char(c) || c == 0x034F || c == 0x17B4 || c == 0x17B5 ||
		(c >= 0x180B && c <= 0x180F) || c == 0x2065 || c == 0x2800 ||
		(c >= 0x0080 && c <= 0x009F) ||	/* C1 controls */
		(c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFFF0 && c <= 0xFFFB) ||
		(c >= 0x13430 && c <= 0x1343F) ||
		(c >= 0x1BCA0 && c <= 0x1BCA3) || (c >= 0x1D173 && c <= 0x1D17A) ||
		(c >= 0xE0000 && c <= 0xE0FFF);
}

/* Length of the blank character at s (at most n bytes), or 0. */
static int
blank_len(const unsigned char *s, int n, bool utf8)
{
	pg_wchar	c;
	int			len;

	if (n >= 1 && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')))
		return 1;
	if (!utf8 || n < 2 || s[0] < 0x80)
		return 0;
	len = utf8_char(s, n, &c);
	return len > 0 && blank_char(c) ? len : 0;
}

/*
 * registry_trim(text): the value without the blanks around it -- ASCII
 * white space and every Unicode space, joiner, filler or mark an exported
 * or pasted value carries (blank_char) -- or NULL when nothing visible is
 * left: a value of nothing but blanks and other invisible characters
 * (invisible_char) is missing, however it was typed.
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
	if (utf8)
	{
		bool		visible = false;

		for (int i = start; i < end && !visible;)
		{
			pg_wchar	c;
			int			l;

			if (s[i] < 0x80)
			{
				/* white space and the other C0 controls show nothing */
				visible = !(s[i] < 0x20 || s[i] == 0x7F || s[i] == ' ');
				i++;
				continue;
			}
			l = utf8_char(s + i, end - i, &c);
			if (l == 0)
			{
				visible = true; /* not a character it knows: leave it to the rules */
				break;
			}
			visible = !invisible_char(c);
			i += l;
		}
		if (!visible)
			PG_RETURN_NULL();
	}
	if (start == 0 && end == len)
		PG_RETURN_TEXT_P(t);
	PG_RETURN_TEXT_P(cstring_to_text_with_len((const char *) s + start, end - start));
}
