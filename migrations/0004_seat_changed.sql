-- seats cache schema, version 4: change_items may record 'seat_changed', a
-- seat row that a batch changed in place (waiting row seated or promoted,
-- group reference rewritten, direct flag changed). Its other columns hold the
-- row as it was before the batch, so undo puts it back exactly.
-- SQLite cannot alter a CHECK constraint: the table is rebuilt as it was.

CREATE TABLE change_items_v4 (
    id              INTEGER PRIMARY KEY,
    batch_id        TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('seat_added', 'seat_released', 'direct_set',
                        'direct_cleared', 'group_added', 'group_removed', 'member_added',
                        'member_removed', 'user_retired', 'seat_changed')),
    pool_id         INTEGER,
    user_id         INTEGER,
    device_id       INTEGER,
    group_id        INTEGER,
    direct          INTEGER,
    via_group_id    INTEGER,
    intent          TEXT,
    state           TEXT,
    error           TEXT,
    invitation      TEXT,
    assigned_at     TEXT,
    assigned_by     TEXT,
    was_enabled     INTEGER,
    was_deleted     INTEGER
);
INSERT INTO change_items_v4 SELECT id, batch_id, op, pool_id, user_id, device_id, group_id, direct,
    via_group_id, intent, state, error, invitation, assigned_at, assigned_by, was_enabled, was_deleted
    FROM change_items;
DROP TABLE change_items;
ALTER TABLE change_items_v4 RENAME TO change_items;
CREATE INDEX change_items_batch ON change_items(batch_id, pool_id);
