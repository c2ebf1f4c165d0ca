-- seats cache schema, version 1. Append-only: never edit a released migration,
-- add 0002_….sql instead. Times are RFC 3339 UTC text; dates are YYYY-MM-DD.

-- The organization this cache belongs to (exactly one row).
CREATE TABLE tenant (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT NOT NULL,
    domain      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    upn             TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name    TEXT NOT NULL,
    department      TEXT,
    usage_location  TEXT,
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    -- deleted at the source but still cached until its seats are reclaimed
    deleted         INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    last_sign_in    TEXT,
    source_id       TEXT
);
CREATE INDEX users_display_name ON users(display_name COLLATE NOCASE);

CREATE TABLE devices (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    os          TEXT NOT NULL,
    owner_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    managed     INTEGER NOT NULL DEFAULT 1 CHECK (managed IN (0, 1)),
    source_id   TEXT
);
CREATE INDEX devices_owner ON devices(owner_id);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind        TEXT NOT NULL CHECK (kind IN ('user', 'device', 'mixed')),
    source_id   TEXT
);

-- Exactly one of user_id, device_id, child_group_id is set; nested groups are
-- flattened when seats are counted.
CREATE TABLE group_members (
    group_id        INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    device_id       INTEGER REFERENCES devices(id) ON DELETE CASCADE,
    child_group_id  INTEGER REFERENCES groups(id) ON DELETE CASCADE,
    CHECK ((user_id IS NOT NULL) + (device_id IS NOT NULL) + (child_group_id IS NOT NULL) = 1)
);
CREATE INDEX group_members_group ON group_members(group_id);
CREATE INDEX group_members_user ON group_members(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX group_members_device ON group_members(device_id) WHERE device_id IS NOT NULL;
CREATE INDEX group_members_child ON group_members(child_group_id) WHERE child_group_id IS NOT NULL;

-- Links to outside sources of truth. Secrets are never stored here: secret_ref
-- names a 0600 file or an environment variable.
CREATE TABLE connectors (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL CHECK (kind IN ('graph', 'apple_vpp', 'store_business', 'volume_licensing')),
    account             TEXT,
    endpoint            TEXT,
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    state               TEXT NOT NULL DEFAULT 'never' CHECK (state IN ('never', 'ok', 'syncing', 'error', 'disabled')),
    language            TEXT,
    schedule_minutes    INTEGER NOT NULL DEFAULT 720 CHECK (schedule_minutes > 0),
    token_name          TEXT,
    apple_id            TEXT,
    token_updated_at    TEXT,
    token_expires_at    TEXT,
    claimed_by          TEXT,
    last_sync_at        TEXT,
    last_success_at     TEXT,
    last_error          TEXT,
    secret_ref          TEXT
);

CREATE TABLE sync_runs (
    id              INTEGER PRIMARY KEY,
    connector_id    INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    result          TEXT NOT NULL CHECK (result IN ('running', 'ok', 'partial', 'failed')),
    added           INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    removed         INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    message         TEXT
);
CREATE INDEX sync_runs_connector ON sync_runs(connector_id, started_at);

-- Apps that arrive from a store or a vendor (R-APP-*).
CREATE TABLE apps (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    publisher       TEXT,
    platform        TEXT NOT NULL CHECK (platform IN ('windows', 'ios', 'macos', 'android', 'web')),
    source          TEXT NOT NULL CHECK (source IN ('store_business', 'apple_vpp', 'isv', 'marketplace')),
    license_type    TEXT NOT NULL CHECK (license_type IN ('online', 'offline', 'vpp', 'vendor')),
    price_cents     INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    encrypted       INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
    sync_status     TEXT NOT NULL DEFAULT 'synced' CHECK (sync_status IN ('synced', 'skipped')),
    skip_reason     TEXT,
    install_scope   TEXT CHECK (install_scope IN ('user', 'device')),
    install_url     TEXT,
    connector_id    INTEGER REFERENCES connectors(id) ON DELETE SET NULL,
    external_id     TEXT
);

-- Installs of apps on behalf of users or devices (R-APP-6, R-APP-9).
CREATE TABLE installs (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    device_id   INTEGER REFERENCES devices(id) ON DELETE CASCADE,
    state       TEXT NOT NULL CHECK (state IN ('installed', 'pending', 'failed', 'not_installed')),
    error       TEXT,
    updated_at  TEXT NOT NULL
);
CREATE INDEX installs_app ON installs(app_id, state);

-- Software catalog and detected inventory (R-AGR-10, R-APP-10).
CREATE TABLE publishers (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE COLLATE NOCASE
);
CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    publisher_id    INTEGER NOT NULL REFERENCES publishers(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    UNIQUE (publisher_id, title)
);
CREATE TABLE inventory (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    version     TEXT,
    detected_at TEXT NOT NULL
);
CREATE INDEX inventory_product ON inventory(product_id, device_id);

-- Agreements and their license groups (R-AGR-*). Group 1 is the built-in
-- "Unassigned agreements" group that orphans fall back to.
CREATE TABLE license_groups (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE COLLATE NOCASE,
    builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
);
INSERT INTO license_groups (id, name, builtin) VALUES (1, 'Unassigned agreements', 1);

CREATE TABLE agreements (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind                TEXT NOT NULL CHECK (kind IN ('volume', 'other')),
    license_group_id    INTEGER NOT NULL DEFAULT 1 REFERENCES license_groups(id) ON DELETE SET DEFAULT,
    program             TEXT CHECK (program IN ('open_value', 'open', 'select', 'enterprise')),
    product_id          INTEGER REFERENCES products(id) ON DELETE RESTRICT,
    license_count       INTEGER CHECK (license_count >= 0),
    starts_on           TEXT,
    ends_on             TEXT,
    details             TEXT,
    validation          TEXT NOT NULL DEFAULT 'pending' CHECK (validation IN ('pending', 'valid', 'invalid')),
    validated_at        TEXT,
    source_file         TEXT,
    created_at          TEXT NOT NULL
);
CREATE INDEX agreements_group ON agreements(license_group_id);

CREATE TABLE agreement_number_sets (
    id              INTEGER PRIMARY KEY,
    agreement_id    INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    first_number    TEXT NOT NULL,
    second_number   TEXT NOT NULL,
    UNIQUE (first_number, second_number)
);
CREATE INDEX number_sets_agreement ON agreement_number_sets(agreement_id);

-- What validation found a volume agreement to entitle (R-AGR-8).
CREATE TABLE entitlements (
    id              INTEGER PRIMARY KEY,
    agreement_id    INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    product_id      INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    quantity        INTEGER NOT NULL CHECK (quantity >= 0),
    UNIQUE (agreement_id, product_id)
);

-- Anything with purchased seats (R-LIC-1). total NULL = unlimited (flat-rate);
-- consumed is kept equal to the count of counting seats by the store, in the
-- same transaction as the seat change; source_consumed is the source's own
-- figure, kept beside it to show drift.
CREATE TABLE pools (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('m365', 'store_online', 'store_offline', 'vpp', 'saas', 'isv', 'agreement')),
    source              TEXT NOT NULL CHECK (source IN ('graph', 'store_business', 'apple_vpp', 'marketplace', 'vendor', 'volume_licensing', 'local')),
    connector_id        INTEGER REFERENCES connectors(id) ON DELETE SET NULL,
    sku_part_number     TEXT,
    sku_id              TEXT,
    total               INTEGER CHECK (total IS NULL OR total >= 0),
    consumed            INTEGER NOT NULL DEFAULT 0 CHECK (consumed >= 0),
    source_consumed     INTEGER,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending_activation', 'warning', 'suspended', 'disabled')),
    disabled_reason     TEXT CHECK (disabled_reason IN ('cancelled', 'expired', 'payment_lapsed')),
    pricing             TEXT CHECK (pricing IN ('flat_rate', 'per_seat')),
    channel             TEXT CHECK (channel IN ('direct', 'partner', 'vendor_proposal')),
    billing_period      TEXT CHECK (billing_period IN ('monthly', 'annual')),
    price_cents         INTEGER,
    vendor_managed      INTEGER NOT NULL DEFAULT 0 CHECK (vendor_managed IN (0, 1)),
    assignable_to       TEXT NOT NULL DEFAULT 'user' CHECK (assignable_to IN ('user', 'device', 'user_or_device')),
    app_id              INTEGER REFERENCES apps(id) ON DELETE CASCADE,
    agreement_id        INTEGER REFERENCES agreements(id) ON DELETE CASCADE,
    starts_on           TEXT,
    expires_on          TEXT,
    publisher           TEXT
);
CREATE UNIQUE INDEX pools_sku ON pools(sku_part_number) WHERE sku_part_number IS NOT NULL;
CREATE INDEX pools_app ON pools(app_id);
CREATE INDEX pools_name ON pools(name COLLATE NOCASE);

