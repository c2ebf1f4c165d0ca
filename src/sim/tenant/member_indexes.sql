-- Built after the tenant, not during its bulk load. Members pages read
-- each group's members in id order from where the last
-- page stopped (routes/groups.rs); the seats schema indexes members by
-- group alone, which made every page sort the whole group.
CREATE INDEX IF NOT EXISTS sim_members_users ON group_members(group_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS sim_members_devices ON group_members(group_id, device_id) WHERE device_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS sim_members_groups ON group_members(group_id, child_group_id) WHERE child_group_id IS NOT NULL;
