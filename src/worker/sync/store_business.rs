//! Syncing a Microsoft Store for Business connector (issue 8): the client
//! from the connector's row (its secret read from its 0600 file or
//! variable, or the demo's in-process simulator for a `sim:` api_url), and
//! the pull: the inventory, each app's details in the connector's language
//! (R-CON-1) with its packages (encrypted ones are skipped, R-APP-3), and
//! the seats of online apps, read whole, then written in one transaction
//! (R-CON-8).

use std::path::Path;

use chrono::Utc;
use rusqlite::Connection;
use tokio::runtime::Handle;

use super::secret::{self, SecretError};
use super::source::{self, SIM_SCHEME, SourceError};
use super::{Progress, SyncError};
use crate::connectors::Secret;
use crate::connectors::store_business::{PUBLIC_LOGIN_URL, PUBLIC_STORE_URL, StoreClient, StoreConfig};
use crate::domain::store_business::{InventoryStatus, StoreLicenseType};
use crate::store::connectors_store::StoreConnection;
use crate::store::sync_store_business::{self, StoreApp, StorePull, StoreSummary};

/// The environment variable that may carry a Store client secret instead
/// of a file.
pub const STORE_SECRET_ENV: &str = "SEATS_STORE_SECRET";

/// The language app names are read in when the connector names none.
pub const DEFAULT_LANGUAGE: &str = "en-US";

/// The client of a Store connector of the cache at `db_path`, and the
/// tenant it opens.
pub fn store_client(
    db_path: &Path,
    connection: &StoreConnection,
) -> Result<(StoreClient, String), SourceError> {
    let api = connection.api_url.as_deref().unwrap_or(PUBLIC_STORE_URL);
    let language = connection
        .language
        .clone()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned());
    let mut config = if let Some(spec) = api.strip_prefix(SIM_SCHEME) {
        let handle = source::simulator(db_path, api, spec)?;
        let credentials = handle.credentials();
        let mut config = StoreConfig::new(
            credentials.tenant_id.clone(),
            credentials.client_id.clone(),
            Secret::new(credentials.client_secret.clone()),
        );
        config.api_url = handle.store_url();
        config.login_url = handle.login_url().to_owned();
        config
    } else {
        let tenant = connection
            .tenant_id
            .clone()
            .ok_or(SourceError::Missing("tenant id"))?;
        let client_id = connection
            .client_id
            .clone()
            .ok_or(SourceError::Missing("client id"))?;
        let reference = connection
            .secret_ref
            .as_deref()
            .ok_or(SecretError::NotConfigured)?;
        let mut config = StoreConfig::new(tenant, client_id, secret::read(reference)?);
        config.api_url = api.to_owned();
        config.login_url = connection
            .login_url
            .clone()
            .unwrap_or_else(|| PUBLIC_LOGIN_URL.to_owned());
        config
    };
    config.language = language;
    let tenant = config.tenant.clone();
    Ok((StoreClient::new(config)?, tenant))
}

/// Reads the whole store and writes it. Returns what changed and things
/// the admin should know (the skipped apps with their reason first).
pub(super) fn pull(
    conn: &Connection,
    client: &StoreClient,
    tenant: &str,
    runtime: &Handle,
    connection: &StoreConnection,
    progress: &mut Progress<'_>,
) -> Result<(StoreSummary, Vec<String>), SyncError> {
    let outbox_mark = sync_store_business::outbox_mark(conn)?;
    let started_at = Utc::now();
    progress.report_of("Store inventory", 0, 0);
    let entries = runtime.block_on(client.inventory())?;
    let active: Vec<_> = entries
        .into_iter()
        .filter(|e| e.status == InventoryStatus::Active)
        .collect();
    let total = active.len() as u64;
    let mut apps = Vec::with_capacity(active.len());
    let mut seats = Vec::new();
    for (done, entry) in active.into_iter().enumerate() {
        progress.report_of("Store apps", done as u64, total);
        let key = &entry.key;
        let product = runtime.block_on(client.product(&key.product_id, &key.sku_id))?;
        if entry.license_type == StoreLicenseType::Online && product.skip_reason.is_none() {
            seats.extend(runtime.block_on(client.seats(&key.product_id, &key.sku_id))?);
        }
        apps.push(StoreApp { entry, product });
    }
    progress.report_of("writing into the cache", seats.len() as u64, 0);
    let pull = StorePull {
        tenant,
        apps: &apps,
        seats: &seats,
        outbox_mark,
        started_at,
    };
    let summary = sync_store_business::apply(conn, connection.id, &pull, Utc::now())?;
    let notes = notes(&summary);
    Ok((summary, notes))
}

fn notes(summary: &StoreSummary) -> Vec<String> {
    let mut notes: Vec<String> = summary.skipped_note().into_iter().collect();
    if summary.unknown_users > 0 {
        notes.push(format!(
            "{} seats of users the cache does not know left out",
            summary.unknown_users
        ));
    }
    if summary.kept_pending > 0 {
        notes.push(format!(
            "{} apps the store dropped kept until their pending changes are settled",
            summary.kept_pending
        ));
    }
    notes
}
