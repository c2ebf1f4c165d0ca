//! Linking the organization's Apple Apps and Books location (issue 8;
//! R-CON-2, R-CON-3, R-CON-6, R-CON-9), for `seats connect apple` and the
//! Connectors pane alike: the token file must be readable by its owner
//! only (like an ssh key), parse and not be expired; Apple is asked which
//! location it opens and who manages it; then the connector is stored (or
//! renewed: the same location's new token keeps every assignment). A token
//! of another location than the linked one is refused (exit 3).

use std::path::{Path, PathBuf};

use crate::connectors::ConnectorError;
use crate::connectors::apple::{APPLE_API_URL, APPLE_LOOKUP_URL, AppleClient, AppleConfig, AppleToken};
use crate::domain::apple::AppleLocation;
use crate::store::connectors_admin::AdminError;
use crate::store::connectors_apple::{self, AppleSettings, Linked};
use crate::store::{self, OpenMode};
use crate::worker::sync::secret;

/// What the admin gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleLink {
    pub name: String,
    pub apple_id: String,
    pub token_file: PathBuf,
    /// Apple's API v2 base (a simulator's, in tests).
    pub api_url: String,
    pub lookup_url: String,
    pub interval_minutes: i64,
}

impl AppleLink {
    /// A link to Apple itself (the console's form), or to a simulator when
    /// `api_url` is not Apple's: its lookup service is then beside it.
    pub fn new(name: &str, apple_id: &str, token_file: &Path, api_url: &str) -> AppleLink {
        let api_url = api_url.trim().trim_end_matches('/').to_owned();
        let lookup_url = match api_url.strip_suffix("/mdm/v2") {
            Some(base) if api_url != APPLE_API_URL => format!("{base}/lookup"),
            _ => APPLE_LOOKUP_URL.to_owned(),
        };
        AppleLink {
            name: name.trim().to_owned(),
            apple_id: apple_id.trim().to_owned(),
            token_file: token_file.to_owned(),
            api_url,
            lookup_url,
            interval_minutes: 720,
        }
    }
}

/// Why nothing was stored: the exit code (2 bad input, 3 refused by rule,
/// 1 the cache) and a message that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub code: u8,
    pub message: String,
}

impl LinkError {
    pub(crate) fn usage(message: String) -> LinkError {
        LinkError { code: 2, message }
    }
}

/// The warning every link shows, and the refusal without the
/// acknowledgement.
pub const PERMANENT_LINK_WARNING: &str = "linking an Apple Apps and Books token ties this organization to \
     that Apple account for good: it can't be moved to another Apple account later, and only a renewed \
     token of the same account can replace it";

/// Reads and checks the token file: private, a content token, not expired.
pub fn read_token(file: &Path) -> Result<(String, AppleToken), LinkError> {
    let path = std::path::absolute(file)
        .map_err(|err| LinkError::usage(format!("token file {}: {err}", file.display())))?;
    let reference = path.to_string_lossy().into_owned();
    let text = secret::read_whole(&reference)
        .map_err(|err| LinkError::usage(format!("{err}; nothing was stored")))?;
    let token = AppleToken::from_file_text(text.expose())
        .map_err(|err| LinkError::usage(format!("{}: {err}; nothing was stored", path.display())))?;
    if token.expires() <= chrono::Utc::now() {
        return Err(LinkError::usage(format!(
            "the token {:?} expired on {}: download a new one in Apple Business Manager (Settings → Apps and \
             Books); nothing was stored",
            token.org_name(),
            token.expires().format("%Y-%m-%d")
        )));
    }
    Ok((reference, token))
}

/// What Apple said about a token, ready to store.
#[derive(Debug, Clone)]
pub struct Verified {
    settings: AppleSettings,
    location: AppleLocation,
}

/// Checks the link and the token at Apple; stores nothing.
pub fn verify(link: &AppleLink) -> Result<Verified, LinkError> {
    if link.name.is_empty() || link.apple_id.is_empty() {
        return Err(LinkError::usage(
            "a name and the Apple ID that owns the token are both needed; nothing was stored".into(),
        ));
    }
    if link.interval_minutes <= 0 {
        return Err(LinkError::usage(format!(
            "the sync interval must be at least 1 minute, not {}",
            link.interval_minutes
        )));
    }
    let (reference, token) = read_token(&link.token_file)?;
    let location = check(link, token.clone())?;
    let settings = AppleSettings {
        name: link.name.clone(),
        apple_id: link.apple_id.clone(),
        token_name: token.org_name().to_owned(),
        secret_ref: reference,
        api_url: link.api_url.clone(),
        lookup_url: link.lookup_url.clone(),
        location_uid: location.uid.clone(),
        location_name: location.name.clone(),
        token_expires: location
            .token_expires
            .clone()
            .unwrap_or_else(|| token.expires().to_rfc3339()),
        schedule_minutes: link.interval_minutes,
    };
    Ok(Verified { settings, location })
}

