//! Users. A reported user is matched by source id; failing that, by UPN
//! among rows no connector brought yet (a demo or an older cache), which
//! then get the source id. Every matched or new user is marked as brought
//! by this connector (`users.connector_id`, 0006): that is how a later full
//! pull knows its users from local ones, which it never touches.
//!
//! - reported: UPN, name, department, usage location, enabled and the
//!   sign-in time (kept when the source gives none: it may lack the
//!   permission) follow the source; a user deleted before comes back.
//!   Disabled users keep their seats; those enabled before are listed as
//!   newly disabled (the Reclaim view shows them).
//! - soft-removed (delta `@removed` changed), or not reported by a full
//!   pull while the connector brought them: marked deleted.
//! - removed for good (delta `@removed` deleted): the row goes, after its
//!   seats are released (see `finish`).
//! - a row holding a UPN the source now gives to another account (and not
//!   reported itself) is renamed "UPN (replaced ID)" and marked deleted.
//! - a user retired by a local change still pending keeps its flags.

use super::summary::LeftUser;
use super::{Apply, PullError, PullKind, SyncSummary};

pub(super) fn apply(a: &Apply<'_>, summary: &mut SyncSummary) -> Result<(), PullError> {
    let conn = a.conn;
    let c = a.connector_id;
    super::timed("users: match by source id", || {
        conn.execute(
            &format!(
                "INSERT INTO temp.pull_match (source_id, user_id, op) \
                 SELECT p.source_id, {}, p.op FROM temp.pull_users p",
                by_source_id("?1", "p.source_id")
            ),
            [c],
        )
    })?;
    // Indexed once filled: the user ids come in no order, and kept by each
    // insert the index cost a page of the staging file per user.
    super::timed("users: index matches", || {
        conn.execute("CREATE INDEX temp.pull_match_user ON pull_match(user_id)", [])
    })?;
    conn.execute(
        "UPDATE temp.pull_match SET user_id = (SELECT u.id FROM temp.pull_users p JOIN users u ON u.upn = p.upn \
           WHERE p.source_id = pull_match.source_id AND u.connector_id IS NULL \
             AND NOT EXISTS (SELECT 1 FROM temp.pull_match m WHERE m.user_id = u.id)) \
         WHERE user_id IS NULL AND op = 0",
        [],
    )?;
    super::timed("users: fill reported", || fill_reported(a))?;
    super::timed("users: mark leaving", || mark_leaving(a))?;
    super::timed("users: free upns", || free_upns(a, summary))?;
    super::timed("users: update reported", || update_reported(a, summary))?;
    summary.users.added += conn.execute(
        "INSERT INTO users (upn, display_name, department, usage_location, enabled, deleted, last_sign_in, \
                            source_id, connector_id) \
         SELECT p.upn, p.display_name, p.department, p.usage_location, p.enabled, 0, p.last_sign_in, p.source_id, ?1 \
         FROM temp.pull_users p JOIN temp.pull_match m ON m.source_id = p.source_id \
         WHERE m.user_id IS NULL AND p.op = 0 ORDER BY p.upn",
        [c],
    )? as i64;
    // `+u.connector_id`: look the new row up by its source id, not among
    // every user of the connector.
    conn.execute(
        "UPDATE temp.pull_match SET user_id = (SELECT u.id FROM users u WHERE u.source_id = pull_match.source_id \
           AND +u.connector_id = ?1 ORDER BY u.id LIMIT 1) WHERE user_id IS NULL AND op = 0",
        [c],
    )?;
    // The new users too: the seats (`seats::want`) read every reported user from it.
    if summary.users.added > 0 {
        fill_reported(a)?;
    }
    summary.users.removed += conn.execute(
        "UPDATE users SET deleted = 1 WHERE deleted = 0 \
         AND id IN (SELECT user_id FROM temp.pull_left WHERE how = 'deleted')",
        [],
    )? as i64;
    summary.users.removed += conn.query_row(
        "SELECT count(*) FROM temp.pull_left WHERE how = 'purged'",
        [],
        |row| row.get::<_, i64>(0),
    )?;
    summary.newly_disabled = left(a, "l.how = 'disabled'")?;
    summary.newly_deleted = left(a, "l.how IN ('deleted', 'purged')")?;
    Ok(())
}

