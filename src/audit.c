/*
 * audit.c — the hash chain of the audit log.
 *
 * Each entry's hash is
 *
 *   hash = SHA-256( prev_hash || TAG("spotcheck-audit-v2") || BE64(seq)
 *                   || BE64(at) || F(origin) || F(actor) || F(agency)
 *                   || F(action) || F(object) || F(details) )
 *
 * where TAG pads the ASCII name with zero bytes to 32 bytes, at is the
 * entry's time in microseconds since 1970-01-01 UTC (two's complement),
 * F(NULL) is the four bytes FF FF FF FF, F(s) is BE32(length of s in bytes)
 * followed by the UTF-8 bytes of s, and details is the text form of the
 * jsonb value.  origin is 'extension' for an entry the extension's own
 * functions and triggers wrote and 'manual' for one a role appended with
 * audit_append(); hashing it means neither can pass for the other.  The
 * first entry's prev_hash is 32 zero bytes.
 *
 * audit_entry_hash() computes one entry's hash from its stored prev_hash
 * (for verification); audit_chain_hash() is a window function that chains a
 * run of new entries from a starting hash; audit_chain_pending() is the
 * deferred trigger that moves a transaction's pending entries onto the
 * chain at commit; audit_mark_transaction() makes sure the transaction has
 * the marker row that carries that trigger.
 */
#include "postgres.h"

#include <openssl/evp.h>

#include "access/transam.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "windowapi.h"

#define AUDIT_HASH_LEN 32
#define AUDIT_TAG "spotcheck-audit-v2"
#define AUDIT_FIELDS 8			/* seq, at, origin, actor, agency, action,
								 * object, details */

static void
append_be64(StringInfo buf, uint64 v)
{
	unsigned char b[8];

	for (int i = 7; i >= 0; i--)
	{
		b[i] = (unsigned char) (v & 0xFF);
		v >>= 8;
	}
	appendBinaryStringInfo(buf, (char *) b, 8);
}

static void
append_field(StringInfo buf, text *t)
{
	unsigned char b[4];
	uint32		len;

	if (t == NULL)
	{
		memset(b, 0xFF, 4);
		appendBinaryStringInfo(buf, (char *) b, 4);
		return;
	}
	len = VARSIZE_ANY_EXHDR(t);
	b[0] = (unsigned char) (len >> 24);
	b[1] = (unsigned char) (len >> 16);
	b[2] = (unsigned char) (len >> 8);
	b[3] = (unsigned char) len;
	appendBinaryStringInfo(buf, (char *) b, 4);
	appendBinaryStringInfo(buf, VARDATA_ANY(t), len);
}

static void
check_hash_arg(bytea *h, const char *what)
{
	if (VARSIZE_ANY_EXHDR(h) != AUDIT_HASH_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %d bytes, not %d",
						what, AUDIT_HASH_LEN, (int) VARSIZE_ANY_EXHDR(h)),
				 errhint("Pass the hash of the previous entry, or 32 zero bytes for the first.")));
}

/*
 * The entry hash over prev (32 bytes) and the fields.  Fields are given as
 * Datums with null flags in the order seq, at, origin, actor, agency,
 * action, object, details (details as text).
 */
