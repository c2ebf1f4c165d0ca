//! Previews: what a change would do, computed on the reader connection
//! without changing anything.

use rusqlite::Connection;

use super::search::{PickKind, SearchIndex, SearchScope};
use crate::app::dialogs::{Change, Preview, PreviewLine, Selection};
use crate::domain::principal::Principal;
use crate::domain::{SeatLevel, Seats};
use crate::store::changes::{self, ChangeError, SeatPlan};
use crate::store::{assignees, reclaim};

/// Names listed before "…and N more".
const LISTED: usize = 12;

fn line(text: impl Into<String>) -> PreviewLine {
    PreviewLine {
        text: text.into(),
        alarm: false,
    }
}

fn alarm(text: impl Into<String>) -> PreviewLine {
    PreviewLine {
        text: text.into(),
        alarm: true,
    }
}

/// The principals a selection stands for.
pub fn principals(selection: &Selection, index: &mut SearchIndex) -> Vec<Principal> {
    let items = match selection {
        Selection::Items(items) => items.clone(),
        Selection::AllMatching { query, .. } => index.all_matches(SearchScope::Principals, query, &[]),
    };
    items
        .iter()
        .filter_map(|item| match item.kind {
            PickKind::User => Some(Principal::User(item.id)),
            PickKind::Group => Some(Principal::Group(item.id)),
            PickKind::Pool => None,
        })
        .collect()
}

fn figures(before: Seats, after: Seats) -> PreviewLine {
    let available = after
        .available()
        .map_or("unlimited".to_owned(), |a| a.to_string());
    let text = format!(
        "consumed {} → {}, available after: {available}",
        before.consumed, after.consumed
    );
    match after.level() {
        SeatLevel::Low | SeatLevel::Exhausted | SeatLevel::Over if after.consumed > before.consumed => {
            alarm(text)
        }
        _ => line(text),
    }
}

/// Groups listed in a preview before "…and N more groups".
const GROUPS_LISTED: usize = 6;

fn seat_plan_lines(plan: &SeatPlan, lines: &mut Vec<PreviewLine>) {
    let mut figures = figures(plan.before, plan.after());
    figures.text.insert_str(0, "  ");
    lines.push(figures);
    lines.push(line(format!(
        "  +{} seat{}; {} already hold one",
        plan.new_seats,
        if plan.new_seats == 1 { "" } else { "s" },
        plan.already_held
    )));
    for group in plan.groups.iter().take(GROUPS_LISTED) {
        lines.push(line(format!(
            "  group {}: {} members (nested, counted once)",
            group.name, group.members
        )));
    }
    if plan.groups.len() > GROUPS_LISTED {
        lines.push(line(format!(
            "  …and {} more groups",
            plan.groups.len() - GROUPS_LISTED
        )));
    }
}