/// The user row a source id stands for (`connector` the connector's id): this
/// connector's, else the lowest id. Nearly always one row has the id, and
/// the users' source id index alone says so and gives its id; the rows are
/// read (for their connector) only when several have it. At a million users
/// reading every matched row at random was 15 s of the commit; the index is
/// read forward (the staged users come in source-id order).
pub(super) fn by_source_id(connector: &str, source_id: &str) -> String {
    let rows = format!("FROM users u WHERE u.source_id = {source_id}");
    format!(
        "CASE (SELECT count(*) {rows}) WHEN 0 THEN NULL WHEN 1 THEN (SELECT u.id {rows}) \
         ELSE (SELECT u.id {rows} ORDER BY u.connector_id IS {connector} DESC, u.id LIMIT 1) END"
    )
}

/// Records who leaves in this pull, before their rows change.
fn mark_leaving(a: &Apply<'_>) -> rusqlite::Result<()> {
    let conn = a.conn;
    // Read in id order from the reported users (the users table forward),
    // not by source id (every user row at random).
    super::timed("users: leaving 1", || {
        conn.execute(
            "INSERT OR IGNORE INTO temp.pull_left (user_id, how) \
             SELECT p.user_id, 'disabled' FROM (SELECT user_id, enabled FROM temp.pull_reported ORDER BY user_id) p \
             CROSS JOIN users u ON u.id = p.user_id WHERE p.enabled = 0 AND u.enabled = 1 \
               AND p.user_id NOT IN (SELECT user_id FROM temp.pull_protected_users)",
            [],
        )
    })?;
    super::timed("users: leaving 2", || {
        conn.execute(
            "INSERT OR IGNORE INTO temp.pull_left (user_id, how) \
         SELECT m.user_id, CASE m.op WHEN 2 THEN 'purged' ELSE 'deleted' END FROM temp.pull_match m \
         JOIN users u ON u.id = m.user_id WHERE m.op IN (1, 2) AND (m.op = 2 OR u.deleted = 0)",
            [],
        )
    })?;
    if a.kind == PullKind::Full {
        super::timed("users: leaving 3", || {
            conn.execute(
                "INSERT OR IGNORE INTO temp.pull_left (user_id, how) \
             SELECT u.id, 'deleted' FROM users u WHERE u.connector_id = ?1 AND u.deleted = 0 \
               AND NOT EXISTS (SELECT 1 FROM temp.pull_match m WHERE m.user_id = u.id) \
               AND u.id NOT IN (SELECT user_id FROM temp.pull_protected_users)",
                [a.connector_id],
            )
        })?;
    }
    Ok(())
}

/// The reported, matched users with their staged fields, keyed by user id
/// (filled by [`fill_reported`]): an UPDATE that walks it writes the users
/// table forward instead of at random, and reads no staged row at random
/// (they are keyed by source id; at a million users each such read was a
/// page of the staging file).
const REPORTED_BY_ID: &str = "(SELECT * FROM temp.pull_reported ORDER BY user_id) AS p";

/// Copies the matched, reported users into `pull_reported` (users matched
/// already are kept as they are), sorted once by
/// user id (the staged rows read in their own order, then sorted: no
/// random reads). A user id reported under two source ids keeps one of them, as
/// an UPDATE … FROM over both would.
fn fill_reported(a: &Apply<'_>) -> rusqlite::Result<()> {
    a.conn.execute(
        "INSERT OR IGNORE INTO temp.pull_reported (user_id, source_id, upn, display_name, enabled, department, \
                                                   usage_location, last_sign_in, licenses, license_groups) \
         SELECT m.user_id, p.source_id, p.upn, p.display_name, p.enabled, p.department, p.usage_location, \
                p.last_sign_in, p.licenses, p.license_groups \
         FROM temp.pull_users p CROSS JOIN temp.pull_match m ON m.source_id = p.source_id \
         WHERE p.op = 0 AND m.user_id IS NOT NULL ORDER BY m.user_id",
        [],
    )?;
    Ok(())
}

