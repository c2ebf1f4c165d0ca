//! `seats connect graph`: link a Microsoft Graph tenant (issue 7, R-CON-9).
//!
//! The credentials are checked at once — a token, the organization, its
//! subscribed SKUs — with a small retry budget, so a wrong tenant, secret
//! or client id, a missing permission or an unreachable host is a one-line
//! error (exit 2) within seconds, and nothing is stored. Only then is the
//! connector written (with the secret's PATH or `env:SEATS_GRAPH_SECRET`,
//! never the secret), the cache created first if it does not exist.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::cli::{Failure, print};
use crate::cli_cache::CachePath;
use crate::connectors::graph::{GraphClient, GraphConfig};
use crate::connectors::{ConnectorError, ErrorKind};
use crate::domain::Role;
use crate::domain::source::{SourceOrganization, SourceSku};
use crate::store::connectors_admin::{self, AdminError, GRAPH_URL, GraphSettings, LOGIN_URL};
use crate::store::{self, OpenMode};
use crate::worker::sync::secret::{self, GRAPH_SECRET_ENV};

/// The sources `seats connect` links.
#[derive(Debug, Subcommand)]
pub enum ConnectSource {
    /// Microsoft Graph: Microsoft 365 subscriptions, users, groups and
    /// license assignment. Needs an app registration with a client secret.
    Graph(GraphArgs),
    /// Apple Apps and Books: the organization's apps and books licenses,
    /// from the content token of Apple Business Manager. Links the
    /// organization's Apple account for good.
    Apple(crate::cli_connect_apple::AppleArgs),
    /// Microsoft Store for Business: the organization's store apps, online
    /// and offline, with their seats. Needs an app registration enabled as
    /// a management tool in the store, with a client secret.
    Store(crate::cli_connect_store::StoreArgs),
}

/// `seats connect graph` options.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The directory (tenant) id, or one of the tenant's verified domains.
    #[arg(long, value_name = "ID")]
    pub tenant_id: String,
    /// The application (client) id of the app registration.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// A file holding the client secret (its value, one line), readable by
    /// you only (chmod 600). Without it, the secret comes from
    /// SEATS_GRAPH_SECRET, at every sync too.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// The connector's name (default: "Microsoft Graph", or with the
    /// organization's name when that one is taken).
    #[arg(long)]
    pub name: Option<String>,
    /// Graph's base URL (a national cloud's, or `seats simulate`'s).
    #[arg(long, value_name = "URL", default_value = GRAPH_URL)]
    pub graph_url: String,
    /// The identity platform's base URL (tokens come from
    /// URL/TENANT/oauth2/v2.0/token).
    #[arg(long, value_name = "URL", default_value = LOGIN_URL)]
    pub login_url: String,
    /// How often it syncs, in minutes (default 720: twice a day, R-CON-5);
    /// the config's `[sync] interval_minutes` caps it.
    #[arg(long, value_name = "MINUTES", default_value_t = 720)]
    pub interval_minutes: i64,
}

/// The default name of a Graph connector.
const DEFAULT_NAME: &str = "Microsoft Graph";

/// What the check found at the source.
struct Found {
    organization: SourceOrganization,
    skus: Vec<SourceSku>,
}

/// Runs `seats connect …`.
pub fn connect(
    source: ConnectSource,
    cache: &CachePath,
    actor: String,
    read_only: bool,
) -> Result<(), Failure> {
    if read_only {
        return Err(Failure {
            code: 4,
            message:
                "--read-only changes nothing, and connecting stores a connector; run it without --read-only"
                    .to_owned(),
        });
    }
    cache.check()?;
    if cache.exists() {
        cache.must_be_writable()?;
        may_connect(&store::open(&cache.path, OpenMode::MustExist)?, &actor)?;
    }
    let args = match source {
        ConnectSource::Graph(args) => args,
        ConnectSource::Apple(args) => return crate::cli_connect_apple::connect(&args, cache, &actor),
        ConnectSource::Store(args) => return crate::cli_connect_store::connect(&args, cache, &actor),
    };
    let secret_ref = secret_reference(args.secret_file.as_deref())?;
    let mut settings = GraphSettings::new(
        args.name.as_deref().unwrap_or(DEFAULT_NAME),
        args.tenant_id.trim(),
        args.client_id.trim(),
        &secret_ref,
    );
    settings.graph_url = args.graph_url.trim().trim_end_matches('/').to_owned();
    settings.login_url = args.login_url.trim().trim_end_matches('/').to_owned();
    settings.schedule_minutes = args.interval_minutes;
    settings
        .validate()
        .map_err(|err| Failure::usage(err.to_string()))?;
    let found = check(&settings)?;
    let created = cache.create_if_missing()?;
    let conn = store::open(&cache.path, OpenMode::MustExist)?;
    store::admins::ensure_creator(&conn, &actor)?;
    if args.name.is_none() {
        settings.name = free_name(&conn, &found.organization.name)?;
    }
    settings.account = found.organization.default_domain.clone();
    // The directory id, even when --tenant-id named a domain: one tenant is
    // one connector, however it was named.
    if !found.organization.source_id.trim().is_empty() {
        settings.tenant_id = found.organization.source_id.clone();
    }
    connectors_admin::create_graph_connector_by(&conn, &settings, Some(&actor)).map_err(|err| match err {
        AdminError::Store(_) => Failure::unexpected(err),
        _ => Failure::usage(format!("{err}; nothing was stored")),
    })?;
    let place = if created { "a new cache at" } else { "the cache" };
    print(&format!(
        "{}\nconnector {:?} stored in {place} {}; the secret is read from {} at each sync (seats never stores it)\n",
        summary(&found),
        settings.name,
        cache.path.display(),
        shown_reference(&secret_ref)
    ))
}

