//! `seats connect store`: link the organization's Microsoft Store for
//! Business account (issue 8; R-CON-1, R-CON-2, R-CON-9).
//!
//! The credentials are checked at once — a token and one small inventory
//! read — with a small retry budget, so a wrong tenant, client id or
//! secret, an app not enabled as a management tool or an unreachable host
//! is a one-line error (exit 2) naming what to fix, and nothing is stored.
//! Once linked to a store account (its tenant), another tenant is refused
//! with the reason (exit 3); new credentials of the same tenant replace
//! the old ones and keep every app and seat. The secret is never stored:
//! the connector keeps the PATH of its 0600 file or `env:SEATS_STORE_SECRET`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, print};
use crate::cli_cache::CachePath;
use crate::connectors::store_business::{PUBLIC_LOGIN_URL, PUBLIC_STORE_URL, StoreClient, StoreConfig};
use crate::connectors::{ConnectorError, ErrorKind};
use crate::domain::store_business::valid_language;
use crate::store::connectors_admin::AdminError;
use crate::store::connectors_store::{self, Linked, StoreSettings};
use crate::store::{self, OpenMode};
use crate::worker::sync::secret;
use crate::worker::sync::store_business::STORE_SECRET_ENV;

/// `seats connect store` options.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// The directory (tenant) id of the organization's store account, or
    /// one of its domains.
    #[arg(long, value_name = "ID")]
    pub tenant_id: String,
    /// The application (client) id of the app enabled as a management tool
    /// in the Store for Business settings.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// A file holding the client secret (one line), readable by you only
    /// (chmod 600). Without it, the secret comes from SEATS_STORE_SECRET,
    /// at every sync too.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// The language app names are shown in (RFC 4646: en-US, de-DE, …);
    /// apps still install in each user's own language (R-CON-1).
    #[arg(long, value_name = "TAG", default_value = "en-US")]
    pub language: String,
    /// The store's base URL, `/V1` included (or `seats simulate`'s).
    #[arg(long, value_name = "URL", default_value = PUBLIC_STORE_URL)]
    pub api_url: String,
    /// The identity platform's base URL.
    #[arg(long, value_name = "URL", default_value = PUBLIC_LOGIN_URL)]
    pub login_url: String,
    /// The connector's name.
    #[arg(long, default_value = "Microsoft Store for Business")]
    pub name: String,
    /// How often it syncs, in minutes (default 720: twice a day, R-CON-5).
    #[arg(long, value_name = "MINUTES", default_value_t = 720)]
    pub interval_minutes: i64,
}

/// Runs `seats connect store` (the caller checked the role and the cache).
pub fn connect(args: &StoreArgs, cache: &CachePath, actor: &str) -> Result<(), Failure> {
    if args.interval_minutes <= 0 {
        return Err(Failure::usage(format!(
            "the sync interval must be at least 1 minute, not {}",
            args.interval_minutes
        )));
    }
    let language = args.language.trim();
    if !valid_language(language) {
        return Err(Failure::usage(format!(
            "--language {language:?} is not a language tag: give one like en-US or de-DE; nothing was stored"
        )));
    }
    let secret_ref = secret_reference(args.secret_file.as_deref())?;
    let settings = StoreSettings {
        name: args.name.trim().to_owned(),
        tenant_id: args.tenant_id.trim().to_owned(),
        client_id: args.client_id.trim().to_owned(),
        secret_ref,
        api_url: args.api_url.trim().trim_end_matches('/').to_owned(),
        login_url: args.login_url.trim().trim_end_matches('/').to_owned(),
        language: language.to_owned(),
        schedule_minutes: args.interval_minutes,
    };
    if settings.name.is_empty() || settings.tenant_id.is_empty() || settings.client_id.is_empty() {
        return Err(Failure::usage(
            "--name, --tenant-id and --client-id must not be empty; nothing was stored",
        ));
    }
    check(&settings)?;
    cache.create_if_missing()?;
    let conn = store::open(&cache.path, OpenMode::MustExist)?;
    store::admins::ensure_creator(&conn, actor)?;
    let linked = connectors_store::link_store(&conn, &settings, actor).map_err(|err| match err {
        AdminError::Store(_) => Failure::unexpected(err),
        AdminError::Invalid(why) => Failure {
            code: 3,
            message: format!("{why}; nothing was stored"),
        },
        other => Failure::usage(format!("{other}; nothing was stored")),
    })?;
    let what = match linked {
        Linked::Created(_) => "linked",
        Linked::Renewed(_) => "renewed (same tenant: every app and seat is kept)",
    };
    print(&format!(
        "Store for Business of tenant {}: the credentials work\nconnector {:?} {what}; app names in {}; \
         the secret is read from {} at each sync (seats never stores it); apps and seats come at the first \
         sync: `seats sync --connector {:?}`\n",
        settings.tenant_id,
        settings.name,
        settings.language,
        shown_reference(&settings.secret_ref),
        settings.name
    ))
}

/// `--secret-file` as an absolute path, or `env:SEATS_STORE_SECRET`; the
/// secret itself is read to check it.
fn secret_reference(file: Option<&Path>) -> Result<String, Failure> {
    let reference = match file {
        Some(path) => std::path::absolute(path)
            .map_err(|err| Failure::usage(format!("--secret-file {}: {err}", path.display())))?
            .to_string_lossy()
            .into_owned(),
        None if std::env::var_os(STORE_SECRET_ENV).is_some() => format!("env:{STORE_SECRET_ENV}"),
        None => {
            return Err(Failure::usage(format!(
                "no client secret: give --secret-file PATH (a file only you may read: chmod 600 PATH) \
                 or set {STORE_SECRET_ENV}; nothing was stored"
            )));
        }
    };
    secret::read(&reference).map_err(|err| Failure::usage(format!("{err}; nothing was stored")))?;
    Ok(reference)
}

fn shown_reference(reference: &str) -> String {
    match reference.strip_prefix("env:") {
        Some(name) => format!("the environment variable {name}"),
        None => reference.to_owned(),
    }
}

/// A token and one small inventory read (what changed since now: nothing,
/// so one short page whatever the store holds): the credentials work and
/// the app may read the inventory.
fn check(settings: &StoreSettings) -> Result<(), Failure> {
    let secret = secret::read(&settings.secret_ref).map_err(|err| Failure::usage(err.to_string()))?;
    let mut config = StoreConfig::new(&settings.tenant_id, &settings.client_id, secret);
    config.api_url = settings.api_url.clone();
    config.login_url = settings.login_url.clone();
    config.language = settings.language.clone();
    config.http = crate::worker::link::quick_http();
    let client = StoreClient::new(config).map_err(|err| refused(&err, settings))?;
    let runtime = crate::cli_sync::runtime()?;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let read = runtime.block_on(async {
        client.check_credentials().await?;
        client.inventory_since(Some(&since)).await
    });
    read.map(|_| ()).map_err(|err| refused(&err, settings))
}

/// The check's failure in one line, with what to fix (exit 2).
fn refused(err: &ConnectorError, settings: &StoreSettings) -> Failure {
    let mut message = format!("cannot connect to the Store for Business: {err}");
    if matches!(err.kind(), ErrorKind::SecretRefused { .. }) && settings.secret_ref.starts_with("env:") {
        message.push_str(&format!(" (the secret came from {STORE_SECRET_ENV})"));
    }
    if let Some(id) = err.request_id().filter(|id| !message.contains(*id)) {
        message.push_str(&format!(" (request id {id})"));
    }
    message.push_str("; nothing was stored");
    Failure::usage(message.split_whitespace().collect::<Vec<_>>().join(" "))
}