/// Moves reported users whose UPN changes out of the way (two may swap),
/// and renames rows that hold a UPN the source gave to another account.
fn free_upns(a: &Apply<'_>, summary: &mut SyncSummary) -> rusqlite::Result<()> {
    let conn = a.conn;
    // The matched users whose row's UPN differs, in one ordered pass: the
    // only reported UPNs, with those of new users, that another row may hold
    // (a matched row holding its own UPN is the only one that does: UPNs
    // are unique).
    super::timed("users: upns differing", || {
        conn.execute(
            &format!(
                "INSERT INTO temp.pull_upn_wanted (user_id, upn) SELECT p.user_id, p.upn \
                 FROM {REPORTED_BY_ID} CROSS JOIN users ON users.id = p.user_id \
                 WHERE users.upn <> p.upn COLLATE BINARY"
            ),
            [],
        )
    })?;
    conn.execute(
        "UPDATE users SET upn = char(1) || id WHERE id IN (SELECT user_id FROM temp.pull_upn_wanted)",
        [],
    )?;
    super::timed("users: upns new", || conn.execute(&wanted_upns(a)?, []))?;
    super::timed("users: upn holders", || {
        conn.execute(
            "INSERT OR IGNORE INTO temp.pull_holders (user_id) \
             SELECT u.id FROM temp.pull_upn_wanted w CROSS JOIN users u ON u.upn = w.upn \
             WHERE NOT EXISTS (SELECT 1 FROM temp.pull_match m WHERE m.user_id = u.id AND m.op = 0)",
            [],
        )
    })?;
    let holders = "SELECT user_id FROM temp.pull_holders";
    super::timed("users: upns 3", || {
        conn.execute(
            &format!(
                "INSERT OR IGNORE INTO temp.pull_left (user_id, how) \
             SELECT id, 'deleted' FROM users WHERE deleted = 0 AND id IN ({holders})"
            ),
            [],
        )
    })?;
    let mut stmt = conn.prepare(&format!(
        "UPDATE users SET upn = upn || ' (replaced ' || id || ')' WHERE id IN ({holders}) RETURNING upn"
    ))?;
    let renamed = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for upn in renamed {
        summary.notes.push(format!(
            "{upn}: Microsoft Graph gave this user's UPN to another account; the old row is kept, deleted"
        ));
    }
    Ok(())
}

/// The statement adding the other reported UPNs another row may hold to
/// `pull_upn_wanted`: new users', and, should one row be matched by two
/// source ids (so `pull_reported` kept one of them), every reported UPN.
fn wanted_upns(a: &Apply<'_>) -> rusqlite::Result<String> {
    let matched: i64 = a.conn.query_row(
        "SELECT (SELECT count(*) FROM temp.pull_match WHERE op = 0 AND user_id IS NOT NULL) \
              - (SELECT count(*) FROM temp.pull_reported)",
        [],
        |row| row.get(0),
    )?;
    let which = if matched == 0 { "m.user_id IS NULL" } else { "1" };
    Ok(format!(
        "INSERT INTO temp.pull_upn_wanted (user_id, upn) SELECT NULL, p.upn \
         FROM temp.pull_match m CROSS JOIN temp.pull_users p ON p.source_id = m.source_id \
         WHERE m.op = 0 AND {which}"
    ))
}

