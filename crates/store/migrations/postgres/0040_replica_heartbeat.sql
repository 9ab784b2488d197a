-- The heartbeat a server with a read-only database (`serve --read-database`, a streaming
-- replica) writes to the primary every few seconds. It reaches the replica with the other
-- writes, so the replica's copy says how current the replica is even when nothing else changes
-- (decision 0052): lists and dashboards read there show "data as of" this time.
CREATE TABLE replica_heartbeat (
    id      TEXT NOT NULL PRIMARY KEY CHECK (id = 'primary'),
    beat_at BIGINT NOT NULL
);
