-- seats cache schema, version 11: device serial numbers (issue 8, R-APP-8).
-- Append-only: never edit a released migration, add 0012_….sql instead.

-- Apple assigns apps and books to devices by serial number: a seat of a
-- device-assignable Apple asset held by a device is sent with the
-- device's serial, and the Apple pull matches device assignments to the
-- cache's devices by it. A device without one can hold no Apple seat
-- (the push refuses it, saying why). NULL when the source gave none.
ALTER TABLE devices ADD COLUMN serial_number TEXT;
CREATE UNIQUE INDEX devices_serial ON devices(serial_number) WHERE serial_number IS NOT NULL;
