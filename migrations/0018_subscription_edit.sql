-- seats cache schema, version 18: the console's subscription form edits a
-- subscription's name, price, currency, period, term end and addresses as
-- one undoable batch (issue 10), so pool_field_changes keeps those fields
-- too. SQLite can't widen a CHECK in place: the table is copied.
CREATE TABLE pool_field_changes_new (
    batch_id    TEXT NOT NULL,
    pool_id     INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    field       TEXT NOT NULL CHECK (field IN ('status', 'disabled_reason', 'status_on', 'total',
                                               'billing_profile_id', 'name', 'price_cents', 'currency',
                                               'billing_period', 'expires_on', 'activation_url',
                                               'install_url')),
    -- No declared type: values keep their own (an integer stays one).
    before,
    after,
    PRIMARY KEY (batch_id, pool_id, field)
) WITHOUT ROWID;
INSERT INTO pool_field_changes_new SELECT batch_id, pool_id, field, before, after FROM pool_field_changes;
DROP TABLE pool_field_changes;
ALTER TABLE pool_field_changes_new RENAME TO pool_field_changes;
