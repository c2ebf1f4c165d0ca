//! Previews of app settings: an intent change (R-APP-7) — who changes,
//! what the new intent means for the deployment, which seats an uninstall
//! frees at once —, an offline app's install scope (R-APP-4) and a Store
//! connector's language (R-CON-1), and the agreement changes (R-AGR-6,
//! R-AGR-7, R-AGR-10..12).

use rusqlite::{Connection, OptionalExtension as _};

use super::{line, listed};
use crate::app::dialogs::{Preview, PreviewLine};
use crate::domain::agreement_entry::OtherAgreement;
use crate::domain::store_business::valid_language;
use crate::store::agreements_entry::{self, GroupChoice};
use crate::store::changes::{ChangeError, IntentPlan};

/// What each intent asks of whoever deploys the app (R-APP-5: the store
/// for online apps, the device management for offline ones; seats deploys
/// nothing and learns installs from `seats import installs`).
fn meaning(intent: &str) -> &'static str {
    match intent {
        "required" => "required: to be installed for them by the store or your device management",
        "available" => "available: they may install it themselves from the company portal",
        _ => {
            "uninstall: to be removed by your device management; each seat is freed once a report \
             (seats import installs) no longer lists the app for it"
        }
    }
}

pub fn intent(plans: &[IntentPlan], intent: &str) -> Preview {
    let changing: usize = plans.iter().map(|p| p.changing).sum();
    let unchanged: usize = plans.iter().map(|p| p.unchanged).sum();
    let frees: usize = plans.iter().map(|p| p.frees_now).sum();
    let s = if changing == 1 { "" } else { "s" };
    let mut head = format!("sets {changing} seat{s} to {intent}");
    if unchanged > 0 {
        head.push_str(&format!("; {unchanged} already have it"));
    }
    let mut lines: Vec<PreviewLine> = vec![line(head), line(meaning(intent))];
    for plan in plans.iter().filter(|p| p.changing > 0) {
        lines.push(line(format!("{}: {}", plan.pool_name, listed(&plan.names))));
    }
    if intent == "uninstall" {
        let grouped: usize = plans.iter().map(|p| p.via_group).sum();
        let installed = changing.saturating_sub(frees + grouped);
        let mut text = format!(
            "frees {frees} seat{} now (no install of it reported)",
            if frees == 1 { "" } else { "s" }
        );
        if installed > 0 {
            text.push_str(&format!(
                "; {installed} still installed: freed once their installs report it removed"
            ));
        }
        lines.push(line(text));
        if grouped > 0 {
            lines.push(super::alarm(format!(
                "{grouped} held through a group keep their seat while the group is assigned: \
                 unassign the group to free them"
            )));
        }
    }
    let mut kept = "the intent is kept in seats: Apple and the Store have none".to_owned();
    if intent == "uninstall" && frees > 0 {
        kept.push_str("; a seat it frees is released at the source like any release");
    }
    lines.push(line(kept));
    // t, Enter and Esc are the footer's (`ui::dialogs::preview_keys`).
    let refusal = (changing == 0).then(|| format!("nothing to change: those seats are already {intent}"));
    Preview {
        title: "Change intent (confirm)".into(),
        lines,
        refusal,
    }
}

/// What `:language TAG` would do to Store connector `id`.
pub fn language(conn: &Connection, id: i64, tag: &str) -> Result<Preview, ChangeError> {
    let found: Option<(String, String, Option<String>)> = conn
        .query_row(
            "SELECT name, kind, language FROM connectors WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((name, kind, before)) = found else {
        return Err(ChangeError::NotFound(format!("no connector with id {id}")));
    };
    let before = before.unwrap_or_else(|| "the store's default".to_owned());
    let refusal = if kind != "store_business" {
        Some(format!("{name} is not a Store for Business connector"))
    } else if !valid_language(tag) {
        Some(format!(
            "{tag:?} is not a language tag: give one like en-US or de-DE"
        ))
    } else {
        None
    };
    Ok(Preview {
        title: "App name language (confirm)".into(),
        lines: vec![
            line(format!("{name}: app names in {before} → {tag}")),
            line("the next sync (r) renames the apps; apps still install in each user's own language"),
        ],
        refusal,
    })
}

/// What `p` would do to offline app `app_id` (R-APP-4).
pub fn install_scope(conn: &Connection, app_id: i64, scope: &str) -> Result<Preview, ChangeError> {
    let (name, before, refusal) = match crate::store::app_settings::check(conn, app_id) {
        Ok((name, before)) => (name, before.unwrap_or_else(|| "user".to_owned()), None),
        Err(err) => (format!("app #{app_id}"), String::new(), Some(err.to_string())),
    };
    let meaning = if scope == "device" {
        "per device: installed for every user who signs in to a device it is deployed to"
    } else {
        "per user: installed for the one user it is deployed to, on their devices"
    };
    Ok(Preview {
        title: "Install scope (confirm)".into(),
        lines: vec![
            line(format!("{name}: installs per {before} → per {scope}")),
            line(meaning),
            line(
                "kept in seats as a record for your device management, which deploys it; seats held stay as they are",
            ),
        ],
        refusal,
    })
}

