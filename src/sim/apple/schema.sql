-- Apple Apps and Books (VPP API v2) state of the simulated location, built
-- once from the demo tenant's VPP pools. Settings (token, uId, mdmInfo,
-- version counter) live in sim_meta under 'apple_*' keys.

-- Assets (apps and books) with what the public lookup service tells.
CREATE TABLE IF NOT EXISTS sim_apple_assets (
    adam_id             TEXT NOT NULL,
    pricing             TEXT NOT NULL,
    product_type        TEXT NOT NULL CHECK (product_type IN ('App', 'Book')),
    total               INTEGER NOT NULL,
    retired             INTEGER NOT NULL DEFAULT 0,
    device_assignable   INTEGER NOT NULL,
    revocable           INTEGER NOT NULL,
    platforms           TEXT NOT NULL,
    name                TEXT NOT NULL,
    artist              TEXT NOT NULL,
    bundle_id           TEXT,
    PRIMARY KEY (adam_id, pricing)
);

-- Location users; one clientUserId may have many Retired rows but one
-- live (Registered / Associated) row at most.
CREATE TABLE IF NOT EXISTS sim_apple_users (
    id              INTEGER PRIMARY KEY,
    client_user_id  TEXT NOT NULL,
    email           TEXT,
    status          TEXT NOT NULL CHECK (status IN ('Registered', 'Associated', 'Retired')),
    invite_code     TEXT,
    id_hash         TEXT,
    version         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sim_apple_users_client ON sim_apple_users(client_user_id);
CREATE INDEX IF NOT EXISTS sim_apple_users_version ON sim_apple_users(version, id);

-- Assignments to a user or a device (serial number); disassociated rows
-- stay with active = 0.
CREATE TABLE IF NOT EXISTS sim_apple_assignments (
    id              INTEGER PRIMARY KEY,
    adam_id         TEXT NOT NULL,
    pricing         TEXT NOT NULL,
    client_user_id  TEXT,
    serial_number   TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL,
    CHECK ((client_user_id IS NULL) <> (serial_number IS NULL))
);
CREATE INDEX IF NOT EXISTS sim_apple_assignments_asset ON sim_apple_assignments(adam_id, pricing, active);
CREATE INDEX IF NOT EXISTS sim_apple_assignments_user ON sim_apple_assignments(client_user_id, active);
CREATE INDEX IF NOT EXISTS sim_apple_assignments_version ON sim_apple_assignments(version, id);

-- Asynchronous events (associate, disassociate, create, retire): the
-- request is kept as JSON and carried out once due.
CREATE TABLE IF NOT EXISTS sim_apple_events (
    id              TEXT PRIMARY KEY,
    event_type      TEXT NOT NULL,
    request         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'COMPLETE', 'FAILED')),
    due_ms          INTEGER NOT NULL,
    num_requested   INTEGER NOT NULL,
    num_completed   INTEGER NOT NULL DEFAULT 0,
    failures        TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS sim_apple_events_due ON sim_apple_events(status, due_ms);
