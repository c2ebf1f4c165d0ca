-- seats cache schema: group members without a rowid, and who assigned a
-- seat as a code (issue 11, second pass on the cache's size).
-- Append-only: never edit a released migration, add a later one instead.
--
-- group_members held ~3.4M rows at a million users in one rowid table with
-- three nullable member columns and four indexes (135 MB). Each kind of
-- member now has its own table keyed by (group, member) WITHOUT ROWID, so
-- the key is the table (a group's members in order, no separate index by
-- group) and one index finds a member's groups; the foreign keys and their
-- cascades stay as they were. A pair is stored once: the old table had no
-- such rule, but every writer checked for the pair before adding it.
-- group_members stays as a read-only view of the three with the old
-- columns, for ad hoc readers and tests; the store reads and writes the
-- tables themselves (a lookup correlated with an outer query, such as a
-- count per group, is not pushed into a UNION ALL view: SQLite would read
-- every membership of the view for it).

CREATE TABLE group_user_members (
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;

CREATE TABLE group_device_members (
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    device_id   INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, device_id)
) WITHOUT ROWID;

CREATE TABLE group_child_groups (
    group_id        INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    child_group_id  INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, child_group_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO group_user_members (group_id, user_id)
SELECT group_id, user_id FROM group_members WHERE user_id IS NOT NULL ORDER BY 1, 2;
INSERT OR IGNORE INTO group_device_members (group_id, device_id)
SELECT group_id, device_id FROM group_members WHERE device_id IS NOT NULL ORDER BY 1, 2;
INSERT OR IGNORE INTO group_child_groups (group_id, child_group_id)
SELECT group_id, child_group_id FROM group_members WHERE child_group_id IS NOT NULL ORDER BY 1, 2;

DROP TABLE group_members;

-- A member's groups; built after the copy, packed as a fresh index.
CREATE INDEX group_user_members_user ON group_user_members(user_id);
CREATE INDEX group_device_members_device ON group_device_members(device_id);
CREATE INDEX group_child_groups_child ON group_child_groups(child_group_id);

CREATE VIEW group_members (group_id, user_id, device_id, child_group_id) AS
    SELECT group_id, user_id, NULL, NULL FROM group_user_members
    UNION ALL SELECT group_id, NULL, device_id, NULL FROM group_device_members
    UNION ALL SELECT group_id, NULL, NULL, child_group_id FROM group_child_groups;

-- assigned_by was 'sync' (a pulled seat) in ~9.1M of ~9.9M seat rows at a
-- million users and the admin's name in the rest. It is kept as
-- assigned_by_code: 0 for 'sync', 1 for 'root' (SQLite stores 0 and 1 in no
-- bytes), any other name as its own text (the column has no type, so text
-- stays text, even '0'); assigned_by is a virtual column giving the same
-- text back, so the readers, screens and JSON/CSV are unchanged. Writers go
-- through store::db::assigned_by_code. The table is rebuilt as 0023 did,
-- with its indexes and the pools.consumed triggers.

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
    -- 0 'sync', 1 'root', else the name; written through store::db::assigned_by_code.
    assigned_by_code NOT NULL,
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
    assigned_by     TEXT GENERATED ALWAYS AS (
                        CASE assigned_by_code WHEN 0 THEN 'sync' WHEN 1 THEN 'root'
                        ELSE assigned_by_code END) VIRTUAL,
    CHECK ((user_id IS NULL) <> (device_id IS NULL))
);

INSERT INTO assignments_rebuilt (id, pool_id, user_id, device_id, direct, via_group_id, intent_code,
                                 state_code, error, invitation, assigned_unix, assigned_by_code)
SELECT id, pool_id, user_id, device_id, direct, via_group_id, intent_code, state_code,
       error, invitation, assigned_unix,
       CASE assigned_by WHEN 'sync' THEN 0 WHEN 'root' THEN 1 ELSE assigned_by END
FROM assignments ORDER BY id;

DROP TABLE assignments;
ALTER TABLE assignments_rebuilt RENAME TO assignments;

-- The indexes and triggers of 0023, unchanged.
CREATE UNIQUE INDEX assignments_pool_user ON assignments(pool_id, user_id);
CREATE UNIQUE INDEX assignments_pool_device ON assignments(pool_id, device_id) WHERE device_id IS NOT NULL;
CREATE INDEX assignments_user ON assignments(user_id, state_code, pool_id) WHERE user_id IS NOT NULL;
CREATE INDEX assignments_device ON assignments(device_id) WHERE device_id IS NOT NULL;
CREATE INDEX assignments_via_group ON assignments(via_group_id, state_code) WHERE via_group_id IS NOT NULL;
CREATE INDEX assignments_waiting ON assignments(pool_id, assigned_at, id) WHERE state_code = 2;

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

-- inventory.detected_at was 20 bytes of ISO text in each of ~2.2M rows at a
-- million users. It is kept as detected_unix, unix seconds written through
-- store::db::unix_time (a value that is not a whole-second UTC time stays
-- text and reads back as written), behind a virtual detected_at giving the
-- same text back, as 0020 did for assigned_at. The table is rebuilt with
-- its indexes; no trigger or table refers to it.

CREATE TABLE inventory_rebuilt (
    id              INTEGER PRIMARY KEY,
    device_id       INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    product_id      INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    version         TEXT,
    -- Unix seconds; written through store::db::unix_time.
    detected_unix   INTEGER NOT NULL,
    raw_name_id     INTEGER REFERENCES product_raw_names(id) ON DELETE CASCADE,
    user_upn        TEXT,
    connector_id    INTEGER REFERENCES connectors(id) ON DELETE CASCADE,
    detected_at     TEXT GENERATED ALWAYS AS (
                        CASE typeof(detected_unix)
                        WHEN 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', detected_unix, 'unixepoch')
                        ELSE detected_unix END) VIRTUAL
);

INSERT INTO inventory_rebuilt (id, device_id, product_id, version, detected_unix, raw_name_id, user_upn,
                               connector_id)
SELECT id, device_id, product_id, version,
       CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', detected_at) IS detected_at THEN unixepoch(detected_at)
       ELSE detected_at END,
       raw_name_id, user_upn, connector_id
FROM inventory ORDER BY id;

DROP TABLE inventory;
ALTER TABLE inventory_rebuilt RENAME TO inventory;

-- The indexes of 0001, 0015 and 0022, unchanged.
CREATE INDEX inventory_product ON inventory(product_id, device_id);
CREATE INDEX inventory_connector ON inventory(connector_id) WHERE connector_id IS NOT NULL;
CREATE UNIQUE INDEX inventory_import_key
    ON inventory(device_id, raw_name_id, ifnull(version, ''))
    WHERE raw_name_id IS NOT NULL AND connector_id IS NULL;
CREATE INDEX inventory_device ON inventory(device_id);
