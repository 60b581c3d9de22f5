-- A dump's COPY into a database whose spotcheck already holds data is
-- refused, whatever table it is for; any other COPY meets the rules.
\set VERBOSITY terse
\set SHOW_CONTEXT never
SELECT spotcheck.restore_holdings('spotcheck.agencies') AS holds_rows;

-- the form pg_dump writes (every stored column, row security and function
-- bodies' checks off), by a superuser: refused, nothing loaded
SET row_security = off;
SET check_function_bodies = off;
COPY spotcheck.agencies (code, name, level, parent, region, created_at) FROM stdin;
RZ	恢复大队	brigade	RX	\N	2020-01-02 03:04:05+00
\.
COPY spotcheck.calendar_years (year, source, shipped) FROM stdin;
2040	通知	f
\.
SELECT count(*) AS loaded FROM spotcheck.agencies WHERE code = 'RZ';

-- the same form by an administrator who is not a superuser: an ordinary COPY
CREATE ROLE restore_regress_admin IN ROLE spotcheck_admin;
SET ROLE restore_regress_admin;
COPY spotcheck.calendar_days (day, kind, name, shipped) FROM stdin;
2026-03-04	workday	调休	f
\.
RESET ROLE;

-- a superuser's COPY in another form: an ordinary COPY
RESET row_security;
COPY spotcheck.agencies (code, name, level, parent, region, created_at) FROM stdin;
RZ	恢复大队	brigade	RX	\N	2020-01-02 03:04:05+00
\.
RESET check_function_bodies;
DROP ROLE restore_regress_admin;
