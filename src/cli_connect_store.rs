//! `seats connect store`: link the organization's Microsoft Store for
//! Business account (issue 8; R-CON-1, R-CON-2, R-CON-9).
//!
//! The checks and the link are `worker::link_store`'s, shared with the
//! Connectors pane's form: a wrong tenant, client id or secret, an app not
//! enabled as a management tool or an unreachable host is a one-line error
//! (exit 2) naming what to fix, and nothing is stored. Once linked to a
//! store account (its tenant), another tenant is refused with the reason
//! (exit 3); new credentials of the same tenant replace the old ones and
//! keep every app and seat. The secret is never stored: the connector
//! keeps the PATH of its 0600 file or `env:SEATS_STORE_SECRET`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{Failure, print};
use crate::cli_cache::CachePath;
use crate::connectors::store_business::{PUBLIC_LOGIN_URL, PUBLIC_STORE_URL};
use crate::worker::link::LinkError;
use crate::worker::link_store::{self, StoreLink};

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
    let link = StoreLink {
        name: args.name.clone(),
        tenant_id: args.tenant_id.clone(),
        client_id: args.client_id.clone(),
        secret_file: args.secret_file.clone(),
        language: args.language.clone(),
        api_url: args.api_url.clone(),
        login_url: args.login_url.clone(),
        interval_minutes: args.interval_minutes,
    };
    let failed = |err: LinkError| Failure {
        code: err.code,
        message: err.message,
    };
    let settings = link_store::verify(&link).map_err(failed)?;
    cache.create_if_missing()?;
    print(&link_store::save(&cache.path, actor, &settings).map_err(failed)?)
}
