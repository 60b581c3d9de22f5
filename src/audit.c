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
 * run of entries from a starting hash; audit_row_change() is the trigger
 * that records a row change in audit_pending; audit_chain_pending() is the
 * deferred trigger that moves a transaction's pending entries onto the
 * chain at commit, under the chain lock (see chain_lock() for how it is
 * waited for); audit_mark_transaction() makes sure the transaction has the
 * marker row that carries that trigger; audit_head_guard() lets only the
 * chaining move the head.  The triggers read and write the audit tables
 * directly, with no query: they run for every audited row and commit.
 */
#include "postgres.h"

#include <openssl/evp.h>

#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "nodes/makefuncs.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"
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
 * Chaining.
 *
 * audit_chain_pending() is the deferred constraint trigger on
 * spotcheck.audit_chain_marker: it runs when the transaction commits (or
 * when the constraint is set IMMEDIATE).  It takes the transaction's pending
 * entries off audit_pending first, in the order they were made; then it
 * takes the chain lock (EXCLUSIVE on audit_chain_head), reads the head with
 * a fresh snapshot (so that REPEATABLE READ and SERIALIZABLE transactions
 * chain onto what other transactions committed meanwhile instead of
 * failing), hashes the entries onto it, appends them to audit_log and moves
 * the head.  The lock is held to commit, so the chain is linear: one writer
 * at a time, and a waiter always sees the head its predecessor left.
 *
 * Everything done under the lock is done here, in C, with no query to plan
 * or run: it is the part of every audited transaction that others wait
 * for, so its length bounds how many audited transactions commit per second.
 */

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
	if (event == SUBXACT_EVENT_ABORT_SUB)
		chaining = false;
	if (marked_subxact != mySubid)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB)
		forget_marker();
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
		marked_subxact = parentSubid;
}

/*
 * Make sure this transaction's pending entries are chained at commit: the
 * first call of a transaction inserts its marker row, whose deferred trigger
 * chains them.
 */
static void direct_insert_marker(void);

static void
mark_transaction(void)
{
	static bool callbacks_registered = false;
	FullTransactionId top = GetTopFullTransactionId();

	if (FullTransactionIdIsValid(marked_xact) && FullTransactionIdEquals(marked_xact, top))
		return;
	if (!callbacks_registered)
	{
		RegisterXactCallback(audit_xact_callback, NULL);
		RegisterSubXactCallback(audit_subxact_callback, NULL);
		callbacks_registered = true;
	}
	direct_insert_marker();
	marked_xact = top;
	marked_subxact = GetCurrentSubTransactionId();
}

/*
 * audit_mark_transaction() — called by every SQL function that appends to
 * audit_pending (audit_record, audit_append).
 */
PG_FUNCTION_INFO_V1(audit_mark_transaction);
Datum
audit_mark_transaction(PG_FUNCTION_ARGS)
{
	(void) fcinfo;
	mark_transaction();
	PG_RETURN_VOID();
}

/*
 * audit_head_guard() — BEFORE UPDATE OR DELETE FOR EACH ROW, and BEFORE
 * TRUNCATE, on audit_chain_head: only the chaining trigger moves the head.
 */
PG_FUNCTION_INFO_V1(audit_head_guard);
Datum
audit_head_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_head_guard() may only be called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	if (chaining && TRIGGER_FIRED_BY_UPDATE(td->tg_event) && TRIGGER_FIRED_FOR_ROW(td->tg_event))
		return PointerGetDatum(td->tg_newtuple);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("the audit log is append-only: %s on spotcheck.%s is refused",
					TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "UPDATE" :
					TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "DELETE" : "TRUNCATE",
					RelationGetRelationName(td->tg_relation)),
			 errdetail("Entries are added only when a transaction that changed state commits."),
			 errhint("Record a correction as a new note with spotcheck.audit_append().")));
	return PointerGetDatum(NULL);	/* not reached */
}

/* A small executor state for writing one relation without a query. */
typedef struct DirectWrite
{
	EState	   *estate;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
} DirectWrite;

