-- The Store for Business side of the simulated tenant (apis.md §4), built
-- once from the demo's store apps and pools. Created if missing on every
-- start.

-- One inventory entry per product and SKU. seat_capacity is what was
-- bought; availableSeats is computed from the active seats (online apps;
-- offline apps' seats are not tracked by the store).
CREATE TABLE IF NOT EXISTS sim_store_products (
    seq                 INTEGER PRIMARY KEY,
    product_id          TEXT NOT NULL,
    sku_id              TEXT NOT NULL,
    app_id              INTEGER,
    publisher           TEXT NOT NULL,
    category            TEXT NOT NULL,
    license_type        TEXT NOT NULL CHECK (license_type IN ('Online', 'Offline')),
    distribution_policy TEXT NOT NULL CHECK (distribution_policy IN ('Open', 'Restricted')),
    status              TEXT NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Removed')),
    seat_capacity       INTEGER NOT NULL CHECK (seat_capacity >= 0),
    package_format      TEXT NOT NULL,
    -- Comma-separated, the first one the fallback.
    languages           TEXT NOT NULL,
    identity_name       TEXT NOT NULL,
    family_name         TEXT NOT NULL,
    content_id          TEXT NOT NULL,
    last_modified       TEXT NOT NULL,
    UNIQUE (product_id, sku_id)
);

-- displayName per supported language.
CREATE TABLE IF NOT EXISTS sim_store_names (
    product_id  TEXT NOT NULL,
    sku_id      TEXT NOT NULL,
    language    TEXT NOT NULL COLLATE NOCASE,
    name        TEXT NOT NULL,
    PRIMARY KEY (product_id, sku_id, language)
);

-- Seats of online apps. A reclaimed seat stays, Revoked, until assigned
-- again; only Active ones count and are listed.
CREATE TABLE IF NOT EXISTS sim_store_seats (
    id              INTEGER PRIMARY KEY,
    product_id      TEXT NOT NULL,
    sku_id          TEXT NOT NULL,
    upn             TEXT NOT NULL COLLATE NOCASE,
    date_assigned   TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('Active', 'Revoked')),
    UNIQUE (product_id, sku_id, upn)
);
CREATE INDEX IF NOT EXISTS sim_store_seats_user ON sim_store_seats(upn, id);
CREATE INDEX IF NOT EXISTS sim_store_seats_listed ON sim_store_seats(product_id, sku_id, state, id);

-- Access tokens for https://onestore.microsoft.com (a Graph token is not
-- one of these, and the other way round).
CREATE TABLE IF NOT EXISTS sim_store_tokens (
    token       TEXT PRIMARY KEY,
    expires_ms  INTEGER NOT NULL
);
