//! The tenant row, its first admin, the connectors with their sync history,
//! and the audit event that records the build.

use rusqlite::{Connection, params};

use super::DemoOptions;
use super::clock::{Clock, DAY};

/// The fictional organization.
pub(crate) const TENANT_NAME: &str = "Contoso Demo";
/// Its domain; `.example` is reserved, so no mail can ever reach anyone.
pub(crate) const DOMAIN: &str = "contoso-demo.example";

/// Connector ids, fixed so pools and apps can point at them.
pub(crate) const GRAPH: i64 = 1;
pub(crate) const VPP: i64 = 2;
const VPP_OLD: i64 = 3;
pub(crate) const STORE: i64 = 4;
pub(crate) const VOLUME: i64 = 5;

/// Who the sync runs of connector-sourced seats are recorded as.
pub(crate) const SYNC_ACTOR: &str = "sync";

/// One connector row; `None` fields stay NULL.
#[derive(Default)]
struct Connector {
    id: i64,
    name: &'static str,
    kind: &'static str,
    account: Option<String>,
    endpoint: Option<String>,
    enabled: bool,
    state: &'static str,
    language: Option<&'static str>,
    token_name: Option<&'static str>,
    apple_id: Option<String>,
    /// Days ago the token was uploaded, and days until it expires.
    token: Option<(i64, i64)>,
    claimed_by: Option<&'static str>,
    /// Seconds ago of the last attempt and of the last success.
    last_sync: Option<i64>,
    last_success: Option<i64>,
    last_error: Option<&'static str>,
    secret_ref: Option<&'static str>,
    /// Where a connector that really syncs reads (the demo's Graph: its
    /// in-process simulator); the other demo connectors have none.
    graph_url: Option<String>,
    /// The same for the demo's Apple connector (Apple's API v2, simulated).
    api_url: Option<String>,
}

const OLD_TOKEN_ERROR: &str = "the token expired and was claimed by another MDM; upload a new token \
     from Apple Business Manager instead of re-importing this one";

fn connectors(opts: &DemoOptions) -> Vec<Connector> {
    let admin = |local: &str| Some(format!("{local}@{DOMAIN}"));
    // The demo's Graph connector really syncs: against the simulator of this
    // very tenant (same users, same seed), which any seats process syncing
    // the demo cache starts in-process. It has not synced yet, so it shows
    // no sync times; the simulator supplies its own credentials, so no
    // secret is referred to.
    let simulator = crate::worker::sync::source::sim_url(opts.users.max(super::MIN_USERS), opts.seed);
    vec![
        Connector {
            id: GRAPH,
            name: "Microsoft Graph",
            kind: "graph",
            account: Some(DOMAIN.into()),
            endpoint: Some(simulator.clone()),
            state: "never",
            graph_url: Some(simulator.clone()),
            ..ok()
        },
        // R-CON-4: a year-long token that runs out within the warning
        // window. It syncs for real: Apple's API v2 as the same simulator
        // serves it (its token comes from the simulator, so no file).
        Connector {
            id: VPP,
            name: "Apple VPP",
            kind: "apple_vpp",
            endpoint: Some(simulator.clone()),
            state: "never",
            token_name: Some("Contoso Demo VPP"),
            apple_id: admin("vpp-admin"),
            token: Some((345, 20)),
            api_url: Some(simulator.clone()),
            ..ok()
        },
        // R-CON-6: a legacy token, expired and claimed by another manager.
        Connector {
            id: VPP_OLD,
            name: "Apple VPP (old school district token)",
            kind: "apple_vpp",
            endpoint: Some("https://vpp.itunes.apple.com/mdm/v2".into()),
            enabled: false,
            state: "disabled",
            token_name: Some("District VPP 2023"),
            apple_id: admin("district-vpp"),
            token: Some((375, -10)),
            claimed_by: Some("another MDM"),
            last_sync: Some(10 * DAY + 4 * 3600),
            last_success: Some(11 * DAY + 4 * 3600),
            last_error: Some(OLD_TOKEN_ERROR),
            ..ok()
        },
        // The store syncs for real too: the Store for Business API as the
        // same simulator serves it, built from this tenant's own store apps
        // (so the first sync changes little); the simulator supplies the
        // credentials, so no secret is referred to.
        Connector {
            id: STORE,
            name: "Microsoft Store for Business",
            kind: "store_business",
            account: admin("store-admin"),
            endpoint: Some(simulator.clone()),
            state: "never",
            language: Some("en-US"),
            api_url: Some(simulator),
            ..ok()
        },
        Connector {
            id: VOLUME,
            name: "Volume licensing",
            kind: "volume_licensing",
            last_sync: Some(DAY + 1800),
            last_success: Some(DAY + 1800),
            ..ok()
        },
    ]
}