static void
direct_begin(DirectWrite *w, Relation rel, Snapshot snap)
{
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	w->estate = CreateExecutorState();
	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(w->estate, list_make1(rte));
	w->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(w->rri, rel, 1, NULL, 0);
	w->estate->es_opened_result_relations = lappend(w->estate->es_opened_result_relations, w->rri);
	w->estate->es_output_cid = GetCurrentCommandId(true);
	w->estate->es_snapshot = snap;
	ExecOpenIndices(w->rri, false);
	w->slot = ExecInitExtraTupleSlot(w->estate, RelationGetDescr(rel), &TTSOpsVirtual);
	AfterTriggerBeginQuery();
}

static void
direct_end(DirectWrite *w)
{
	AfterTriggerEndQuery(w->estate);
	ExecCloseResultRelations(w->estate);
	ExecResetTupleTable(w->estate->es_tupleTable, false);
	FreeExecutorState(w->estate);
}

/*
 * Insert the slot's row: its indexes (a unique index still refuses a
 * duplicate) and its row triggers, as ExecSimpleRelationInsert does, but
 * without evaluating the table's CHECK constraints, which are compiled anew
 * for every statement: the extension's own rows meet them by construction
 * (they keep every other writer in check).
 */
static void
direct_insert(DirectWrite *w)
{
	ResultRelInfo *rri = w->rri;
	TupleTableSlot *slot = w->slot;
	List	   *recheck = NIL;

	if (rri->ri_TrigDesc && rri->ri_TrigDesc->trig_insert_before_row &&
		!ExecBRInsertTriggers(w->estate, rri, slot))
		return;
	table_tuple_insert(rri->ri_RelationDesc, slot, w->estate->es_output_cid, 0, NULL);
	if (rri->ri_NumIndices > 0)
		recheck = ExecInsertIndexTuples(rri, slot, w->estate, false, false, NULL, NIL);
	ExecARInsertTriggers(w->estate, rri, slot, recheck, NULL);
	list_free(recheck);
}

/*
 * Take the chain lock (EXCLUSIVE on audit_chain_head), held to commit.
 *
 * A waiter queued in the lock manager is granted the lock the moment its
 * holder commits, and holds it, idle, until the scheduler runs it again; on
 * a busy machine that wake-up takes longer than the chaining itself, and
 * every audited commit waits for it: more writers made the chain slower.
 * So a committer first asks without queueing and, while the lock is taken,
 * sleeps a little (20 microseconds, doubling to 100) and asks
 * again: the lock goes to a committer that is running, never to one that
 * is asleep.  (A longer pause leaves the lock free while its askers sleep:
 * with a millisecond, 16 writers on two cores chained up to 14% fewer
 * commits a second than 4 did; with 100 microseconds, 1-3% fewer.)
 * Chaining takes tens of microseconds, so this is short; one
 * that has asked for 200 milliseconds (someone else holds the table, or it
 * was unlucky) queues like any other lock request, with deadlock detection
 * and lock_timeout.
 */
static void
chain_lock(Oid head_oid)
{
	long		pause = 20;
	TimestampTz deadline = 0;

	while (!ConditionalLockRelationOid(head_oid, ExclusiveLock))
	{
		TimestampTz now = GetCurrentTimestamp();

		if (deadline == 0)
			deadline = TimestampTzPlusMilliseconds(now, 200);
		else if (now >= deadline)
		{
			LockRelationOid(head_oid, ExclusiveLock);
			return;
		}
		CHECK_FOR_INTERRUPTS();
		pgstat_report_wait_start(PG_WAIT_EXTENSION);
		pg_usleep(pause);
		pgstat_report_wait_end();
		pause = Min(pause * 2, 100);
	}
}

/*
 * What chaining looks up in the catalogs for every transaction — the audit
 * tables, their columns, the pending table's index and id sequence — is
 * remembered for the backend, and forgotten when any of those tables
 * changes (a relation cache invalidation, as DDL or DROP EXTENSION cause).
 */
typedef struct Remembered
{
	Oid			relid;			/* InvalidOid: a table of schema spotcheck */
	const char *name;			/* a string constant */
	Oid			value;
} Remembered;

#define REMEMBERED_MAX 48
static Remembered remembered[REMEMBERED_MAX];
static int	n_remembered = 0;
static bool remember_callback = false;

