-- seats cache schema, version 3: indexes for the views over seats.
-- Append-only: never edit a released migration, add 0004_….sql instead.

-- Seats held through a group: the Groups view counts each group's members in
-- error, and a group's release walks its seats.
CREATE INDEX assignments_via_group ON assignments(via_group_id, state) WHERE via_group_id IS NOT NULL;

-- The seats of one pool (the Assignees view): the unique indexes on
-- (pool_id, user_id) are partial and cannot serve `pool_id = ?` alone.
CREATE INDEX assignments_pool ON assignments(pool_id, state);

-- A user's seats with their state and pool, so the Users view counts and
-- lists them (and sorts by them) from the index alone.
DROP INDEX assignments_user;
CREATE INDEX assignments_user ON assignments(user_id, state, pool_id) WHERE user_id IS NOT NULL;
