//! The step of a Graph sync after the seats pull: Intune's detected apps
//! into the inventory (issue 9, R-APP-10). It never fails the sync: the
//! seats pull has landed by then, and a read that fails (a missing
//! permission, a source that keeps failing) leaves the inventory as it was
//! and says why in the sync's report and on the connector.
//!
//! A full sync reads detected apps; an incremental one only when the last
//! read is older than [`READ_INTERVAL`], since Intune refreshes them about
//! daily and a large tenant's read is long.

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use super::Progress;
use super::ahead::Ahead;
use crate::connectors::graph::{DETECTED_APPS_PERMISSION, GraphClient};
use crate::connectors::{ConnectorError, ErrorKind};
use crate::store::inventory_graph::{self, DetectedOutcome, DetectedStage, READ_INTERVAL};

/// Devices staged in one transaction of the stage (several pages).
const STAGE_BATCH: usize = 2_000;

/// What the step did: the rows it wrote, or why it wrote none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectedStep {
    pub outcome: Option<DetectedOutcome>,
    pub warning: Option<String>,
}

/// Why a read stopped.
enum Failure {
    Source(ConnectorError),
    Cache(rusqlite::Error),
}

impl From<ConnectorError> for Failure {
    fn from(err: ConnectorError) -> Failure {
        Failure::Source(err)
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(err: rusqlite::Error) -> Failure {
        Failure::Cache(err)
    }
}

/// Reads detected apps into the connector's inventory when due (always
/// when `full`).
pub(super) fn step(
    conn: &Connection,
    client: &GraphClient,
    runtime: &Handle,
    connector_id: i64,
    full: bool,
    progress: &mut Progress<'_>,
) -> DetectedStep {
    let last = match inventory_graph::last_read(conn, connector_id) {
        Ok(last) => last,
        Err(err) => return warned(format!("detected apps not read: cache error: {err}")),
    };
    if !full && !inventory_graph::read_due(last.as_ref(), Utc::now()) {
        // Not read this time: a failure of the last read still stands.
        let warning = last.and_then(|l| l.error).map(|error| {
            format!(
                "{error} (detected apps are read again on a full sync or {} h after the last try)",
                READ_INTERVAL.num_hours()
            )
        });
        return DetectedStep {
            outcome: None,
            warning,
        };
    }
    match read(conn, client, runtime, connector_id, progress) {
        Ok(outcome) => DetectedStep {
            outcome: Some(outcome),
            warning: None,
        },
        Err(failure) => {
            let warning = explain(&failure);
            tracing::warn!(connector_id, %warning, "detected apps not read");
            if let Err(err) = inventory_graph::record_failure(conn, connector_id, &warning, Utc::now()) {
                tracing::warn!(%err, "could not record the failed detected-apps read");
            }
            warned(warning)
        }
    }
}

/// The step not taken, and why.
pub(super) fn skipped(why: &str) -> DetectedStep {
    warned(format!(
        "detected apps not read: {why}; the inventory from Intune is kept as it was"
    ))
}

fn warned(warning: String) -> DetectedStep {
    DetectedStep {
        outcome: None,
        warning: Some(warning),
    }
}

/// Every detected app and its devices, staged page by page, then written
/// in one transaction.
fn read(
    conn: &Connection,
    client: &GraphClient,
    runtime: &Handle,
    connector_id: i64,
    progress: &mut Progress<'_>,
) -> Result<DetectedOutcome, Failure> {
    let mut stage = DetectedStage::begin(conn, connector_id)?;
    let mut apps = Ahead::new(runtime, client.detected_apps());
    let mut read = 0u64;
    while let Some((page, _)) = apps.next()? {
        for app in &page.items {
            let index = stage.add_app(app)?;
            let mut devices = Ahead::new(runtime, client.detected_app_devices(&app.source_id));
            let mut batch = Vec::new();
            while let Some((devices_page, _)) = devices.next()? {
                batch.extend(devices_page.items);
                // One transaction of the stage for several pages.
                if batch.len() >= STAGE_BATCH {
                    stage.add_devices(index, &batch)?;
                    batch.clear();
                }
            }
            stage.add_devices(index, &batch)?;
            read += 1;
            progress.report_of("detected apps", read, 0);
        }
    }
    progress.report_of("writing the inventory", read, 0);
    Ok(stage.commit(Utc::now())?)
}

/// The warning for a failed read: what was not done, why, and what to do.
fn explain(failure: &Failure) -> String {
    const KEPT: &str = "the inventory from Intune is kept as it was";
    match failure {
        Failure::Source(err) => match err.kind() {
            ErrorKind::Forbidden { .. } => format!(
                "detected apps not read: the app registration lacks {DETECTED_APPS_PERMISSION}; grant it \
                 (application permission, with admin consent) in Entra ID, then run `seats sync --full`; {KEPT}{}",
                err.request_id()
                    .map(|id| format!(" (request id {id})"))
                    .unwrap_or_default()
            ),
            _ => format!("detected apps not read: {err}; {KEPT}"),
        },
        Failure::Cache(err) => format!("detected apps not read: cache error: {err}; {KEPT}"),
    }
}
