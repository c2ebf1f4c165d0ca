-- seats cache schema, version 2: what undo needs to invert a change exactly.
-- Append-only: never edit a released migration, add 0003_….sql instead.

-- One row per admin action (a batch: one assign, one unassign, one reclaim…).
-- undone_by is set when an undo inverted the batch, so it is never inverted twice.
CREATE TABLE batches (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    undoes      TEXT,
    undone_by   TEXT
);
CREATE INDEX batches_actor ON batches(actor, seq);

-- The exact changes of each batch, one row per seat, flag, group grant or
-- membership. The audit row shows at most 50 names; these rows keep every id.
-- For items that removed or changed a row, the other columns hold the row as
-- it was, so undo can put it back as it stood.
-- 'seat_changed' is a seat row a batch changed in place (a waiting row seated
-- or promoted, the group reference rewritten, the direct flag changed).
CREATE TABLE change_items (
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
CREATE INDEX change_items_batch ON change_items(batch_id, pool_id);

-- Members waiting for a free seat (CountViolation), oldest first: a release
-- promotes them without scanning the whole pool.
CREATE INDEX assignments_waiting ON assignments(pool_id, assigned_at, id) WHERE state = 'error';