/// Updates the matched, reported users; counts those whose visible fields changed.
///
/// One pass over the users in id order finds what differs (`pull_user_diff`);
/// the writes then touch those rows only, each column group by its own
/// UPDATE: the Users filter's trigram index is rewritten by a trigger on
/// every row an UPDATE naming `upn`, `display_name` or `department` touches
/// (0017), and naming `source_id` or `connector_id` rewrites that column's
/// index entry (keyed by a random Graph id for the first) even when the
/// value is the same. A pull that changes nothing writes no user row; a
/// first pull over users no connector brought sets only their mark.
fn update_reported(a: &Apply<'_>, summary: &mut SyncSummary) -> rusqlite::Result<()> {
    let conn = a.conn;
    let keeps_flags = "users.id IN (SELECT user_id FROM temp.pull_protected_users)";
    // A moved-aside UPN starts with char(1): it changes in any case.
    let searched = "(users.upn IS NOT p.upn COLLATE BINARY OR users.display_name IS NOT p.display_name \
          OR users.department IS NOT p.department)";
    let other = format!(
        "(users.usage_location IS NOT p.usage_location \
          OR users.last_sign_in IS NOT coalesce(p.last_sign_in, users.last_sign_in) \
          OR (NOT {keeps_flags} AND (users.enabled IS NOT p.enabled OR users.deleted <> 0)))"
    );
    let source = "users.source_id IS NOT p.source_id";
    let mark = "users.connector_id IS NOT ?1";
    super::timed("users: diff", || {
        conn.execute(
            &format!(
                "INSERT INTO temp.pull_user_diff (user_id, searched, other, source, mark) \
                 SELECT users.id, {searched}, {other}, {source}, {mark} \
                 FROM {REPORTED_BY_ID} CROSS JOIN users ON users.id = p.user_id \
                 WHERE {searched} OR {other} OR {source} OR {mark}"
            ),
            [a.connector_id],
        )
    })?;
    summary.users.updated += conn.query_row(
        "SELECT count(*) FROM temp.pull_user_diff WHERE searched OR other",
        [],
        |row| row.get::<_, i64>(0),
    )?;
    let differing = |column: &str| {
        format!(
            "(SELECT p.* FROM temp.pull_user_diff d CROSS JOIN temp.pull_reported p ON p.user_id = d.user_id \
              WHERE d.{column} ORDER BY d.user_id) AS p"
        )
    };
    let writes = [
        (
            "searched",
            "upn = p.upn, display_name = p.display_name, department = p.department".to_owned(),
        ),
        (
            "other",
            format!(
                "usage_location = p.usage_location, last_sign_in = coalesce(p.last_sign_in, users.last_sign_in), \
                 enabled = CASE WHEN {keeps_flags} THEN users.enabled ELSE p.enabled END, \
                 deleted = CASE WHEN {keeps_flags} THEN users.deleted ELSE 0 END"
            ),
        ),
        ("source", "source_id = p.source_id".to_owned()),
    ];
    for (column, set) in writes {
        super::timed(&format!("users: write {column}"), || {
            conn.execute(
                &format!(
                    "UPDATE users SET {set} FROM {} WHERE users.id = p.user_id",
                    differing(column)
                ),
                [],
            )
        })?;
    }
    super::timed("users: write mark", || {
        conn.execute(
            "UPDATE users SET connector_id = ?1 WHERE id IN (SELECT user_id FROM temp.pull_user_diff WHERE mark)",
            [a.connector_id],
        )
    })?;
    Ok(())
}

fn left(a: &Apply<'_>, which: &str) -> rusqlite::Result<Vec<LeftUser>> {
    let mut stmt = a.conn.prepare(&format!(
        "SELECT u.id, u.upn FROM temp.pull_left l JOIN users u ON u.id = l.user_id WHERE {which} ORDER BY u.upn"
    ))?;
    let rows = stmt.query_map([], |row| {
        Ok(LeftUser {
            user_id: row.get(0)?,
            upn: row.get(1)?,
        })
    })?;
    rows.collect()
}
