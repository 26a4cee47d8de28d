-- Up Migration
-- The Graph write budget shared by every replica (Intune: 200 writes per 20 s per app and tenant): one row per
-- reservation of writes. All times are the database's own (clock_timestamp(), now()), so no replica's clock is
-- compared with another's.
CREATE TABLE lockdesk_graph_writes (
  id           uuid PRIMARY KEY,
  writes       integer NOT NULL CHECK (writes > 0),
  -- Until answered: the latest moment its answer can arrive (the reservation's bound, so that the reservation of a
  -- replica that died counts for a while, never for ever). Once answered: when the answer arrived.
  stamp        timestamptz NOT NULL,
  answered     boolean NOT NULL DEFAULT false,
  -- For people looking at the table: when it was reserved, and by which process (lockdesk_processes.id).
  reserved_at  timestamptz NOT NULL,
  owner        text NOT NULL
);
CREATE INDEX lockdesk_graph_writes_stamp ON lockdesk_graph_writes (stamp);

-- Reserves p_count writes if they fit in p_budget per p_window_ms with every write of the window (a row counts while
-- its stamp is inside the window; an unanswered one's stamp is in the future, so it counts): reserved, wait_ms 0.
-- Else reserved false and wait_ms, how long until enough leave the window (at least: an unanswered reservation leaves
-- no sooner than a window after now). One statement for the caller; the advisory lock makes the replicas take turns
-- (it is named after this table, so that installs in other schemas of the database keep budgets of their own), and
-- each query in here sees what the one before it committed (READ COMMITTED takes a snapshot per query).
CREATE FUNCTION lockdesk_reserve_graph_writes(p_id uuid, p_count integer, p_budget integer, p_window_ms integer, p_answer_within_ms integer, p_owner text)
  RETURNS TABLE (reserved boolean, wait_ms integer)
  LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_window interval := p_window_ms * interval '1 millisecond';
  v_now timestamptz;
  v_used bigint;
  v_leave timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(7245003, 'lockdesk_graph_writes'::regclass::oid::integer);
  v_now := clock_timestamp();
  -- Rows out of every window lockdesk allows (at most ten minutes) are of no more use.
  DELETE FROM lockdesk_graph_writes g WHERE g.stamp < v_now - greatest(v_window, interval '1 hour');
  SELECT coalesce(sum(g.writes), 0) INTO v_used FROM lockdesk_graph_writes g WHERE g.stamp > v_now - v_window;
  IF v_used + p_count <= p_budget THEN
    INSERT INTO lockdesk_graph_writes (id, writes, stamp, reserved_at, owner)
      VALUES (p_id, p_count, v_now + p_answer_within_ms * interval '1 millisecond', v_now, p_owner);
    RETURN QUERY SELECT true, 0;
    RETURN;
  END IF;
  SELECT f.leave INTO v_leave FROM (
    SELECT w.leave, sum(w.writes) OVER (ORDER BY w.leave, w.id) AS freed FROM (
      SELECT g.id, g.writes, CASE WHEN NOT g.answered AND g.stamp > v_now THEN v_now ELSE g.stamp END + v_window AS leave
        FROM lockdesk_graph_writes g WHERE g.stamp > v_now - v_window
    ) w
  ) f WHERE f.freed >= v_used + p_count - p_budget ORDER BY f.leave LIMIT 1;
  RETURN QUERY SELECT false, greatest(1, ceil(extract(epoch FROM coalesce(v_leave, v_now + v_window) - v_now) * 1000))::integer;
END
$$;
-- Only the roles granted it (runtime-grants.sql) may reserve; a function is executable by everyone otherwise.
REVOKE EXECUTE ON FUNCTION lockdesk_reserve_graph_writes(uuid, integer, integer, integer, integer, text) FROM PUBLIC;

-- Down Migration
DROP FUNCTION lockdesk_reserve_graph_writes(uuid, integer, integer, integer, integer, text);
DROP TABLE lockdesk_graph_writes;
