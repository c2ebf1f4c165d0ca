//! `seats connect apple`: link the organization's Apple Apps and Books
//! location with its content token (issue 8; R-CON-2, R-CON-3, R-CON-4,
//! R-CON-6, R-CON-9). The checks and the link itself are
//! `worker::link`'s, shared with the Connectors pane.
//!
//! Nothing is stored without `--acknowledge-permanent-link`: linking ties
//! the organization to that Apple account for good (exit 2 with the
//! warning). A token of another location than the one linked is refused
//! (exit 3); a renewed token of the same location replaces the old one and
//! keeps every assignment.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{Failure, print};
use crate::cli_cache::CachePath;
use crate::connectors::apple::{APPLE_API_URL, APPLE_LOOKUP_URL};
use crate::worker::link::{self, AppleLink, LinkError, PERMANENT_LINK_WARNING};

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

fn failure(err: LinkError) -> Failure {
    Failure {
        code: err.code,
        message: err.message,
    }
}

/// Runs `seats connect apple` (the caller checked the role and the cache).
pub fn connect(args: &AppleArgs, cache: &CachePath, actor: &str) -> Result<(), Failure> {
    let mut link = AppleLink::new(&args.name, &args.apple_id, &args.token_file, &args.api_url);
    link.lookup_url = args.lookup_url.trim().to_owned();
    link.interval_minutes = args.interval_minutes;
    let (_, token) = link::read_token(&args.token_file).map_err(failure)?;
    if !args.acknowledge_permanent_link {
        return Err(Failure::usage(format!(
            "{PERMANENT_LINK_WARNING}. To link {:?}, run this again with --acknowledge-permanent-link; \
             nothing was stored",
            token.org_name()
        )));
    }
    let verified = link::verify(&link).map_err(failure)?;
    cache.create_if_missing()?;
    print(&link::save(&cache.path, actor, &verified).map_err(failure)?)
}
