-- seats cache schema, version 9: Microsoft Store for Business connectors
-- (issue 8). Append-only: never edit a released migration, add 0010_….sql.

-- A Store connector reuses what Graph and Apple brought: tenant_id and
-- client_id (0007), login_url (0007), api_url (0008, the store's `/V1`
-- base, or `sim:…` for the demo's in-process simulator), language (0001,
-- the language app names are shown in, R-CON-1). The client secret is
-- never stored: secret_ref (0001) holds the PATH of its 0600 file or
-- 'env:SEATS_STORE_SECRET'.

-- The sync report of a connector's last pull (R-APP-3): every app it
-- added, updated, removed or skipped, with the reason of a skip, replaced
-- by each pull in the pull's own transaction, so the Connectors pane shows
-- the last run's report. The run's one-line summary stays in
-- sync_runs.message.
CREATE TABLE sync_report_apps (
    id              INTEGER PRIMARY KEY,
    connector_id    INTEGER NOT NULL REFERENCES connectors(id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('added', 'updated', 'removed', 'skipped')),
    app             TEXT NOT NULL,
    external_id     TEXT,
    reason          TEXT
);
CREATE INDEX sync_report_apps_connector ON sync_report_apps(connector_id, outcome);
