//! Previews: what a change would do, computed on the reader connection
//! without changing anything, by the same rules as the change itself. A
//! refusal shown here is the console refusing the attempt: it is audited as
//! the command line's refusals are.

mod connectors;
mod products;
mod release;
mod settings;
mod subscription_form;
mod subscription_undo;
mod subscriptions;

pub use subscription_undo::field_reverts;
pub use subscriptions::billing;

use rusqlite::Connection;

use super::search::{PickItem, PickKind, SearchIndex, SearchScope};
use crate::app::dialogs::{Change, Preview, PreviewLine, Selection};
use crate::domain::principal::Principal;
use crate::domain::{SeatLevel, Seats};
use crate::store::changes::{self, Actor, ChangeError, Refusal, SeatPlan};
use crate::store::reclaim;

/// Names listed before "…and N more".
pub(super) const LISTED: usize = 12;

pub(super) fn line(text: impl Into<String>) -> PreviewLine {
    PreviewLine {
        text: text.into(),
        alarm: false,
    }
}

pub(super) fn alarm(text: impl Into<String>) -> PreviewLine {
    PreviewLine {
        text: text.into(),
        alarm: true,
    }
}

/// The principals a selection stands for.
pub fn principals(selection: &Selection, index: &mut SearchIndex) -> Vec<Principal> {
    principals_of(&resolve_items(selection, index))
}

/// The principals picked items stand for (pools are not principals).
fn principals_of(items: &[PickItem]) -> Vec<Principal> {
    items
        .iter()
        .filter_map(|item| match item.kind {
            PickKind::User => Some(Principal::User(item.id)),
            PickKind::Group => Some(Principal::Group(item.id)),
            PickKind::Pool | PickKind::Choice => None,
        })
        .collect()
}

