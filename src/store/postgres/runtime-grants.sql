-- What lockdesk's runtime role (the user of DATABASE_URL) may do, granted by the owner role (the user of
-- DATABASE_MIGRATION_URL) in the database that role owns. lockdesk applies this file itself after its migrations,
-- at start-up and in `npm run migrate`, whenever DATABASE_MIGRATION_URL names another role; by hand it is
--   psql "$DATABASE_MIGRATION_URL" -v runtime_role=lockdesk_app -f src/store/postgres/runtime-grants.sql
-- The runtime role owns nothing, so it can neither change a table nor drop or disable a trigger.

-- The audit trail: read and appended to, nothing else (no UPDATE, DELETE or TRUNCATE).
GRANT SELECT, INSERT ON lockdesk_audit TO :"runtime_role";
GRANT USAGE ON SEQUENCE lockdesk_audit_seq_seq TO :"runtime_role";

-- Confirmations and dispatch records: created, read and moved on; never removed.
GRANT SELECT, INSERT, UPDATE ON lockdesk_confirmations, lockdesk_dispatches TO :"runtime_role";
GRANT USAGE ON SEQUENCE lockdesk_dispatches_seq_seq TO :"runtime_role";
-- Requests held for a second person: likewise created, read and moved on; never removed.
GRANT SELECT, INSERT, UPDATE ON lockdesk_approvals TO :"runtime_role";

-- The inventory index is replaced whole at each refresh; a process's lease row goes when it stops.
GRANT SELECT, INSERT, UPDATE, DELETE ON lockdesk_inventory, lockdesk_processes TO :"runtime_role";
GRANT SELECT, INSERT, UPDATE ON lockdesk_inventory_meta TO :"runtime_role";

-- The Graph write budget shared by the replicas: a reservation is made (and rows out of every window pruned) by the
-- function, stamped when its answer arrives, given back when its request never left.
GRANT SELECT, INSERT, UPDATE, DELETE ON lockdesk_graph_writes TO :"runtime_role";
GRANT EXECUTE ON FUNCTION lockdesk_reserve_graph_writes(uuid, integer, integer, integer, integer, text) TO :"runtime_role";

-- pg-boss, the follow-up queue: the owner installs and migrates its schema and creates the queue; the runtime
-- role takes, finishes and retries jobs (a retry deletes the row and inserts it again), and its maintenance moves
-- finished jobs to the archive and deletes old ones.
-- Default privileges cover the tables pg-boss creates later (a new queue's partition, an upgrade).
CREATE SCHEMA IF NOT EXISTS lockdesk_boss;
GRANT USAGE ON SCHEMA lockdesk_boss TO :"runtime_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA lockdesk_boss TO :"runtime_role";
ALTER DEFAULT PRIVILEGES IN SCHEMA lockdesk_boss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"runtime_role";

-- The rate limits' counts: counted, read, and pruned once older than every window; the kill switch's one row is
-- thrown (inserted) and lifted (deleted).
GRANT SELECT, INSERT, DELETE ON lockdesk_limit_counts TO :"runtime_role";
GRANT USAGE ON SEQUENCE lockdesk_limit_counts_seq_seq TO :"runtime_role";
GRANT SELECT, INSERT, DELETE ON lockdesk_pause TO :"runtime_role";
