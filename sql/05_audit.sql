-- The audit log's errors, exactly as a user sees them.
SET search_path = spotcheck, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- an entry needs an action and an object
SELECT audit_append(NULL, 'unit:1', NULL, NULL);
SELECT audit_append('units.update', '  ', NULL, NULL);

-- the log and its head cannot be changed through SQL
BEGIN;
SELECT audit_append('demo.note', 'note:1', '370303', '{"text": "first"}') > 0 AS appended;
COMMIT;
SELECT seq, action, object, agency, details FROM audit_log;
UPDATE audit_log SET details = '{}';
DELETE FROM audit_log;
TRUNCATE audit_log;
-- no role of the extension may add entries by hand
SET ROLE spotcheck_admin;
INSERT INTO audit_log SELECT seq + 1, at, actor, agency, action, object, details, hash, hash FROM audit_log;
INSERT INTO audit_pending (action, object) VALUES ('forged', 'x');
RESET ROLE;
UPDATE audit_chain_head SET seq = 0;
DELETE FROM audit_chain_head;

-- the hash functions check their inputs
SELECT audit_entry_hash('\x00'::bytea, 1, now(), 'a', NULL, 'x', 'y', '{}');
SELECT audit_entry_hash(NULL, 1, now(), 'a', NULL, 'x', 'y', '{}');
SELECT audit_entry_hash(decode(repeat('00', 32), 'hex'), NULL, now(), 'a', NULL, 'x', 'y', '{}');
-- and are deterministic: the same entry hashes the same
SELECT encode(audit_entry_hash(decode(repeat('00', 32), 'hex'), 1, '2026-11-28 08:00:00+00',
              'postgres', '370303', 'units.insert', 'units:91350100M000100Y43', '{}'), 'hex') AS hash;

-- verification
SELECT ok, entries, first_bad, detail FROM verify_audit_chain();
SELECT ok, first_bad, detail FROM verify_audit_chain(1, (SELECT hash FROM audit_log WHERE seq = 1));
SELECT ok, first_bad, regexp_replace(detail, '[0-9a-f]{64}$', '<its hash>') AS detail
  FROM verify_audit_chain(1, decode(repeat('ab', 32), 'hex'));
SELECT ok, first_bad, detail FROM verify_audit_chain(7, decode(repeat('ab', 32), 'hex'));
SELECT * FROM verify_audit_chain(NULL, decode(repeat('ab', 32), 'hex'));
SELECT seq, hash_hex = encode((SELECT hash FROM audit_log WHERE seq = 1), 'hex') AS head_is_last
  FROM audit_head();
