-- Up Migration
-- The lockdesk processes sharing this database, each with a lease it renews every few seconds (a heartbeat). The
-- times are the database's own (now()), so no replica's clock is compared with another's. Another process counts
-- one alive until beat_at + alive_for_ms: its lease, and the time a request it sent just before may take to land.
CREATE TABLE lockdesk_processes (
  id            text PRIMARY KEY,
  beat_at       timestamptz NOT NULL,
  alive_for_ms  integer NOT NULL CHECK (alive_for_ms > 0),
  -- For people looking at the table: which host and process this is, and since when.
  host          text NOT NULL,
  pid           integer NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE lockdesk_processes;
