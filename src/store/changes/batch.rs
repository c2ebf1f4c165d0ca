//! One batch per user action: its id, its row in `batches`, and the audit and
//! outbox rows each change writes in the change's own transaction.

use std::io::Read as _;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, params};

use super::pool::PoolState;
use super::{Actor, ChangeError};
use crate::store::db::state_code;

/// The audit row shows at most this many names; the exact ids are kept in
/// `change_items`.
pub(crate) const MAX_NAMES: usize = 50;

/// The transaction, actor, batch id and time every write of a batch shares.
pub(crate) struct Ctx<'a> {
    pub conn: &'a Connection,
    pub actor: &'a str,
    /// The batch's action (assign, unassign, release, undo…).
    pub action: String,
    pub batch: String,
    pub at: String,
}

impl<'a> Ctx<'a> {
    /// Starts a batch inside the caller's transaction and records it.
    pub fn begin(
        conn: &'a Connection,
        actor: &'a str,
        action: &str,
        undoes: Option<&str>,
    ) -> rusqlite::Result<Ctx<'a>> {
        let ctx = Ctx {
            conn,
            actor,
            action: action.to_owned(),
            batch: new_batch_id(),
            at: now(),
        };
        conn.prepare_cached(
            "INSERT INTO batches (id, at, actor, action, undoes) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![ctx.batch, ctx.at, actor, action, undoes])?;
        Ok(ctx)
    }

    /// Writes one audit row of this batch.
    pub fn audit(&self, entry: &Entry<'_>) -> rusqlite::Result<()> {
        let (pool_id, pool_name) = entry
            .pool
            .map_or((None, None), |(id, name)| (Some(id), Some(name)));
        self.conn
            .prepare_cached(
                "INSERT INTO audit (at, actor, action, pool_id, pool_name, principals, consumed_before, \
                 consumed_after, result, detail, batch_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                self.at,
                self.actor,
                entry.action,
                pool_id,
                pool_name,
                capped_names(entry.principals),
                entry.before,
                entry.after,
                entry.result,
                entry.detail.as_ref().map(ToString::to_string),
                self.batch,
            ])?;
        Ok(())
    }

    /// Queues this batch's changes to a connector pool in the outbox (same
    /// transaction); local pools apply at once. Returns whether it queued.
    ///
    /// The payload names the SKU, the users and devices whose seat was added
    /// (or removed), waiting rows seated (or sent back to waiting), the
    /// users whose direct assignment changed, and the
    /// groups granted (or withdrawn), so the worker can replay it at the
    /// source and roll it back on a refusal.
    pub fn queue(&self, pool: &PoolState, adding: bool) -> rusqlite::Result<bool> {
        let Some(connector) = pool.connector_id.filter(|_| !pool.skip_outbox) else {
            return Ok(false);
        };
        // An offline app's seats are this console's to deploy (R-APP-5): the
        // store assigns none of them (it answers 409 "Not online").
        if pool.kind == "store_offline" {
            return Ok(false);
        }
        let changed: bool = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM change_items WHERE batch_id = ?1 AND pool_id = ?2)",
            )?
            .query_row(params![self.batch, pool.id], |row| row.get(0))?;
        if !changed {
            return Ok(false);
        }
        let (operation, seat, direct, group) = if adding {
            ("assign_license", "seat_added", "direct_set", "group_added")
        } else {
            (
                "remove_license",
                "seat_released",
                "direct_cleared",
                "group_removed",
            )
        };
        let sql = concat!(
            "INSERT INTO outbox (created_at, connector_id, pool_id, operation, payload, state, batch_id) \
             SELECT ?1, ?2, p.id, ?3, json_object('sku_id', p.sku_id, 'sku_part_number', p.sku_part_number, \
               'users', json((SELECT json_group_array(u.upn) FROM change_items c JOIN users u ON u.id = c.user_id \
                         WHERE c.batch_id = ?5 AND c.pool_id = p.id AND (c.op = ?6 OR (c.op = 'seat_changed' \
                           AND (c.state = 'error') = ?9 AND EXISTS (SELECT 1 FROM assignments a \
                             WHERE a.pool_id = p.id AND a.user_id = c.user_id AND (a.state_code <> ",
            state_code!("error"),
            ") = ?9))))), \
               'devices', json((SELECT json_group_array(d.name) FROM change_items c JOIN devices d ON d.id = c.device_id \
                         WHERE c.batch_id = ?5 AND c.pool_id = p.id AND (c.op = ?6 OR (c.op = 'seat_changed' \
                           AND (c.state = 'error') = ?9 AND EXISTS (SELECT 1 FROM assignments a \
                             WHERE a.pool_id = p.id AND a.device_id = c.device_id AND (a.state_code <> ",
            state_code!("error"),
            ") = ?9))))), \
               'direct', json((SELECT json_group_array(u.upn) FROM change_items c JOIN users u ON u.id = c.user_id \
                         WHERE c.batch_id = ?5 AND c.pool_id = p.id AND c.op = ?7)), \
               'groups', json((SELECT json_group_array(json_object('name', g.name, 'source_id', g.source_id)) \
                         FROM change_items c JOIN groups g ON g.id = c.group_id \
                         WHERE c.batch_id = ?5 AND c.pool_id = p.id AND c.op = ?8))), \
             'pending', ?5 FROM pools p WHERE p.id = ?4"
        );
        self.conn.prepare_cached(sql)?.execute(params![
            self.at, connector, operation, pool.id, self.batch, seat, direct, group, adding
        ])?;
        Ok(true)
    }
}

