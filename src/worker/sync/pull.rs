//! Reading Graph page by page into a [`PullStage`]: a full pull (SKUs,
//! every user through a first delta round so the next pull can be
//! incremental, groups and their members) or an incremental one (SKUs and
//! the users changed since the stored delta link). Only one page is held
//! at a time.

use rusqlite::Connection;
use tokio::runtime::Handle;

use super::{Progress, SyncError};
use crate::connectors::graph::{GraphClient, Pages};
use crate::domain::source::SourceGroup;
use crate::store::sync::{PullKind, PullStage};

/// What a pull staged: its kind, the delta link to store, warnings.
pub struct Staged<'c> {
    pub stage: PullStage<'c>,
    pub delta_link: Option<String>,
    pub warnings: Vec<String>,
}

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
    let mut users = client.users_delta(delta_link);
    while let Some(page) = runtime.block_on(users.next_page())? {
        stage.add_user_changes(&page.items)?;
        progress.report_pages("users", &users);
    }
    let mut warnings = users.warnings().to_vec();
    if kind == PullKind::Full {
        warnings.extend(stage_groups(&mut stage, client, runtime, progress)?);
    }
    Ok(Staged {
        stage,
        delta_link: users.delta_link().map(str::to_owned),
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
    let mut pages = client.groups();
    while let Some(page) = runtime.block_on(pages.next_page())? {
        stage.add_groups(&page.items)?;
        groups.extend(page.items);
        progress.report_uncounted_pages("groups", &pages);
    }
    let mut warnings = pages.warnings().to_vec();
    for (index, group) in groups.iter().enumerate() {
        let mut members: Pages<_> = client.members(&group.source_id);
        while let Some(page) = runtime.block_on(members.next_page())? {
            stage.add_members(&group.source_id, &page.items)?;
        }
        warnings.extend(members.warnings().iter().cloned());
        progress.report_of(
            &format!("members of {} groups", groups.len()),
            index as u64 + 1,
            groups.len() as u64,
        );
    }
    Ok(warnings)
}
