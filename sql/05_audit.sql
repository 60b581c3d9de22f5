-- The audit log's errors, exactly as a user sees them.
SET search_path = spotcheck, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- an entry needs an action and an object
SELECT audit_append(NULL, 'unit:1', NULL, NULL);
SELECT audit_append('units.update', '  ', NULL, NULL);

-- a note names a registered agency, one its author may act for
SELECT audit_append('demo.note', 'note:1', '370300', '{"text": "first"}');
INSERT INTO agencies (code, name, level) VALUES ('370300', '淄博市消防救援支队', 'detachment'),
                                                ('370400', '枣庄市消防救援支队', 'detachment');
CREATE ROLE audit_note_writer LOGIN;
GRANT spotcheck_planner TO audit_note_writer;
INSERT INTO agency_members (member, agency) VALUES ('audit_note_writer', '370400');
SET ROLE audit_note_writer;
SELECT audit_append('demo.note', 'note:1', '370300', '{"text": "first"}');
-- and no role may write an entry that passes for the extension's own
SELECT audit_record('draw.commit', 'draw:1', '370400', '{}');
RESET ROLE;

-- the log and its head cannot be changed through SQL
BEGIN;
SELECT audit_append('demo.note', 'note:1', '370300', '{"text": "first"}') > 0 AS appended;
COMMIT;
SELECT seq, origin, action, object, agency, details FROM audit_log WHERE action = 'demo.note';
UPDATE audit_log SET details = '{}';
DELETE FROM audit_log;
TRUNCATE audit_log;
-- no role of the extension may add entries by hand
SET ROLE spotcheck_admin;
INSERT INTO audit_log SELECT seq + 1, at, 'extension', actor, agency, action, object, details, hash, hash FROM audit_log;
INSERT INTO audit_pending (origin, action, object) VALUES ('extension', 'forged', 'x');
RESET ROLE;
UPDATE audit_chain_head SET seq = 0;
DELETE FROM audit_chain_head;

-- the hash functions check their inputs
SELECT audit_entry_hash('\x00'::bytea, 1, now(), 'extension', 'a', NULL, 'x', 'y', '{}');
SELECT audit_entry_hash(NULL, 1, now(), 'extension', 'a', NULL, 'x', 'y', '{}');
SELECT audit_entry_hash(decode(repeat('00', 32), 'hex'), NULL, now(), 'extension', 'a', NULL, 'x', 'y', '{}');
SELECT audit_entry_hash(decode(repeat('00', 32), 'hex'), 1, now(), NULL, 'a', NULL, 'x', 'y', '{}');
-- and are deterministic: the same entry hashes the same, and the origin is hashed
SELECT encode(audit_entry_hash(decode(repeat('00', 32), 'hex'), 1, '2026-11-28 08:00:00+00', o,
              'postgres', '370303', 'units.insert', 'units:91350100M000100Y43', '{}'), 'hex') AS hash
  FROM (VALUES ('extension'), ('manual')) v(o);

-- verification
SELECT ok, entries, first_bad, detail FROM verify_audit_chain();
SELECT ok, first_bad, detail FROM verify_audit_chain(1, (SELECT hash FROM audit_log WHERE seq = 1));
SELECT ok, first_bad, detail FROM verify_audit_chain(
    (SELECT max(seq) FROM audit_log), (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1));
SELECT ok, first_bad, regexp_replace(detail, '[0-9a-f]{64}$', '<its hash>') AS detail
  FROM verify_audit_chain(1, decode(repeat('ab', 32), 'hex'));
SELECT ok, first_bad, detail FROM verify_audit_chain(7, decode(repeat('ab', 32), 'hex'));
SELECT * FROM verify_audit_chain(NULL, decode(repeat('ab', 32), 'hex'));
SELECT seq = (SELECT max(seq) FROM audit_log) AS head_is_last_seq,
       hash_hex = encode((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), 'hex') AS head_is_last
  FROM audit_head();
DELETE FROM agency_members WHERE member = 'audit_note_writer';
DROP OWNED BY audit_note_writer;
DROP ROLE audit_note_writer;
