//! Preview lines of releases and undo: what really goes, what stays and
//! why, and the figures the change leaves, from the store's plans (the same
//! rule as the change itself).

use super::{alarm, figures, line, listed};
use crate::app::dialogs::{Preview, PreviewLine};
use crate::store::changes::{ReleasePlan, RemovalPlan, UndoPlan};

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "releases N seats; M stay", then pool by pool. A release that would
/// change nothing is refused with the reasons, so Enter cannot apply it.
pub fn preview(plans: &[ReleasePlan]) -> Preview {
    let released: usize = plans.iter().map(|p| p.released.len()).sum();
    let kept: usize = plans.iter().map(|p| p.kept.len()).sum();
    let mut head = format!("releases {released} seat{}", plural(released));
    if kept > 0 {
        head.push_str(&format!("; {kept} stay{}", if kept == 1 { "s" } else { "" }));
    }
    let mut lines = vec![line(head)];
    for plan in plans {
        pool_lines(plan, &mut lines);
    }
    Preview {
        title: "Release seats (confirm)".into(),
        lines,
        refusal: nothing_to_release(plans),
    }
}

/// "nothing to release: u1: still reached through group Sales; …" when no
/// plan frees, drops, promotes or withdraws anything.
pub fn nothing_to_release(plans: &[ReleasePlan]) -> Option<String> {
    if !plans.iter().all(ReleasePlan::changes_nothing) {
        return None;
    }
    let reasons: Vec<String> = plans.iter().flat_map(ReleasePlan::reasons_for_nothing).collect();
    if reasons.is_empty() {
        return Some("nothing to release: those seats are already gone".to_owned());
    }
    let mut text = format!(
        "nothing to release: {}",
        reasons
            .iter()
            .take(super::LISTED)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    );
    if reasons.len() > super::LISTED {
        text.push_str(&format!("; …and {} more", reasons.len() - super::LISTED));
    }
    Some(text)
}

/// "james.tanaka moves up from waiting", or "2 waiting members move up: …".
pub fn moved_up(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("{one} moves up from waiting")),
        many => Some(format!(
            "{} waiting members move up: {}",
            many.len(),
            listed(many)
        )),
    }
}

/// One pool of a release: its figures, who goes, who stays and why, who
/// moves up.
fn pool_lines(plan: &ReleasePlan, lines: &mut Vec<PreviewLine>) {
    let mut figures = figures(plan.before, plan.after);
    figures.text = format!("{}: {}", plan.pool_name, figures.text);
    lines.push(figures);
    if !plan.released.is_empty() {
        lines.push(line(format!("  released: {}", listed(&plan.released))));
    }
    if !plan.dropped.is_empty() {
        lines.push(line(format!(
            "  waiting, holding no seat, dropped: {}",
            listed(&plan.dropped)
        )));
    }
    for group in &plan.groups_withdrawn {
        lines.push(line(format!("  group {group} withdrawn from the pool")));
    }
    for (who, why) in plan.kept.iter().take(super::LISTED) {
        lines.push(alarm(format!("  stays: {who}, {why}")));
    }
    if plan.kept.len() > super::LISTED {
        lines.push(alarm(format!(
            "  …and {} more stay",
            plan.kept.len() - super::LISTED
        )));
    }
    if let Some(text) = moved_up(&plan.promoted) {
        lines.push(line(format!("  {text}")));
    }
}

/// A user who leaves: every seat goes, also seats reached through groups.
pub fn removal(plan: &RemovalPlan, with_devices: bool) -> Preview {
    let released: usize = plan.pools.iter().map(|p| p.released.len()).sum();
    let mut lines = vec![line(format!(
        "the user leaves: {released} seat{} released in one step, also seats reached through groups",
        plural(released)
    ))];
    let whose = if plan.devices > 0 {
        ", theirs and their devices'"
    } else {
        ""
    };
    lines.push(line(format!(
        "{} is marked deleted; {} group membership{} dropped{whose}",
        plan.upn,
        plan.memberships,
        plural(plan.memberships as usize)
    )));
    for pool in &plan.pools {
        pool_lines(pool, &mut lines);
    }
    lines.push(line(match (with_devices, plan.devices) {
        (true, 0) => "their devices' seats: they own none (d toggles)".to_owned(),
        (true, 1) => "their device's seats: released too (d toggles)".to_owned(),
        (true, n) => format!("their {n} devices' seats: released too (d toggles)"),
        (false, _) => "their devices' seats: kept (d toggles)".to_owned(),
    }));
    Preview {
        title: "Remove user (confirm)".into(),
        lines,
        refusal: None,
    }
}

/// What undo really reverses, pool by pool; pools it leaves as they are
/// are not listed.
pub fn undo(plan: &UndoPlan) -> Preview {
    let mut lines = vec![line("undo reverses:")];
    for pool in &plan.pools {
        let mut figures = figures(pool.before, pool.after);
        figures.text = format!("  {}: {}", pool.pool_name, figures.text);
        lines.push(figures);
        if !pool.taken.is_empty() {
            lines.push(line(format!("    seats taken back: {}", listed(&pool.taken))));
        }
        if !pool.given.is_empty() {
            lines.push(line(format!("    seats given back: {}", listed(&pool.given))));
        }
        for what in pool.other.iter().take(super::LISTED) {
            lines.push(line(format!("    {what}")));
        }
        for (who, why) in pool.kept.iter().take(super::LISTED) {
            lines.push(alarm(format!("    stays: {who}, {why}")));
        }
        if pool.cancelled > 0 {
            lines.push(line(format!(
                "    {} change{} not yet sent to the source cancelled",
                pool.cancelled,
                plural(pool.cancelled)
            )));
        }
    }
    lines.extend(plan.people.iter().map(|p| line(format!("  {p}"))));
    if plan.pools.is_empty() && plan.people.is_empty() && plan.refusal.is_none() {
        lines.push(line("  nothing left to reverse: the seats are as before"));
    }
    Preview {
        title: "Undo (confirm)".into(),
        lines,
        refusal: plan.refusal.as_ref().map(ToString::to_string),
    }
}
