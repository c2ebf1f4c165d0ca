//! Groups, their members and their licenses. When the pull lists groups,
//! each is upserted by its source id (never adopted by name: a local group
//! of the same name stays local, and the source's group gets its id's
//! first characters after its name, as group names are unique here but not
//! at the source); its kind follows its direct members (users, devices or
//! both); the connector's groups the pull did not list are removed (their
//! memberships and grants go with them; seats that pointed at them keep
//! their row). Every listed group's members become exactly those staged
//! for it; members the cache does not know (a device Graph reports but no
//! connector brought) are skipped with a note. Group licenses become
//! grants of the connector's pools (intent required); a grant a pending
//! local change touches is left alone.

use rusqlite::{OptionalExtension, params};

use super::{Apply, PullError, SyncSummary};

/// Upserts the listed groups, removes the connector's unlisted ones, and
/// resolves every group a license comes through.
pub(super) fn apply(a: &Apply<'_>, summary: &mut SyncSummary) -> Result<(), PullError> {
    if a.groups_listed {
        for (source_id, name) in listed(a)? {
            upsert(a, &source_id, &name, summary)?;
        }
        let mut stmt = a.conn.prepare(
            "DELETE FROM groups WHERE connector_id = ?1 AND id NOT IN (SELECT group_id FROM temp.pull_group_map) \
             RETURNING name",
        )?;
        let gone = stmt
            .query_map([a.connector_id], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        summary.groups.removed += gone.len() as i64;
    }
    a.conn.execute(
        "INSERT INTO temp.pull_group_ref (n, group_id) \
         SELECT r.n, coalesce((SELECT m.group_id FROM temp.pull_group_map m WHERE m.source_id = r.id), \
                              (SELECT g.id FROM groups g WHERE g.source_id = r.id \
                               ORDER BY g.connector_id IS ?1 DESC, g.id LIMIT 1)) \
         FROM temp.pull_refs r WHERE r.kind = 'g'",
        [a.connector_id],
    )?;
    Ok(())
}

fn listed(a: &Apply<'_>) -> rusqlite::Result<Vec<(String, String)>> {
    let mut stmt = a
        .conn
        .prepare("SELECT source_id, name FROM temp.pull_groups ORDER BY source_id")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

fn upsert(a: &Apply<'_>, source_id: &str, wanted: &str, summary: &mut SyncSummary) -> rusqlite::Result<()> {
    let existing: Option<(i64, String, String)> = a
        .conn
        .query_row(
            "SELECT id, name, kind FROM groups WHERE source_id = ?1 ORDER BY connector_id IS ?2 DESC, id LIMIT 1",
            params![source_id, a.connector_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let own = existing.as_ref().map(|e| e.0);
    let name = free_name(a, wanted, source_id, own)?;
    if name != wanted {
        summary.notes.push(format!(
            "group {wanted:?} is kept as {name:?}: another group in the cache has that name"
        ));
    }
    let kind = kind_of(a, source_id, existing.as_ref().map(|e| e.2.as_str()))?;
    let id = match existing {
        Some((id, old_name, old_kind)) => {
            if old_name != name || old_kind != kind {
                summary.groups.updated += 1;
            }
            a.conn.execute(
                "UPDATE groups SET name = ?2, kind = ?3, connector_id = ?4 WHERE id = ?1 \
                 AND (name IS NOT ?2 OR kind IS NOT ?3 OR connector_id IS NOT ?4)",
                params![id, name, kind, a.connector_id],
            )?;
            id
        }
        None => {
            a.conn.execute(
                "INSERT INTO groups (name, kind, source_id, connector_id) VALUES (?1, ?2, ?3, ?4)",
                params![name, kind, source_id, a.connector_id],
            )?;
            summary.groups.added += 1;
            a.conn.last_insert_rowid()
        }
    };
    a.conn.execute(
        "INSERT INTO temp.pull_group_map (source_id, group_id) VALUES (?1, ?2)",
        params![source_id, id],
    )?;
    Ok(())
}

/// The wanted name, or with the source id's start (then the whole id)
/// after it when another group has it.
fn free_name(a: &Apply<'_>, wanted: &str, source_id: &str, own: Option<i64>) -> rusqlite::Result<String> {
    let short: String = source_id.chars().take(8).collect();
    let candidates = [
        wanted.to_owned(),
        format!("{wanted} ({short})"),
        format!("{wanted} ({source_id})"),
    ];
    for candidate in &candidates {
        let taken: bool = a.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM groups WHERE name = ?1 AND id IS NOT ?2)",
            params![candidate, own],
            |row| row.get(0),
        )?;
        if !taken {
            return Ok(candidate.clone());
        }
    }
    Ok(candidates[2].clone())
}

/// 'user', 'device' or 'mixed' from the staged direct members; a group of
/// groups (or empty) keeps its kind, or is a user group when new.
fn kind_of(a: &Apply<'_>, source_id: &str, old: Option<&str>) -> rusqlite::Result<String> {
    let (users, devices): (bool, bool) = a.conn.query_row(
        "SELECT coalesce(max(kind = 'user'), 0), coalesce(max(kind = 'device'), 0) FROM temp.pull_members \
         WHERE group_source_id = ?1",
        [source_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(match (users, devices) {
        (true, true) => "mixed",
        (false, true) => "device",
        (true, false) => "user",
        (false, false) => old.unwrap_or("user"),
    }
    .to_owned())
}

/// One kind of member: its lookup by source id (`pm.source_id`), its
/// membership table (0025) and member column, and the staged pairs.
struct MemberKind {
    kind: &'static str,
    lookup: String,
    table: &'static str,
    column: &'static str,
    want: &'static str,
}

fn member_kinds(a: &Apply<'_>) -> [MemberKind; 3] {
    [
        // A user is looked up first among the users this pull matched
        // (`pull_match`, staged, by source id: the same row the users step
        // left with that source id and this connector's mark), so the users
        // table is read only for a member the pull did not report.
        MemberKind {
            kind: "user",
            lookup: format!(
                "coalesce((SELECT m.user_id FROM temp.pull_match m WHERE m.source_id = pm.source_id), {})",
                super::people::by_source_id(&a.connector_id.to_string(), "pm.source_id")
            ),
            table: "group_user_members",
            column: "user_id",
            want: "pull_want_users",
        },
        MemberKind {
            kind: "device",
            lookup: "(SELECT d.id FROM devices d WHERE d.source_id = pm.source_id ORDER BY d.id LIMIT 1)"
                .to_owned(),
            table: "group_device_members",
            column: "device_id",
            want: "pull_want_devices",
        },
        MemberKind {
            kind: "group",
            lookup:
                "coalesce((SELECT c.group_id FROM temp.pull_group_map c WHERE c.source_id = pm.source_id), \
                   (SELECT g.id FROM groups g WHERE g.source_id = pm.source_id ORDER BY g.id LIMIT 1))"
                    .to_owned(),
            table: "group_child_groups",
            column: "child_group_id",
            want: "pull_want_groups",
        },
    ]
}

/// Makes every listed group's members exactly the staged ones, kind by
/// kind. The staged members are looked up once each and sorted into the
/// key order of the membership tables, as (group, member) integer pairs
/// (`pull_want_users` …), so both comparisons walk the two sides forward
/// together, and only the pairs that differ are written: a pull that
/// changes no membership writes none.
pub(super) fn apply_members(a: &Apply<'_>, summary: &mut SyncSummary) -> Result<(), PullError> {
    if !a.groups_listed {
        return Ok(());
    }
    let conn = a.conn;
    let mut unknown = 0;
    for k in member_kinds(a) {
        unknown += want_members(a, &k)?;
        let (table, column, want) = (k.table, k.column, k.want);
        summary.members.removed += super::timed("members: delete", || {
            conn.execute(
                &format!(
                    "DELETE FROM {table} WHERE group_id IN (SELECT group_id FROM temp.pull_group_map) \
                     AND NOT EXISTS (SELECT 1 FROM temp.{want} w WHERE w.group_id = {table}.group_id \
                       AND w.member_id = {table}.{column})"
                ),
                [],
            )
        })? as i64;
        summary.members.added += super::timed("members: insert", || {
            conn.execute(
                &format!(
                    "INSERT INTO {table} (group_id, {column}) SELECT w.group_id, w.member_id \
                     FROM temp.{want} w WHERE NOT EXISTS \
                       (SELECT 1 FROM {table} g WHERE g.group_id = w.group_id AND g.{column} = w.member_id)"
                ),
                [],
            )
        })? as i64;
    }
    if unknown > 0 {
        summary.notes.push(format!(
            "{unknown} group member{} skipped: not in the cache (a device or user no connector brought)",
            if unknown == 1 { " was" } else { "s were" }
        ));
    }
    Ok(())
}

/// Fills the kind's wanted pairs; returns how many staged members the
/// cache does not know. Each member is looked up once, in the INSERT (its
/// NOT NULL skips those not found, and a group listed as its own member):
/// the sort keeps each looked-up value, where a filter on it would look it
/// up again. Only when fewer pairs went in than were staged are the
/// unknown ones counted, by a second lookup.
fn want_members(a: &Apply<'_>, k: &MemberKind) -> rusqlite::Result<i64> {
    let (kind, lookup, want) = (k.kind, &k.lookup, k.want);
    let staged_members = format!(
        "FROM temp.pull_members pm JOIN temp.pull_group_map gm ON gm.source_id = pm.group_source_id \
         WHERE pm.kind = '{kind}'"
    );
    let self_member = if kind == "group" {
        "NULLIF(gm.group_id, member_id)"
    } else {
        "gm.group_id"
    };
    let added = super::timed("members: want", || {
        a.conn.execute(
            &format!(
                "INSERT OR IGNORE INTO temp.{want} (group_id, member_id) \
                 SELECT {self_member}, member_id FROM (SELECT gm.group_id, {lookup} AS member_id {staged_members}) gm \
                 ORDER BY 1, 2"
            ),
            [],
        )
    })? as i64;
    let staged: i64 = a
        .conn
        .query_row(&format!("SELECT count(*) {staged_members}"), [], |row| row.get(0))?;
    if staged == added {
        return Ok(0);
    }
    a.conn.query_row(
        &format!("SELECT count(*) {staged_members} AND {lookup} IS NULL"),
        [],
        |row| row.get(0),
    )
}

/// Makes the grants of the connector's pools to the listed groups exactly
/// the group licenses, except grants a pending local change touches.
pub(super) fn apply_grants(a: &Apply<'_>, summary: &mut SyncSummary) -> Result<(), PullError> {
    if !a.groups_listed {
        return Ok(());
    }
    let desired = "SELECT pm.pool_id, gm.group_id FROM temp.pull_groups g \
        JOIN temp.pull_group_map gm ON gm.source_id = g.source_id JOIN json_each(g.licenses) l \
        JOIN temp.pull_refs r ON r.n = l.value JOIN temp.pull_pool_map pm ON pm.sku_id = r.id";
    let protected = "EXISTS (SELECT 1 FROM temp.pull_protected_grants p WHERE p.pool_id = x.pool_id \
        AND p.group_id = x.group_id)";
    let missing = format!(
        "FROM ({desired}) x WHERE NOT EXISTS (SELECT 1 FROM group_assignments ga \
           WHERE ga.pool_id = x.pool_id AND ga.group_id = x.group_id)"
    );
    let extra = format!(
        "FROM group_assignments x WHERE x.group_id IN (SELECT group_id FROM temp.pull_group_map) \
           AND x.pool_id IN (SELECT id FROM pools WHERE connector_id = ?1 AND kind = 'm365') \
           AND NOT EXISTS (SELECT 1 FROM ({desired}) d WHERE d.pool_id = x.pool_id AND d.group_id = x.group_id)"
    );
    let skipped: i64 = a.conn.query_row(
        &format!(
            "SELECT (SELECT count(*) {missing} AND {protected}) + (SELECT count(*) {extra} AND {protected})"
        ),
        [a.connector_id],
        |row| row.get(0),
    )?;
    summary.skipped_pending += skipped;
    summary.grants.removed += a.conn.execute(
        &format!(
            "DELETE FROM group_assignments WHERE (pool_id, group_id) IN \
             (SELECT x.pool_id, x.group_id {extra} AND NOT {protected})"
        ),
        [a.connector_id],
    )? as i64;
    summary.grants.added += a.conn.execute(
        &format!(
            "INSERT OR IGNORE INTO group_assignments (pool_id, group_id, intent, assigned_at, assigned_by) \
             SELECT DISTINCT x.pool_id, x.group_id, 'required', ?1, ?2 {missing} AND NOT {protected}"
        ),
        params![a.at, super::SYNC_ACTOR],
    )? as i64;
    Ok(())
}
