-- Dropping the extension removes every object it created.  The schema named
-- in the control file stays behind, empty: dropping it without CASCADE works
-- only because nothing is left in it.  The group roles stay too, as they are
-- shared by every database of the cluster.
DROP EXTENSION spotcheck;
DROP SCHEMA spotcheck;
SELECT count(*) AS types_left FROM pg_type WHERE typname = 'uscc';
SELECT count(*) AS functions_left FROM pg_proc WHERE proname LIKE 'uscc%';
