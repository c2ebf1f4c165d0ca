-- seats cache schema, version 15: software inventory read from Intune's
-- detected apps through the Graph connector (issue 9, R-APP-10).
-- Append-only: never edit a released migration, add the next one instead.

-- Which connector brought an inventory row: NULL for the rows of an
-- inventory file (and the demo's), the Graph connector's id for the rows
-- its detected-apps read wrote. A read replaces its connector's rows and
-- no others; an import never touches a connector's rows.
ALTER TABLE inventory ADD COLUMN connector_id INTEGER REFERENCES connectors(id) ON DELETE CASCADE;
CREATE INDEX inventory_connector ON inventory(connector_id) WHERE connector_id IS NOT NULL;

-- The import key covers imported rows only: a computer may hold one raw
-- name and version both from a file and from Intune.
DROP INDEX inventory_import_key;
CREATE UNIQUE INDEX inventory_import_key
    ON inventory(device_id, raw_name_id, ifnull(version, ''))
    WHERE raw_name_id IS NOT NULL AND connector_id IS NULL;

-- The last detected-apps read of each Graph connector: when it was tried,
-- when one last succeeded, and, when the last try failed, why (shown with
-- the connector until a read succeeds).
CREATE TABLE inventory_reads (
    connector_id    INTEGER PRIMARY KEY REFERENCES connectors(id) ON DELETE CASCADE,
    attempted_at    TEXT NOT NULL,
    read_at         TEXT,
    error           TEXT
);
