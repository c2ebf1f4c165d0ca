//! Graph's user object: which properties exist, which come without
//! `$select`, and how the seats rows become `assignedLicenses` and
//! `licenseAssignmentStates`.

use std::collections::HashMap;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

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

/// A listed user by object id or UPN. Two lookups, one per index: SQLite
/// planned the single `source_id = ?1 OR upn = ?1` beside `deleted = 0` as
/// a walk over every user, once per request naming a user (each
/// assignLicense of a push), which grew with the tenant (issue 11).
pub(crate) fn user_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<UserRow>> {
    use rusqlite::OptionalExtension as _;
    for column in ["source_id", "upn"] {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {column} = ?1 AND deleted = 0");
        let found = conn.prepare_cached(&sql)?.query_row([key], user_row).optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
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
    serde_json::to_value(UserOut {
        user,
        licenses,
        select,
        with_id,
    })
    .unwrap_or_default()
}

/// A user as Graph writes it, serialized straight from its row: a page of
/// users is written without building a tree of JSON values first (at a
/// million users the simulator spent most of a page's time allocating and
/// freeing those trees).
pub(crate) struct UserOut<'a> {
    pub user: &'a UserRow,
    pub licenses: &'a [LicenseRow],
    pub select: &'a [&'a str],
    pub with_id: bool,
}

impl Serialize for UserOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let user = self.user;
        let mut map = serializer.serialize_map(None)?;
        if self.with_id {
            map.serialize_entry("id", &user.id)?;
        }
        let (given, surname) = match user.display_name.split_once(' ') {
            Some((first, rest)) => (Some(first), Some(rest)),
            None => (None, None),
        };
        for prop in self.select {
            match *prop {
                "id" if self.with_id => {}
                "id" => map.serialize_entry(prop, &user.id)?,
                "userPrincipalName" | "mail" => map.serialize_entry(prop, &user.upn)?,
                "displayName" => map.serialize_entry(prop, &user.display_name)?,
                "givenName" => map.serialize_entry(prop, &given)?,
                "surname" => map.serialize_entry(prop, &surname)?,
                "accountEnabled" => map.serialize_entry(prop, &user.enabled)?,
                "usageLocation" => map.serialize_entry(prop, &user.usage_location)?,
                "department" => map.serialize_entry(prop, &user.department)?,
                "businessPhones" => map.serialize_entry(prop, &NO_ITEMS)?,
                "userType" => map.serialize_entry(prop, "Member")?,
                "assignedLicenses" => map.serialize_entry(prop, &AssignedOut(self.licenses))?,
                "licenseAssignmentStates" => map.serialize_entry(prop, &StatesOut(self.licenses))?,
                "signInActivity" => map.serialize_entry(prop, &sign_in_activity(user))?,
                _ => map.serialize_entry(prop, &())?,
            }
        }
        map.end()
    }
}

/// An empty JSON list.
const NO_ITEMS: [u8; 0] = [];

/// Held seats, one per SKU, as `{skuId, disabledPlans}`.
struct AssignedOut<'a>(&'a [LicenseRow]);

impl Serialize for AssignedOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Assigned<'a> {
            disabled_plans: [u8; 0],
            sku_id: &'a str,
        }
        let held = self.0.iter().filter(|l| l.state != "error");
        serializer.collect_seq(held.map(|l| Assigned {
            disabled_plans: NO_ITEMS,
            sku_id: &l.sku_id,
        }))
    }
}

/// One state per way a seat reaches the user: direct, and through its group.
struct StatesOut<'a>(&'a [LicenseRow]);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StateOut<'a> {
    assigned_by_group: Option<&'a str>,
    disabled_plans: [u8; 0],
    error: &'a str,
    last_updated_date_time: &'a str,
    sku_id: &'a str,
    state: &'a str,
}

impl Serialize for StatesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::new();
        for l in self.0 {
            let (state, error) = match l.state.as_str() {
                "error" => ("Error", l.error.as_deref().unwrap_or("Other")),
                // The live service says "None" where the docs say null.
                _ => ("Active", "None"),
            };
            let direct = (l.direct || l.group.is_none()).then_some(None);
            let via_group = l.group.as_deref().map(Some);
            for group in direct.into_iter().chain(via_group) {
                out.push(StateOut {
                    assigned_by_group: group,
                    disabled_plans: NO_ITEMS,
                    error,
                    last_updated_date_time: &l.at,
                    sku_id: &l.sku_id,
                    state,
                });
            }
        }
        serializer.collect_seq(out)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInOut<'a> {
    last_sign_in_date_time: Option<&'a str>,
    last_sign_in_request_id: Option<&'a str>,
    last_non_interactive_sign_in_date_time: Option<&'a str>,
    last_non_interactive_sign_in_request_id: Option<&'a str>,
    last_successful_sign_in_date_time: Option<&'a str>,
    last_successful_sign_in_request_id: Option<&'a str>,
}

fn sign_in_activity(user: &UserRow) -> SignInOutOwned {
    SignInOutOwned {
        at: user.last_sign_in.clone(),
        request: user
            .last_sign_in
            .as_ref()
            .map(|_| derived_guid(0, "sign-in", user.row)),
    }
}

/// `signInActivity`: the request id is derived, so it is owned.
struct SignInOutOwned {
    at: Option<String>,
    request: Option<String>,
}

impl Serialize for SignInOutOwned {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (at, request) = (self.at.as_deref(), self.request.as_deref());
        SignInOut {
            last_sign_in_date_time: at,
            last_sign_in_request_id: request,
            last_non_interactive_sign_in_date_time: at,
            last_non_interactive_sign_in_request_id: request,
            last_successful_sign_in_date_time: at,
            last_successful_sign_in_request_id: request,
        }
        .serialize(serializer)
    }
}
