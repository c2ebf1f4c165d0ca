-- seats cache schema, version 19: recording a purchase (the console's form
-- or a subscriptions file) is a batch undo inverts, like any other
-- subscription change (issue 10). Each pool a purchase created is kept
-- here with its columns as recorded (a JSON object); undo deletes the pool
-- while it still holds exactly those values and no seat, grant or invoice.
-- No foreign key: the row outlives the pool, so the undo can name it.
-- IF NOT EXISTS: a cache rewound to an older version runs this again.
CREATE TABLE IF NOT EXISTS pool_purchases (
    batch_id    TEXT NOT NULL,
    pool_id     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    recorded    TEXT NOT NULL,
    PRIMARY KEY (batch_id, pool_id)
) WITHOUT ROWID;
