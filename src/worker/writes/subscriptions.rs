//! Writes of subscription changes from the console (issue 10): each calls
//! the store's function, which checks the domain's rule again inside its
//! transaction, audits it and makes it a batch z undoes. A cancel releases
//! the seats in one audited batch and is final (undo refuses it); the
//! export writes a file readable by its owner only.

use std::io::Write as _;

use rusqlite::Connection;

use super::settings::written;
use crate::app::WorkerEvent;
use crate::app::subscriptions::SubOp;
use crate::domain::subscription_csv::Purchase;
use crate::output::{self, Format};
use crate::store::changes::{Actor, ChangeError};
use crate::store::{billing, billing_edit, subscriptions_change, subscriptions_edit, subscriptions_import};

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Applies `op` and reports it as the console shows a change.
pub(super) fn apply(conn: &Connection, actor: &Actor, op: &SubOp) -> WorkerEvent {
    match op {
        SubOp::Activate { id } => undoable(subscriptions_change::activate(conn, actor, *id, &today())),
        SubOp::Cancel { id } => cancel(conn, actor, *id),
        SubOp::Quantity { id, wanted } => {
            undoable(subscriptions_change::set_quantity(conn, actor, *id, *wanted))
        }
        SubOp::Profile { id, profile } => {
            undoable(subscriptions_change::set_profile(conn, actor, *id, profile))
        }
        SubOp::ExportInvoices { id, path } => written(export(conn, *id, path)),
        SubOp::Import { path } => recorded(crate::worker::subscription_file::import(conn, actor, path)),
        SubOp::Record(purchase) => recorded(record(conn, actor, purchase)),
        SubOp::Edit { id, purchase } => undoable(subscriptions_edit::edit(conn, actor, *id, purchase)),
        SubOp::SaveProfile(entry) => {
            written(billing_edit::save_profile(conn, actor, entry).map_err(|err| err.to_string()))
        }
    }
}

/// Records a purchase from the form through the import's path: one
/// transaction, the same clash checks, audited as `subscriptions_import`;
/// the message and the batch z undoes.
fn record(conn: &Connection, actor: &Actor, purchase: &Purchase) -> Result<(String, String), String> {
    subscriptions_import::import(
        conn,
        actor,
        "entered by hand",
        std::slice::from_ref(purchase),
        &today(),
    )
    .map(|(_, batch)| {
        let message = format!(
            "{} is recorded, pending activation at the publisher",
            purchase.name
        );
        (message, batch)
    })
    .map_err(|err| err.to_string())
}

/// A purchase recorded as a batch: z undoes it (the pools go again).
fn recorded(outcome: Result<(String, String), String>) -> WorkerEvent {
    match outcome {
        Ok((message, batch)) => WorkerEvent::Written {
            summary: vec![message],
            batches: vec![batch],
            undo: false,
            failed: None,
            push_to: Vec::new(),
        },
        Err(message) => WorkerEvent::WriteRefused { message },
    }
}

/// A change the store made as a batch: z undoes it, as a seat change.
fn undoable(outcome: Result<subscriptions_change::Changed, ChangeError>) -> WorkerEvent {
    match outcome {
        Ok(changed) => WorkerEvent::Written {
            summary: vec![changed.message],
            batches: vec![changed.batch],
            undo: false,
            failed: None,
            push_to: Vec::new(),
        },
        Err(err) => WorkerEvent::WriteRefused {
            message: err.to_string(),
        },
    }
}

fn cancel(conn: &Connection, actor: &Actor, id: i64) -> WorkerEvent {
    match subscriptions_change::cancel(conn, actor, id, &today()) {
        Ok((row, outcome)) => {
            let released = outcome.as_ref().map_or(0, |o| o.released);
            let batch = outcome
                .map(|o| format!(" (audit batch {})", o.batch_id))
                .unwrap_or_default();
            // Disabled is final (R-SUB-4): the store refuses to undo a
            // cancel, so no batch is offered to z.
            WorkerEvent::Written {
                summary: vec![format!(
                    "{} is cancelled (disabled for good); {released} seat{} released{batch}",
                    row.name,
                    if released == 1 { "" } else { "s" }
                )],
                batches: Vec::new(),
                undo: false,
                failed: None,
                push_to: Vec::new(),
            }
        }
        Err(err) => WorkerEvent::WriteRefused {
            message: err.to_string(),
        },
    }
}

/// The invoices of `id` as CSV, with the columns `seats invoices` prints.
fn invoices_csv(conn: &Connection, id: i64) -> rusqlite::Result<(usize, String)> {
    let rows = billing::invoices(conn, Some(id))?;
    let cells = billing::invoice_cells(&rows);
    Ok((
        rows.len(),
        output::render(Format::Csv, billing::INVOICE_HEADERS, &cells, &rows),
    ))
}

/// Writes the invoices to a new file (never over an existing one), 0600.
fn export(conn: &Connection, id: i64, path: &str) -> Result<String, String> {
    let (count, csv) = invoices_csv(conn, id).map_err(|err| format!("reading the invoices failed: {err}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|err| format!("can't write {path}: {err}; choose a new file in a folder you may write"))?;
    file.write_all(csv.as_bytes())
        .map_err(|err| format!("writing {path} failed: {err}"))?;
    Ok(format!(
        "{count} invoices written to {path} (readable by you only)"
    ))
}

/// The message of an undo that moved no seat: the subscription fields it
/// put back, or "nothing to change" when there were none.
pub(super) fn undone(conn: &Connection, batches: &[String]) -> WorkerEvent {
    match super::super::plans::field_reverts(conn, batches) {
        Ok(reverts) if !reverts.is_empty() => WorkerEvent::Written {
            summary: vec![format!("undone: {}", reverts.join("; "))],
            batches: Vec::new(),
            undo: true,
            failed: None,
            push_to: Vec::new(),
        },
        Ok(_) => WorkerEvent::WriteRefused {
            message: "nothing to change".to_owned(),
        },
        Err(err) => WorkerEvent::WriteRefused {
            message: format!("the undo was applied but could not be described: {err}"),
        },
    }
}