-- A group given a pool: every distinct member who lacks a seat gets one (R-LIC-7).
CREATE TABLE group_assignments (
    pool_id     INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    intent      TEXT NOT NULL DEFAULT 'required' CHECK (intent IN ('required', 'available', 'uninstall')),
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_id)
) WITHOUT ROWID;

-- One row per seat: a principal (user or device) holding a seat of a pool,
-- directly and/or through assigned groups. A principal holds at most one seat
-- per pool however many ways it is reached. Rows in state 'error' (for
-- example a group member for whom no seat was free) do not count as consumed.
CREATE TABLE assignments (
    id              INTEGER PRIMARY KEY,
    pool_id         INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users(id) ON DELETE CASCADE,
    device_id       INTEGER REFERENCES devices(id) ON DELETE CASCADE,
    direct          INTEGER NOT NULL DEFAULT 1 CHECK (direct IN (0, 1)),
    via_group_id    INTEGER REFERENCES groups(id) ON DELETE SET NULL,
    intent          TEXT NOT NULL DEFAULT 'required' CHECK (intent IN ('required', 'available', 'uninstall')),
    state           TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'pending', 'error')),
    error           TEXT CHECK (error IN ('CountViolation', 'MutuallyExclusiveViolation', 'DependencyViolation', 'ProhibitedInUsageLocationViolation', 'UniquenessViolation', 'Other')),
    invitation      TEXT CHECK (invitation IN ('invited', 'accepted', 'declined')),
    assigned_at     TEXT NOT NULL,
    assigned_by     TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (device_id IS NULL))
);
CREATE UNIQUE INDEX assignments_pool_user ON assignments(pool_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX assignments_pool_device ON assignments(pool_id, device_id) WHERE device_id IS NOT NULL;
CREATE INDEX assignments_user ON assignments(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX assignments_device ON assignments(device_id) WHERE device_id IS NOT NULL;

-- Who may change what (R-LIC-6). The OS user who creates the cache becomes global.
CREATE TABLE admins (
    os_user     TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('global', 'license', 'user', 'reader')),
    added_at    TEXT NOT NULL,
    added_by    TEXT NOT NULL
);

-- Every change, written in the same transaction as the change itself.
CREATE TABLE audit (
    id                  INTEGER PRIMARY KEY,
    at                  TEXT NOT NULL,
    actor               TEXT NOT NULL,
    action              TEXT NOT NULL,
    pool_id             INTEGER,
    pool_name           TEXT,
    principals          TEXT NOT NULL DEFAULT '[]',
    consumed_before     INTEGER,
    consumed_after      INTEGER,
    result              TEXT NOT NULL,
    detail              TEXT,
    batch_id            TEXT
);
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_batch ON audit(batch_id);

-- Changes to connector-owned pools, queued in the change's own transaction and
-- pushed to the source by the worker.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    connector_id    INTEGER REFERENCES connectors(id) ON DELETE SET NULL,
    pool_id         INTEGER REFERENCES pools(id) ON DELETE SET NULL,
    operation       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'applied', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    batch_id        TEXT
);
CREATE INDEX outbox_state ON outbox(state, created_at);
