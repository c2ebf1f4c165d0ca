//! The command line (architecture §5): parsing and dispatch.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::PaneId;
use crate::app::state::{MIN_HEIGHT, MIN_WIDTH};

mod values;

use crate::cli_cache::{CachePath, Origin};
use crate::cli_changes::Session;
use crate::cli_console::DemoRun;
use crate::config::Config;
use crate::output::Format;
use crate::paths::{self, Paths};
use crate::store::{self, OpenMode, StoreError};
use values::{demo_users, screen_height, screen_width};

/// seats: a keyboard-driven terminal console for software licenses.
#[derive(Debug, Parser)]
#[command(name = "seats", version, about, long_about = None)]
pub struct Cli {
    /// The cache file to use (default: seats.db in the data directory, demo.db
    /// for `demo`). Its folder must exist; a new file is created only by
    /// `demo`, `connect` or `--init`.
    #[arg(long, global = true, env = "SEATS_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file to use (default: config.toml in the config directory).
    #[arg(long, global = true, env = "SEATS_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open the console browse-only: no key changes anything. Before `demo`
    /// it does the same; before `assign`, `unassign`, `users remove`,
    /// `admins add|remove`, `import agreements|entitlements|inventory|subscriptions`,
    /// `products map|unmap`, `license-groups add|rename|remove`, `subscription
    /// activate|cancel|quantity|profile`, `billing-profile add|edit` and
    /// `connector enable|disable` it
    /// refuses the change (exit 4); the commands that only read (`pools`,
    /// `subscriptions`, `billing-profiles`, `invoices`, `audit`…) and
    /// `--dry-run` take it and read as always.
    #[arg(long)]
    pub read_only: bool,
    /// Create a new, empty cache at --db PATH (a file that does not exist
    /// yet), then open the console on it.
    #[arg(long, conflicts_with = "read_only")]
    pub init: bool,
    /// Whether --db came from SEATS_DB (set after parsing, for messages).
    #[arg(skip)]
    pub db_from_env: bool,
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Build the demo tenant if absent, then open the console on it.
    Demo {
        /// Users in the generated organization: 50 to 1,000,000.
        #[arg(long, default_value_t = 2000, value_parser = demo_users)]
        users: u32,
        /// Seed of the generator: the same seed gives the same tenant.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Build the tenant (progress on stderr) and exit without the console.
        #[arg(long)]
        no_open: bool,
    },
    /// Print one rendered screen of a pane as plain text.
    Snapshot {
        /// The pane: licenses, apps, connectors, agreements, users, assignees
        /// (with --pool), reclaim, audit, groups, installs, inventory, detections,
        /// subscriptions, report-purchase, report-installation, report-inventory
        /// or report-utilization
        /// (a unique prefix will do).
        pane: String,
        /// Columns of the screen: 80 (the console's minimum) to 1000.
        #[arg(long, default_value_t = MIN_WIDTH, value_parser = screen_width)]
        width: u16,
        /// Rows of the screen: 24 (the console's minimum) to 1000.
        #[arg(long, default_value_t = MIN_HEIGHT, value_parser = screen_height)]
        height: u16,
        /// With `assignees`: the pool whose seats to show (id, name or SKU).
        #[arg(long, value_name = "POOL")]
        pool: Option<String>,
    },
    /// License pools with total / consumed / available, status and expiry.
    Pools {
        /// Keep pools that pass the console's filter (`free<10 !kind:vpp`; see `?` in the console).
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Users with their licenses; `users remove UPN` when a user leaves.
    Users {
        /// Keep users that pass the console's filter (`perez !state:deleted seats>3`).
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(subcommand)]
        action: Option<crate::cli_changes::UsersCommand>,
    },
    /// Give seats of a pool to users and groups (--dry-run shows the delta).
    Assign(crate::cli_changes::AssignArgs),
    /// Release seats of a pool from users and groups (asks first unless --yes;
    /// --dry-run shows what goes, what stays and why).
    Unassign(crate::cli_changes::UnassignArgs),
    /// Who may change what: list, add or remove admins.
    Admins {
        #[command(subcommand)]
        action: crate::cli_changes::AdminsCommand,
    },
    /// Who changed what, when.
    Audit(crate::cli_changes::AuditArgs),
    /// Verify every invariant of the cache; exit 1 lists each violation.
    Check(crate::cli_check::CheckArgs),
    /// Serve a simulated Microsoft Graph, Apple Apps and Books and Store for
    /// Business on 127.0.0.1 to connect seats to.
    Simulate(crate::cli_simulate::SimulateArgs),
    /// Link a source: checks the credentials, then stores the connector.
    Connect {
        #[command(subcommand)]
        source: crate::cli_connect::ConnectSource,
    },
    /// Connectors with their state, last and next sync, error and pending changes.
    Connectors(crate::cli_connectors::ConnectorsArgs),
    /// Turn a connector on or off: `connector enable|disable NAME|ID`.
    Connector {
        #[command(subcommand)]
        action: crate::cli_connector::ConnectorCommand,
    },
    /// Push pending changes, then pull, for one connector or every enabled
    /// Microsoft Graph, Apple and Store for Business one.
    Sync(crate::cli_sync::SyncArgs),
    /// Store apps (Apple Apps and Books, Store for Business) with their seats and installs.
    Apps(crate::cli_apps::AppsArgs),
    /// Import agreements (volume licensing: one number pair a line), entitlements or software inventory.
    Import {
        #[command(subcommand)]
        what: crate::cli_agreements::ImportWhat,
    },
    /// Agreements with their license group, number sets and validation.
    Agreements(crate::cli_agreements_list::AgreementsArgs),
    /// Product titles with the detected names counting as each; `products
    /// map RAW TITLE` / `products unmap RAW` override the normalisation.
    Products(crate::cli_inventory::ProductsArgs),
    /// Reports: purchase, installation, inventory, utilization (informational).
    Report(crate::cli_reports::ReportArgs),
    /// License groups of agreements: list, add, rename, remove.
    LicenseGroups {
        #[command(subcommand)]
        action: crate::cli_agreements::LicenseGroupsCommand,
    },
    /// SaaS and ISV subscriptions: channel, pricing, status, quantity, billing.
    Subscriptions(crate::cli_subscriptions::SubscriptionsArgs),
    /// Change a subscription: activate, cancel, quantity, billing profile.
    Subscription {
        #[command(subcommand)]
        action: crate::cli_subscriptions::SubscriptionCommand,
    },
    /// Billing profiles of subscriptions (a card shows its last four digits only).
    BillingProfiles(crate::cli_subscriptions::BillingArgs),
    /// Add or change a billing profile (a card as its last four digits only).
    BillingProfile {
        #[command(subcommand)]
        action: crate::cli_billing_profile::ProfileCommand,
    },
    /// Invoices of one subscription (by id) or of all.
    Invoices {
        id: Option<i64>,
        #[command(flatten)]
        args: crate::cli_subscriptions::BillingArgs,
    },
}

