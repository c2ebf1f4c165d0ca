//! The language a Store for Business connector shows app names in
//! (R-CON-1), changed from the console (`:language de-DE` in Connectors).
//! Apps still install in each user's own language; the next sync renames
//! them. Audited as `connector_language`.

use rusqlite::{Connection, OptionalExtension as _, params};

use super::connectors_admin::{AdminError, stamp};
use crate::domain::store_business::valid_language;

/// Sets connector `id`'s language to `tag`; returns (connector name, the
/// language before).
pub fn set_language(
    conn: &Connection,
    id: i64,
    tag: &str,
    actor: &str,
) -> Result<(String, Option<String>), AdminError> {
    let tag = tag.trim();
    if !valid_language(tag) {
        return Err(AdminError::Invalid(format!(
            "{tag:?} is not a language tag: give one like en-US or de-DE; nothing was changed"
        )));
    }
    super::db::begin_write_on(conn, |tx| {
        let found: Option<(String, String, Option<String>)> = tx
            .query_row(
                "SELECT name, kind, language FROM connectors WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (name, before) = match found {
            None => return Ok(Err(AdminError::NotFound(id))),
            Some((name, kind, _)) if kind != "store_business" => {
                return Ok(Err(AdminError::Invalid(format!(
                    "{name} is not a Store for Business connector: only store app names come in a chosen language"
                ))));
            }
            Some((name, _, before)) => (name, before),
        };
        tx.execute(
            "UPDATE connectors SET language = ?2 WHERE id = ?1",
            params![id, tag],
        )?;
        let detail = serde_json::json!({ "connector": name, "language": tag, "before": before });
        tx.execute(
            "INSERT INTO audit (at, actor, action, principals, result, detail) \
             VALUES (?1, ?2, 'connector_language', json_array(?3), 'ok', ?4)",
            params![stamp(chrono::Utc::now()), actor, name, detail.to_string()],
        )?;
        Ok(Ok((name, before)))
    })?
}
