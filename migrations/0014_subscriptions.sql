-- seats cache schema, version 14: SaaS and ISV subscriptions — billing
-- profiles, invoices, and what a subscription records beside its pool
-- (issue 10, R-SUB-1..9). Append-only.

-- Who pays and how (R-SUB-6). A card is kept as its last four digits only;
-- a full number never reaches the cache. editable_by: the roles (comma
-- separated) that may change this profile or move a subscription to it.
CREATE TABLE billing_profiles (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    payment_method  TEXT NOT NULL CHECK (payment_method IN ('credit_card', 'check_wire')),
    card_last4      TEXT CHECK (card_last4 IS NULL OR
                                (length(card_last4) = 4 AND card_last4 NOT GLOB '*[^0-9]*')),
    contact_name    TEXT NOT NULL,
    contact_email   TEXT NOT NULL,
    address         TEXT NOT NULL,
    editable_by     TEXT NOT NULL DEFAULT 'global,license',
    CHECK ((payment_method = 'credit_card') = (card_last4 IS NOT NULL))
);

-- The invoices of a subscription: what was billed, for which period, and
-- where the document is (a link or a file path).
CREATE TABLE invoices (
    id                  INTEGER PRIMARY KEY,
    number              TEXT NOT NULL UNIQUE,
    pool_id             INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    billing_profile_id  INTEGER REFERENCES billing_profiles(id) ON DELETE SET NULL,
    issued_on           TEXT NOT NULL,
    period_start        TEXT NOT NULL,
    period_end          TEXT NOT NULL,
    amount_cents        INTEGER NOT NULL CHECK (amount_cents >= 0),
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('paid', 'due', 'overdue')),
    document            TEXT
);
CREATE INDEX invoices_pool ON invoices(pool_id, issued_on);

-- currency: ISO 4217; region: the supported region it was bought in
-- (R-SUB-8); activation_url: where the publisher activates it (R-SUB-3);
-- install_url: where an ISV product installs (R-SUB-9); status_on: the
-- day the status last changed (activated, disabled).
ALTER TABLE pools ADD COLUMN currency TEXT;
ALTER TABLE pools ADD COLUMN region TEXT;
ALTER TABLE pools ADD COLUMN activation_url TEXT;
ALTER TABLE pools ADD COLUMN install_url TEXT;
ALTER TABLE pools ADD COLUMN billing_profile_id INTEGER REFERENCES billing_profiles(id) ON DELETE SET NULL;
ALTER TABLE pools ADD COLUMN status_on TEXT;
UPDATE pools SET currency = 'USD' WHERE kind IN ('saas', 'isv') AND price_cents IS NOT NULL;
