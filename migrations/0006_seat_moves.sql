-- seats cache schema, version 6: the audit names whose seat changed.
-- Append-only: never edit a released migration, add 0007_….sql instead.

-- 'seat_changed' keeps a seat row as it was before a batch changed it in
-- place, for undo; it does not say what became of the row (a waiting member
-- seated, or only a flag rewritten). Two markers say it, written beside the
-- snapshot in the same transaction:
--   'seat_promoted'  a waiting row (CountViolation) got a seat;
--   'seat_demoted'   a seat went back to waiting (the undo of a promotion).
-- They carry the pool and the principal only; undo reads the snapshots and
-- ignores them. `seats audit` lists the principals of every seat item.
--
-- SQLite cannot change a CHECK in place, so the table is rebuilt. No table
-- refers to change_items; its index comes back as it was.
CREATE TABLE change_items_rebuilt (
    id              INTEGER PRIMARY KEY,
    batch_id        TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('seat_added', 'seat_released', 'direct_set',
                        'direct_cleared', 'group_added', 'group_removed', 'member_added',
                        'member_removed', 'user_retired', 'seat_changed', 'seat_promoted',
                        'seat_demoted')),
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
INSERT INTO change_items_rebuilt SELECT id, batch_id, op, pool_id, user_id, device_id, group_id, direct,
    via_group_id, intent, state, error, invitation, assigned_at, assigned_by, was_enabled, was_deleted
    FROM change_items;
DROP TABLE change_items;
ALTER TABLE change_items_rebuilt RENAME TO change_items;
CREATE INDEX change_items_batch ON change_items(batch_id, pool_id);
