-- seats cache schema: the asynchronous events an outbox row waits for at
-- its source (issue 8 review, B7). Apple Apps and Books answers a change
-- with an eventId and carries it out later; a row whose event is still
-- PENDING after the push's short wait stays pending with its events kept
-- here, so the next push polls /status for them instead of sending the
-- change again. `stage`: 'users' (the users' creation; the association is
-- still to send) or 'assets' (the association itself); `events`: a JSON
-- list of eventIds. One row per outbox row at most.
-- A table beside `outbox`, not a column: IF NOT EXISTS lets a cache
-- rewound to an older version run this again.
CREATE TABLE IF NOT EXISTS outbox_events (
    outbox_id   INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    stage       TEXT NOT NULL CHECK (stage IN ('users', 'assets')),
    events      TEXT NOT NULL
);

-- When installs were last reported for an app, and by which file (issue 8
-- review, B2). seats deploys nothing: install states come in from the
-- device management by `seats import installs FILE`, which replaces the
-- installs of the apps it names; the Apps detail shows this time.
CREATE TABLE IF NOT EXISTS install_reports (
    app_id      INTEGER PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,
    reported_at TEXT NOT NULL,
    file        TEXT NOT NULL
);