static void
forget_remembered(Datum arg, Oid relid)
{
	(void) arg;
	if (!OidIsValid(relid))
	{
		n_remembered = 0;
		return;
	}
	for (int i = 0; i < n_remembered; i++)
		if (remembered[i].relid == relid || remembered[i].value == relid)
		{
			n_remembered = 0;
			return;
		}
}

static bool
recall(Oid relid, const char *name, Oid *value)
{
	for (int i = 0; i < n_remembered; i++)
		if (remembered[i].relid == relid && remembered[i].name == name)
		{
			*value = remembered[i].value;
			return true;
		}
	return false;
}

static void
remember(Oid relid, const char *name, Oid value)
{
	if (!remember_callback)
	{
		CacheRegisterRelcacheCallback(forget_remembered, (Datum) 0);
		remember_callback = true;
	}
	if (n_remembered < REMEMBERED_MAX)
	{
		remembered[n_remembered].relid = relid;
		remembered[n_remembered].name = name;
		remembered[n_remembered].value = value;
		n_remembered++;
	}
}

/* The table of schema spotcheck with this name (a string constant). */
static Oid
audit_table(const char *name)
{
	Oid			relid;

	if (recall(InvalidOid, name, &relid))
		return relid;
	relid = get_relname_relid(name, get_namespace_oid("spotcheck", false));
	if (!OidIsValid(relid))
		elog(ERROR, "the audit log of schema spotcheck is missing its table %s", name);
	remember(InvalidOid, name, relid);
	return relid;
}

/* Column numbers (1-based) of a relation's columns, by name (a string
 * constant). */
static AttrNumber
column(Relation rel, const char *name)
{
	Oid			a;

	if (recall(RelationGetRelid(rel), name, &a))
		return (AttrNumber) a;
	a = get_attnum(RelationGetRelid(rel), name);
	if (a == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of %s is missing", name, RelationGetRelationName(rel));
	remember(RelationGetRelid(rel), name, a);
	return (AttrNumber) a;
}

/* The index of rel whose first column is the column named col. */
static Oid
index_on(Relation rel, const char *col)
{
	static const char *const index_key = "index on";
	AttrNumber	attnum = column(rel, col);
	List	   *indexes;
	ListCell   *lc;
	Oid			found;

	if (recall(RelationGetRelid(rel), index_key, &found))
		return found;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Relation	ind = index_open(lfirst_oid(lc), AccessShareLock);
		bool		match = ind->rd_index->indnkeyatts >= 1 &&
			ind->rd_index->indkey.values[0] == attnum;

		index_close(ind, AccessShareLock);
		if (match)
		{
			remember(RelationGetRelid(rel), index_key, lfirst_oid(lc));
			return lfirst_oid(lc);
		}
	}
	elog(ERROR, "%s has no index on %s", RelationGetRelationName(rel), col);
	return InvalidOid;			/* not reached */
}

/* The sequence that fills the identity column col of rel. */
static Oid
identity_sequence(Relation rel, const char *col)
{
	static const char *const seq_key = "identity sequence";
	Oid			seq;

	if (recall(RelationGetRelid(rel), seq_key, &seq))
		return seq;
	seq = getIdentitySequence(RelationGetRelid(rel), column(rel, col), false);
	remember(RelationGetRelid(rel), seq_key, seq);
	return seq;
}

/* An index scan over the rows of one table that carry this transaction's id. */
typedef struct TxidScan
{
	Relation	rel;
	Relation	ind;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Snapshot	snap;
} TxidScan;

static void
txid_scan_begin(TxidScan *ts, Relation rel, Snapshot snap)
{
	ScanKeyData key;

	ts->rel = rel;
	ts->snap = snap;
	ts->ind = index_open(index_on(rel, "txid"), RowExclusiveLock);
	ts->slot = table_slot_create(rel, NULL);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_XID8EQ,
				FullTransactionIdGetDatum(GetTopFullTransactionId()));
	ts->scan = index_beginscan(rel, ts->ind, snap, 1, 0);
	index_rescan(ts->scan, &key, 1, NULL, 0);
}

