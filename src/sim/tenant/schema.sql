-- The simulator's own tables, beside the seats schema the demo generator
-- fills. Created if missing on every start.

-- Tenant id, client id, secret, seed, delta epoch.
CREATE TABLE IF NOT EXISTS sim_meta (
    key     TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);

-- Access tokens handed out (opaque), shared by every process on the file.
CREATE TABLE IF NOT EXISTS sim_tokens (
    token       TEXT PRIMARY KEY,
    expires_ms  INTEGER NOT NULL
);

-- Every change to a user, for users/delta: 'changed' names the property
-- ('*' for a new user), 'soft_deleted' and 'deleted' the removal.
CREATE TABLE IF NOT EXISTS sim_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL,
    object_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('changed', 'soft_deleted', 'deleted')),
    prop        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sim_changes_user ON sim_changes(user_id, seq);

-- What subscribedSkus says beyond the pool row: prepaidUnits.enabled is
-- pools.total, consumedUnits the live count of held seats.
CREATE TABLE IF NOT EXISTS sim_skus (
    pool_id             INTEGER PRIMARY KEY,
    capability_status   TEXT NOT NULL CHECK (capability_status IN ('Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut')),
    suspended           INTEGER NOT NULL DEFAULT 0,
    warning             INTEGER NOT NULL DEFAULT 0,
    locked_out          INTEGER NOT NULL DEFAULT 0,
    subscription_id     TEXT NOT NULL
);

-- Group license processing not done yet (group assignLicense answers 202).
-- retry: also retry members in error (an assignLicense on the group does;
-- a membership change processes only the members that changed).
CREATE TABLE IF NOT EXISTS sim_group_jobs (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL,
    pool_id     INTEGER NOT NULL,
    due_ms      INTEGER NOT NULL,
    retry       INTEGER NOT NULL DEFAULT 0
);

-- Lookups by Graph object id.
CREATE INDEX IF NOT EXISTS sim_users_object ON users(source_id);
CREATE INDEX IF NOT EXISTS sim_groups_object ON groups(source_id);
CREATE INDEX IF NOT EXISTS sim_devices_object ON devices(source_id);
