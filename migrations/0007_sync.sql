-- seats cache schema, version 7: connectors that really sync (issue 7).
-- Append-only: never edit a released migration, add 0008_….sql instead.

-- What a Graph connector needs to reach its tenant. Secrets are still never
-- stored: secret_ref (0001) holds the PATH of a 0600 file or
-- 'env:SEATS_GRAPH_SECRET'. `endpoint` and `account` stay what the
-- Connectors pane shows (the Graph URL, the tenant's domain); graph_url and
-- login_url are what the client calls (national clouds, the simulator).
-- delta_link is Graph's @odata.deltaLink for the next users/delta (a long
-- URL); next_sync_at is when the schedule runs it next; last_request_id is
-- the source's request id of the last error, shown beside last_error.
-- A sync's progress is not stored: the worker's events carry it.
ALTER TABLE connectors ADD COLUMN tenant_id TEXT;
ALTER TABLE connectors ADD COLUMN client_id TEXT;
ALTER TABLE connectors ADD COLUMN graph_url TEXT;
ALTER TABLE connectors ADD COLUMN login_url TEXT;
ALTER TABLE connectors ADD COLUMN delta_link TEXT;
ALTER TABLE connectors ADD COLUMN next_sync_at TEXT;
ALTER TABLE connectors ADD COLUMN last_request_id TEXT;
-- One connector per tenant and kind: two would fight over the same pools.
CREATE UNIQUE INDEX connectors_tenant ON connectors(kind, tenant_id COLLATE NOCASE)
    WHERE tenant_id IS NOT NULL;

-- Two processes never sync one connector at once: a sync holds its
-- connector's lease ("user@host pid N") until it ends or the lease expires
-- (a killed process's lease is taken over once expired).
CREATE TABLE sync_leases (
    connector_id    INTEGER PRIMARY KEY REFERENCES connectors(id) ON DELETE CASCADE,
    holder          TEXT NOT NULL,
    acquired_at     TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);

-- Which connector brought a user or a group: a full pull marks deleted the
-- users of its connector that the source no longer reports, and removes
-- its groups the source no longer lists. Rows no connector brought (local,
-- or a cache built before its first sync) are never removed by a pull.
ALTER TABLE users ADD COLUMN connector_id INTEGER REFERENCES connectors(id) ON DELETE SET NULL;
ALTER TABLE groups ADD COLUMN connector_id INTEGER REFERENCES connectors(id) ON DELETE SET NULL;
CREATE INDEX users_connector ON users(connector_id) WHERE connector_id IS NOT NULL;
CREATE INDEX groups_connector ON groups(connector_id) WHERE connector_id IS NOT NULL;
-- A pull matches what the source reports by its object id.
CREATE INDEX users_source ON users(source_id) WHERE source_id IS NOT NULL;
CREATE INDEX groups_source ON groups(source_id) WHERE source_id IS NOT NULL;
CREATE INDEX devices_source ON devices(source_id) WHERE source_id IS NOT NULL;

-- The pusher: a row that failed for a passing reason waits until
-- next_attempt_at (backoff); finished_at is when it was applied or failed;
-- request_id is the source's id of the request that refused it.
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN finished_at TEXT;
ALTER TABLE outbox ADD COLUMN request_id TEXT;
CREATE INDEX outbox_connector ON outbox(connector_id, state, id);