/* The next such row, deleted as it is returned (in ts->slot); false at the end. */
static bool
txid_scan_take(TxidScan *ts)
{
	if (!index_getnext_slot(ts->scan, ForwardScanDirection, ts->slot))
		return false;
	slot_getallattrs(ts->slot);
	return true;
}

static void
txid_scan_delete_current(TxidScan *ts)
{
	simple_table_tuple_delete(ts->rel, &ts->slot->tts_tid, ts->snap);
}

static void
txid_scan_end(TxidScan *ts)
{
	index_endscan(ts->scan);
	ExecDropSingleTupleTableSlot(ts->slot);
	index_close(ts->ind, RowExclusiveLock);
}

/* One entry taken off audit_pending: the fields that are hashed (details
 * as the jsonb's text) and the jsonb that is stored. */
typedef struct PendingEntry
{
	Datum		f[AUDIT_FIELDS];	/* seq (set when chained), at, origin,
									 * actor, agency, action, object, details */
	bool		isnull[AUDIT_FIELDS];
	Datum		details;
} PendingEntry;

static const char *const entry_columns[AUDIT_FIELDS] =
{"seq", "at", "origin", "actor", "agency", "action", "object", "details"};

/* Copy the pending row in ts->slot (whole: the row and its toasted values
 * are deleted next) and delete it. */
static void
take_entry(TxidScan *ts, const AttrNumber *cols, PendingEntry *e)
{
	TupleTableSlot *slot = ts->slot;

	e->isnull[0] = false;
	e->isnull[1] = slot->tts_isnull[cols[1] - 1];
	e->f[1] = slot->tts_values[cols[1] - 1];	/* at: a timestamptz, by value */
	for (int c = 2; c < AUDIT_FIELDS; c++)		/* text and jsonb */
	{
		int			a = cols[c] - 1;

		e->isnull[c] = slot->tts_isnull[a];
		e->f[c] = slot->tts_isnull[a] ? (Datum) 0 :
			PointerGetDatum(PG_DETOAST_DATUM_COPY(slot->tts_values[a]));
	}
	e->details = e->f[AUDIT_FIELDS - 1];
	e->f[AUDIT_FIELDS - 1] =
		CStringGetTextDatum(JsonbToCString(NULL, &DatumGetJsonbP(e->details)->root,
										   VARSIZE(DatumGetJsonbP(e->details))));
	txid_scan_delete_current(ts);
}

/* Hash the entry onto prev, give it the next sequence number, append it. */
static void
chain_entry(DirectWrite *w, const AttrNumber *log_cols, AttrNumber prev_col, AttrNumber hash_col,
			PendingEntry *e, int64 *seq, unsigned char *prev)
{
	TupleTableSlot *slot = w->slot;
	TupleDesc	desc = slot->tts_tupleDescriptor;
	unsigned char out[AUDIT_HASH_LEN];

	e->f[0] = Int64GetDatum(++(*seq));
	entry_hash(prev, e->f, e->isnull, out);

	ExecClearTuple(slot);
	for (int a = 0; a < desc->natts; a++)
		slot->tts_isnull[a] = true;
	for (int c = 0; c < AUDIT_FIELDS; c++)
	{
		slot->tts_values[log_cols[c] - 1] = c == AUDIT_FIELDS - 1 ? e->details : e->f[c];
		slot->tts_isnull[log_cols[c] - 1] = e->isnull[c];
	}
	slot->tts_values[prev_col - 1] = PointerGetDatum(hash_to_bytea(prev));
	slot->tts_isnull[prev_col - 1] = false;
	slot->tts_values[hash_col - 1] = PointerGetDatum(hash_to_bytea(out));
	slot->tts_isnull[hash_col - 1] = false;
	ExecStoreVirtualTuple(slot);
	direct_insert(w);
	memcpy(prev, out, AUDIT_HASH_LEN);
}

/*
 * How many of a transaction's entries are taken off audit_pending before
 * the chain lock is taken.  Entries beyond these (a bulk change audited row
 * by row) are read, hashed and appended one at a time under the lock, so
 * that memory does not grow with the transaction.
 */
#define CHAIN_BATCH 256

