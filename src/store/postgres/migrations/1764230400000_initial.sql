-- Up Migration
-- Each record is kept whole as jsonb; the columns beside it are what queries select and index on.

CREATE TABLE lockdesk_confirmations (
  id          text PRIMARY KEY,
  status      text NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired')),
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  record      jsonb NOT NULL
);
-- The expiry sweep reads only pending confirmations past their time.
CREATE INDEX lockdesk_confirmations_pending ON lockdesk_confirmations (expires_at) WHERE status = 'pending';

CREATE TABLE lockdesk_dispatches (
  seq         bigserial UNIQUE,
  id          text PRIMARY KEY,
  state       text NOT NULL,
  settled     boolean NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  record      jsonb NOT NULL
);
CREATE INDEX lockdesk_dispatches_open ON lockdesk_dispatches (seq) WHERE NOT settled;

CREATE TABLE lockdesk_audit (
  seq    bigserial PRIMARY KEY,
  at     timestamptz NOT NULL,
  event  jsonb NOT NULL
);
CREATE INDEX lockdesk_audit_at ON lockdesk_audit (at, seq);

-- The audit trail is append-only: no row is ever changed or removed, whoever asks.
CREATE FUNCTION lockdesk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the lockdesk audit trail is append-only';
END
$$;
CREATE TRIGGER lockdesk_audit_no_change BEFORE UPDATE OR DELETE ON lockdesk_audit
  FOR EACH ROW EXECUTE FUNCTION lockdesk_audit_append_only();
CREATE TRIGGER lockdesk_audit_no_truncate BEFORE TRUNCATE ON lockdesk_audit
  FOR EACH STATEMENT EXECUTE FUNCTION lockdesk_audit_append_only();

-- Down Migration
DROP TABLE lockdesk_audit;
DROP FUNCTION lockdesk_audit_append_only();
DROP TABLE lockdesk_dispatches;
DROP TABLE lockdesk_confirmations;
