//! Previews of subscription changes (issue 10): activate (R-SUB-3), cancel
//! with the seats that go with it (R-SUB-7), quantity (R-SUB-5, R-LIC-8),
//! billing profile (R-SUB-6) and the invoices' export. The refusals are the
//! domain's rules, the same the store checks again when Enter applies.

use rusqlite::Connection;

use super::{alarm, line, listed};
use crate::app::billing::{Billing, payment};
use crate::app::dialogs::{Preview, PreviewLine};
use crate::app::subscriptions::SubOp;
use crate::domain::subscription::{self, Pricing, SubAction, SubStatus};
use crate::store::changes::{self, Actor, ChangeError, Permission};
use crate::store::subscriptions::{self, SubscriptionRow};
use crate::store::{PageRequest, assignees, billing, status};

/// The profile and invoices the billing dialog shows.
pub fn billing(conn: &Connection, pool_id: i64) -> rusqlite::Result<Billing> {
    let row = subscriptions::get(conn, pool_id)?;
    let name = row.and_then(|r| r.billing_profile);
    let profile = billing::profiles(conn)?
        .into_iter()
        .find(|p| Some(&p.name) == name.as_ref());
    Ok(Billing {
        profiles: billing::profiles(conn)?,
        profile,
        invoices: billing::invoices(conn, Some(pool_id))?,
        taken: subscriptions::live_names(conn, pool_id)?,
    })
}

fn status_of(row: &SubscriptionRow) -> SubStatus {
    SubStatus::from_cache(&row.status, row.disabled_reason.as_deref())
}

pub(super) fn preview(title: &str, lines: Vec<PreviewLine>, refusal: Option<String>) -> Preview {
    Preview {
        title: title.to_owned(),
        lines,
        refusal,
    }
}

/// What `op` would do; a refusal says why and what to do instead.
pub fn plan(conn: &Connection, actor: &Actor, op: &SubOp) -> Result<Preview, ChangeError> {
    let id = match op {
        SubOp::Import { path } => return Ok(crate::worker::subscription_file::preview(conn, path)),
        SubOp::Record(purchase) => return super::subscription_form::record(conn, actor, purchase),
        SubOp::SaveProfile(entry) => return super::subscription_form::save_profile(conn, actor, entry),
        SubOp::Edit { id, .. }
        | SubOp::Activate { id }
        | SubOp::Cancel { id }
        | SubOp::Quantity { id, .. }
        | SubOp::Profile { id, .. }
        | SubOp::ExportInvoices { id, .. } => *id,
    };
    let row = subscriptions::get(conn, id)?
        .ok_or_else(|| ChangeError::NotFound(format!("no subscription with id {id}: a sync removed it?")))?;
    // Exporting reads only; the others need a role that manages subscriptions.
    let role = match op {
        SubOp::ExportInvoices { .. } => None,
        _ => changes::authorize(conn, actor, Permission::ManageSubscriptions)
            .err()
            .map(|err| err.to_string()),
    };
    let mut preview = match op {
        SubOp::Activate { .. } => activate(&row),
        SubOp::Cancel { .. } => cancel(conn, &row)?,
        SubOp::Quantity { wanted, .. } => quantity(&row, *wanted),
        SubOp::Profile { profile, .. } => rebill(conn, actor, &row, profile)?,
        SubOp::ExportInvoices { path, .. } => export(conn, &row, path)?,
        SubOp::Edit { purchase, .. } => super::subscription_form::edit(conn, actor, &row, purchase)?,
        SubOp::Import { path } => crate::worker::subscription_file::preview(conn, path),
        SubOp::Record(_) | SubOp::SaveProfile(_) => {
            return Err(ChangeError::Invalid(
                "not a change of one subscription".to_owned(),
            ));
        }
    };
    if preview.refusal.is_none() {
        preview.refusal = role;
    }
    Ok(preview)
}

/// The domain's refusal as the console says it: the way on is `n` here,
/// not the headless import the same words name for `seats subscription`.
fn in_console(why: impl std::fmt::Display) -> String {
    why.to_string().replace(
        "(`seats import subscriptions FILE`)",
        "(n here: by hand or from a CSV file)",
    )
}

fn activate(row: &SubscriptionRow) -> Preview {
    let refusal = subscription::transition(status_of(row), SubAction::Activate)
        .err()
        .map(|why| format!("{} can't be activated: {}", row.name, in_console(why)));
    let at = row.activation_url.as_deref().unwrap_or("the publisher's site");
    preview(
        "Activate subscription (confirm)",
        vec![
            line(format!(
                "records that {} was activated at the publisher",
                row.name
            )),
            line(format!(
                "the activation itself happens at {at}: do it there first"
            )),
            line("from then on its seats can be assigned (a)"),
        ],
        refusal,
    )
}