PG_FUNCTION_INFO_V1(audit_chain_pending);
Datum
audit_chain_pending(PG_FUNCTION_ARGS)
{
	Oid			head_oid = audit_table("audit_chain_head");
	Oid			log_oid = audit_table("audit_log");
	Oid			pending_oid = audit_table("audit_pending");
	Oid			marker_oid = audit_table("audit_chain_marker");
	PendingEntry batch[CHAIN_BATCH];
	int			n = 0;
	bool		more = false;
	AttrNumber	pending_cols[AUDIT_FIELDS];
	AttrNumber	log_cols[AUDIT_FIELDS];
	AttrNumber	prev_col,
				hash_col;
	Snapshot	snap;
	Relation	head_rel,
				log_rel,
				pending_rel;
	TxidScan	ts;
	TableScanDesc scan;
	TupleTableSlot *head_slot;
	bool		have_head;
	int64		seq = 0;
	unsigned char prev[AUDIT_HASH_LEN];
	DirectWrite w;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_chain_pending() may only be called as a trigger")));
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetTransactionSnapshot());

	/* the marker row has done its job; a later append in this transaction
	 * makes a new one */
	{
		Relation	marker_rel = table_open(marker_oid, RowExclusiveLock);
		bool		marked = false;

		txid_scan_begin(&ts, marker_rel, snap);
		while (txid_scan_take(&ts))
		{
			txid_scan_delete_current(&ts);
			marked = true;
		}
		txid_scan_end(&ts);
		table_close(marker_rel, NoLock);
		if (!marked)
		{
			/* another firing in this transaction already chained everything */
			UnregisterSnapshot(snap);
			return PointerGetDatum(NULL);
		}
	}
	forget_marker();

	/* the first of this transaction's entries, in the order they were made
	 * (the index is on txid, id), taken before the chain lock */
	pending_rel = table_open(pending_oid, RowExclusiveLock);
	for (int c = 1; c < AUDIT_FIELDS; c++)
		pending_cols[c] = column(pending_rel, entry_columns[c]);
	txid_scan_begin(&ts, pending_rel, snap);
	while (txid_scan_take(&ts))
	{
		if (n == CHAIN_BATCH)
		{
			more = true;
			break;
		}
		take_entry(&ts, pending_cols, &batch[n++]);
	}
	txid_scan_end(&ts);
	UnregisterSnapshot(snap);
	if (n == 0)
	{
		table_close(pending_rel, NoLock);
		return PointerGetDatum(NULL);
	}

	/* what the appending needs, ready before the lock */
	log_rel = table_open(log_oid, RowExclusiveLock);
	for (int c = 0; c < AUDIT_FIELDS; c++)
		log_cols[c] = column(log_rel, entry_columns[c]);
	prev_col = column(log_rel, "prev_hash");
	hash_col = column(log_rel, "hash");
	direct_begin(&w, log_rel, InvalidSnapshot);

	/*
	 * The chain lock, then everything from here on reads what is committed
	 * now.  (The head table is opened only now: holding any lock on it while
	 * asking for the chain lock would queue behind the holder.)
	 */
	chain_lock(head_oid);
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetLatestSnapshot());
	w.estate->es_snapshot = snap;
	head_rel = table_open(head_oid, NoLock);

	/* The head: the last entry's sequence number and hash. */
	head_slot = table_slot_create(head_rel, NULL);
	scan = table_beginscan(head_rel, snap, 0, NULL);
	have_head = table_scan_getnextslot(scan, ForwardScanDirection, head_slot);
	if (have_head)
	{
		bool		isnull;
		bytea	   *h;

		seq = DatumGetInt64(slot_getattr(head_slot, column(head_rel, "seq"), &isnull));
		h = DatumGetByteaPP(slot_getattr(head_slot, column(head_rel, "hash"), &isnull));
		if (VARSIZE_ANY_EXHDR(h) != AUDIT_HASH_LEN)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the audit chain head holds a hash of %d bytes", (int) VARSIZE_ANY_EXHDR(h)),
					 errhint("Run spotcheck.verify_audit_chain() and restore the log and its head from a backup.")));
		memcpy(prev, VARDATA_ANY(h), AUDIT_HASH_LEN);
		ExecMaterializeSlot(head_slot);
	}
	table_endscan(scan);
	if (!have_head)
	{
		/*
		 * With no head row the log must be empty (the first chaining creates
		 * the row); a log with entries but no head was tampered with, and
		 * appending to it would hide that.
		 */
		TableScanDesc log_scan = table_beginscan(log_rel, snap, 0, NULL);
		TupleTableSlot *log_slot = table_slot_create(log_rel, NULL);
		bool		log_has_entries = table_scan_getnextslot(log_scan, ForwardScanDirection, log_slot);

		table_endscan(log_scan);
		ExecDropSingleTupleTableSlot(log_slot);
		if (log_has_entries)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the audit chain head is missing while the audit log has entries"),
					 errdetail("The head was deleted behind the extension's back; appending now would hide that."),
					 errhint("Run spotcheck.verify_audit_chain() and restore the log and its head from a backup.")));
		memset(prev, 0, AUDIT_HASH_LEN);
		seq = 0;
	}

	/* Hash the entries onto the head and append them. */
	chaining = true;
	for (int i = 0; i < n; i++)
		chain_entry(&w, log_cols, prev_col, hash_col, &batch[i], &seq, prev);
	if (more)
	{
		MemoryContext per_entry = AllocSetContextCreate(CurrentMemoryContext, "audit chain entry",
														ALLOCSET_DEFAULT_SIZES);
		PendingEntry e;

		txid_scan_begin(&ts, pending_rel, snap);
		while (txid_scan_take(&ts))
		{
			MemoryContext outer = MemoryContextSwitchTo(per_entry);

			take_entry(&ts, pending_cols, &e);
			chain_entry(&w, log_cols, prev_col, hash_col, &e, &seq, prev);
			MemoryContextSwitchTo(outer);
			MemoryContextReset(per_entry);
		}
		txid_scan_end(&ts);
		MemoryContextDelete(per_entry);
	}
	direct_end(&w);

	/* Move the head (or create it: the first chaining of this log). */
	direct_begin(&w, head_rel, snap);
	{
		TupleDesc	desc = RelationGetDescr(head_rel);
		TupleTableSlot *slot = w.slot;

		ExecClearTuple(slot);
		for (int a = 0; a < desc->natts; a++)
			slot->tts_isnull[a] = true;
		slot->tts_values[column(head_rel, "single") - 1] = BoolGetDatum(true);
		slot->tts_isnull[column(head_rel, "single") - 1] = false;
		slot->tts_values[column(head_rel, "seq") - 1] = Int64GetDatum(seq);
		slot->tts_isnull[column(head_rel, "seq") - 1] = false;
		slot->tts_values[column(head_rel, "hash") - 1] = PointerGetDatum(hash_to_bytea(prev));
		slot->tts_isnull[column(head_rel, "hash") - 1] = false;
		slot->tts_values[column(head_rel, "at") - 1] = TimestampTzGetDatum(GetCurrentTimestamp());
		slot->tts_isnull[column(head_rel, "at") - 1] = false;
		ExecStoreVirtualTuple(slot);
		if (have_head)
		{
			EPQState	epq;

			EvalPlanQualInit(&epq, w.estate, NULL, NIL, -1);
			ExecSimpleRelationUpdate(w.rri, w.estate, &epq, head_slot, slot);
			EvalPlanQualEnd(&epq);
		}
		else
			direct_insert(&w);
	}
	direct_end(&w);
	chaining = false;

	ExecDropSingleTupleTableSlot(head_slot);
	table_close(pending_rel, NoLock);
	table_close(log_rel, NoLock);
	table_close(head_rel, NoLock);
	UnregisterSnapshot(snap);
	return PointerGetDatum(NULL);
}

