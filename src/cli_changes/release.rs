//! `seats unassign`: what a release frees, what stays and why, and who
//! moves up, shown before anything changes (on the prompt, with
//! `--dry-run`), and a release that would change nothing is not made.

use std::io::IsTerminal as _;

use super::{SHOWN, Session, UnassignArgs, available, confirm, listed, plural, pool_id, principals};
use crate::cli::{Failure, print};
use crate::store::changes::{self, Permission, ReleasePlan};

/// Runs `seats unassign`: says so when there is nothing to release, shows
/// the plan with `--dry-run`, asks first unless `--yes`.
pub fn unassign(session: &Session, args: UnassignArgs) -> Result<(), Failure> {
    let conn = session.open()?;
    let pool = pool_id(&conn, &args.pool)?;
    let principals = principals(&conn, &args.users, &args.groups)?;
    let plan = changes::plan_unassign(&conn, pool, &principals)?;
    if plan.changes_nothing() {
        // Not a change and not a refusal: nothing to ask, nothing to audit.
        return print(&format!("{}\nnothing was changed\n", nothing_to_release(&plan)));
    }
    if args.dry_run {
        return print(&format!(
            "{}: dry run, nothing changed\n{}",
            plan.pool_name,
            describe(&plan)
        ));
    }
    if !args.yes {
        if let Err(err) = changes::authorize(&conn, &session.actor, Permission::Assign) {
            // Refused before the question: audited as a refused unassign.
            changes::audit_refusal(&conn, &session.actor, "unassign", Some(pool), &principals, &err)?;
            return Err(err.into());
        }
        let what = format!("unassigning from {}:\n{}", plan.pool_name, describe(&plan));
        if !std::io::stdin().is_terminal() {
            return Err(Failure::usage(format!("{what}pass --yes to confirm")));
        }
        if !confirm(&what, question(&plan))? {
            eprintln!("cancelled: nothing was changed");
            return Ok(());
        }
    }
    let outcome = changes::unassign(&conn, &session.actor, pool, &principals)?;
    super::report(session, &conn, &[outcome], false, !args.no_push, None)
}

/// "Tight Tool: nothing to release: u1@…: still reached through group Sales; …"
pub(super) fn nothing_to_release(plan: &ReleasePlan) -> String {
    let reasons = plan.reasons_for_nothing();
    let mut text = format!("{}: nothing to release", plan.pool_name);
    if !reasons.is_empty() {
        let shown: Vec<&str> = reasons.iter().take(SHOWN).map(String::as_str).collect();
        text.push_str(&format!(": {}", shown.join("; ")));
        if reasons.len() > SHOWN {
            text.push_str(&format!("; …and {} more", reasons.len() - SHOWN));
        }
    }
    text
}

/// The plan, one fact a line: released seats, figures, dropped waiting
/// rows, withdrawn groups, kept seats with the reason, who moves up.
pub(super) fn describe(plan: &ReleasePlan) -> String {
    let released = plan.released.len() as i64;
    let total = plan
        .before
        .total
        .map_or("unlimited".to_owned(), |t| t.to_string());
    let mut text = format!(
        "  releases {released} seat{}{}\n  consumed {} → {} of {total} ({} available after)\n",
        plural(released),
        listed(&plan.released, ": "),
        plan.before.consumed,
        plan.after.consumed,
        available(plan.after.available())
    );
    if !plan.dropped.is_empty() {
        text.push_str(&format!(
            "  waiting rows dropped (they hold no seat){}\n",
            listed(&plan.dropped, ": ")
        ));
    }
    for group in &plan.groups_withdrawn {
        text.push_str(&format!("  group {group} withdrawn from the pool\n"));
    }
    for (who, why) in plan.kept.iter().take(SHOWN) {
        text.push_str(&format!("  kept {who}: {why}\n"));
    }
    if plan.kept.len() > SHOWN {
        text.push_str(&format!("  …and {} more kept\n", plan.kept.len() - SHOWN));
    }
    match plan.promoted.as_slice() {
        [] => {}
        [one] => text.push_str(&format!("  {one} moves up from waiting\n")),
        many => text.push_str(&format!(
            "  {} waiting members move up{}\n",
            many.len(),
            listed(many, ": ")
        )),
    }
    text
}

/// The question fits what goes: seats, or only an assignment.
fn question(plan: &ReleasePlan) -> &'static str {
    if plan.released.is_empty() && plan.dropped.is_empty() {
        "Withdraw the assignment? [y/N] "
    } else {
        "Release them? [y/N] "
    }
}