/// Who tried what, filled in by a change as it learns it, so the audit
/// row of a refusal names the pool and the principals.
#[derive(Debug, Default)]
pub(crate) struct Attempt {
    pub pool: Option<PoolState>,
    pub principals: Vec<String>,
    pub detail: Option<serde_json::Value>,
}

/// Records a refused attempt ("who tried what") in its own transaction; the
/// change itself was rolled back. Only refusals are recorded: by a license
/// rule (exit 3) or by the role (exit 4); bad input and cache failures are
/// not attempts, and a `--read-only` session writes nothing, not even this.
/// Failing to record it only logs a warning: the refusal is what the admin
/// must see.
pub(crate) fn record_refusal(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    attempt: &Attempt,
    err: &ChangeError,
) {
    let refused = matches!(err, ChangeError::Refused(_) | ChangeError::NotPermitted(_));
    if !refused || actor.read_only {
        return;
    }
    let pool = attempt.pool.as_ref();
    let result = super::super::db::begin_write_on(conn, |tx| {
        tx.prepare_cached(
            "INSERT INTO audit (at, actor, action, pool_id, pool_name, principals, consumed_before, \
             consumed_after, result, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)",
        )?
        .execute(params![
            now(),
            actor.name,
            action,
            pool.map(|p| p.id),
            pool.map(|p| p.name.as_str()),
            capped_names(&attempt.principals),
            pool.map(|p| p.consumed),
            format!("refused: {err}"),
            attempt.detail.as_ref().map(ToString::to_string),
        ])
    });
    if let Err(err) = result {
        tracing::warn!(%err, "could not record a refused {action} in the audit log");
    }
}

/// One audit row's content (the batch, actor and time come from [`Ctx`]).
pub(crate) struct Entry<'a> {
    pub action: &'a str,
    pub pool: Option<(i64, &'a str)>,
    pub principals: &'a [String],
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub result: &'a str,
    /// A JSON object (`seats audit` prints it as one).
    pub detail: Option<serde_json::Value>,
}

/// The current time as the cache writes it (RFC 3339 UTC, seconds).
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A JSON array of at most [`MAX_NAMES`] names, then "…and N more".
pub(crate) fn capped_names(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(MAX_NAMES).map(String::as_str).collect();
    let more = names.len().saturating_sub(MAX_NAMES);
    let tail = format!("…and {more} more");
    if more > 0 {
        shown.push(&tail);
    }
    serde_json::to_string(&shown).unwrap_or_else(|_| "[]".to_owned())
}

/// A random (version 4) UUID. Random bytes come from the OS, so ids are
/// unique across processes; without /dev/urandom, the time, the process id
/// and a counter stand in.
pub(crate) fn new_batch_id() -> String {
    let mut bytes = [0u8; 16];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        bytes = fallback_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn fallback_bytes() -> [u8; 16] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mixed = u64::from(std::process::id()) << 32 ^ COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&nanos.to_be_bytes());
    bytes[8..].copy_from_slice(&mixed.to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_ids_are_uuid_shaped_and_distinct() {
        let a = new_batch_id();
        let b = new_batch_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, b);
    }

    #[test]
    fn long_name_lists_are_capped() {
        let names: Vec<String> = (0..120).map(|i| format!("u{i}")).collect();
        let json: Vec<String> = serde_json::from_str(&capped_names(&names)).unwrap();
        assert_eq!(json.len(), 51);
        assert_eq!(json[50], "…and 70 more");
        assert_eq!(capped_names(&names[..2]), r#"["u0","u1"]"#);
    }
}