/// Works out the preview of `change`; the second value is the change with
/// everything resolved (ids instead of queries) that Enter will apply.
pub fn plan(
    conn: &Connection,
    change: &Change,
    index: &mut SearchIndex,
) -> Result<(Preview, Change), ChangeError> {
    match change {
        Change::Assign { pool_id, selection } => {
            let principals = principals(selection, index);
            let plan = changes::plan_assign(conn, *pool_id, &principals)?;
            let mut lines = vec![line(format!(
                "{} chosen: {}",
                principals.len(),
                chosen_names(selection)
            ))];
            seat_plan_lines(&plan, &mut lines);
            let preview = Preview {
                title: format!("Assign {}", plan.pool_name),
                lines,
                refusal: plan.refusal.as_ref().map(ToString::to_string),
            };
            let resolved = Change::Assign {
                pool_id: *pool_id,
                selection: Selection::Items(resolve_items(selection, index)),
            };
            Ok((preview, resolved))
        }
        Change::GivePools { user_id, pools } => {
            let mut lines = Vec::new();
            let mut refusal = None;
            for pool in pools {
                let plan = changes::plan_assign(conn, *pool, &[Principal::User(*user_id)])?;
                lines.push(line(plan.pool_name.clone()));
                seat_plan_lines(&plan, &mut lines);
                if refusal.is_none() {
                    refusal = plan.refusal.as_ref().map(ToString::to_string);
                }
            }
            let title = format!(
                "Give seats of {} pool{}",
                pools.len(),
                if pools.len() == 1 { "" } else { "s" }
            );
            Ok((
                Preview {
                    title,
                    lines,
                    refusal,
                },
                change.clone(),
            ))
        }
        Change::ReleasePools { user_id, pools } => {
            let mut lines = Vec::new();
            for pool in pools {
                let plan = changes::plan_unassign(conn, *pool, &[Principal::User(*user_id)])?;
                lines.push(line(format!(
                    "{}: releases {} (consumed {} → {})",
                    plan.pool_name,
                    listed(&plan.released),
                    plan.before.consumed,
                    plan.before.consumed - plan.released.len() as i64
                )));
                for (who, why) in &plan.kept {
                    lines.push(alarm(format!("  keeps {who}: {why}")));
                }
            }
            let title = "Release seats (confirm)".to_owned();
            Ok((
                Preview {
                    title,
                    lines,
                    refusal: None,
                },
                change.clone(),
            ))
        }
        Change::ReleaseSeats { seat_ids } => Ok((release_preview(conn, seat_ids)?, change.clone())),
        Change::ReleaseListed { request } => {
            let seat_ids = reclaim::all_ids(conn, request)?;
            let preview = release_preview(conn, &seat_ids)?;
            Ok((preview, Change::ReleaseSeats { seat_ids }))
        }
        Change::RemoveUser {
            user_id,
            with_devices,
        } => {
            let seats = assignees::seats_of_user(conn, *user_id, *with_devices)?;
            let mut lines = vec![line(format!(
                "the user leaves: {} seat{} released in one step",
                seats.len(),
                if seats.len() == 1 { "" } else { "s" }
            ))];
            list_seats(
                &mut lines,
                seats.len(),
                seats.iter().map(|(_, who, pool)| (who, pool)),
            );
            lines.push(line(format!(
                "their devices' seats: {} (d toggles)",
                if *with_devices { "released too" } else { "kept" }
            )));
            Ok((
                Preview {
                    title: "Remove user (confirm)".into(),
                    lines,
                    refusal: None,
                },
                change.clone(),
            ))
        }
        Change::Undo { batches } => {
            let mut lines = vec![line("undo reverses:")];
            for batch in batches {
                for entry in crate::store::audit::batch(conn, batch)? {
                    lines.push(line(format!(
                        "  {} {} {} ({} → {})",
                        entry.action,
                        entry.pool.as_deref().unwrap_or(""),
                        entry.principal_list(),
                        entry.consumed_before.unwrap_or(0),
                        entry.consumed_after.unwrap_or(0)
                    )));
                }
            }
            Ok((
                Preview {
                    title: "Undo (confirm)".into(),
                    lines,
                    refusal: None,
                },
                change.clone(),
            ))
        }
    }
}

fn resolve_items(selection: &Selection, index: &mut SearchIndex) -> Vec<super::search::PickItem> {
    match selection {
        Selection::Items(items) => items.clone(),
        Selection::AllMatching { query, .. } => index.all_matches(SearchScope::Principals, query, &[]),
    }
}

fn chosen_names(selection: &Selection) -> String {
    match selection {
        Selection::AllMatching { query, count } => format!("all {count} matching {query:?}"),
        Selection::Items(items) => listed(&items.iter().map(|i| i.label.clone()).collect::<Vec<_>>()),
    }
}

fn listed(names: &[String]) -> String {
    if names.is_empty() {
        return "nobody".to_owned();
    }
    let shown: Vec<&str> = names.iter().take(LISTED).map(String::as_str).collect();
    let more = names.len().saturating_sub(LISTED);
    if more > 0 {
        format!("{} …and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// "  holder — pool" lines, the first `LISTED` of them and a count of the rest.
fn list_seats<'a>(
    lines: &mut Vec<PreviewLine>,
    total: usize,
    shown: impl Iterator<Item = (&'a String, &'a String)>,
) {
    lines.extend(
        shown
            .take(LISTED)
            .map(|(who, pool)| line(format!("  {who} — {pool}"))),
    );
    if total > LISTED {
        lines.push(line(format!("  …and {} more", total - LISTED)));
    }
}

fn release_preview(conn: &Connection, seat_ids: &[i64]) -> rusqlite::Result<Preview> {
    let (total, seats) = assignees::describe(conn, seat_ids, LISTED)?;
    let mut lines = vec![line(format!(
        "releases {total} seat{}:",
        if total == 1 { "" } else { "s" }
    ))];
    list_seats(&mut lines, total, seats.iter().map(|(who, pool)| (who, pool)));
    Ok(Preview {
        title: "Release seats (confirm)".into(),
        lines,
        refusal: None,
    })
}
