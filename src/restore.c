/*
 * restore.c — plain pg_dump and pg_restore of the extension's data.
 *
 * pg_dump writes the rows of the extension's configuration tables as one
 * COPY ... FROM stdin per table, after CREATE EXTENSION.  Loaded with the
 * tables' triggers on, those rows would be checked against the rules for
 * new rows (and refused when a rule, or the order of tables and rows in
 * the dump, does not allow them), stamped anew, and recorded again in the
 * history and the audit log.  pg_restore -j loads the tables in parallel,
 * in no order at all (pg_dump archives the data of a configuration table
 * with no dependency on another's), so a restore cannot rely on one table
 * arriving before another.
 *
 * So each COPY statement is judged on its own.  It is a restore statement
 * when all of this holds:
 *   - it has the form pg_dump writes: the top-level statement is
 *     COPY <this table> (every stored column, in order) FROM STDIN, in a
 *     session that runs with row_security and check_function_bodies off
 *     (as pg_restore's and pg_dump's scripts do);
 *   - the role that runs it is a superuser (restoring the extension's data
 *     needs one: CREATE EXTENSION does, and its tables belong to one);
 *   - the table holds no rows, and either the extension holds no data at
 *     all (the first table of a restore, which records the restore in
 *     spotcheck.restores) or a restore is under way: one that has not loaded
 *     every configuration table yet, while a session that loaded one of its
 *     tables is still connected.
 * A restore statement runs with session_replication_role = replica, so no
 * ordinary trigger fires for it (no rule for new rows, no stamping, no
 * history, no audit entry, no foreign-key check); the role goes back to
 * origin when it ends, and the table is recorded as restored
 * (spotcheck.restored_tables): a restore loads each table once.  In a table
 * the dump holds whole although the extension ships rows in it (the
 * calendar), the shipped rows CREATE EXTENSION installed are removed first,
 * so that the table holds the dump's rows, and when the COPY ends the shipped
 * rows the dump did not carry are put back (spotcheck.restore_table_loaded).
 *
 * A superuser's COPY of that form that is not a restore statement is
 * refused: it would merge a dump into data that is already there.  Every
 * other statement is ordinary and meets every trigger, whoever sends it; the
 * form alone never grants anything.
 *
 * The SQL side (bookkeeping, sequences, and what a new table needs) is in
 * src/sql/90_restore.sql.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

/* Serialises the start of a restore between pg_restore -j's sessions. */
#define RESTORE_LOCK_KEY1 0x53504F54	/* "SPOT" */
#define RESTORE_LOCK_KEY2 1

/* The table whose restore statement is running in this backend, if any. */
static Oid	restoring_relid = InvalidOid;

/*
 * The table whose loaded rows restore_table_loaded() is finishing (the
 * shipped calendar rows a dump did not carry are put back): the statements
 * it runs on that table are part of the COPY that fired it, not statements
 * of their own to judge.
 */
static Oid	finishing_relid = InvalidOid;

static bool callbacks_registered = false;

static void
restore_xact_callback(XactEvent event, void *arg)
{
	(void) arg;
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_COMMIT || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PREPARE)
	{
		restoring_relid = InvalidOid;
		finishing_relid = InvalidOid;
	}
}

static void
restore_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	(void) mySubid;
	(void) parentSubid;
	(void) arg;
	/* the replication role set for the statement is undone with it */
	if (event == SUBXACT_EVENT_ABORT_SUB)
		restoring_relid = InvalidOid;
}

/*
 * The COPY statement being run if it is COPY <relid> FROM STDIN sent by the
 * client as a statement of its own, else NULL.  A COPY run from inside a
 * function is never that (SPI cannot read from the client), nor is a COPY
 * into another table whose triggers write here.
 */
static CopyStmt *
copy_from_client_into(Oid relid)
{
	Portal		portal = ActivePortal;
	PlannedStmt *ps;
	CopyStmt   *cs;

	if (portal == NULL || portal->commandTag != CMDTAG_COPY ||
		list_length(portal->stmts) != 1)
		return NULL;
	ps = linitial_node(PlannedStmt, portal->stmts);
	if (ps->commandType != CMD_UTILITY || ps->utilityStmt == NULL ||
		!IsA(ps->utilityStmt, CopyStmt))
		return NULL;
	cs = (CopyStmt *) ps->utilityStmt;
	if (!cs->is_from || cs->is_program || cs->filename != NULL ||
		cs->relation == NULL || cs->query != NULL)
		return NULL;
	if (RangeVarGetRelid(cs->relation, NoLock, true) != relid)
		return NULL;
	return cs;
}