static void
entry_hash(const unsigned char *prev, const Datum *f, const bool *isnull,
		   unsigned char *out)
{
	StringInfoData buf;
	char		tag[32];
	unsigned int outlen = 0;

	if (isnull[0] || isnull[1] || isnull[2] || isnull[5] || isnull[6])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("an audit entry needs a sequence number, a time, an origin, an action and an object"),
				 errhint("Only actor, agency and details may be null.")));

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, (const char *) prev, AUDIT_HASH_LEN);
	memset(tag, 0, sizeof(tag));
	memcpy(tag, AUDIT_TAG, strlen(AUDIT_TAG));
	appendBinaryStringInfo(&buf, tag, sizeof(tag));
	append_be64(&buf, (uint64) DatumGetInt64(f[0]));
	append_be64(&buf, (uint64) (DatumGetTimestampTz(f[1]) +
								(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY));
	for (int i = 2; i < AUDIT_FIELDS; i++)
		append_field(&buf, isnull[i] ? NULL : DatumGetTextPP(f[i]));

	if (EVP_Digest(buf.data, buf.len, out, &outlen, EVP_sha256(), NULL) != 1 ||
		outlen != AUDIT_HASH_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute SHA-256 for an audit entry")));
	pfree(buf.data);
}

static bytea *
hash_to_bytea(const unsigned char *h)
{
	bytea	   *r = (bytea *) palloc(VARHDRSZ + AUDIT_HASH_LEN);

	SET_VARSIZE(r, VARHDRSZ + AUDIT_HASH_LEN);
	memcpy(VARDATA(r), h, AUDIT_HASH_LEN);
	return r;
}

/*
 * audit_entry_hash(prev bytea, seq bigint, at timestamptz, origin text,
 *                  actor text, agency text, action text, object text,
 *                  details text)
 */
PG_FUNCTION_INFO_V1(audit_entry_hash);
Datum
audit_entry_hash(PG_FUNCTION_ARGS)
{
	Datum		f[AUDIT_FIELDS];
	bool		isnull[AUDIT_FIELDS];
	unsigned char out[AUDIT_HASH_LEN];
	bytea	   *prev;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the previous hash of an audit entry must not be null"),
				 errhint("The first entry's previous hash is 32 zero bytes.")));
	prev = PG_GETARG_BYTEA_PP(0);
	check_hash_arg(prev, "the previous hash");
	for (int i = 0; i < AUDIT_FIELDS; i++)
	{
		isnull[i] = PG_ARGISNULL(i + 1);
		f[i] = isnull[i] ? (Datum) 0 : PG_GETARG_DATUM(i + 1);
	}
	entry_hash((unsigned char *) VARDATA_ANY(prev), f, isnull, out);
	PG_RETURN_BYTEA_P(hash_to_bytea(out));
}

/*
 * audit_chain_hash(start bytea, seq, at, origin, actor, agency, action,
 * object, details) OVER (ORDER BY ...) — a window function: the first row of the
 * partition chains from start, every later row from the row before it.
 */
typedef struct ChainState
{
	bool		started;
	unsigned char last[AUDIT_HASH_LEN];
} ChainState;

PG_FUNCTION_INFO_V1(audit_chain_hash);
Datum
audit_chain_hash(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	ChainState *st = (ChainState *) WinGetPartitionLocalMemory(winobj, sizeof(ChainState));
	Datum		f[AUDIT_FIELDS];
	bool		isnull[AUDIT_FIELDS];
	unsigned char out[AUDIT_HASH_LEN];

	if (!st->started)
	{
		bool		startnull;
		Datum		start = WinGetFuncArgCurrent(winobj, 0, &startnull);
		bytea	   *sb;

		if (startnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("the starting hash of an audit chain must not be null"),
					 errhint("Start from the head's hash, or 32 zero bytes for an empty log.")));
		sb = DatumGetByteaPP(start);
		check_hash_arg(sb, "the starting hash");
		memcpy(st->last, VARDATA_ANY(sb), AUDIT_HASH_LEN);
		st->started = true;
	}
	for (int i = 0; i < AUDIT_FIELDS; i++)
		f[i] = WinGetFuncArgCurrent(winobj, i + 1, &isnull[i]);
	entry_hash(st->last, f, isnull, out);
	memcpy(st->last, out, AUDIT_HASH_LEN);
	PG_RETURN_BYTEA_P(hash_to_bytea(out));
}

/*
 * audit_chain_pending() — the deferred constraint trigger on
 * spotcheck.audit_chain_marker.  At commit (or when the constraint is set
 * IMMEDIATE) it takes the chain lock, reads the head with a fresh snapshot
 * (so that REPEATABLE READ and SERIALIZABLE transactions chain onto what
 * other transactions committed meanwhile instead of failing), appends this
 * transaction's pending entries in the order they were made, moves the
 * head, and clears the pending entries.  The lock is held to commit, so the
 * chain is linear: one writer at a time, and a waiter always sees the head
 * its predecessor left.
 */