/// Seats listed by name in the cancel preview.
const NAMED_SEATS: usize = 5;

fn cancel(conn: &Connection, row: &SubscriptionRow) -> Result<Preview, ChangeError> {
    let refusal = subscription::transition(status_of(row), SubAction::Cancel)
        .err()
        .map(|why| format!("{} can't be cancelled: {}", row.name, in_console(why)));
    let request = PageRequest {
        scope: Some(row.id),
        limit: NAMED_SEATS,
        ..PageRequest::default()
    };
    let seats = assignees::page(conn, &request)?;
    let names: Vec<String> = seats.rows.iter().map(|s| s.principal.clone()).collect();
    let mut lines = vec![alarm(format!(
        "cancels {} for good: it becomes disabled (cancelled) and can never be active again",
        row.name
    ))];
    lines.push(match row.consumed {
        0 => line("no seats are held: none to release"),
        n => alarm(format!(
            "releases its {n} seat{}: {}{}",
            if n == 1 { "" } else { "s" },
            listed(&names),
            if n as usize > names.len() {
                format!(" …and {} more", n as usize - names.len())
            } else {
                String::new()
            }
        )),
    });
    lines.push(line(
        "it is final, z can't undo it; to use it again, buy another copy and record it with n",
    ));
    Ok(preview("Cancel subscription (confirm)", lines, refusal))
}

fn quantity(row: &SubscriptionRow, wanted: i64) -> Preview {
    let pricing = if row.pricing.as_deref() == Some("flat") {
        Pricing::Flat
    } else {
        Pricing::PerSeat
    };
    let refusal = subscription::check_quantity(
        pricing,
        row.vendor_managed,
        status_of(row),
        row.quantity,
        row.consumed,
        wanted,
    )
    .err()
    .map(|why| format!("{}: {why}", row.name));
    let from = row.quantity.map_or("Unlimited".to_owned(), |q| q.to_string());
    preview(
        "Change quantity (confirm)",
        vec![
            line(format!(
                "{}: {from} → {wanted} seats ({} in use)",
                row.name, row.consumed
            )),
            line("recorded here and audited: seats can be assigned up to the new quantity"),
        ],
        refusal,
    )
}

fn rebill(
    conn: &Connection,
    actor: &Actor,
    row: &SubscriptionRow,
    wanted: &str,
) -> Result<Preview, ChangeError> {
    let profiles = billing::profiles(conn)?;
    let found = profiles
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(wanted.trim()) || p.id.to_string() == wanted.trim());
    let Some(profile) = found else {
        let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
        let why = format!("no billing profile {wanted:?}; there are: {}", names.join(", "));
        return Ok(preview("Billing profile", Vec::new(), Some(why)));
    };
    let role = status::role_of(conn, &actor.name)?.map(|r| r.as_str().to_owned());
    let refusal = if row.billing_profile.as_deref() == Some(profile.name.as_str()) {
        Some(format!("{} is billed to {} already", row.name, profile.name))
    } else if !role.as_ref().is_some_and(|r| profile.editable_by.contains(r)) {
        Some(format!(
            "billing profile {} may be used by the {} roles only; you are {}",
            profile.name,
            profile.editable_by.join(","),
            role.as_deref().unwrap_or("no admin")
        ))
    } else {
        None
    };
    let from = row.billing_profile.as_deref().unwrap_or("no profile");
    Ok(preview(
        "Billing profile (confirm)",
        vec![
            line(format!("{}: billed to {from} → {}", row.name, profile.name)),
            line(format!(
                "{} pays by {}; invoices to {} <{}>",
                profile.name,
                payment(profile),
                profile.contact_name,
                profile.contact_email
            )),
            line("invoices already issued keep the profile they were billed to"),
        ],
        refusal,
    ))
}

fn export(conn: &Connection, row: &SubscriptionRow, path: &str) -> Result<Preview, ChangeError> {
    let count = billing::invoices(conn, Some(row.id))?.len();
    let target = std::path::Path::new(path);
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
    let refusal = if count == 0 {
        Some(format!("{} has no invoices to export", row.name))
    } else if target.exists() {
        Some(format!(
            "{path} exists: choose a new file name (nothing is overwritten)"
        ))
    } else if parent.is_some_and(|p| !p.is_dir()) {
        Some(format!(
            "no folder {}: make it first or choose another path",
            parent.map_or(String::new(), |p| p.display().to_string())
        ))
    } else {
        None
    };
    Ok(preview(
        "Export invoices (confirm)",
        vec![
            line(format!(
                "writes the {count} invoices of {} to {path} as CSV",
                row.name
            )),
            line("the file is readable by you only (mode 0600)"),
        ],
        refusal,
    ))
}
