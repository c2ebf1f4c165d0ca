-- seats cache schema, version 10: incremental Apple reads and other
-- products' Apple assignments counted in the pool (issue 8; R-CON-7).
-- Append-only: never edit a released migration, add 0011_….sql instead.

-- Where the last Apple pull of a connector left off: the `versionId` of
-- page 0 of its `/users` and `/assignments` reads, given back as
-- `sinceVersionId` so the next scheduled pull reads only what changed
-- (apis.md §3.3). NULL (or no row) means the next pull reads everything:
-- the first one, after a relink or a take-over, after Apple forgot the
-- version (9721). delta_runs counts the incremental pulls since the last
-- full one: a delta never reports an assignment removed by another path
-- (only a user's retirement), so every few runs one pull reads everything.
CREATE TABLE apple_versions (
    connector_id        INTEGER PRIMARY KEY REFERENCES connectors(id) ON DELETE CASCADE,
    users_version       TEXT,
    assignments_version TEXT,
    delta_runs          INTEGER NOT NULL DEFAULT 0 CHECK (delta_runs >= 0)
);

-- The assignments of the location that seats' seat rows do not mirror:
-- those of another device-management product's users (another clientUserId
-- namespace; kind 'user', holder the clientUserId), which seats never
-- changes (R-CON-7), and those of devices (kind 'device', holder the serial
-- number; seats assigns none). They hold licenses, so an incremental pull
-- must know them to keep the count. Replaced by a full pull, added to by a
-- delta, a user's dropped when the delta reports them retired.
CREATE TABLE apple_foreign_assignments (
    connector_id    INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
    adam_id         TEXT NOT NULL,
    pricing         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('user', 'device')),
    holder          TEXT NOT NULL,
    PRIMARY KEY (connector_id, adam_id, pricing, kind, holder)
) WITHOUT ROWID;

-- Licenses of the pool those assignments hold. pools.consumed counts
-- them too (consumed = held seat rows + foreign_consumed), so available =
-- total - consumed is what is really left to assign; the triggers of 0004
-- move consumed by one per seat row and leave this part alone.
ALTER TABLE pools ADD COLUMN foreign_consumed INTEGER NOT NULL DEFAULT 0 CHECK (foreign_consumed >= 0);