/*
 * Recording a row change.
 *
 * audit_row_change([key_column [, agency_column]]) — the trigger that audits
 * a table, whoever writes to it:
 *   AFTER INSERT OR UPDATE OR DELETE ... FOR EACH ROW
 *     EXECUTE FUNCTION spotcheck.audit_row_change('key_column' [, 'agency_column'])
 *   AFTER TRUNCATE ... FOR EACH STATEMENT EXECUTE FUNCTION spotcheck.audit_row_change()
 * It records <table>.insert|update|delete|truncate, object <table>:<key>
 * (<schema>.<table> for a truncation), the agency the row names, and
 * {"old": row, "new": row} as to_jsonb() gives them; an update that changes
 * nothing is not recorded.  The entry is of origin 'extension' and its
 * actor is the session's login role.  It runs once per changed row, so it
 * writes audit_pending directly, with no query: no role holds any privilege
 * on that table, and only the extension's owner may attach this trigger.
 */

/* What a firing keeps between rows of the same statement. */
typedef struct RowChangeCache
{
	Oid			rowtype;
	FmgrInfo	to_jsonb;		/* to_jsonb() with its argument typed as the row */
} RowChangeCache;

static Datum
row_to_jsonb(RowChangeCache *cache, HeapTuple tuple, TupleDesc desc)
{
	return FunctionCall1(&cache->to_jsonb, heap_copy_tuple_as_datum(tuple, desc));
}

