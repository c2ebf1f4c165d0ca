//! Background jobs on the tokio runtime's blocking pool, each with its own
//! write connection, reporting progress as events.

use std::path::PathBuf;

use tokio::runtime::Handle;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::WorkerEvent;
use crate::app::state::Job;
use crate::demo::{self, DemoOptions};
use crate::store;

/// Builds the demo tenant; progress goes to the status bar and the gauge.
pub fn spawn_demo(
    runtime: &Handle,
    id: u64,
    path: PathBuf,
    users: u32,
    seed: u64,
    actor: String,
    events: UnboundedSender<WorkerEvent>,
) {
    let label = "building demo tenant".to_owned();
    runtime.spawn_blocking(move || {
        let options = DemoOptions {
            users,
            seed,
            now: chrono::Utc::now(),
            actor,
        };
        let outcome = store::db::open_existing(&path)
            .and_then(|mut conn| {
                demo::generate(&mut conn, &options, &mut |progress| {
                    let _ = events.send(WorkerEvent::JobProgress(Job {
                        id,
                        label: label.clone(),
                        done: progress.done,
                        total: progress.total,
                    }));
                })
            })
            .map(|summary| format!("{} users, {} assignments", summary.users, summary.assignments))
            .map_err(|err| err.to_string());
        if let Err(err) = &outcome {
            tracing::error!(%err, "demo generation failed");
        }
        let _ = events.send(WorkerEvent::JobFinished { id, label, outcome });
    });
}
