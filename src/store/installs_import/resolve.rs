//! The rows of an installs file against the cache: each app (a pool id, or
//! an app's or pool's name), user (UPN) and device (name or serial number)
//! must be one the cache knows, the state one of four, the time RFC 3339.
//! Every problem is listed by line and column; none is guessed past.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::Problem;
use super::read::{Line, Read, STATES, when};
use crate::store::sync_state::stamp;

/// One install as the cache will hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Install {
    pub app_id: i64,
    pub user_id: Option<i64>,
    pub device_id: Option<i64>,
    pub state: String,
    /// RFC 3339; None: the time of the import.
    pub when: Option<String>,
    pub error: Option<String>,
}

/// Every row resolved, or every problem found.
pub(super) fn resolve(conn: &Connection, read: &Read) -> Result<Vec<Install>, Vec<Problem>> {
    let mut lookup = Lookup::default();
    let mut problems = Vec::new();
    let mut installs = Vec::with_capacity(read.lines.len());
    let mut seen: HashMap<(i64, Option<i64>, Option<i64>), usize> = HashMap::new();
    for line in &read.lines {
        let mut bad = |index: usize, what: String| {
            problems.push(Problem::at(line.line, read.column(index), what));
        };
        let found =
            row(conn, &mut lookup, line, &mut bad).map_err(|err| vec![Problem::file(err.to_string())])?;
        let Some(install) = found else {
            continue;
        };
        let key = (install.app_id, install.user_id, install.device_id);
        if let Some(first) = seen.insert(key, line.line) {
            bad(
                0,
                format!("repeats line {first} (the same app, user and device); keep one of them"),
            );
            continue;
        }
        installs.push(install);
    }
    if problems.is_empty() {
        Ok(installs)
    } else {
        Err(problems)
    }
}

/// One row, or None after telling `bad` (column index, what) each problem.
fn row(
    conn: &Connection,
    lookup: &mut Lookup,
    line: &Line,
    bad: &mut impl FnMut(usize, String),
) -> rusqlite::Result<Option<Install>> {
    let [app, user, device, state, at, error] = &line.cells;
    let app_id = match app {
        None => {
            bad(
                0,
                "no app: give the app's pool id (`seats apps` lists them) or its name".to_owned(),
            );
            None
        }
        Some(app) => lookup.app(conn, app, bad)?,
    };
    let user_id = match user {
        Some(upn) => {
            let id = lookup.user(conn, upn)?;
            if id.is_none() {
                bad(1, format!("no user {upn:?} in the cache; give the user's UPN"));
            }
            id
        }
        None => None,
    };
    let device_id = match device {
        Some(name) => lookup.device(conn, name, bad)?,
        None => None,
    };
    if user.is_none() && device.is_none() {
        bad(
            1,
            "neither user nor device: give the user's UPN, the device's name or serial, or both".to_owned(),
        );
    }
    let state = state
        .as_deref()
        .map(|s| s.to_lowercase().replace(' ', "_"))
        .filter(|s| STATES.contains(&s.as_str()));
    if state.is_none() {
        let what = format!(
            "state {:?} is none of installed, pending, failed, not_installed",
            line.cells[3].as_deref().unwrap_or("")
        );
        bad(3, what);
    }
    let when = match at {
        Some(text) => match when(text) {
            Some(at) => Some(stamp(at)),
            None => {
                bad(
                    4,
                    format!("{text:?} is no RFC 3339 time; write it as 2026-11-30T08:15:00Z"),
                );
                return Ok(None);
            }
        },
        None => None,
    };
    let (Some(app_id), Some(state)) = (app_id, state) else {
        return Ok(None);
    };
    if (user.is_some() && user_id.is_none()) || (device.is_some() && device_id.is_none()) {
        return Ok(None);
    }
    Ok(Some(Install {
        app_id,
        user_id,
        device_id,
        state,
        when,
        error: error.clone(),
    }))
}

/// Names already looked up, so a file of many rows per app asks once.
#[derive(Default)]
struct Lookup {
    apps: HashMap<String, Vec<i64>>,
    users: HashMap<String, Option<i64>>,
    devices: HashMap<String, Vec<i64>>,
}

impl Lookup {
    fn app(
        &mut self,
        conn: &Connection,
        text: &str,
        bad: &mut impl FnMut(usize, String),
    ) -> rusqlite::Result<Option<i64>> {
        let key = text.to_lowercase();
        if !self.apps.contains_key(&key) {
            let sql = "SELECT app_id FROM pools WHERE app_id IS NOT NULL AND CAST(id AS TEXT) = ?1 \
                       UNION SELECT id FROM apps WHERE name = ?1 COLLATE NOCASE \
                       UNION SELECT app_id FROM pools WHERE app_id IS NOT NULL AND name = ?1 COLLATE NOCASE";
            let ids = ids(conn, sql, text)?;
            self.apps.insert(key.clone(), ids);
        }
        let found = self.apps.get(&key).map(Vec::as_slice).unwrap_or_default();
        Ok(the_one(found, |many| {
            let why = match many {
                0 => format!(
                    "no app {text:?} in the cache; give its pool id (`seats apps` lists them) or its name"
                ),
                n => format!("{text:?} names {n} apps; give the pool id (`seats apps` lists them)"),
            };
            bad(0, why);
        }))
    }

    fn user(&mut self, conn: &Connection, upn: &str) -> rusqlite::Result<Option<i64>> {
        let key = upn.to_lowercase();
        if let Some(found) = self.users.get(&key) {
            return Ok(*found);
        }
        let found = ids(conn, "SELECT id FROM users WHERE upn = ?1 COLLATE NOCASE", upn)?
            .first()
            .copied();
        self.users.insert(key, found);
        Ok(found)
    }

    fn device(
        &mut self,
        conn: &Connection,
        text: &str,
        bad: &mut impl FnMut(usize, String),
    ) -> rusqlite::Result<Option<i64>> {
        let key = text.to_lowercase();
        if !self.devices.contains_key(&key) {
            let sql =
                "SELECT id FROM devices WHERE name = ?1 COLLATE NOCASE OR serial_number = ?1 COLLATE NOCASE";
            let ids = ids(conn, sql, text)?;
            self.devices.insert(key.clone(), ids);
        }
        let found = self.devices.get(&key).map(Vec::as_slice).unwrap_or_default();
        Ok(the_one(found, |many| {
            let why = match many {
                0 => format!("no device {text:?} in the cache; give its name or serial number"),
                _ => format!("{text:?} names more than one device; give its serial number"),
            };
            bad(2, why);
        }))
    }
}

/// The one id a name found; otherwise `refuse` is told how many (none or
/// several) and there is none.
fn the_one(found: &[i64], refuse: impl FnOnce(usize)) -> Option<i64> {
    match found {
        [one] => Some(*one),
        _ => {
            refuse(found.len());
            None
        }
    }
}

/// The ids a one-parameter query answers.
fn ids(conn: &Connection, sql: &str, value: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![value], |row| row.get(0))?;
    rows.collect()
}
