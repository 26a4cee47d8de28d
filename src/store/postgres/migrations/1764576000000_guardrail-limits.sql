-- Up Migration
-- The rate limits' counts, shared by every replica: one row per bucket a dispatch was counted in (its key names the
-- rule and the person, device or "all"). A row counts while `at` is inside its rule's window; rows older than the
-- longest window allowed (31 days) are pruned as counts are taken.
CREATE TABLE lockdesk_limit_counts (
  seq    bigserial PRIMARY KEY,
  key    text NOT NULL,
  units  integer NOT NULL CHECK (units > 0),
  at     timestamptz NOT NULL
);
CREATE INDEX lockdesk_limit_counts_key_at ON lockdesk_limit_counts (key, at);
CREATE INDEX lockdesk_limit_counts_at ON lockdesk_limit_counts (at);

-- The kill switch: at most one row (the pause in force), read by every replica before it sends anything.
CREATE TABLE lockdesk_pause (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  state      jsonb NOT NULL
);

-- Down Migration
DROP TABLE lockdesk_pause;
DROP TABLE lockdesk_limit_counts;
