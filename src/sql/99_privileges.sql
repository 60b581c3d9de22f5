-- Least privilege, applied last: PUBLIC keeps nothing in this schema.  Each
-- concern's file grants its own objects to the extension's roles; the public
-- role is granted the disclosure views only.
REVOKE ALL ON ALL TABLES IN SCHEMA spotcheck FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA spotcheck FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA spotcheck FROM PUBLIC;
