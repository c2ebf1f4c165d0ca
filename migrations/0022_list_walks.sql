-- seats cache schema: indexes that let the slow lists of issue 11 read
-- their first window in their default order by walking an index, instead
-- of sorting every row (at a million users: Installs ~1 s, Detections
-- ~3 s to the first frame; with these, milliseconds).
--
-- Installs by user (then id): the users' UPN index drives the walk and
-- this one finds each user's installs; its NULL entries give the installs
-- without a user, which sort first, and their count.
CREATE INDEX IF NOT EXISTS installs_user ON installs(user_id, app_id);

-- Detections by computer name (then id): the devices walked in name order,
-- each device's detections found by device (every title) or through
-- inventory_product (one title).
CREATE INDEX IF NOT EXISTS devices_name ON devices(name COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS inventory_device ON inventory(device_id);
