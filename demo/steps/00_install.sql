-- A fresh database gets the extension; every object lands in schema spotcheck.
\pset footer off
CREATE EXTENSION spotcheck;
SELECT extname, extversion FROM pg_extension WHERE extname = 'spotcheck';