/// A failure with the exit code the architecture gives it.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad usage or bad input: exit 2.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// An unexpected failure: exit 1.
    pub fn unexpected(message: impl std::fmt::Display) -> Failure {
        Failure {
            code: 1,
            message: message.to_string(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Failure {
        match err {
            StoreError::Sqlite(_) => Failure::unexpected(err),
            _ => Failure::usage(err.to_string()),
        }
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(err: rusqlite::Error) -> Failure {
        Failure::unexpected(format!("cache error: {err}"))
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let paths = Paths::discover();
    let config_path = cli.config.clone().unwrap_or_else(|| paths.config_file.clone());
    let config =
        Config::load(&config_path, cli.config.is_some()).map_err(|e| Failure::usage(e.to_string()))?;
    let actor = paths::os_user();
    let origin = if cli.db_from_env {
        Origin::Env
    } else {
        Origin::Flag
    };
    let Some(command) = cli.command else {
        let cache = CachePath::choose(cli.db, origin, || paths.existing_db());
        return crate::cli_console::console_on(&cache, cli.init, &config, actor, cli.read_only);
    };
    if cli.init {
        return Err(Failure::usage(
            "--init creates a cache for the console: `seats --db PATH --init`, without a command",
        ));
    }
    if let Commands::Demo { users, seed, no_open } = command {
        let cache = CachePath::choose(cli.db, origin, || paths.demo_db());
        let options = DemoRun {
            users,
            seed,
            no_open,
            read_only: cli.read_only,
        };
        return crate::cli_console::demo(&cache, options, &config, actor);
    }
    if let Commands::Simulate(args) = command {
        return crate::cli_simulate::simulate(args, &paths);
    }
    if let Commands::Connect { source } = command {
        // The one headless command that may create the cache it names.
        let cache = CachePath::choose(cli.db, origin, || paths.default_db());
        return crate::cli_connect::connect(source, &cache, actor, cli.read_only);
    }
    // `--read-only` before a command that only reads changes nothing there.
    let writes = changes_seats(&command);
    let cache = CachePath::choose(cli.db, origin, || paths.existing_db());
    cache.check()?;
    cache.must_exist()?;
    if writes {
        cache.must_be_writable()?;
    }
    if let Some(warning) = cache.exposure_warning() {
        eprintln!("seats: {warning}");
    }
    headless(command, &cache.path, &paths, actor, &config, cli.read_only)
}

/// The commands that change the cache (the others, dry runs included,
/// only read it).
fn changes_seats(command: &Commands) -> bool {
    use crate::cli_changes::{AdminsCommand, UsersCommand};
    matches!(
        command,
        Commands::Assign(crate::cli_changes::AssignArgs { dry_run: false, .. })
            | Commands::Unassign(crate::cli_changes::UnassignArgs { dry_run: false, .. })
            | Commands::Users {
                action: Some(UsersCommand::Remove { .. }),
                ..
            }
            | Commands::Admins {
                action: AdminsCommand::Add { .. } | AdminsCommand::Remove { .. },
            }
            | Commands::Sync(_)
            | Commands::Connector { .. }
    ) || crate::cli_agreements::changes_cache(command)
        || crate::cli_inventory::changes_cache(command)
        || crate::cli_installs::changes_cache(command)
}

/// Runs a command that prints its answer, on a cache that exists.
fn headless(
    command: Commands,
    db: &Path,
    paths: &Paths,
    actor: String,
    config: &Config,
    read_only: bool,
) -> Result<(), Failure> {
    let session = || Session::new(Some(db.to_owned()), paths, actor.clone(), read_only);
    match command {
        Commands::Snapshot {
            pane,
            width,
            height,
            pool,
        } => {
            let pane = PaneId::parse(&pane).ok_or_else(|| {
                Failure::usage(format!("unknown pane {pane:?}; use one of: {}", pane_names()))
            })?;
            let conn = store::open(db, OpenMode::MustExist)?;
            let pool = match (pane, pool) {
                (PaneId::Assignees, None) => {
                    return Err(Failure::usage(
                        "the assignees pane shows the seats of one pool: add --pool POOL (its id, name or SKU)",
                    ));
                }
                (_, None) => None,
                (PaneId::Assignees, Some(key)) => {
                    let found = pool_by_key(&conn, &key)?;
                    Some((found.id, found.name))
                }
                (_, Some(_)) => return Err(Failure::usage("--pool goes with the assignees pane only")),
            };
            let text =
                crate::headless::snapshot(&conn, pane, pool, (width, height), &actor, chrono::Utc::now())?;
            print(&text)
        }
        Commands::Pools { filter, format } => {
            let filter = list_filter(PaneId::Licenses, filter.as_deref())?;
            let conn = store::open(db, OpenMode::MustExist)?;
            print(&crate::headless::pools(
                &conn,
                filter,
                format,
                chrono::Utc::now(),
            )?)
        }
        Commands::Users {
            action: Some(action), ..
        } => crate::cli_changes::users(&session(), action),
        Commands::Users { filter, format, .. } => {
            let filter = list_filter(PaneId::Users, filter.as_deref())?;
            let conn = store::open(db, OpenMode::MustExist)?;
            print_users(&conn, filter, format)
        }
        Commands::Assign(args) => crate::cli_changes::assign(&session(), args),
        Commands::Unassign(args) => crate::cli_changes::unassign(&session(), args),
        Commands::Admins { action } => crate::cli_changes::admins(&session(), action),
        Commands::Audit(args) => crate::cli_changes::audit(&session(), args),
        Commands::Check(args) => crate::cli_check::run(db, &args),
        Commands::Connectors(args) => crate::cli_connectors::run(db, &args),
        Commands::Connector { action } => crate::cli_connector::run(&session(), action),
        Commands::Sync(args) => crate::cli_sync::run(db, &args, config, read_only),
        Commands::Apps(args) => crate::cli_apps::run(db, &args),
        Commands::Import { what } => crate::cli_agreements::import(db, &session().actor, what),
        Commands::Agreements(args) => crate::cli_agreements_list::run(db, &args),
        Commands::Products(args) => crate::cli_inventory::products(db, &session().actor, args),
        Commands::Report(args) => crate::cli_reports::run(db, &args),
        Commands::Subscriptions(args) => crate::cli_subscriptions::list(db, &args),
        Commands::Subscription { action } => crate::cli_subscriptions::change(&session(), action),
        Commands::BillingProfiles(args) => crate::cli_subscriptions::profiles(db, &args),
        Commands::BillingProfile { action } => crate::cli_billing_profile::run(&session(), action),
        Commands::Invoices { id, args } => crate::cli_subscriptions::invoices(db, id, &args),
        Commands::LicenseGroups { action } => {
            crate::cli_agreements::license_groups(db, &session().actor, action)
        }
        Commands::Demo { .. } | Commands::Simulate(_) | Commands::Connect { .. } => Err(Failure::unexpected(
            "demo, simulate and connect are not headless commands",
        )),
    }
}

/// The panes `seats snapshot` accepts, for its error message.
fn pane_names() -> String {
    let names: Vec<&str> = PaneId::ALL.iter().map(|p| p.command()).collect();
    format!("{} (assignees needs --pool POOL)", names.join(", "))
}

/// `--filter` of a list command, or an exit-2 error naming the term.
fn list_filter(pane: PaneId, typed: Option<&str>) -> Result<Option<crate::domain::Filter>, Failure> {
    crate::headless::parse_filter(pane, typed).map_err(|err| Failure::usage(format!("--filter {err}")))
}

/// The pool a command-line key names, or an exit-2 error that says why not.
pub(crate) fn pool_by_key(conn: &rusqlite::Connection, key: &str) -> Result<store::pools::PoolRow, Failure> {
    use store::pools::PoolLookup;
    match store::pools::lookup(conn, key)? {
        PoolLookup::Found(pool) => Ok(*pool),
        PoolLookup::Missing => Err(Failure::usage(format!(
            "unknown pool {key:?}: give its id, exact name or SKU part number (`seats pools` lists them)"
        ))),
        PoolLookup::Ambiguous(pools) => {
            let ids: Vec<String> = pools.iter().map(|(id, _)| id.to_string()).collect();
            Err(Failure::usage(format!(
                "ambiguous pool {key:?}: pools {} share that name; give the id",
                ids.join(", ")
            )))
        }
    }
}

/// Writes a headless command's output to stdout.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        // A closed pipe (`seats users | head`) is not a failure.
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::unexpected(err)),
        _ => Ok(()),
    }
}

/// `seats users`, streamed to stdout as the rows are read (issue 11).
fn print_users(
    conn: &rusqlite::Connection,
    filter: Option<crate::domain::Filter>,
    format: crate::output::Format,
) -> Result<(), Failure> {
    use crate::headless::ListError;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = crate::headless::write_users(conn, filter, format, chrono::Utc::now(), &mut stdout)
        .and_then(|()| stdout.flush().map_err(ListError::from));
    match written {
        // A closed pipe (`seats users | head`) is not a failure.
        Err(ListError::Write(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(ListError::Write(err)) => Err(Failure::unexpected(err)),
        Err(ListError::Store(err)) => Err(err.into()),
        Ok(()) => Ok(()),
    }
}

/// Parses the command line, runs it and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    use clap::parser::ValueSource;
    use clap::{CommandFactory, FromArgMatches};
    let paths = Paths::discover();
    let matches = with_file_help(Cli::command(), &paths).get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    cli.db_from_env = db_source(&matches) == Some(ValueSource::EnvVariable);
    let _log = crate::logging::init(&paths.log_dir);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("seats: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Where --db was set (it is global: a subcommand may hold it).
fn db_source(matches: &clap::ArgMatches) -> Option<clap::parser::ValueSource> {
    match matches.subcommand() {
        Some((_, sub)) => db_source(sub).or_else(|| matches.value_source("db")),
        None => matches.value_source("db"),
    }
}

/// `--help` ends with where this machine keeps the files; `demo --help`
/// names the demo's own cache.
fn with_file_help(command: clap::Command, paths: &Paths) -> clap::Command {
    let demo_db = paths.demo_db();
    command
        .after_help(format!(
            "Files:\n  config  {}\n  cache   {}\n  demo    {}\n  log     {}",
            paths.config_file.display(),
            paths.default_db().display(),
            demo_db.display(),
            paths.log_dir.join(crate::logging::LOG_FILE).display()
        ))
        .mut_subcommand("demo", |demo| {
            demo.after_help(format!(
                "The demo cache: {} (another with --db PATH; its folder must exist).",
                demo_db.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn snapshot_help_names_every_pane() {
        let command = Cli::command();
        let snapshot = command.find_subcommand("snapshot").unwrap();
        let pane = snapshot.get_arguments().find(|a| a.get_id() == "pane").unwrap();
        let help = pane.get_help().unwrap().to_string();
        for pane in PaneId::ALL {
            assert!(
                help.contains(pane.command()),
                "{} missing from {help:?}",
                pane.command()
            );
        }
    }
}
