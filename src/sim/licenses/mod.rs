//! License assignment as Graph enforces it: the request body, seats per SKU,
//! usage location, and (in `group`) group-based licensing processed after
//! the 202.

mod group;

use crate::store::db::{assigned_by_code, state_code, unix_time};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

pub(crate) use group::{assign_group, enqueue_for_members_of, process_due_jobs, reaches};

/// A refusal with Graph's status, code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub(crate) fn bad_request(message: impl Into<String>) -> Refusal {
        Refusal {
            status: 400,
            code: "Request_BadRequest",
            message: message.into(),
        }
    }
}

/// The body of an assignLicense call.
#[derive(Debug, Clone, Default)]
pub(crate) struct LicenseChange {
    /// skuIds to add (disabledPlans are accepted and not modelled).
    pub add: Vec<String>,
    /// skuIds to remove.
    pub remove: Vec<String>,
}

/// Parses `{"addLicenses":[{"skuId":…}],"removeLicenses":[…]}`; both keys
/// are required, as in Graph.
pub(crate) fn parse_change(body: &Value) -> Result<LicenseChange, Refusal> {
    let missing: Vec<&str> = ["addLicenses", "removeLicenses"]
        .into_iter()
        .filter(|key| body.get(key).is_none_or(Value::is_null))
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::bad_request(format!(
            "One or more parameters of the function import 'assignLicense' are missing from the \
             request payload. The missing parameters are: {}.",
            missing.join(", ")
        )));
    }
    let invalid = || {
        Refusal::bad_request(
            "Invalid value for the assignLicense parameters: addLicenses must be an array of {skuId, disabledPlans} and removeLicenses an array of skuIds.",
        )
    };
    let adds = body["addLicenses"].as_array().ok_or_else(invalid)?;
    let removes = body["removeLicenses"].as_array().ok_or_else(invalid)?;
    let add = adds
        .iter()
        .map(|item| item.get("skuId").and_then(Value::as_str).map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(invalid)?;
    let remove = removes
        .iter()
        .map(|item| item.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(invalid)?;
    if add.is_empty() && remove.is_empty() {
        return Err(Refusal::bad_request(
            "No license changes provided. At least one license to add or remove must be specified.",
        ));
    }
    Ok(LicenseChange { add, remove })
}

/// A subscribed SKU as the seat check needs it.
#[derive(Debug, Clone)]
pub(crate) struct Sku {
    pub pool: i64,
    pub sku_id: String,
    pub enabled: i64,
    pub status: String,
}

impl Sku {
    /// Whether the SKU's status lets it hand out seats at all.
    fn assignable(&self) -> bool {
        matches!(self.status.as_str(), "Enabled" | "Warning")
    }

    /// Seats that may still be taken.
    pub(crate) fn free(&self, conn: &Connection) -> rusqlite::Result<i64> {
        if !self.assignable() {
            return Ok(0);
        }
        Ok((self.enabled - consumed(conn, self.pool)?).max(0))
    }
}

/// The SKU with this skuId, or Graph's refusal.
pub(crate) fn sku_by_id(conn: &Connection, sku_id: &str) -> rusqlite::Result<Result<Sku, Refusal>> {
    let found = conn
        .prepare_cached(
            "SELECT p.id, p.sku_id, coalesce(p.total, 0), s.capability_status FROM pools p \
             JOIN sim_skus s ON s.pool_id = p.id WHERE p.sku_id = ?1 COLLATE NOCASE",
        )?
        .query_row([sku_id], |row| {
            Ok(Sku {
                pool: row.get(0)?,
                sku_id: row.get(1)?,
                enabled: row.get(2)?,
                status: row.get(3)?,
            })
        })
        .optional()?;
    Ok(found.ok_or_else(|| {
        Refusal::bad_request(format!(
            "License {sku_id} does not correspond to a valid company License."
        ))
    }))
}

/// Seats of a pool held now (rows not in error).
pub(crate) fn held(conn: &Connection, pool: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(concat!(
        "SELECT count(*) FROM assignments WHERE pool_id = ?1 AND state_code <> ",
        state_code!("error")
    ))?
    .query_row([pool], |row| row.get(0))
}

/// Seats of a pool held now, as `pools.consumed` keeps them: the consumed
/// triggers of the seats schema (migrations 0004, 0025) count every write
/// to `assignments`, cascades included, so this equals [`held`] without
/// counting the pool's rows. Counting took two walks over the pool per
/// assignLicense (its free seats, then `refresh_consumed`): at a million
/// users, ~750,000 rows each for the pool the push benchmark assigns, which
/// made the push of 1,000 changes grow with the tenant (issue 11).
pub(crate) fn consumed(conn: &Connection, pool: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT consumed FROM pools WHERE id = ?1")?
        .query_row([pool], |row| row.get(0))
}

/// Keeps `pools.consumed` equal to the held seats (the seats schema's rule).
pub(crate) fn refresh_consumed(conn: &Connection, pool: i64) -> rusqlite::Result<()> {
    let count = held(conn, pool)?;
    conn.prepare_cached("UPDATE pools SET consumed = ?2 WHERE id = ?1")?
        .execute(params![pool, count])?;
    Ok(())
}

/// Pools in which the user has a row.
pub(crate) fn pools_of_user(conn: &Connection, user: i64) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached("SELECT pool_id FROM assignments WHERE user_id = ?1")?;
    let rows = stmt.query_map([user], |row| row.get(0))?;
    rows.collect()
}

