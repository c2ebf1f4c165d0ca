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
