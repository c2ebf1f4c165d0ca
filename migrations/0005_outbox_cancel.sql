-- seats cache schema, version 5: undo cancels changes the source never got.
-- Append-only: never edit a released migration, add 0006_….sql instead.

-- An outbox row still pending and never tried when its batch is undone has
-- not reached the source: the undo cancels it (state 'cancelled',
-- cancelled_by = the undo's batch) instead of queueing the opposite change.
-- A row tried once (attempts > 0) may have reached the source, so it is not
-- cancelled: the undo queues the opposite change after it. A worker that
-- pushes a row marks it applied or failed only while it is still pending
-- (`… WHERE id = ?1 AND state = 'pending'`), so a cancelled row is never
-- sent or revived.
--
-- SQLite cannot change a CHECK in place, so the table is rebuilt. No table
-- refers to outbox; its foreign keys and its index come back as they were,
-- with one more index to find a batch's rows.
CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    connector_id    INTEGER REFERENCES connectors(id) ON DELETE SET NULL,
    pool_id         INTEGER REFERENCES pools(id) ON DELETE SET NULL,
    operation       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'applied', 'failed', 'cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    batch_id        TEXT,
    cancelled_by    TEXT
);
INSERT INTO outbox_rebuilt (id, created_at, connector_id, pool_id, operation, payload, state, attempts,
                            last_error, batch_id)
    SELECT id, created_at, connector_id, pool_id, operation, payload, state, attempts, last_error, batch_id
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_state ON outbox(state, created_at);
CREATE INDEX outbox_batch ON outbox(batch_id, pool_id);