/* {"old": old, "new": new}, with JSON null for a missing side. */
static Datum
old_new_object(Datum old, bool has_old, Datum new, bool has_new)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;
	const char *keys[2] = {"new", "old"};	/* in the order jsonb keeps keys */
	Datum		vals[2] = {new, old};
	bool		has[2] = {has_new, has_old};

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < 2; i++)
	{
		v.type = jbvString;
		v.val.string.val = (char *) keys[i];
		v.val.string.len = strlen(keys[i]);
		pushJsonbValue(&state, WJB_KEY, &v);
		if (has[i])
		{
			Jsonb	   *j = DatumGetJsonbP(vals[i]);

			v.type = jbvBinary;
			v.val.binary.data = &j->root;
			v.val.binary.len = VARSIZE(j) - VARHDRSZ;
		}
		else
			v.type = jbvNull;
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	return JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL)));
}

static Datum
empty_object(void)
{
	JsonbParseState *state = NULL;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL)));
}

/* row ->> key, as text, or NULL */
static text *
field_text(Datum row, const char *key)
{
	LOCAL_FCINFO(fcinfo, 2);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 2, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = row;
	fcinfo->args[0].isnull = false;
	fcinfo->args[1].value = CStringGetTextDatum(key);
	fcinfo->args[1].isnull = false;
	result = jsonb_object_field_text(fcinfo);
	return fcinfo->isnull ? NULL : DatumGetTextPP(result);
}

/* Append one entry of origin 'extension' to audit_pending. */
static void
append_pending(text *action, text *object, text *agency, Datum details)
{
	Relation	rel = table_open(audit_table("audit_pending"), RowExclusiveLock);
	DirectWrite w;
	TupleDesc	desc;
	TupleTableSlot *slot;

	desc = RelationGetDescr(rel);
	direct_begin(&w, rel, GetActiveSnapshot());
	slot = w.slot;
	ExecClearTuple(slot);
	for (int a = 0; a < desc->natts; a++)
		slot->tts_isnull[a] = true;
#define SET_COLUMN(name, value, null) \
	do { AttrNumber n_ = column(rel, name); \
		 slot->tts_values[n_ - 1] = (value); slot->tts_isnull[n_ - 1] = (null); } while (0)
	SET_COLUMN("id", Int64GetDatum(nextval_internal(identity_sequence(rel, "id"), false)), false);
	SET_COLUMN("txid", FullTransactionIdGetDatum(GetTopFullTransactionId()), false);
	SET_COLUMN("at", TimestampTzGetDatum(GetCurrentTimestamp()), false);
	SET_COLUMN("origin", CStringGetTextDatum("extension"), false);
	SET_COLUMN("actor", CStringGetTextDatum(GetUserNameFromId(GetSessionUserId(), false)), false);
	SET_COLUMN("agency", PointerGetDatum(agency), agency == NULL);
	SET_COLUMN("action", PointerGetDatum(action), false);
	SET_COLUMN("object", PointerGetDatum(object), false);
	SET_COLUMN("details", details, false);
#undef SET_COLUMN
	ExecStoreVirtualTuple(slot);
	direct_insert(&w);
	direct_end(&w);
	table_close(rel, NoLock);
}

