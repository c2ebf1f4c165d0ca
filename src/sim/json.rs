//! Graph's user object: which properties exist, which come without
//! `$select`, and how the seats rows become `assignedLicenses` and
//! `licenseAssignmentStates`.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::rng::derived_guid;

/// Properties of `microsoft.graph.user` the simulator knows.
pub(crate) const USER_PROPS: &[&str] = &[
    "id",
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "mail",
    "accountEnabled",
    "usageLocation",
    "department",
    "officeLocation",
    "jobTitle",
    "businessPhones",
    "mobilePhone",
    "preferredLanguage",
    "userType",
    "assignedLicenses",
    "licenseAssignmentStates",
    "signInActivity",
];

/// What `GET /users` returns without `$select` (Graph v1.0's default set;
/// licenses and accountEnabled only come when selected).
pub(crate) const USER_DEFAULT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// One user row.
#[derive(Debug, Clone)]
pub(crate) struct UserRow {
    pub row: i64,
    pub id: String,
    pub upn: String,
    pub display_name: String,
    pub department: Option<String>,
    pub usage_location: Option<String>,
    pub enabled: bool,
    pub deleted: bool,
    pub last_sign_in: Option<String>,
}

const USER_COLUMNS: &str =
    "id, source_id, upn, display_name, department, usage_location, enabled, deleted, last_sign_in";

fn user_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        row: row.get(0)?,
        id: row.get(1)?,
        upn: row.get(2)?,
        display_name: row.get(3)?,
        department: row.get(4)?,
        usage_location: row.get(5)?,
        enabled: row.get(6)?,
        deleted: row.get(7)?,
        last_sign_in: row.get(8)?,
    })
}

/// Up to `limit` listed users after row id `after`, in id order.
pub(crate) fn users_after(conn: &Connection, after: i64, limit: usize) -> rusqlite::Result<Vec<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE deleted = 0 AND id > ?1 ORDER BY id LIMIT ?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![after, limit as i64], user_row)?;
    rows.collect()
}

/// The users with these row ids (deleted ones too), in id order.
pub(crate) fn users_by_rows(conn: &Connection, rows: &[i64]) -> rusqlite::Result<Vec<UserRow>> {
    let sql =
        format!("SELECT {USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let found = stmt.query_map([ids_json(rows)], user_row)?;
    found.collect()
}

/// A listed user by object id or UPN.
pub(crate) fn user_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<UserRow>> {
    use rusqlite::OptionalExtension as _;
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE deleted = 0 AND (source_id = ?1 OR upn = ?1 COLLATE NOCASE)"
    );
    conn.prepare_cached(&sql)?.query_row([key], user_row).optional()
}

fn ids_json(rows: &[i64]) -> String {
    serde_json::to_string(rows).unwrap_or_else(|_| "[]".to_owned())
}

/// One seat row of a Graph SKU.
#[derive(Debug, Clone)]
pub(crate) struct LicenseRow {
    pub sku_id: String,
    pub direct: bool,
    pub group: Option<String>,
    pub state: String,
    pub error: Option<String>,
    pub at: String,
}

/// The Graph seat rows of these users, by user row id.
pub(crate) fn licenses_of(
    conn: &Connection,
    users: &[i64],
) -> rusqlite::Result<HashMap<i64, Vec<LicenseRow>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.user_id, p.sku_id, a.direct, g.source_id, a.state, a.error, a.assigned_at \
         FROM assignments a JOIN pools p ON p.id = a.pool_id LEFT JOIN groups g ON g.id = a.via_group_id \
         WHERE a.user_id IN (SELECT value FROM json_each(?1)) AND p.source = 'graph' AND p.sku_id IS NOT NULL \
         ORDER BY a.user_id, p.id",
    )?;
    let rows = stmt.query_map([ids_json(users)], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            LicenseRow {
                sku_id: row.get(1)?,
                direct: row.get(2)?,
                group: row.get(3)?,
                state: row.get(4)?,
                error: row.get(5)?,
                at: row.get(6)?,
            },
        ))
    })?;
    let mut out: HashMap<i64, Vec<LicenseRow>> = HashMap::new();
    for row in rows {
        let (user, license) = row?;
        out.entry(user).or_default().push(license);
    }
    Ok(out)
}

/// Whether these properties need the seat rows.
pub(crate) fn needs_licenses(select: &[&str]) -> bool {
    select.contains(&"assignedLicenses") || select.contains(&"licenseAssignmentStates")
}

/// The user object with the selected properties (`id` first when asked).
pub(crate) fn user_json(user: &UserRow, licenses: &[LicenseRow], select: &[&str], with_id: bool) -> Value {
    let mut out = Map::new();
    if with_id {
        out.insert("id".into(), json!(user.id));
    }
    let (given, surname) = match user.display_name.split_once(' ') {
        Some((first, rest)) => (Some(first), Some(rest)),
        None => (None, None),
    };
    for prop in select {
        let value = match *prop {
            "id" => json!(user.id),
            "userPrincipalName" => json!(user.upn),
            "displayName" => json!(user.display_name),
            "givenName" => json!(given),
            "surname" => json!(surname),
            "mail" => json!(user.upn),
            "accountEnabled" => json!(user.enabled),
            "usageLocation" => json!(user.usage_location),
            "department" => json!(user.department),
            "businessPhones" => json!([]),
            "userType" => json!("Member"),
            "assignedLicenses" => assigned_licenses(licenses),
            "licenseAssignmentStates" => assignment_states(licenses),
            "signInActivity" => sign_in_activity(user),
            _ => Value::Null,
        };
        out.insert((*prop).to_owned(), value);
    }
    Value::Object(out)
}

/// Held seats, one per SKU, as `{skuId, disabledPlans}`.
fn assigned_licenses(licenses: &[LicenseRow]) -> Value {
    let held = licenses.iter().filter(|l| l.state != "error");
    Value::Array(
        held.map(|l| json!({"disabledPlans": [], "skuId": l.sku_id}))
            .collect(),
    )
}

/// One state per way a seat reaches the user: direct, and through its group.
fn assignment_states(licenses: &[LicenseRow]) -> Value {
    let mut out = Vec::new();
    for l in licenses {
        let (state, error) = match (l.state.as_str(), &l.error) {
            ("error", error) => ("Error", error.clone().unwrap_or_else(|| "Other".to_owned())),
            // The live service says "None" where the docs say null.
            _ => ("Active", "None".to_owned()),
        };
        let state_of = |group: Option<&String>| {
            json!({
                "assignedByGroup": group,
                "disabledPlans": [],
                "error": error,
                "lastUpdatedDateTime": l.at,
                "skuId": l.sku_id,
                "state": state,
            })
        };
        if l.direct || l.group.is_none() {
            out.push(state_of(None));
        }
        if let Some(group) = &l.group {
            out.push(state_of(Some(group)));
        }
    }
    Value::Array(out)
}

fn sign_in_activity(user: &UserRow) -> Value {
    let request = user
        .last_sign_in
        .as_ref()
        .map(|_| derived_guid(0, "sign-in", user.row));
    json!({
        "lastSignInDateTime": user.last_sign_in,
        "lastSignInRequestId": request,
        "lastNonInteractiveSignInDateTime": user.last_sign_in,
        "lastNonInteractiveSignInRequestId": request,
        "lastSuccessfulSignInDateTime": user.last_sign_in,
        "lastSuccessfulSignInRequestId": request,
    })
}
