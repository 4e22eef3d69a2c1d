-- Several nodes on one PostgreSQL (crate::cluster): node heartbeats, and
-- the node holding each delivery lease.
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    heartbeat_at TEXT NOT NULL,
    started_at TEXT NOT NULL
);
ALTER TABLE deliveries ADD COLUMN lease_node TEXT;
