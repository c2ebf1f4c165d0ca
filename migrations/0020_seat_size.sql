-- seats cache schema: seats in fewer bytes (issue 11).
-- Append-only: never edit a released migration, add a later one instead.
--
-- At a million users the seat table holds ~10M rows and was 60 % of the
-- cache. Two changes, measured on the 1M demo (dbstat, MB):
--
-- * assigned_at was 20 bytes of ISO text a row. It is kept as unix seconds
--   (assigned_unix, 4 bytes) and assigned_at is a virtual column giving the
--   same text back, so every reader, screen and JSON output is unchanged.
--   A value that is not a whole-second UTC time in that form (never written
--   by seats, but a hand-edited cache may hold one) stays as it was, text in
--   assigned_unix, and assigned_at gives it back unchanged.
-- * intent was 8 or 9 bytes of text a row ('required', 'available'). It is
--   kept as intent_code 0/1/2 (SQLite stores 0 and 1 in no bytes at all)
--   and intent is a virtual column giving the text back, the same way.
--   state stays text: it is a key of the indexes the Users and Groups views
--   count from, and a virtual column in an index does not cover the query
--   (SQLite reads the row to compute it again), which would turn a count
--   from the index into ten million row reads.
--   The table: 631 -> 469 MB for the time, -> ~390 MB with the intent.
-- * Indexes that another one serves are gone. The unique index on
--   (pool_id, user_id) was partial (user rows only), so the seats of one pool
--   needed a second index, assignments_pool(pool_id, state), 171 MB. A full
--   unique index on (pool_id, user_id) keeps the same rule (NULLs are
--   distinct, so device rows never collide) and serves `pool_id = ?` itself:
--   the Assignees view, a pool's seats for cancel and sync. Counting a pool's
--   seats by state reads the rows (pools.consumed already holds the count;
--   the waiting ones have their own partial index). 129 + 171 -> 138 MB.
--
-- SQLite cannot change a column in place, so the table is rebuilt: its
-- indexes and the triggers that keep pools.consumed (0004) come back with it.
-- No table refers to assignments.

CREATE TABLE assignments_rebuilt (
    id              INTEGER PRIMARY KEY,
    pool_id         INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    device_id       INTEGER REFERENCES devices(id) ON DELETE CASCADE,
    direct          INTEGER NOT NULL DEFAULT 1 CHECK (direct IN (0, 1)),
    via_group_id    INTEGER REFERENCES groups(id) ON DELETE SET NULL,
    -- 0 required, 1 available, 2 uninstall; written through store::db::intent_code.
    intent_code     INTEGER NOT NULL DEFAULT 0 CHECK (intent_code IN (0, 1, 2)),
    state           TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'pending', 'error')),
    error           TEXT CHECK (error IN ('CountViolation', 'MutuallyExclusiveViolation', 'DependencyViolation', 'ProhibitedInUsageLocationViolation', 'UniquenessViolation', 'Other')),
    invitation      TEXT CHECK (invitation IN ('invited', 'accepted', 'declined')),
    -- Unix seconds; written through store::db::unix_time (see above).
    assigned_unix   INTEGER NOT NULL,
    assigned_by     TEXT NOT NULL,
    assigned_at     TEXT GENERATED ALWAYS AS (
                        CASE typeof(assigned_unix)
                        WHEN 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', assigned_unix, 'unixepoch')
                        ELSE assigned_unix END) VIRTUAL,
    intent          TEXT GENERATED ALWAYS AS (
                        CASE intent_code WHEN 0 THEN 'required' WHEN 1 THEN 'available'
                        ELSE 'uninstall' END) VIRTUAL,
    CHECK ((user_id IS NULL) <> (device_id IS NULL))
);

INSERT INTO assignments_rebuilt (id, pool_id, user_id, device_id, direct, via_group_id, intent_code,
                                 state, error, invitation, assigned_unix, assigned_by)
SELECT id, pool_id, user_id, device_id, direct, via_group_id,
       CASE intent WHEN 'required' THEN 0 WHEN 'available' THEN 1 ELSE 2 END,
       state, error, invitation,
       CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', assigned_at) IS assigned_at
            THEN unixepoch(assigned_at) ELSE assigned_at END,
       assigned_by
FROM assignments ORDER BY id;

DROP TABLE assignments;
ALTER TABLE assignments_rebuilt RENAME TO assignments;

-- One seat per user and pool, and the seats of one pool (see above).
CREATE UNIQUE INDEX assignments_pool_user ON assignments(pool_id, user_id);
CREATE UNIQUE INDEX assignments_pool_device ON assignments(pool_id, device_id) WHERE device_id IS NOT NULL;
-- A user's seats with their state and pool: the Users view counts, lists and
-- sorts by them from the index alone (0003).
CREATE INDEX assignments_user ON assignments(user_id, state, pool_id) WHERE user_id IS NOT NULL;
CREATE INDEX assignments_device ON assignments(device_id) WHERE device_id IS NOT NULL;
-- Seats held through a group: the Groups view's errors, a group's release (0003).
CREATE INDEX assignments_via_group ON assignments(via_group_id, state) WHERE via_group_id IS NOT NULL;
-- Members waiting for a free seat, oldest first (0002).
CREATE INDEX assignments_waiting ON assignments(pool_id, assigned_at, id) WHERE state = 'error';

-- pools.consumed (0004), unchanged.
CREATE TRIGGER assignments_consumed_insert AFTER INSERT ON assignments
WHEN NEW.state <> 'error'
BEGIN
    UPDATE pools SET consumed = consumed + 1 WHERE id = NEW.pool_id;
END;

CREATE TRIGGER assignments_consumed_delete AFTER DELETE ON assignments
WHEN OLD.state <> 'error'
BEGIN
    UPDATE pools SET consumed = consumed - 1 WHERE id = OLD.pool_id;
END;

CREATE TRIGGER assignments_consumed_update AFTER UPDATE OF state, pool_id ON assignments
WHEN (OLD.state <> 'error') <> (NEW.state <> 'error') OR OLD.pool_id <> NEW.pool_id
BEGIN
    UPDATE pools SET consumed = consumed - 1 WHERE id = OLD.pool_id AND OLD.state <> 'error';
    UPDATE pools SET consumed = consumed + 1 WHERE id = NEW.pool_id AND NEW.state <> 'error';
END;
