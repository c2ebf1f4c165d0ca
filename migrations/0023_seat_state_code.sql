-- seats cache schema: a seat's state as a code (issue 11).
-- Append-only: never edit a released migration, add a later one instead.
--
-- state was 6 or 7 bytes of text in each of the ~10M seat rows at a million
-- users, and again in every entry of assignments_user and
-- assignments_via_group. It is kept as state_code: 0 active, 1 pending,
-- 2 error (SQLite stores 0 and 1 in no bytes at all); state is a virtual
-- column giving the text back, so the readers that only show it (screens,
-- JSON and CSV) are unchanged. The indexes hold state_code, not state: a
-- virtual column in an index does not cover a query (SQLite reads the row to
-- compute it again), so the readers that filter or count by state compare
-- codes (store::db::state_code!) and keep counting from the index alone.
-- Writers go through the same macro.
--
-- SQLite cannot change a column in place, so the table is rebuilt as 0020
-- did: its indexes and the triggers that keep pools.consumed (0004) come
-- back with it, counting the same rows. No table refers to assignments.

CREATE TABLE assignments_rebuilt (
    id              INTEGER PRIMARY KEY,
    pool_id         INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    device_id       INTEGER REFERENCES devices(id) ON DELETE CASCADE,
    direct          INTEGER NOT NULL DEFAULT 1 CHECK (direct IN (0, 1)),
    via_group_id    INTEGER REFERENCES groups(id) ON DELETE SET NULL,
    -- 0 required, 1 available, 2 uninstall; written through store::db::intent_code.
    intent_code     INTEGER NOT NULL DEFAULT 0 CHECK (intent_code IN (0, 1, 2)),
    -- 0 active, 1 pending, 2 error; written through store::db::state_code.
    state_code      INTEGER NOT NULL DEFAULT 0 CHECK (state_code IN (0, 1, 2)),
    error           TEXT CHECK (error IN ('CountViolation', 'MutuallyExclusiveViolation', 'DependencyViolation', 'ProhibitedInUsageLocationViolation', 'UniquenessViolation', 'Other')),
    invitation      TEXT CHECK (invitation IN ('invited', 'accepted', 'declined')),
    -- Unix seconds; written through store::db::unix_time (0020).
    assigned_unix   INTEGER NOT NULL,
    assigned_by     TEXT NOT NULL,
    assigned_at     TEXT GENERATED ALWAYS AS (
                        CASE typeof(assigned_unix)
                        WHEN 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', assigned_unix, 'unixepoch')
                        ELSE assigned_unix END) VIRTUAL,
    intent          TEXT GENERATED ALWAYS AS (
                        CASE intent_code WHEN 0 THEN 'required' WHEN 1 THEN 'available'
                        ELSE 'uninstall' END) VIRTUAL,
    state           TEXT GENERATED ALWAYS AS (
                        CASE state_code WHEN 0 THEN 'active' WHEN 1 THEN 'pending'
                        ELSE 'error' END) VIRTUAL,
    CHECK ((user_id IS NULL) <> (device_id IS NULL))
);

INSERT INTO assignments_rebuilt (id, pool_id, user_id, device_id, direct, via_group_id, intent_code,
                                 state_code, error, invitation, assigned_unix, assigned_by)
SELECT id, pool_id, user_id, device_id, direct, via_group_id, intent_code,
       CASE state WHEN 'active' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END,
       error, invitation, assigned_unix, assigned_by
FROM assignments ORDER BY id;

DROP TABLE assignments;
ALTER TABLE assignments_rebuilt RENAME TO assignments;

-- One seat per user and pool, and the seats of one pool (0020).
CREATE UNIQUE INDEX assignments_pool_user ON assignments(pool_id, user_id);
CREATE UNIQUE INDEX assignments_pool_device ON assignments(pool_id, device_id) WHERE device_id IS NOT NULL;
-- A user's seats with their state and pool: the Users view counts, lists and
-- sorts by them from the index alone (0003).
CREATE INDEX assignments_user ON assignments(user_id, state_code, pool_id) WHERE user_id IS NOT NULL;
CREATE INDEX assignments_device ON assignments(device_id) WHERE device_id IS NOT NULL;
-- Seats held through a group: the Groups view's errors, a group's release (0003).
CREATE INDEX assignments_via_group ON assignments(via_group_id, state_code) WHERE via_group_id IS NOT NULL;
-- Members waiting for a free seat (state error), oldest first (0002).
CREATE INDEX assignments_waiting ON assignments(pool_id, assigned_at, id) WHERE state_code = 2;

-- pools.consumed (0004): every seat row not in state error (code 2).
CREATE TRIGGER assignments_consumed_insert AFTER INSERT ON assignments
WHEN NEW.state_code <> 2
BEGIN
    UPDATE pools SET consumed = consumed + 1 WHERE id = NEW.pool_id;
END;

CREATE TRIGGER assignments_consumed_delete AFTER DELETE ON assignments
WHEN OLD.state_code <> 2
BEGIN
    UPDATE pools SET consumed = consumed - 1 WHERE id = OLD.pool_id;
END;

CREATE TRIGGER assignments_consumed_update AFTER UPDATE OF state_code, pool_id ON assignments
WHEN (OLD.state_code <> 2) <> (NEW.state_code <> 2) OR OLD.pool_id <> NEW.pool_id
BEGIN
    UPDATE pools SET consumed = consumed - 1 WHERE id = OLD.pool_id AND OLD.state_code <> 2;
    UPDATE pools SET consumed = consumed + 1 WHERE id = NEW.pool_id AND NEW.state_code <> 2;
END;
