//! Recording a purchase (issue 10: the console's form `n`, `:import
//! subscriptions`, `seats import subscriptions`) as a batch undo inverts,
//! like every other subscription change. The batch keeps each pool it
//! created with its columns as recorded (`pool_purchases`); undo deletes the
//! pool only while it still holds exactly those values and nothing hangs
//! on it (a seat, a group grant, an invoice), else it refuses and says what
//! changed, as a field change's undo does.

use rusqlite::{Connection, params, types::Value};

use super::batch::{Ctx, Entry};
use super::{ChangeError, Refusal};

/// The batch action of a recorded purchase, by hand or from a file.
pub const ACTION: &str = "subscriptions_import";

/// What changes by itself with seats: checked through the seats instead.
const DERIVED: &[&str] = &["consumed", "source_consumed"];

/// The pool's columns (but the derived ones), as the table has them now.
fn columns(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT name FROM pragma_table_info('pools') ORDER BY cid")?;
    let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(names
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|c| !DERIVED.contains(&c.as_str()))
        .collect())
}

/// The pool's values of `columns`, by column name.
fn values(conn: &Connection, pool_id: i64, columns: &[String]) -> rusqlite::Result<Vec<(String, Value)>> {
    let list: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
    let sql = format!("SELECT {} FROM pools WHERE id = ?1", list.join(", "));
    conn.query_row(&sql, [pool_id], |r| {
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| Ok((c.clone(), r.get::<_, Value>(i)?)))
            .collect()
    })
}

fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null | Value::Blob(_) => serde_json::Value::Null,
        Value::Integer(n) => serde_json::json!(n),
        Value::Real(x) => serde_json::json!(x),
        Value::Text(t) => serde_json::json!(t),
    }
}

/// Writes the batch of a purchase that created `pools` (id, name) inside
/// the caller's transaction, with its audit row; returns the batch id.
pub(crate) fn record_purchase(
    tx: &Connection,
    actor: &str,
    pools: &[(i64, String)],
    detail: serde_json::Value,
) -> rusqlite::Result<String> {
    let ctx = Ctx::begin(tx, actor, ACTION, None)?;
    let columns = columns(tx)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO pool_purchases (batch_id, pool_id, name, recorded) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (id, name) in pools {
        let recorded: serde_json::Map<String, serde_json::Value> = values(tx, *id, &columns)?
            .iter()
            .map(|(c, v)| (c.clone(), to_json(v)))
            .collect();
        insert.execute(params![
            ctx.batch,
            id,
            name,
            serde_json::Value::Object(recorded).to_string()
        ])?;
    }
    let names: Vec<String> = pools.iter().map(|(_, n)| n.clone()).collect();
    let single = match pools {
        [(id, name)] => Some((*id, name.as_str())),
        _ => None,
    };
    ctx.audit(&Entry {
        action: ACTION,
        pool: single,
        principals: &names,
        before: None,
        after: None,
        result: "ok",
        detail: Some(detail),
    })?;
    Ok(ctx.batch)
}

/// A column as the Subscriptions view names it.
fn label(column: &str) -> String {
    match column {
        "total" => "quantity".to_owned(),
        "price_cents" => "price".to_owned(),
        "billing_period" => "period".to_owned(),
        "expires_on" => "term end".to_owned(),
        "status_on" => "status date".to_owned(),
        other => other.trim_end_matches("_id").replace('_', " "),
    }
}

/// Whether the batch recorded purchases.
pub(crate) fn has_purchases(conn: &Connection, batch_id: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pool_purchases WHERE batch_id = ?1)",
        [batch_id],
        |r| r.get(0),
    )
}

/// The pools a purchase batch recorded: (id, name, recorded columns).
fn recorded(conn: &Connection, batch_id: &str) -> rusqlite::Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT pool_id, name, recorded FROM pool_purchases WHERE batch_id = ?1 ORDER BY pool_id",
    )?;
    let rows = stmt.query_map([batch_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Why the pool can't go with its purchase's undo, if it can't: seats or
/// grants given, invoices received, or a value changed since.
fn blocker(
    conn: &Connection,
    pool_id: i64,
    name: &str,
    recorded: &str,
) -> Result<Option<String>, ChangeError> {
    let (seats, groups, invoices): (i64, i64, i64) = conn.query_row(
        "SELECT (SELECT count(*) FROM assignments WHERE pool_id = ?1), \
                (SELECT count(*) FROM group_assignments WHERE pool_id = ?1), \
                (SELECT count(*) FROM invoices WHERE pool_id = ?1)",
        [pool_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if seats > 0 || groups > 0 {
        return Ok(Some(format!(
            "{name} has {seats} seat(s) and {groups} group grant(s) since it was recorded; release them first"
        )));
    }
    if invoices > 0 {
        return Ok(Some(format!(
            "{name} has {invoices} invoice(s) since it was recorded; a billed subscription stays (C cancels it)"
        )));
    }
    let was: serde_json::Map<String, serde_json::Value> = serde_json::from_str(recorded).map_err(|err| {
        ChangeError::Invalid(format!("the recorded purchase of {name} is unreadable: {err}"))
    })?;
    // Only the columns kept then: one a later migration added says nothing.
    let now_columns: Vec<String> = columns(conn)?
        .into_iter()
        .filter(|c| was.contains_key(c))
        .collect();
    for (column, value) in values(conn, pool_id, &now_columns)? {
        if was.get(&column) != Some(&to_json(&value)) {
            let field = label(&column);
            return Ok(Some(format!(
                "{name}'s {field} was changed since it was recorded; undo that change first"
            )));
        }
    }
    Ok(None)
}

/// Deletes the pools the purchase batch recorded, refusing (nothing
/// deleted) when one is gone, holds seats, or changed since. Returns the
/// (id, name) of each pool removed.
pub(crate) fn revert(ctx: &Ctx<'_>, batch_id: &str) -> Result<Vec<(i64, String)>, ChangeError> {
    let pools = recorded(ctx.conn, batch_id)?;
    let refuse = |why: String| -> ChangeError {
        Refusal::NotUndoable {
            batch: batch_id.to_owned(),
            why,
        }
        .into()
    };
    for (id, name, was) in &pools {
        let present: bool =
            ctx.conn
                .query_row("SELECT EXISTS (SELECT 1 FROM pools WHERE id = ?1)", [id], |r| {
                    r.get(0)
                })?;
        if !present {
            return Err(refuse(format!("{name} is no longer in the cache")));
        }
        if let Some(why) = blocker(ctx.conn, *id, name, was)? {
            return Err(refuse(why));
        }
    }
    let mut delete = ctx.conn.prepare_cached("DELETE FROM pools WHERE id = ?1")?;
    for (id, _, _) in &pools {
        delete.execute([id])?;
    }
    Ok(pools.into_iter().map(|(id, name, _)| (id, name)).collect())
}

/// The names of the subscriptions each of `batches` recorded, for the undo's
/// preview and message.
pub fn recorded_names(conn: &Connection, batches: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    for batch in batches {
        out.extend(recorded(conn, batch)?.into_iter().map(|(_, name, _)| name));
    }
    Ok(out)
}
