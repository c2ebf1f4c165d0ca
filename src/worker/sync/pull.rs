//! Reading Graph page by page into a [`PullStage`]: a full pull (SKUs,
//! every user through a first delta round so the next pull can be
//! incremental, groups and their members) or an incremental one (SKUs and
//! the users changed since the stored delta link). Only one page is held
//! at a time.

use rusqlite::Connection;
use tokio::runtime::Handle;

use super::ahead::Ahead;
use super::{Progress, SyncError};
use crate::connectors::graph::GraphClient;
use crate::domain::source::SourceGroup;
use crate::store::sync::{PullKind, PullStage};

/// What a pull staged: its kind, the delta link to store, warnings.
pub struct Staged<'c> {
    pub stage: PullStage<'c>,
    pub delta_link: Option<String>,
    pub warnings: Vec<String>,
}

/// Records staged in one transaction of the stage: a page of users is 200
/// (Graph's delta page), and committing the TEMP tables once a page cost
/// as much as the inserts. Ten pages of users, fewer than are read ahead
/// ([`super::ahead::AHEAD`]), so the reader goes on while a batch is written.
const STAGE_BATCH: usize = 2_000;

/// Stages a pull of `kind` (a delta needs `delta_link`).
pub fn stage<'c>(
    conn: &'c Connection,
    client: &GraphClient,
    runtime: &Handle,
    connector_id: i64,
    delta_link: Option<&str>,
    progress: &mut Progress<'_>,
) -> Result<Staged<'c>, SyncError> {
    let kind = if delta_link.is_some() {
        PullKind::Delta
    } else {
        PullKind::Full
    };
    let mut stage = PullStage::begin(conn, connector_id, kind)?;
    progress.report("subscriptions", 0);
    let skus = runtime.block_on(client.subscribed_skus())?;
    stage.add_skus(&skus)?;
    let mut users = Ahead::new(runtime, client.users_delta(delta_link));
    let mut batch = Vec::new();
    while let Some((page, read)) = users.next()? {
        batch.extend(page.items);
        if batch.len() >= STAGE_BATCH {
            stage.add_user_changes(&batch)?;
            batch.clear();
        }
        progress.report_pages("users", &read);
    }
    stage.add_user_changes(&batch)?;
    let read = users.finished();
    let mut warnings = read.map(|r| r.warnings().to_vec()).unwrap_or_default();
    let delta_link = read.and_then(|r| r.delta_link()).map(str::to_owned);
    if kind == PullKind::Full {
        warnings.extend(stage_groups(&mut stage, client, runtime, progress)?);
    }
    Ok(Staged {
        stage,
        delta_link,
        warnings,
    })
}

/// Every group with its licenses, then each group's direct members.
fn stage_groups(
    stage: &mut PullStage<'_>,
    client: &GraphClient,
    runtime: &Handle,
    progress: &mut Progress<'_>,
) -> Result<Vec<String>, SyncError> {
    let mut groups: Vec<SourceGroup> = Vec::new();
    let mut pages = Ahead::new(runtime, client.groups());
    while let Some((page, read)) = pages.next()? {
        stage.add_groups(&page.items)?;
        groups.extend(page.items);
        progress.report_uncounted_pages("groups", &read);
    }
    let mut warnings = warnings_of(&pages);
    for (index, group) in groups.iter().enumerate() {
        let mut members = Ahead::new(runtime, client.members(&group.source_id));
        let mut batch = Vec::new();
        while let Some((page, _)) = members.next()? {
            batch.extend(page.items);
            if batch.len() >= STAGE_BATCH {
                stage.add_members(&group.source_id, &batch)?;
                batch.clear();
            }
        }
        stage.add_members(&group.source_id, &batch)?;
        warnings.extend(warnings_of(&members));
        progress.report_of(
            &format!("members of {} groups", groups.len()),
            index as u64 + 1,
            groups.len() as u64,
        );
    }
    Ok(warnings)
}

/// The warnings of a collection read to its end.
fn warnings_of<T: Send + 'static>(read: &Ahead<T>) -> Vec<String> {
    read.finished().map(|r| r.warnings().to_vec()).unwrap_or_default()
}
