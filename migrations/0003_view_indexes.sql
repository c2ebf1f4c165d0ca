-- seats cache schema, version 3: indexes for the Groups view.
-- Append-only: never edit a released migration, add 0004_….sql instead.

-- Seats held through a group: the Groups view counts each group's members in
-- error, and a group's release walks its seats.
CREATE INDEX assignments_via_group ON assignments(via_group_id, state) WHERE via_group_id IS NOT NULL;