/*
 * Whether the COPY has the form pg_dump writes for a table's data: every
 * stored column (not dropped, not generated) named in order, in a session
 * with row_security and check_function_bodies off.
 */
static bool
dump_form(Relation rel, CopyStmt *cs)
{
	TupleDesc	desc = RelationGetDescr(rel);
	ListCell   *lc;

	if (row_security || check_function_bodies || cs->attlist == NIL)
		return false;
	lc = list_head(cs->attlist);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped || att->attgenerated)
			continue;
		if (lc == NULL || strcmp(strVal(lfirst(lc)), NameStr(att->attname)) != 0)
			return false;
		lc = lnext(cs->attlist, lc);
	}
	return lc == NULL;
}

static void
set_replication_role(const char *value)
{
	(void) set_config_option("session_replication_role", value,
							 PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL,
							 true, ERROR, false);
}

/* Run a query; the first column of its first row, or isnull. */
static Datum
query_value(const char *sql, int nargs, Oid *types, Datum *values, bool *isnull)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 1);

	if (ret < 0)
		elog(ERROR, "restore bookkeeping failed: %s", SPI_result_code_string(ret));
	if (SPI_processed == 0 || SPI_tuptable == NULL)
	{
		*isnull = true;
		return (Datum) 0;
	}
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, isnull);
}