/// On a cache with admins, only a global administrator links a source (the
/// user who creates a cache becomes one).
fn may_connect(conn: &rusqlite::Connection, actor: &str) -> Result<(), Failure> {
    let admins: i64 = conn.query_row("SELECT count(*) FROM admins", [], |row| row.get(0))?;
    let role = store::status::role_of(conn, actor)?;
    if admins == 0 || role == Some(Role::Global) {
        return Ok(());
    }
    let has = role.map_or_else(
        || "is not an admin of this cache".to_owned(),
        |role| format!("has the {} role", role.label()),
    );
    Err(Failure {
        code: 4,
        message: format!(
            "{actor} {has}; connecting a source needs the global administrator role; a global \
             administrator can grant it with `seats admins add {actor} --role global`"
        ),
    })
}

/// `--secret-file` as an absolute path (the sync reads it from anywhere),
/// or `env:SEATS_GRAPH_SECRET`; the secret itself is read to check it.
fn secret_reference(file: Option<&Path>) -> Result<String, Failure> {
    let reference = match file {
        Some(path) => std::path::absolute(path)
            .map_err(|err| Failure::usage(format!("--secret-file {}: {err}", path.display())))?
            .to_string_lossy()
            .into_owned(),
        None if std::env::var_os(GRAPH_SECRET_ENV).is_some() => format!("env:{GRAPH_SECRET_ENV}"),
        None => {
            return Err(Failure::usage(format!(
                "no client secret: give --secret-file PATH (a file only you may read: chmod 600 PATH) \
                 or set {GRAPH_SECRET_ENV}"
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

/// Signs in and reads the organization and its SKUs, failing fast.
fn check(settings: &GraphSettings) -> Result<Found, Failure> {
    let secret = secret::read(&settings.secret_ref).map_err(|err| Failure::usage(err.to_string()))?;
    let mut config = GraphConfig::new(&settings.tenant_id, &settings.client_id, secret);
    config.graph_url = settings.graph_url.clone();
    config.login_url = settings.login_url.clone();
    config.http = crate::worker::link::quick_http();
    config.sign_in_activity = false;
    let client = GraphClient::new(config).map_err(|err| refused(&err, settings))?;
    let runtime = crate::cli_sync::runtime()?;
    let read = runtime.block_on(async {
        let organization = client.organization().await?;
        let skus = client.subscribed_skus().await?;
        Ok::<_, ConnectorError>(Found { organization, skus })
    });
    read.map_err(|err| refused(&err, settings))
}

/// The check's failure in one line, with what to fix (exit 2).
fn refused(err: &ConnectorError, settings: &GraphSettings) -> Failure {
    let mut message = format!("cannot connect to Microsoft Graph: {err}");
    if matches!(err.kind(), ErrorKind::SecretRefused { .. }) && settings.secret_ref.starts_with("env:") {
        message.push_str(&format!(" (the secret came from {GRAPH_SECRET_ENV})"));
    }
    if let Some(id) = err.request_id().filter(|id| !message.contains(*id)) {
        message.push_str(&format!(" (request id {id})"));
    }
    message.push_str("; nothing was stored");
    // One line, whatever the source's text held.
    Failure::usage(message.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// "Microsoft Graph", or with the organization's name when that is taken.
fn free_name(conn: &rusqlite::Connection, organization: &str) -> Result<String, Failure> {
    if connectors_admin::find_connector(conn, DEFAULT_NAME)?.is_none() {
        return Ok(DEFAULT_NAME.to_owned());
    }
    Ok(format!("{DEFAULT_NAME} ({organization})"))
}

/// "Contoso: 23 subscriptions (18 assignable); users are read at the first sync: `seats sync`"
fn summary(found: &Found) -> String {
    let assignable = found.skus.iter().filter(|sku| sku.assignable).count();
    let total = found.skus.len();
    format!(
        "{}: {total} subscription{} ({assignable} assignable); users are read at the first sync: `seats sync`",
        found.organization.name,
        if total == 1 { "" } else { "s" }
    )
}
