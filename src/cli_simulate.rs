//! `seats simulate`: a local Microsoft Graph, Apple Apps and Books (v2,
//! with its lookup service) and Microsoft Store for Business to connect
//! seats to, one process and port; the banner prints a `seats connect`
//! line for each.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::cli::{Failure, print};
use crate::paths::{self, Paths};
use crate::sim::{Faults, SimConfig, SimError, Simulator};

/// `seats simulate` options.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Users of the simulated tenant (when its state file is new).
    #[arg(long, default_value_t = 2000)]
    pub users: u32,
    /// Seed of the tenant and of the fault draw.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Faults per request to any of the three (the token endpoint is never
    /// faulted), such as 429=0.1,500=0.02,slow=200ms,truncate=0.01; plus
    /// expire-delta (Graph's delta links), apple-http200, apple-expired,
    /// apple-revoked and apple-claimed (the Apple token).
    #[arg(long, value_name = "SPEC", value_parser = parse_faults)]
    pub faults: Option<Faults>,
    /// The simulator's state file (default: simulator.db in the data
    /// directory); an existing one is served as it is.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Where to write the client secret, readable by you only (default:
    /// beside the state file, with the extension .secret).
    #[arg(long, value_name = "FILE")]
    pub secret_file: Option<PathBuf>,
    /// Lifetime of the access tokens, in seconds.
    #[arg(long, default_value_t = 3599, value_name = "SECONDS")]
    pub token_lifetime: u64,
    /// Answer 403 to `$select=signInActivity`, as Graph does without
    /// AuditLog.Read.All.
    #[arg(long)]
    pub no_sign_in_activity: bool,
}

fn parse_faults(text: &str) -> Result<Faults, String> {
    text.parse()
        .map_err(|err: crate::sim::FaultSpecError| err.to_string())
}

impl From<SimError> for Failure {
    fn from(err: SimError) -> Failure {
        match err {
            SimError::Sqlite(_) | SimError::Task(_) => Failure::unexpected(err),
            _ => Failure::usage(err.to_string()),
        }
    }
}

/// Builds or opens the tenant, serves it, prints how to connect, and
/// serves until the process is interrupted.
pub fn simulate(args: SimulateArgs, paths: &Paths) -> Result<(), Failure> {
    let state = match args.state {
        Some(path) => path,
        None => {
            paths::ensure_private_dir(&paths.data_dir).map_err(|err| {
                Failure::usage(format!("cannot create {}: {err}", paths.data_dir.display()))
            })?;
            paths.data_dir.join("simulator.db")
        }
    };
    let secret_file = args.secret_file.unwrap_or_else(|| state.with_extension("secret"));
    let mut config = SimConfig::new(&state, args.users);
    config.seed = args.seed;
    config.port = args.port;
    config.faults = args.faults.unwrap_or_default();
    config.token_lifetime = Duration::from_secs(args.token_lifetime.max(1));
    config.sign_in_activity_allowed = !args.no_sign_in_activity;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Failure::unexpected)?;
    if !state.exists() {
        eprintln!(
            "seats: building a simulated tenant of {} users in {}…",
            args.users,
            state.display()
        );
    }
    let faults = config.faults.to_string();
    let handle = Simulator::start(config, runtime.handle())?;
    let creds = handle.credentials().clone();
    write_secret(&secret_file, &creds.client_secret)?;
    let token_file = state.with_extension("vpptoken");
    write_secret(&token_file, &handle.apple_token_file()?)?;
    let users = handle.tenant()?.user_count()?;
    let url = handle.base_url();
    print(&format!(
        "Simulated Microsoft Graph for {} ({users} users) at {url}\n  state {}   faults {faults}\n\
         Connect seats to it:\n  seats connect graph --tenant-id {} --client-id {} --secret-file {} \
         --graph-url {url} --login-url {url}\nApple Apps and Books (v2) at {}, its lookup service at {}:\n  \
         seats connect apple --name \"Simulated VPP\" --apple-id vpp-admin@{} --token-file {} \
         --acknowledge-permanent-link --api-url {} --lookup-url {}\nMicrosoft Store for Business at {}:\n  \
         seats connect store --tenant-id {} --client-id {} --secret-file {} --api-url {} --login-url {url}\n\
         Serving until interrupted (Ctrl-C).\n",
        creds.tenant_name,
        state.display(),
        creds.tenant_id,
        creds.client_id,
        secret_file.display(),
        handle.apple_api_url(),
        handle.apple_lookup_url(),
        creds.domain,
        token_file.display(),
        handle.apple_api_url(),
        handle.apple_lookup_url(),
        handle.store_url(),
        creds.tenant_id,
        creds.client_id,
        secret_file.display(),
        handle.store_url(),
    ))?;
    runtime.block_on(std::future::pending::<()>());
    drop(handle);
    Ok(())
}

/// Writes the secret to a file only its owner may read (0600).
fn write_secret(path: &Path, secret: &str) -> Result<(), Failure> {
    let failed = |err: std::io::Error| {
        Failure::usage(format!(
            "cannot write a secret (client secret or token) to {}: {err}",
            path.display()
        ))
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(failed)?;
    // An existing file keeps its mode on open: make it private too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
    }
    file.write_all(secret.as_bytes()).map_err(failed)
}
