-- Installing the extension puts every object in schema spotcheck.
CREATE EXTENSION spotcheck;
SELECT extname, extversion, extrelocatable, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'spotcheck';
-- the group roles exist and none of them can log in
SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'spotcheck\_%' ORDER BY rolname;
-- no object of the extension lives outside schema spotcheck
SELECT pg_describe_object(classid, objid, 0) AS outside
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'spotcheck')
   AND d.deptype = 'e'
   AND pg_describe_object(classid, objid, 0) !~ '(spotcheck\.|schema spotcheck|cast from)'
 ORDER BY 1;