pub(super) fn figures(before: Seats, after: Seats) -> PreviewLine {
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
        "  +{} seat{}; {} already hold{} one",
        plan.new_seats,
        if plan.new_seats == 1 { "" } else { "s" },
        plan.already_held,
        if plan.already_held == 1 { "s" } else { "" }
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
/// A refusal is audited in `actor`'s name.
pub fn plan(
    conn: &Connection,
    actor: &Actor,
    change: &Change,
    index: &mut SearchIndex,
) -> Result<(Preview, Change), ChangeError> {
    match change {
        Change::Assign { pool_id, selection } => {
            // Resolved once: the names shown are the ones Enter applies.
            let items = resolve_items(selection, index);
            let principals = principals_of(&items);
            let plan = changes::plan_assign(conn, *pool_id, &principals)?;
            let mut lines = vec![line(format!(
                "{} chosen: {}",
                principals.len(),
                chosen_names(selection, &items)
            ))];
            seat_plan_lines(&plan, &mut lines);
            let refusal = refused(conn, actor, "assign", Some(*pool_id), &principals, &plan.refusal);
            let preview = Preview {
                title: format!("Assign {}", plan.pool_name),
                lines,
                refusal,
            };
            let resolved = Change::Assign {
                pool_id: *pool_id,
                selection: Selection::Items(items),
            };
            Ok((preview, resolved))
        }
        Change::GivePools { user_id, pools } => {
            let mut lines = Vec::new();
            let mut refusal = None;
            let who = [Principal::User(*user_id)];
            for pool in pools {
                let plan = changes::plan_assign(conn, *pool, &who)?;
                lines.push(line(plan.pool_name.clone()));
                seat_plan_lines(&plan, &mut lines);
                if refusal.is_none() {
                    refusal = refused(conn, actor, "assign", Some(*pool), &who, &plan.refusal);
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
            let mut plans = Vec::with_capacity(pools.len());
            for pool in pools {
                plans.push(changes::plan_unassign(conn, *pool, &[Principal::User(*user_id)])?);
            }
            Ok((release::preview(&plans), change.clone()))
        }
        Change::ReleaseSeats { seat_ids } => {
            let plans = changes::plan_release_seats(conn, seat_ids)?;
            Ok((release::preview(&plans), change.clone()))
        }
        Change::ReleaseListed { request } => {
            let seat_ids = reclaim::all_ids(conn, request)?;
            let plans = changes::plan_release_seats(conn, &seat_ids)?;
            Ok((release::preview(&plans), Change::ReleaseSeats { seat_ids }))
        }
        Change::RemoveUser {
            user_id,
            with_devices,
        } => {
            let plan = changes::plan_remove_user(conn, *user_id, *with_devices)?;
            Ok((release::removal(&plan, *with_devices), change.clone()))
        }
        Change::SetLanguage {
            connector_id,
            language,
        } => Ok((settings::language(conn, *connector_id, language)?, change.clone())),
        Change::TakeOver { connector_id } => {
            Ok((connectors::take_over(conn, *connector_id)?, change.clone()))
        }
        Change::SetEnabled {
            connector_id,
            enabled,
        } => Ok((
            connectors::set_enabled(conn, *connector_id, *enabled)?,
            change.clone(),
        )),
        Change::DeleteAgreement { id } => Ok((settings::delete_agreement(conn, *id), change.clone())),
        Change::MoveAgreement { id, group } => {
            Ok((settings::move_agreement(conn, *id, group), change.clone()))
        }
        Change::ImportAgreements { path, group } => {
            Ok((super::agreements_file::preview(conn, path, group), change.clone()))
        }
        Change::LicenseGroup(op) => Ok((settings::license_group(conn, op), change.clone())),
        Change::MapProduct { raw, title } => {
            Ok((products::map(conn, raw, title.as_deref())?, change.clone()))
        }
        Change::Subscription(op) => Ok((subscriptions::plan(conn, actor, op)?, change.clone())),
        Change::AddVolumeAgreement { name, pairs, group } => {
            Ok((settings::add_volume(conn, name, pairs, group), change.clone()))
        }
        Change::SaveOtherAgreement { id, agreement, group } => {
            Ok((settings::save_other(conn, *id, agreement, group), change.clone()))
        }
        Change::Validate => Ok((
            Preview {
                title: "Validate agreements".into(),
                lines: vec![line(
                    "every volume agreement's sets against the last imported export",
                )],
                refusal: None,
            },
            change.clone(),
        )),
        Change::SetInstallScope { app_id, scope } => {
            Ok((settings::install_scope(conn, *app_id, scope)?, change.clone()))
        }
        Change::SetIntent { seat_ids, intent } => {
            let plans = changes::plan_intent(conn, seat_ids, intent)?;
            Ok((settings::intent(&plans, intent), change.clone()))
        }
        Change::Undo { batches } => {
            // Newest first, as Enter applies them.
            let newest_first: Vec<String> = batches.iter().rev().cloned().collect();
            let plan = changes::plan_undo(conn, &newest_first)?;
            let mut preview = release::undo(&plan);
            subscription_undo::add_to_preview(conn, &newest_first, &mut preview)?;
            if let Some(refusal) = &plan.refusal {
                preview.refusal = refused(
                    conn,
                    actor,
                    "undo",
                    plan.refused_pool,
                    &[],
                    &Some(refusal.clone()),
                );
            }
            Ok((preview, change.clone()))
        }
    }
}

/// The refusal a preview shows, audited as the console's refusal of the
/// attempt (the admin cannot go on from it).
fn refused(
    conn: &Connection,
    actor: &Actor,
    action: &str,
    pool: Option<i64>,
    principals: &[Principal],
    refusal: &Option<Refusal>,
) -> Option<String> {
    let refusal = refusal.as_ref()?;
    let err = ChangeError::Refused(refusal.clone());
    if let Err(err) = changes::audit_refusal(conn, actor, action, pool, principals, &err) {
        tracing::warn!(%err, "could not audit a refused {action}");
    }
    Some(refusal.to_string())
}

fn resolve_items(selection: &Selection, index: &mut SearchIndex) -> Vec<PickItem> {
    match selection {
        Selection::Items(items) => items.clone(),
        Selection::AllMatching { query, .. } => index.all_matches(SearchScope::Principals, query, &[]),
    }
}

/// Who is chosen, by name (the first [`LISTED`], then "…and N more"); an
/// "all matching" selection names the query and the items it resolved to.
fn chosen_names(selection: &Selection, items: &[PickItem]) -> String {
    let names = listed(&items.iter().map(|i| i.label.clone()).collect::<Vec<_>>());
    match selection {
        Selection::AllMatching { query, .. } => {
            format!("all {} matching {query:?}: {names}", items.len())
        }
        Selection::Items(_) => names,
    }
}

pub(super) fn listed(names: &[String]) -> String {
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