/// A user's row in a pool: (row id, direct, via group, state).
type SeatRow = (i64, bool, Option<i64>, String);

fn seat_row(conn: &Connection, pool: i64, user: i64) -> rusqlite::Result<Option<SeatRow>> {
    conn.prepare_cached(
        "SELECT id, direct, via_group_id, state FROM assignments WHERE pool_id = ?1 AND user_id = ?2",
    )?
    .query_row(params![pool, user], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })
    .optional()
}

pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Applies a user's assignLicense inside `tx`: removals first, then
/// additions, each refused as Graph refuses it. On a refusal the caller
/// rolls the transaction back, so nothing changes.
pub(crate) fn assign_user(
    tx: &Connection,
    user: i64,
    change: &LicenseChange,
) -> rusqlite::Result<Result<(), Refusal>> {
    let location: Option<String> =
        tx.query_row("SELECT usage_location FROM users WHERE id = ?1", [user], |row| {
            row.get(0)
        })?;
    if !change.add.is_empty() && location.as_deref().is_none_or(|l| l.trim().is_empty()) {
        return Ok(Err(Refusal::bad_request(
            "License assignment cannot be done for user with invalid usage location.",
        )));
    }
    for sku_id in &change.remove {
        let sku = match sku_by_id(tx, sku_id)? {
            Ok(sku) => sku,
            Err(refusal) => return Ok(Err(refusal)),
        };
        match seat_row(tx, sku.pool, user)? {
            Some((id, true, Some(_), _)) => {
                tx.execute("UPDATE assignments SET direct = 0 WHERE id = ?1", [id])?;
            }
            Some((id, true, None, _)) => {
                tx.execute("DELETE FROM assignments WHERE id = ?1", [id])?;
            }
            Some((_, false, _, _)) => {
                return Ok(Err(Refusal::bad_request(
                    "User license is inherited from a group membership and it cannot be removed directly from the user.",
                )));
            }
            // Not assigned: nothing to remove.
            None => {}
        }
    }
    for sku_id in &change.add {
        let sku = match sku_by_id(tx, sku_id)? {
            Ok(sku) => sku,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let row = seat_row(tx, sku.pool, user)?;
        let needs_seat = row.as_ref().is_none_or(|(_, _, _, state)| state == "error");
        if needs_seat && sku.free(tx)? < 1 {
            return Ok(Err(Refusal::bad_request(format!(
                "Subscription with SKU {} does not have any available licenses.",
                sku.sku_id
            ))));
        }
        match row {
            Some((id, _, _, _)) => {
                tx.execute(
                    concat!(
                        "UPDATE assignments SET direct = 1, state_code = ",
                        state_code!("active"),
                        ", error = NULL WHERE id = ?1"
                    ),
                    [id],
                )?;
            }
            None => {
                tx.execute(
                    concat!(
                        "INSERT INTO assignments (pool_id, user_id, direct, state_code, assigned_unix, assigned_by_code) \
                         VALUES (?1, ?2, 1, ",
                        state_code!("active"),
                        ", ",
                        unix_time!("?3"),
                        ", ",
                        assigned_by_code!("'graph'"),
                        ")"
                    ),
                    params![sku.pool, user, now_text()],
                )?;
            }
        }
    }
    // `pools.consumed` of the touched pools followed through the triggers.
    crate::sim::tenant::record_license_changes(tx, &[user])?;
    Ok(Ok(()))
}

/// Runs `work` in an IMMEDIATE transaction committed only when it neither
/// fails nor refuses: a refusal changes nothing.
pub(crate) fn refusable<T>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> rusqlite::Result<Result<T, Refusal>>,
) -> rusqlite::Result<Result<T, Refusal>> {
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let outcome = work(&tx)?;
    if outcome.is_ok() {
        tx.commit()?;
    }
    Ok(outcome)
}
