//! Linking the organization's Microsoft Store for Business account (issue
//! 8; R-CON-1, R-CON-2, R-CON-9), for `seats connect store` and the
//! Connectors pane's link form alike. The credentials are checked at once
//! — a token and one small inventory read, with a small retry budget — so
//! a wrong tenant, client id or secret, an app not enabled as a management
//! tool or an unreachable host is one line naming what to fix, and nothing
//! is stored. Once linked to a store account (its tenant), another tenant
//! is refused with the reason (code 3); new credentials of the same tenant
//! renew it and keep every app and seat. The secret is never stored: the
//! connector keeps the PATH of its 0600 file or `env:SEATS_STORE_SECRET`.

use std::path::{Path, PathBuf};

use super::link::{LinkError, block_on};
use crate::connectors::store_business::{PUBLIC_LOGIN_URL, PUBLIC_STORE_URL, StoreClient, StoreConfig};
use crate::connectors::{ConnectorError, ErrorKind};
use crate::domain::store_business::valid_language;
use crate::store::connectors_store::{self, Linked, StoreSettings};
use crate::worker::sync::secret;
use crate::worker::sync::store_business::STORE_SECRET_ENV;

/// The default name of a Store connector.
pub const DEFAULT_NAME: &str = "Microsoft Store for Business";
/// The default language of app names (R-CON-1).
pub const DEFAULT_LANGUAGE: &str = "en-US";

/// What the admin gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLink {
    pub name: String,
    /// The directory (tenant) id of the store account, or one of its domains.
    pub tenant_id: String,
    pub client_id: String,
    /// The secret's file; None: SEATS_STORE_SECRET, at every sync too.
    pub secret_file: Option<PathBuf>,
    pub language: String,
    pub api_url: String,
    pub login_url: String,
    pub interval_minutes: i64,
}

impl StoreLink {
    /// A link to the public store with the defaults of `seats connect store`.
    pub fn new(tenant_id: &str, client_id: &str, secret_file: Option<&Path>) -> StoreLink {
        StoreLink {
            name: DEFAULT_NAME.to_owned(),
            tenant_id: tenant_id.to_owned(),
            client_id: client_id.to_owned(),
            secret_file: secret_file.map(Path::to_owned),
            language: DEFAULT_LANGUAGE.to_owned(),
            api_url: PUBLIC_STORE_URL.to_owned(),
            login_url: PUBLIC_LOGIN_URL.to_owned(),
            interval_minutes: 720,
        }
    }
}

/// Checks the link and the credentials at the store; stores nothing.
pub fn verify(link: &StoreLink) -> Result<StoreSettings, LinkError> {
    if link.interval_minutes <= 0 {
        return Err(LinkError::usage(format!(
            "the sync interval must be at least 1 minute, not {}",
            link.interval_minutes
        )));
    }
    let language = link.language.trim();
    if !valid_language(language) {
        return Err(LinkError::usage(format!(
            "the language {language:?} is not a language tag: give one like en-US or de-DE; nothing was stored"
        )));
    }
    let settings = StoreSettings {
        name: link.name.trim().to_owned(),
        tenant_id: link.tenant_id.trim().to_owned(),
        client_id: link.client_id.trim().to_owned(),
        secret_ref: secret_reference(link.secret_file.as_deref())?,
        api_url: link.api_url.trim().trim_end_matches('/').to_owned(),
        login_url: link.login_url.trim().trim_end_matches('/').to_owned(),
        language: language.to_owned(),
        schedule_minutes: link.interval_minutes,
    };
    if settings.name.is_empty() || settings.tenant_id.is_empty() || settings.client_id.is_empty() {
        return Err(LinkError::usage(
            "the name, the tenant id and the client id must not be empty; nothing was stored".into(),
        ));
    }
    check(&settings)?;
    Ok(settings)
}

/// Stores verified settings in the cache at `db_path` (which must exist);
/// returns what to tell the admin.
pub fn save(db_path: &Path, actor: &str, settings: &StoreSettings) -> Result<String, LinkError> {
    super::link::stored(
        db_path,
        actor,
        &settings.name,
        |conn| connectors_store::link_store(conn, settings, actor),
        |linked| report(settings, linked),
    )
}

/// Verifies and stores (the Connectors pane's form).
pub fn link_store(db_path: &Path, actor: &str, link: &StoreLink) -> Result<String, LinkError> {
    save(db_path, actor, &verify(link)?)
}

/// The secret file as an absolute path, or `env:SEATS_STORE_SECRET`; the
/// secret itself is read to check it.
fn secret_reference(file: Option<&Path>) -> Result<String, LinkError> {
    let reference = match file {
        Some(path) => std::path::absolute(path)
            .map_err(|err| LinkError::usage(format!("secret file {}: {err}", path.display())))?
            .to_string_lossy()
            .into_owned(),
        None if std::env::var_os(STORE_SECRET_ENV).is_some() => format!("env:{STORE_SECRET_ENV}"),
        None => {
            return Err(LinkError::usage(format!(
                "no client secret: give the file holding it (--secret-file PATH; a file only you may read: \
                 chmod 600 PATH) or set {STORE_SECRET_ENV}; nothing was stored"
            )));
        }
    };
    secret::read(&reference).map_err(|err| LinkError::usage(format!("{err}; nothing was stored")))?;
    Ok(reference)
}

/// A token and one small inventory read (what changed since now: nothing,
/// so one short page whatever the store holds): the credentials work and
/// the app may read the inventory.
fn check(settings: &StoreSettings) -> Result<(), LinkError> {
    let secret = secret::read(&settings.secret_ref).map_err(|err| LinkError::usage(err.to_string()))?;
    let mut config = StoreConfig::new(&settings.tenant_id, &settings.client_id, secret);
    config.api_url = settings.api_url.clone();
    config.login_url = settings.login_url.clone();
    config.language = settings.language.clone();
    config.http = super::link::quick_http();
    let client = StoreClient::new(config).map_err(|err| refused(&err, settings))?;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let read = block_on(async {
        client.check_credentials().await?;
        client.inventory_since(Some(&since)).await
    })?;
    read.map(|_| ()).map_err(|err| refused(&err, settings))
}

/// The check's failure in one line, with what to fix.
fn refused(err: &ConnectorError, settings: &StoreSettings) -> LinkError {
    let mut message = format!("cannot connect to the Store for Business: {err}");
    if matches!(err.kind(), ErrorKind::SecretRefused { .. }) && settings.secret_ref.starts_with("env:") {
        message.push_str(&format!(" (the secret came from {STORE_SECRET_ENV})"));
    }
    if let Some(id) = err.request_id().filter(|id| !message.contains(*id)) {
        message.push_str(&format!(" (request id {id})"));
    }
    message.push_str("; nothing was stored");
    LinkError::usage(message.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn shown_reference(reference: &str) -> String {
    match reference.strip_prefix("env:") {
        Some(name) => format!("the environment variable {name}"),
        None => reference.to_owned(),
    }
}

fn report(settings: &StoreSettings, linked: Linked) -> String {
    let what = match linked {
        Linked::Created(_) => "linked",
        Linked::Renewed(_) => "renewed (same tenant: every app and seat is kept)",
    };
    format!(
        "Store for Business of tenant {}: the credentials work\nconnector {:?} {what}; app names in {}; \
         the secret is read from {} at each sync (seats never stores it); apps and seats come at the first \
         sync: `seats sync --connector {:?}`\n",
        settings.tenant_id,
        settings.name,
        settings.language,
        shown_reference(&settings.secret_ref),
        settings.name
    )
}
