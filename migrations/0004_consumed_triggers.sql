-- seats cache schema, version 4: the database keeps pools.consumed true.
-- Append-only: never edit a released migration, add 0005_….sql instead.

-- pools.consumed is the number of the pool's seat rows that hold a seat:
-- every row of `assignments` except those in state 'error' (a group member
-- waiting for a free seat, or a row the source refused, holds none; see
-- 0001_init.sql). Until version 3 the application moved the counter, so a
-- cascading delete (a user, device or pool removed) left it high. These
-- triggers move it with every row, whoever writes: a seat change, a sync, a
-- cascade. Rows that move between pools count in the pool they move to.
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

-- A cache written before this version may have drifted: count it again.
UPDATE pools SET consumed = (SELECT count(*) FROM assignments a
                             WHERE a.pool_id = pools.id AND a.state <> 'error');