/* The restore under way (see spotcheck.restore_under_way()), or 0. */
static int64
restore_under_way(void)
{
	bool		isnull;
	Datum		d = query_value("SELECT spotcheck.restore_under_way()", 0, NULL, NULL, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static bool
restored_in(int64 restore, Oid relid)
{
	Oid			types[2] = {INT8OID, OIDOID};
	Datum		values[2] = {Int64GetDatum(restore), ObjectIdGetDatum(relid)};
	bool		isnull;
	Datum		d = query_value("SELECT EXISTS (SELECT FROM spotcheck.restored_tables t"
								" WHERE t.restore OPERATOR(pg_catalog.=) $1"
								" AND t.table_name OPERATOR(pg_catalog.=) $2::pg_catalog.regclass)",
								2, types, values, &isnull);

	return !isnull && DatumGetBool(d);
}

/* The configuration tables that hold rows ("a, b"), or NULL; with relid,
 * only that table. */
static char *
holdings(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	bool		isnull;
	Datum		d = query_value("SELECT spotcheck.restore_holdings(NULLIF($1, 0)::pg_catalog.regclass)",
								1, types, values, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static void
claim(int64 restore, Oid relid)
{
	Oid			types[2] = {INT8OID, OIDOID};
	Datum		values[2] = {Int64GetDatum(restore), ObjectIdGetDatum(relid)};
	int			ret = SPI_execute_with_args(
											"INSERT INTO spotcheck.restored_tables (restore, table_name, backend_pid, backend_start)"
											" SELECT $1, $2::pg_catalog.regclass, a.pid, a.backend_start"
											" FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a",
											2, types, values, NULL, false, 0);

	if (ret != SPI_OK_INSERT || SPI_processed != 1)
		elog(ERROR, "could not record the restore of a table: %s", SPI_result_code_string(ret));
}

/* The shipped rows of a table the dump holds whole make way for the dump's
 * (see spotcheck.restore_replace_shipped()). */
static void
replace_shipped(Oid relid)
{
	Oid			types[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	int			ret = SPI_execute_with_args("SELECT spotcheck.restore_replace_shipped($1::pg_catalog.regclass)",
											1, types, values, NULL, false, 0);

	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not replace the shipped rows of a restored table: %s", SPI_result_code_string(ret));
}

static char *
qualified_name(Relation rel)
{
	return quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
									  RelationGetRelationName(rel));
}

static void
refuse(Relation rel, const char *held, int64 restore)
{
	if (restore != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cannot restore %s into database \"%s\": %s",
						qualified_name(rel), get_database_name(MyDatabaseId),
						held ? "the table already holds rows" : "the restore under way has loaded it already"),
				 errdetail("A restore loads each table once, into an empty table, so that nothing of the dump is merged with other data."),
				 errhint("Restore the whole dump, once, into a new database (createdb NAME, then pg_restore -d NAME).")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("cannot restore %s into database \"%s\": spotcheck there already holds data",
					qualified_name(rel), get_database_name(MyDatabaseId)),
			 errdetail("Rows are held in %s.  A dump is restored only into a database whose spotcheck holds nothing yet, "
					   "so that nothing of the dump is merged with other data.", held),
			 errhint("Restore into a new database (createdb NAME, then pg_restore -d NAME), or replace this database's "
					 "spotcheck data with pg_restore --clean, which drops the extension and all its data first.")));
}

/*
 * _restore_begin — BEFORE INSERT FOR EACH STATEMENT on every configuration
 * table of the extension, enabled ALWAYS (so it also judges the statements
 * of a session that already runs as a replica).
 */
PG_FUNCTION_INFO_V1(restore_statement_begin);
Datum
restore_statement_begin(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Relation	rel;
	Oid			relid;
	CopyStmt   *cs;
	int64		restore;
	char	   *held;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("restore_statement_begin() may only be called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event) ||
		!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("restore_statement_begin() must fire BEFORE INSERT FOR EACH STATEMENT")));
	rel = td->tg_relation;
	relid = RelationGetRelid(rel);

	/* a statement restore_table_loaded() runs while it finishes this table */
	if (OidIsValid(finishing_relid) && finishing_relid == relid)
		return PointerGetDatum(NULL);

	/* every ordinary statement leaves here */
	cs = copy_from_client_into(relid);
	if (cs == NULL || !dump_form(rel, cs) || !superuser_arg(GetOuterUserId()))
		return PointerGetDatum(NULL);

	if (!callbacks_registered)
	{
		RegisterXactCallback(restore_xact_callback, NULL);
		RegisterSubXactCallback(restore_subxact_callback, NULL);
		callbacks_registered = true;
	}

	SPI_connect();
	restore = restore_under_way();
	if (restore == 0)
	{
		/*
		 * Perhaps the first table of a restore.  Two sessions of pg_restore
		 * -j may get here at once: the second waits until the first has
		 * recorded the restore (and loaded its table), then joins it.
		 */
		(void) SPI_execute(psprintf("SELECT pg_catalog.pg_advisory_xact_lock(%d, %d)",
									RESTORE_LOCK_KEY1, RESTORE_LOCK_KEY2), false, 0);
		restore = restore_under_way();
	}
	if (restore != 0)
	{
		held = holdings(relid);
		if (held != NULL || restored_in(restore, relid))
			refuse(rel, held, restore);
	}
	else
	{
		bool		isnull;

		held = holdings(InvalidOid);
		if (held != NULL)
			refuse(rel, held, 0);
		restore = DatumGetInt64(query_value(
											"INSERT INTO spotcheck.restores (started_by, application, client)"
											" SELECT SESSION_USER, a.application_name, a.client_addr"
											" FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a"
											" RETURNING id",
											0, NULL, NULL, &isnull));
	}
	claim(restore, relid);
	replace_shipped(relid);
	SPI_finish();

	if (SessionReplicationRole != SESSION_REPLICATION_ROLE_REPLICA)
	{
		set_replication_role("replica");
		restoring_relid = relid;
	}
	return PointerGetDatum(NULL);
}

/*
 * _restore_end — AFTER INSERT FOR EACH STATEMENT on every configuration
 * table, enabled ALWAYS: ends a restore statement (the replication role goes
 * back to origin) and, after any superuser COPY from the client, moves the
 * table's sequences past the values it now holds.
 */
PG_FUNCTION_INFO_V1(restore_statement_end);
Datum
restore_statement_end(PG_FUNCTION_ARGS)
{
	TriggerData *td;
	Oid			relid;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("restore_statement_end() may only be called as a trigger")));
	td = (TriggerData *) fcinfo->context;
	relid = RelationGetRelid(td->tg_relation);

	/* a statement restore_table_loaded() runs while it finishes this table */
	if (OidIsValid(finishing_relid) && finishing_relid == relid)
		return PointerGetDatum(NULL);

	if (OidIsValid(restoring_relid) && restoring_relid == relid)
	{
		set_replication_role("origin");
		restoring_relid = InvalidOid;
	}
	if (copy_from_client_into(relid) != NULL && superuser_arg(GetOuterUserId()))
	{
		Oid			types[1] = {OIDOID};
		Datum		values[1] = {ObjectIdGetDatum(relid)};
		int			ret;

		finishing_relid = relid;
		PG_TRY();
		{
			SPI_connect();
			ret = SPI_execute_with_args("SELECT spotcheck.restore_table_loaded($1::pg_catalog.regclass)",
										1, types, values, NULL, false, 0);
			if (ret != SPI_OK_SELECT)
				elog(ERROR, "could not finish loading a restored table: %s", SPI_result_code_string(ret));
			SPI_finish();
		}
		PG_FINALLY();
		{
			finishing_relid = InvalidOid;
		}
		PG_END_TRY();
	}
	return PointerGetDatum(NULL);
}