/// What deleting agreement `id` would do (R-AGR-12).
pub fn delete_agreement(conn: &Connection, id: i64) -> Preview {
    match crate::store::agreements_manage::describe(conn, id) {
        Ok((name, kind, group, sets)) => Preview {
            title: "Delete agreement (confirm)".into(),
            lines: vec![
                line(format!(
                    "deletes {name} ({kind}, group {group}) with its {sets} number sets"
                )),
                line("its licenses leave every coverage report; an import or entry by hand brings it back"),
            ],
            refusal: None,
        },
        Err(err) => refused("Delete agreement", err.to_string()),
    }
}

/// What moving agreement `id` to `group` would do (R-AGR-12).
pub fn move_agreement(conn: &Connection, id: i64, group: &str) -> Preview {
    let found = crate::store::agreements_manage::describe(conn, id)
        .and_then(|a| Ok((a, crate::store::license_groups::find(conn, group)?)));
    match found {
        Ok(((name, _, from, _), (_, _, to))) if from == to => {
            refused("Move agreement", format!("{name} is in {to} already"))
        }
        Ok(((name, _, from, _), (_, _, to))) => Preview {
            title: "Move agreement (confirm)".into(),
            lines: vec![
                line(format!("moves {name} from {from} to {to}")),
                line("its licenses count in that group's purchase reports from now on"),
            ],
            refusal: None,
        },
        Err(err) => refused("Move agreement", err.to_string()),
    }
}

fn refused(title: &str, why: String) -> Preview {
    Preview {
        title: title.into(),
        lines: Vec::new(),
        refusal: Some(why),
    }
}

/// What `:group …` would do (R-AGR-7, R-AGR-12); the rules are checked
/// when it is applied, and a refusal shows in this dialog.
pub fn license_group(conn: &Connection, op: &crate::app::dialogs::GroupOp) -> Preview {
    use crate::app::dialogs::GroupOp;
    let text = match op {
        GroupOp::Add(name) => format!("makes the license group {name:?} (at most 500)"),
        GroupOp::Rename { old, new } => format!("renames the license group {old:?} to {new:?}"),
        GroupOp::Remove(name) => {
            let agreements: i64 = conn
                .query_row(
                    "SELECT count(*) FROM agreements a JOIN license_groups g ON g.id = a.license_group_id \
                     WHERE g.name = ?1 COLLATE NOCASE",
                    [name],
                    |r| r.get(0),
                )
                .unwrap_or(0);
            format!(
                "removes the license group {name:?}; its {agreements} agreements move to \"Unassigned agreements\""
            )
        }
    };
    Preview {
        title: "License group (confirm)".into(),
        lines: vec![line(text)],
        refusal: None,
    }
}

/// What adding a volume agreement by hand would do (R-AGR-6, R-AGR-7).
pub fn add_volume(conn: &Connection, name: &str, pairs: &[(String, String)], group: &GroupChoice) -> Preview {
    let title = "Add volume agreement (confirm)";
    let (group, new_group) = match agreements_entry::plan_volume(conn, name, pairs, group) {
        Ok(planned) => planned,
        Err(err) => return refused(title, err.to_string()),
    };
    let n = pairs.len();
    let mut lines = vec![line(format!(
        "adds the volume agreement {} with {n} number set{} to {group:?}{}",
        name.trim(),
        if n == 1 { "" } else { "s" },
        if new_group { ", a group made now" } else { "" }
    ))];
    lines.extend(pairs.iter().take(12).map(|(a, b)| line(format!("  {a}, {b}"))));
    if n > 12 {
        lines.push(line(format!("  …and {} more", n - 12)));
    }
    lines.push(line(
        "its sets are validated against the last imported entitlements export right after (R-AGR-8)",
    ));
    Preview {
        title: title.into(),
        lines,
        refusal: None,
    }
}

/// What saving an other-software agreement would do (R-AGR-10, R-AGR-11).
pub fn save_other(
    conn: &Connection,
    id: Option<i64>,
    other: &OtherAgreement,
    group: &GroupChoice,
) -> Preview {
    let title = if id.is_some() {
        "Edit agreement (confirm)"
    } else {
        "Add other-software agreement (confirm)"
    };
    let plan = match agreements_entry::plan_other(conn, id, other, group) {
        Ok(plan) => plan,
        Err(err) => return refused(title, err.to_string()),
    };
    let what = format!(
        "{}: {} licenses of {} · {}",
        other.name.trim(),
        other.license_count,
        plan.publisher,
        plan.product
    );
    let mut lines = vec![line(match &plan.group {
        Some((group, new)) => format!(
            "adds {what} to {group:?}{}",
            if *new { ", a group made now" } else { "" }
        ),
        None => format!("saves {what}; its license group stays (:move GROUP moves it)"),
    })];
    let term = |d: &Option<String>| {
        d.clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "—".into())
    };
    lines.push(line(format!(
        "term {} to {}",
        term(&other.starts_on),
        term(&other.ends_on)
    )));
    lines.push(line(format!(
        "software of {} is detected on {} managed computers (R-AGR-11)",
        plan.publisher, plan.computers
    )));
    lines.push(line(
        "the figures are informational: saving them changes no real entitlement (R-AGR-13)",
    ));
    Preview {
        title: title.into(),
        lines,
        refusal: None,
    }
}
