-- seats cache schema, version 16: subscription changes are undoable like
-- seat changes (issue 10). Each activation, quantity or billing-profile
-- change is a batch whose pool fields are kept here as they were before and
-- after; undo puts `before` back while the field still holds `after`.
CREATE TABLE pool_field_changes (
    batch_id    TEXT NOT NULL,
    pool_id     INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    field       TEXT NOT NULL CHECK (field IN ('status', 'disabled_reason', 'status_on', 'total',
                                               'billing_profile_id')),
    -- No declared type: values keep their own (an integer stays one).
    before,
    after,
    PRIMARY KEY (batch_id, pool_id, field)
) WITHOUT ROWID;
