-- seats cache schema, version 8: Apple Apps and Books connectors (issue 8).
-- Append-only: never edit a released migration, add 0009_….sql instead.

-- Where an Apple connector's client calls: api_url is Apple's API v2 base
-- (or a simulator's, or `sim:…` for the demo's in-process one), lookup_url
-- Apple's public lookup service for app names. The content token itself
-- is never stored: secret_ref (0001) holds the PATH of its 0600 file or
-- 'env:SEATS_VPP_TOKEN'. tenant_id (0007) holds the location's uId once
-- bound (one connector per location, its unique index), account the
-- location's name. take_over records the admin's explicit choice to take
-- a token another device-management product holds (R-CON-6).
ALTER TABLE connectors ADD COLUMN api_url TEXT;
ALTER TABLE connectors ADD COLUMN lookup_url TEXT;
ALTER TABLE connectors ADD COLUMN take_over INTEGER NOT NULL DEFAULT 0 CHECK (take_over IN (0, 1));

-- The location's users that seats manages (its own clientUserId namespace,
-- R-CON-7), as the last Apple pull found them: their status and, while
-- invited (Registered), the invitation link Apple's invitation URL makes
-- of their invite code, which `i` on a seat shows (R-APP-8).
CREATE TABLE apple_users (
    connector_id    INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_user_id  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('Registered', 'Associated', 'Retired', 'Deleted')),
    invite_url      TEXT,
    PRIMARY KEY (connector_id, user_id)
) WITHOUT ROWID;