fn ok() -> Connector {
    Connector {
        enabled: true,
        state: "ok",
        ..Connector::default()
    }
}

/// Writes the tenant, the admin, the connectors and their sync runs.
pub(crate) fn write(conn: &Connection, opts: &DemoOptions, clock: &Clock) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO tenant (id, name, domain, created_at, created_by) VALUES (1, ?1, ?2, ?3, ?4)",
        params![TENANT_NAME, DOMAIN, clock.now(), opts.actor],
    )?;
    // The one who builds the cache administers it (R-LIC-6).
    conn.execute(
        "INSERT OR IGNORE INTO admins (os_user, role, added_at, added_by) VALUES (?1, 'global', ?2, ?1)",
        params![opts.actor, clock.now()],
    )?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO connectors (id, name, kind, account, endpoint, enabled, state, language, \
         schedule_minutes, token_name, apple_id, token_updated_at, token_expires_at, claimed_by, \
         last_sync_at, last_success_at, last_error, secret_ref, graph_url, login_url, api_url) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 720, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19)",
    )?;
    for c in connectors(opts) {
        let ago = |seconds: Option<i64>| seconds.map(|s| clock.ago(s));
        stmt.execute(params![
            c.id,
            c.name,
            c.kind,
            c.account,
            c.endpoint,
            c.enabled,
            c.state,
            c.language,
            c.token_name,
            c.apple_id,
            c.token.map(|(updated, _)| clock.days_ago(updated)),
            c.token.map(|(_, expires)| clock.days_ago(-expires)),
            c.claimed_by,
            ago(c.last_sync),
            ago(c.last_success),
            c.last_error,
            c.secret_ref,
            c.graph_url,
            c.api_url
        ])?;
        write_runs(conn, clock, &c)?;
    }
    Ok(())
}

/// A few days of twice-daily sync history, ending at the connector's last sync.
fn write_runs(conn: &Connection, clock: &Clock, c: &Connector) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO sync_runs (connector_id, started_at, finished_at, result, added, updated, \
         removed, skipped, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8)",
    )?;
    let (Some(last), Some(success)) = (c.last_sync, c.last_success) else {
        return Ok(());
    };
    for run in (0..8i64).rev() {
        let started = last + run * DAY / 2;
        let failed = started < success;
        let (result, message, skipped) = match (failed, c.id) {
            (true, VPP_OLD) => ("failed", Some(OLD_TOKEN_ERROR), 0),
            (true, _) => ("failed", Some(OLD_TOKEN_ERROR), 0),
            (false, _) => ("ok", None, 0),
        };
        let updated = if failed { 0 } else { 3 + run * 7 % 11 };
        stmt.execute(params![
            c.id,
            clock.ago(started),
            clock.ago(started - 40 - run * 3),
            result,
            i64::from(run == 7 && !failed),
            updated,
            skipped,
            message
        ])?;
    }
    Ok(())
}

/// Records the build itself, like every other change (in its transaction).
pub(crate) fn write_audit(
    conn: &Connection,
    opts: &DemoOptions,
    clock: &Clock,
    (users, assignments): (usize, usize),
) -> rusqlite::Result<()> {
    let detail = format!(
        "demo tenant {TENANT_NAME} built: {users} users, {assignments} assignments, seed {}",
        opts.seed
    );
    conn.execute(
        "INSERT INTO audit (at, actor, action, result, detail) VALUES (?1, ?2, 'demo.generate', 'ok', ?3)",
        params![clock.now(), opts.actor, detail],
    )?;
    Ok(())
}
