-- seats cache schema, version 12: volume-licensing entitlements and the
-- validation of each agreement number set against them (issue 9, R-AGR-8).
-- Append-only: never edit a released migration, add 0013_….sql instead.

-- The rows of the licensing-summary export an admin downloads from the
-- volume-licensing portal (VLSC has no public API). Each import replaces
-- them all: the export is a snapshot of what the organisation holds.
-- first_number is the authorization/agreement number, second_number the
-- license/enrollment number (apis.md §5.1). ends_on NULL: perpetual.
CREATE TABLE vl_entitlements (
    id              INTEGER PRIMARY KEY,
    first_number    TEXT NOT NULL,
    second_number   TEXT NOT NULL,
    product_id      INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    quantity        INTEGER NOT NULL CHECK (quantity >= 0),
    starts_on       TEXT NOT NULL,
    ends_on         TEXT,
    line            INTEGER NOT NULL
);
CREATE INDEX vl_entitlements_pair ON vl_entitlements(first_number COLLATE NOCASE, second_number COLLATE NOCASE);

-- Each import of the export; validation waits (sets stay pending) until
-- there has been one, since "not found" means nothing without it.
CREATE TABLE vl_entitlement_imports (
    id              INTEGER PRIMARY KEY,
    source_file     TEXT NOT NULL,
    rows            INTEGER NOT NULL,
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL
);

-- Validation per number set. agreements.validation keeps its CHECK
-- (pending, valid, invalid) as the coarse state the console shows:
-- invalid when a validated set is not_found or mismatched. SQLite can't
-- change a CHECK in place, and agreements is referenced by four tables,
-- so the finer state lives here rather than in a rebuilt table.
ALTER TABLE agreement_number_sets ADD COLUMN validation TEXT NOT NULL DEFAULT 'pending'
    CHECK (validation IN ('pending', 'valid', 'not_found', 'mismatched'));
ALTER TABLE agreement_number_sets ADD COLUMN validated_at TEXT;
-- Why a set is not_found or mismatched, for the admin to act on.
ALTER TABLE agreement_number_sets ADD COLUMN validation_note TEXT;