static const char *chain_sql =
"WITH mine AS ("
"  DELETE FROM spotcheck.audit_pending p WHERE p.txid = pg_catalog.pg_current_xact_id()"
"  RETURNING p.id, p.at, p.origin, p.actor, p.agency, p.action, p.object, p.details),"
" numbered AS ("
"  SELECT m.*, $1 + pg_catalog.row_number() OVER (ORDER BY m.id) AS seq FROM mine m),"
" hashed AS ("
"  SELECT n.*, spotcheck.audit_chain_hash($2, n.seq, n.at, n.origin, n.actor, n.agency,"
"           n.action, n.object, n.details::text) OVER (ORDER BY n.seq) AS hash FROM numbered n),"
" linked AS ("
"  SELECT h.*, COALESCE(pg_catalog.lag(h.hash) OVER (ORDER BY h.seq), $2) AS prev_hash"
"    FROM hashed h),"
" ins AS ("
"  INSERT INTO spotcheck.audit_log (seq, at, origin, actor, agency, action, object, details, prev_hash, hash)"
"  SELECT l.seq, l.at, l.origin, l.actor, l.agency, l.action, l.object, l.details, l.prev_hash, l.hash"
"    FROM linked l RETURNING seq, hash)"
" INSERT INTO spotcheck.audit_chain_head AS h (single, seq, hash, at)"
"   SELECT true, i.seq, i.hash, pg_catalog.clock_timestamp() FROM ins i ORDER BY i.seq DESC LIMIT 1"
"   ON CONFLICT (single) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at"
" RETURNING h.seq";

/* Plans kept for the life of the backend; the plan cache replans them when
 * the tables they name change. */
static SPIPlanPtr mark_plan = NULL;
static SPIPlanPtr clear_marker_plan = NULL;
static SPIPlanPtr lock_plan = NULL;
static SPIPlanPtr head_plan = NULL;
static SPIPlanPtr chain_plan = NULL;

static SPIPlanPtr
kept_plan(SPIPlanPtr *slot, const char *sql, int nargs, Oid *argtypes)
{
	if (*slot == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "could not prepare \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "could not keep the plan for \"%s\"", sql);
		*slot = plan;
	}
	return *slot;
}

/*
 * Whether this transaction already has its marker row, and in which
 * subtransaction it was inserted.  This is backend state that no SQL can
 * set: a role cannot make the extension believe a marker exists and so keep
 * its changes off the chain.  A subtransaction that rolls back takes the
 * marker with it and forgets it here; one that commits hands it to its
 * parent.
 */
static FullTransactionId marked_xact = {0};
static SubTransactionId marked_subxact = InvalidSubTransactionId;

/* True only while audit_chain_pending() moves the head (see the guard). */
static bool chaining = false;

static void
forget_marker(void)
{
	marked_xact = InvalidFullTransactionId;
	marked_subxact = InvalidSubTransactionId;
}

static void
audit_xact_callback(XactEvent event, void *arg)
{
	(void) arg;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			forget_marker();
			chaining = false;
			break;
		default:
			break;
	}
}

static void
audit_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	(void) arg;
	if (marked_subxact != mySubid)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		forget_marker();
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		marked_subxact = parentSubid;
}

/*
 * audit_mark_transaction() — called by every function and trigger that
 * appends to audit_pending: the first call of a transaction inserts its
 * marker row, whose deferred trigger chains the entries at commit.
 */
