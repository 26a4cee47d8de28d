-- Up Migration
-- The Graph backend's serial-number index, shared by the replicas so that one refresh serves them all.
CREATE TABLE lockdesk_inventory (
  device_id   text PRIMARY KEY,
  serial_key  text NOT NULL
);
CREATE INDEX lockdesk_inventory_serial ON lockdesk_inventory (serial_key);

CREATE TABLE lockdesk_inventory_meta (
  id            int PRIMARY KEY CHECK (id = 1),
  refreshed_at  timestamptz NOT NULL,
  size          int NOT NULL
);

-- Down Migration
DROP TABLE lockdesk_inventory_meta;
DROP TABLE lockdesk_inventory;
