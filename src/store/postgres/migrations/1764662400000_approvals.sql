-- Up Migration
-- Requests held for a second person (policy "approval"). Like a confirmation: the record whole as jsonb, and the
-- single-use claim is one conditional UPDATE on status.

CREATE TABLE lockdesk_approvals (
  id          text PRIMARY KEY,
  status      text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired')),
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  record      jsonb NOT NULL
);
-- The expiry sweep reads only pending approvals past their time.
CREATE INDEX lockdesk_approvals_pending ON lockdesk_approvals (expires_at) WHERE status = 'pending';

-- Down Migration
DROP TABLE lockdesk_approvals;