PG_FUNCTION_INFO_V1(audit_mark_transaction);
Datum
audit_mark_transaction(PG_FUNCTION_ARGS)
{
	static bool callbacks_registered = false;
	FullTransactionId top = GetTopFullTransactionId();
	int			ret;

	(void) fcinfo;
	if (FullTransactionIdIsValid(marked_xact) && FullTransactionIdEquals(marked_xact, top))
		PG_RETURN_VOID();
	if (!callbacks_registered)
	{
		RegisterXactCallback(audit_xact_callback, NULL);
		RegisterSubXactCallback(audit_subxact_callback, NULL);
		callbacks_registered = true;
	}
	SPI_connect();
	ret = SPI_execute_plan(kept_plan(&mark_plan,
									 "INSERT INTO spotcheck.audit_chain_marker (txid)"
									 " VALUES (pg_catalog.pg_current_xact_id()) ON CONFLICT DO NOTHING",
									 0, NULL), NULL, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not mark the transaction for the audit chain: %s",
			 SPI_result_code_string(ret));
	SPI_finish();
	marked_xact = top;
	marked_subxact = GetCurrentSubTransactionId();
	PG_RETURN_VOID();
}

/*
 * audit_chaining_now() — whether the chaining trigger is moving the head
 * right now; the head's guard lets only that update through.
 */
PG_FUNCTION_INFO_V1(audit_chaining_now);
Datum
audit_chaining_now(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	PG_RETURN_BOOL(chaining);
}

PG_FUNCTION_INFO_V1(audit_chain_pending);
Datum
audit_chain_pending(PG_FUNCTION_ARGS)
{
	Snapshot	snap;
	Datum		args[2];
	Oid			argtypes[2] = {INT8OID, BYTEAOID};
	bool		isnull;
	int			ret;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_chain_pending() may only be called as a trigger")));

	SPI_connect();

	/* the marker row has done its job; a later append in this transaction
	 * makes a new one */
	ret = SPI_execute_plan(kept_plan(&clear_marker_plan,
									 "DELETE FROM spotcheck.audit_chain_marker m"
									 " WHERE m.txid = pg_catalog.pg_current_xact_id()",
									 0, NULL), NULL, NULL, false, 0);
	if (ret != SPI_OK_DELETE)
		elog(ERROR, "could not clear the audit chain marker: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0)
	{
		/* another firing in this transaction already chained everything */
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	forget_marker();

	ret = SPI_execute_plan(kept_plan(&lock_plan,
									 "LOCK TABLE spotcheck.audit_chain_head IN EXCLUSIVE MODE",
									 0, NULL), NULL, NULL, false, 0);
	if (ret != SPI_OK_UTILITY)
		elog(ERROR, "could not lock the audit chain head");

	/* everything from here on reads what is committed now */
	CommandCounterIncrement();
	snap = GetLatestSnapshot();

	/*
	 * The head: the last entry's sequence number and hash.  With no head
	 * row the log must be empty (the first chaining creates the row); a log
	 * with entries but no head was tampered with, and appending to it would
	 * hide that.
	 */
	ret = SPI_execute_snapshot(kept_plan(&head_plan,
										 "SELECT COALESCE(h.seq, 0), COALESCE(h.hash, z.zero),"
										 " EXISTS (SELECT FROM spotcheck.audit_log l)"
										 " FROM (SELECT pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex') AS zero) z"
										 " LEFT JOIN spotcheck.audit_chain_head h ON true",
										 0, NULL),
							   NULL, NULL, snap, InvalidSnapshot, false, false, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the audit chain head");
	args[0] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	args[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	args[1] = PointerGetDatum(PG_DETOAST_DATUM_COPY(args[1]));
	if (DatumGetInt64(args[0]) == 0 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the audit chain head is missing while the audit log has entries"),
				 errdetail("The head was deleted behind the extension's back; appending now would hide that."),
				 errhint("Run spotcheck.verify_audit_chain() and restore the log and its head from a backup.")));

	chaining = true;
	PG_TRY();
	{
		ret = SPI_execute_snapshot(kept_plan(&chain_plan, chain_sql, 2, argtypes),
								   args, NULL, snap, InvalidSnapshot, false, true, 0);
	}
	PG_FINALLY();
	{
		chaining = false;
	}
	PG_END_TRY();
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not chain the audit entries: %s", SPI_result_code_string(ret));

	SPI_finish();
	return PointerGetDatum(NULL);
}