/*
 * The transaction's marker row: its deferred constraint trigger chains the
 * transaction's entries at commit.  Written directly (the role whose change
 * is recorded holds no privilege on the table).
 */
static void
direct_insert_marker(void)
{
	Relation	rel = table_open(audit_table("audit_chain_marker"), RowExclusiveLock);
	DirectWrite w;
	TupleDesc	desc;
	TupleTableSlot *slot;

	desc = RelationGetDescr(rel);
	direct_begin(&w, rel, GetActiveSnapshot());
	slot = w.slot;
	ExecClearTuple(slot);
	for (int a = 0; a < desc->natts; a++)
		slot->tts_isnull[a] = true;
	slot->tts_values[column(rel, "txid") - 1] = FullTransactionIdGetDatum(GetTopFullTransactionId());
	slot->tts_isnull[column(rel, "txid") - 1] = false;
	ExecStoreVirtualTuple(slot);
	direct_insert(&w);
	direct_end(&w);
	table_close(rel, NoLock);
}

PG_FUNCTION_INFO_V1(audit_row_change);
Datum
audit_row_change(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Relation	rel;
	const char *op;
	char	   *table;
	RowChangeCache *cache;
	Datum		old = (Datum) 0,
				new = (Datum) 0,
				row;
	bool		has_old,
				has_new;
	text	   *key,
			   *agency = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() may only be called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() must fire AFTER the change it records")));
	rel = td->tg_relation;
	table = RelationGetRelationName(rel);
	op = TRIGGER_FIRED_BY_INSERT(td->tg_event) ? "insert" :
		TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "update" :
		TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "delete" : "truncate";

	if (TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
	{
		append_pending(cstring_to_text(psprintf("%s.%s", table, op)),
					   cstring_to_text(psprintf("%s.%s", get_namespace_name(RelationGetNamespace(rel)), table)),
					   NULL, empty_object());
		mark_transaction();
		return PointerGetDatum(NULL);
	}
	if (td->tg_trigger->tgnargs < 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("audit_row_change() on %s needs the name of its key column", table),
				 errhint("EXECUTE FUNCTION spotcheck.audit_row_change('key_column' [, 'agency_column']).")));

	cache = (RowChangeCache *) fcinfo->flinfo->fn_extra;
	if (cache == NULL || cache->rowtype != rel->rd_rel->reltype)
	{
		MemoryContext old_cxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache = (RowChangeCache *) palloc0(sizeof(RowChangeCache));
		cache->rowtype = rel->rd_rel->reltype;
		fmgr_info_cxt(F_TO_JSONB, &cache->to_jsonb, fcinfo->flinfo->fn_mcxt);
		cache->to_jsonb.fn_expr = (Node *)
			makeFuncExpr(F_TO_JSONB, JSONBOID,
						 list_make1(makeNullConst(cache->rowtype, -1, InvalidOid)),
						 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
		fcinfo->flinfo->fn_extra = cache;
		MemoryContextSwitchTo(old_cxt);
	}

	has_old = !TRIGGER_FIRED_BY_INSERT(td->tg_event);
	has_new = !TRIGGER_FIRED_BY_DELETE(td->tg_event);
	if (has_old)
		old = row_to_jsonb(cache, td->tg_trigtuple, RelationGetDescr(rel));
	if (has_new)
		new = row_to_jsonb(cache, TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple,
						   RelationGetDescr(rel));
	if (has_old && has_new &&
		DatumGetBool(DirectFunctionCall2(jsonb_eq, old, new)))
		return PointerGetDatum(NULL);	/* an update that changes nothing */

	row = has_new ? new : old;
	key = field_text(row, td->tg_trigger->tgargs[0]);
	if (td->tg_trigger->tgnargs > 1)
		agency = field_text(row, td->tg_trigger->tgargs[1]);
	append_pending(cstring_to_text(psprintf("%s.%s", table, op)),
				   cstring_to_text(psprintf("%s:%s", table, key ? text_to_cstring(key) : "?")),
				   agency, old_new_object(old, has_old, new, has_new));
	mark_transaction();
	return PointerGetDatum(NULL);
}