/// Stores a verified link in the cache at `db_path` (which must exist).
/// Returns what to tell the admin.
pub fn save(db_path: &Path, actor: &str, verified: &Verified) -> Result<String, LinkError> {
    let settings = &verified.settings;
    stored(
        db_path,
        actor,
        &settings.name,
        |conn| connectors_apple::link_apple(conn, settings, actor),
        |linked| report(settings, &verified.location, linked),
    )
}

/// Opens the cache, stores a link with `link` and returns `report` of it
/// with the disabled note: the Apple and the Store links alike.
pub(super) fn stored(
    db_path: &Path,
    actor: &str,
    name: &str,
    link: impl FnOnce(&rusqlite::Connection) -> Result<Linked, AdminError>,
    report: impl FnOnce(Linked) -> String,
) -> Result<String, LinkError> {
    let cache_failed = |message: String| LinkError { code: 1, message };
    let conn = store::open(db_path, OpenMode::MustExist).map_err(|err| cache_failed(err.to_string()))?;
    store::admins::ensure_creator(&conn, actor).map_err(|err| cache_failed(err.to_string()))?;
    let linked = link(&conn).map_err(|err| match err {
        AdminError::Store(err) => cache_failed(format!("cache error: {err}; nothing was stored")),
        AdminError::Invalid(why) => LinkError {
            code: 3,
            message: format!("{why}; nothing was stored"),
        },
        other => LinkError::usage(format!("{other}; nothing was stored")),
    })?;
    let mut text = report(linked);
    text.push_str(&disabled_note(&conn, linked.id(), name));
    Ok(text)
}

/// How the link report starts the line saying the connector is disabled.
pub const DISABLED_NOTE: &str = "note: the connector is disabled";

/// A renewal keeps the connector as it was: when it is disabled, the
/// report's line saying so and how to turn it on (empty otherwise).
pub fn disabled_note(conn: &rusqlite::Connection, id: i64, name: &str) -> String {
    let enabled: bool = conn
        .query_row("SELECT enabled FROM connectors WHERE id = ?1", [id], |r| r.get(0))
        .unwrap_or(true);
    if enabled {
        return String::new();
    }
    format!(
        "{DISABLED_NOTE}: it does not sync until `seats connector enable {name:?}` (:enable in Connectors)\n"
    )
}

/// Verifies and stores (the Connectors pane's form).
pub fn link_apple(db_path: &Path, actor: &str, link: &AppleLink) -> Result<String, LinkError> {
    save(db_path, actor, &verify(link)?)
}

/// Asks Apple which location the token opens (and who manages it).
fn check(link: &AppleLink, token: AppleToken) -> Result<AppleLocation, LinkError> {
    let config = AppleConfig {
        api_url: link.api_url.clone(),
        lookup_url: link.lookup_url.clone(),
        http: quick_http(),
        ..AppleConfig::default()
    };
    let refused = |err: ConnectorError| {
        let text = format!("cannot link the Apple token: {err}; nothing was stored");
        LinkError::usage(text.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let client = AppleClient::new(config, token).map_err(refused)?;
    block_on(async { client.client_config().await })?.map_err(refused)
}

/// Runs `work` to its end from blocking code: on the worker's runtime
/// (its blocking threads), or on a runtime of its own (the command line).
pub(crate) fn block_on<F: std::future::Future>(work: F) -> Result<F::Output, LinkError> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => Ok(handle.block_on(work)),
        Err(_) => Ok(tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| LinkError::usage(format!("cannot start the network runtime: {err}")))?
            .block_on(work)),
    }
}

/// One retry and short timeouts: an admin waits at the prompt.
pub fn quick_http() -> crate::connectors::HttpConfig {
    use std::time::Duration;
    crate::connectors::HttpConfig {
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(20),
        retry: crate::connectors::RetryPolicy {
            max_retries: 1,
            max_total_wait: Duration::from_secs(3),
            backoff_base: Duration::from_millis(300),
            backoff_max: Duration::from_secs(2),
        },
        concurrency: 2,
    }
}

fn report(settings: &AppleSettings, location: &AppleLocation, linked: Linked) -> String {
    let what = match linked {
        Linked::Created(_) => "linked",
        Linked::Renewed(_) => "renewed (same location: every assignment is kept)",
    };
    let mut text = format!(
        "Apple location {:?} ({}): token {:?} expires {}\nconnector {:?} {what}; the token is read from {} at each \
         sync (seats never stores it); apps and seats come at the first sync: `seats sync --connector {:?}`\n",
        location.name,
        location.uid,
        settings.token_name,
        settings.token_expires,
        settings.name,
        settings.secret_ref,
        settings.name
    );
    if let Some(manager) = location.manager.as_ref().filter(|m| !m.is_seats()) {
        text.push_str(&format!(
            "warning: the token is in use by {}; the first sync will not take it over unless you run \
             `seats sync --connector {:?} --take-over` (the assignments {} made are then lost to it)\n",
            manager.name, settings.name, manager.name
        ));
    }
    text
}
