//! `seats connect apple`: link the organization's Apple Apps and Books
//! location with its content token (issue 8; R-CON-2, R-CON-3, R-CON-4,
//! R-CON-6, R-CON-9).
//!
//! Nothing is stored without `--acknowledge-permanent-link`: linking ties
//! the organization to that Apple account for good (exit 2 with the
//! warning). The token file must be readable by its owner only (like an
//! ssh key), parse, and not be expired; then Apple is asked which location
//! it opens and who manages it. A token of another location than the one
//! linked is refused (exit 3); a renewed token of the same location
//! replaces the old one and keeps every assignment.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{Failure, print};
use crate::cli_cache::CachePath;
use crate::connectors::ConnectorError;
use crate::connectors::apple::{APPLE_API_URL, APPLE_LOOKUP_URL, AppleClient, AppleConfig, AppleToken};
use crate::store::connectors_admin::AdminError;
use crate::store::connectors_apple::{self, AppleSettings, Linked};
use crate::store::{self, OpenMode};
use crate::worker::sync::secret;

/// `seats connect apple` options.
#[derive(Debug, Args)]
pub struct AppleArgs {
    /// The connector's name (the token's name in Apple Business Manager is
    /// a good one).
    #[arg(long)]
    pub name: String,
    /// The Apple ID of the administrator who owns the token.
    #[arg(long, value_name = "ID")]
    pub apple_id: String,
    /// The content token downloaded from Apple Business Manager (Settings
    /// → Apps and Books), readable by you only (chmod 600).
    #[arg(long, value_name = "FILE")]
    pub token_file: PathBuf,
    /// Acknowledge that this links the organization's Apple account for
    /// good: it can't be moved to another account later.
    #[arg(long)]
    pub acknowledge_permanent_link: bool,
    /// Apple's API v2 base (or `seats simulate`'s `{base}/mdm/v2`).
    #[arg(long, value_name = "URL", default_value = APPLE_API_URL)]
    pub api_url: String,
    /// Apple's public lookup service, for app names.
    #[arg(long, value_name = "URL", default_value = APPLE_LOOKUP_URL)]
    pub lookup_url: String,
    /// How often it syncs, in minutes (default 720: twice a day, R-CON-5).
    #[arg(long, value_name = "MINUTES", default_value_t = 720)]
    pub interval_minutes: i64,
}

/// The warning every link shows, and the refusal without the flag.
pub const PERMANENT_LINK_WARNING: &str = "linking an Apple Apps and Books token ties this organization to \
     that Apple account for good: it can't be moved to another Apple account later, and only a renewed \
     token of the same account can replace it";

/// Runs `seats connect apple` (the caller checked the role and the cache).
pub fn connect(args: &AppleArgs, cache: &CachePath, actor: &str) -> Result<(), Failure> {
    if args.interval_minutes <= 0 {
        return Err(Failure::usage(format!(
            "the sync interval must be at least 1 minute, not {}",
            args.interval_minutes
        )));
    }
    let path = std::path::absolute(&args.token_file)
        .map_err(|err| Failure::usage(format!("--token-file {}: {err}", args.token_file.display())))?;
    let reference = path.to_string_lossy().into_owned();
    let text =
        secret::read_whole(&reference).map_err(|err| Failure::usage(format!("{err}; nothing was stored")))?;
    let token = AppleToken::from_file_text(text.expose())
        .map_err(|err| Failure::usage(format!("{}: {err}; nothing was stored", path.display())))?;
    if token.expires() <= chrono::Utc::now() {
        return Err(Failure::usage(format!(
            "the token {:?} expired on {}: download a new one in Apple Business Manager (Settings → Apps and \
             Books); nothing was stored",
            token.org_name(),
            token.expires().format("%Y-%m-%d")
        )));
    }
    if !args.acknowledge_permanent_link {
        return Err(Failure::usage(format!(
            "{PERMANENT_LINK_WARNING}. To link {:?}, run this again with --acknowledge-permanent-link; \
             nothing was stored",
            token.org_name()
        )));
    }
    let location = check(args, token.clone())?;
    let settings = AppleSettings {
        name: args.name.trim().to_owned(),
        apple_id: args.apple_id.trim().to_owned(),
        token_name: token.org_name().to_owned(),
        secret_ref: reference,
        api_url: args.api_url.trim().trim_end_matches('/').to_owned(),
        lookup_url: args.lookup_url.trim().to_owned(),
        location_uid: location.uid.clone(),
        location_name: location.name.clone(),
        token_expires: location
            .token_expires
            .clone()
            .unwrap_or_else(|| token.expires().to_rfc3339()),
        schedule_minutes: args.interval_minutes,
    };
    cache.create_if_missing()?;
    let conn = store::open(&cache.path, OpenMode::MustExist)?;
    store::admins::ensure_creator(&conn, actor)?;
    let linked = connectors_apple::link_apple(&conn, &settings, actor).map_err(|err| match err {
        AdminError::Store(_) => Failure::unexpected(err),
        AdminError::Invalid(why) => Failure {
            code: 3,
            message: format!("{why}; nothing was stored"),
        },
        other => Failure::usage(format!("{other}; nothing was stored")),
    })?;
    print(&report(&settings, &location, linked))
}

/// Asks Apple which location the token opens (and who manages it).
fn check(args: &AppleArgs, token: AppleToken) -> Result<crate::domain::apple::AppleLocation, Failure> {
    let config = AppleConfig {
        api_url: args.api_url.trim().to_owned(),
        lookup_url: args.lookup_url.trim().to_owned(),
        http: crate::cli_connect::quick_http(),
        ..AppleConfig::default()
    };
    let refused = |err: ConnectorError| {
        let text = format!("cannot link the Apple token: {err}; nothing was stored");
        Failure::usage(text.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let client = AppleClient::new(config, token).map_err(refused)?;
    let runtime = crate::cli_sync::runtime()?;
    runtime.block_on(client.client_config()).map_err(refused)
}

fn report(
    settings: &AppleSettings,
    location: &crate::domain::apple::AppleLocation,
    linked: Linked,
) -> String {
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
