-- seats cache schema: each group's count of direct members, kept by
-- triggers (issue 11: the Groups view's first frame at a million users).
-- Append-only: never edit a released migration, add a later one instead.
--
-- The Groups view and the assign picker showed each group's direct members
-- by counting its keys in the three membership tables (0025): ~3.4M keys
-- stepped at a million users, 72–151 ms for a first frame of 30 groups.
-- The count is kept with the group now, as pools.consumed is (0004): every
-- insert and delete of a membership (a cascade from a deleted user, device
-- or group included) moves it by one, so no writer can forget it, and
-- `seats check` compares it with the keys (group_member_counts).

ALTER TABLE groups ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;

UPDATE groups SET member_count =
      (SELECT count(*) FROM group_user_members m WHERE m.group_id = groups.id)
    + (SELECT count(*) FROM group_device_members m WHERE m.group_id = groups.id)
    + (SELECT count(*) FROM group_child_groups m WHERE m.group_id = groups.id);

CREATE TRIGGER group_user_members_counted AFTER INSERT ON group_user_members
BEGIN
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;
CREATE TRIGGER group_user_members_uncounted AFTER DELETE ON group_user_members
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
END;
CREATE TRIGGER group_user_members_moved AFTER UPDATE OF group_id ON group_user_members
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;

CREATE TRIGGER group_device_members_counted AFTER INSERT ON group_device_members
BEGIN
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;
CREATE TRIGGER group_device_members_uncounted AFTER DELETE ON group_device_members
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
END;
CREATE TRIGGER group_device_members_moved AFTER UPDATE OF group_id ON group_device_members
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;

CREATE TRIGGER group_child_groups_counted AFTER INSERT ON group_child_groups
BEGIN
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;
CREATE TRIGGER group_child_groups_uncounted AFTER DELETE ON group_child_groups
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
END;
CREATE TRIGGER group_child_groups_moved AFTER UPDATE OF group_id ON group_child_groups
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;
