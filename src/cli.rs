//! The command line (architecture §5): parsing and dispatch.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::PaneId;
use crate::cli_changes::Session;
use crate::config::Config;
use crate::console::{self, ConsoleOptions};
use crate::output::Format;
use crate::paths::{self, Paths};
use crate::store::{self, OpenMode, StoreError};

/// seats: a keyboard-driven terminal console for software licenses.
#[derive(Debug, Parser)]
#[command(name = "seats", version, about, long_about = None)]
pub struct Cli {
    /// The cache file to use (default: seats.db in the data directory).
    #[arg(long, global = true, env = "SEATS_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file to use (default: config.toml in the config directory).
    #[arg(long, global = true, env = "SEATS_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Browse only: hide every key that changes something.
    #[arg(long, global = true)]
    pub read_only: bool,
    #[command(subcommand)]
    pub command: Option<Commands>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Build the demo tenant if absent, then open the console on it.
    Demo {
        /// Users in the generated organization.
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
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
        /// licenses, apps, connectors, agreements or users.
        pane: String,
        #[arg(long, default_value_t = 80, value_parser = clap::value_parser!(u16).range(20..=1000))]
        width: u16,
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u16).range(5..=1000))]
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
    /// Release seats of a pool from users and groups (asks first unless --yes).
    Unassign(crate::cli_changes::UnassignArgs),
    /// Who may change what: list, add or remove admins.
    Admins {
        #[command(subcommand)]
        action: crate::cli_changes::AdminsCommand,
    },
    /// Who changed what, when.
    Audit(crate::cli_changes::AuditArgs),
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
    match cli.command {
        None => {
            let db = cli.db.clone().unwrap_or_else(|| paths.existing_db());
            let db = prepare_new_cache(&db, cli.db.is_none(), &actor, cli.read_only)?;
            open_console(db, &config, actor, cli.read_only, None)
        }
        Some(Commands::Demo { users, seed, no_open }) => {
            let db = cli.db.clone().unwrap_or_else(|| paths.demo_db());
            demo(
                &db,
                cli.db.is_none(),
                users,
                seed,
                no_open,
                &config,
                actor,
                cli.read_only,
            )
        }
        Some(Commands::Snapshot {
            pane,
            width,
            height,
            pool,
        }) => {
            let pane = PaneId::parse(&pane).ok_or_else(|| {
                let known: Vec<&str> = PaneId::ALL.iter().map(|p| p.command()).collect();
                Failure::usage(format!("unknown pane {pane:?}; use one of: {}", known.join(", ")))
            })?;
            let conn = open_for_reading(&cli.db, &paths)?;
            let pool = match (pane, pool) {
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
        Some(Commands::Pools { filter, format }) => {
            let filter = list_filter(PaneId::Licenses, filter.as_deref())?;
            let conn = open_for_reading(&cli.db, &paths)?;
            print(&crate::headless::pools(
                &conn,
                filter,
                format,
                chrono::Utc::now(),
            )?)
        }
        Some(Commands::Users {
            action: Some(action), ..
        }) => crate::cli_changes::users(&Session::new(cli.db, &paths, actor, cli.read_only), action),
        Some(Commands::Users { filter, format, .. }) => {
            let filter = list_filter(PaneId::Users, filter.as_deref())?;
            let conn = open_for_reading(&cli.db, &paths)?;
            print(&crate::headless::users(
                &conn,
                filter,
                format,
                chrono::Utc::now(),
            )?)
        }
        Some(Commands::Assign(args)) => {
            crate::cli_changes::assign(&Session::new(cli.db, &paths, actor, cli.read_only), args)
        }
        Some(Commands::Unassign(args)) => {
            crate::cli_changes::unassign(&Session::new(cli.db, &paths, actor, cli.read_only), args)
        }
        Some(Commands::Admins { action }) => {
            crate::cli_changes::admins(&Session::new(cli.db, &paths, actor, cli.read_only), action)
        }
        Some(Commands::Audit(args)) => {
            crate::cli_changes::audit(&Session::new(cli.db, &paths, actor, cli.read_only), args)
        }
    }
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

fn open_for_reading(db: &Option<PathBuf>, paths: &Paths) -> Result<rusqlite::Connection, Failure> {
    let path = db.clone().unwrap_or_else(|| paths.existing_db());
    Ok(store::open(&path, OpenMode::MustExist)?)
}

/// Creates and migrates the cache if it is missing (its default directory
/// too, but never a directory the user named), and makes the creator its
/// global administrator.
fn prepare_new_cache(
    db: &Path,
    default_location: bool,
    actor: &str,
    read_only: bool,
) -> Result<PathBuf, Failure> {
    if read_only {
        // --read-only never writes: it opens what exists, and creates nothing.
        if !db.is_file() {
            return Err(Failure {
                code: 4,
                message: format!(
                    "no cache at {}, and --read-only creates none; run without --read-only to create it",
                    db.display()
                ),
            });
        }
        return Ok(db.to_owned());
    }
    if default_location {
        paths::ensure_parent(db)
            .map_err(|e| Failure::usage(format!("cannot create {}: {e}", db.display())))?;
    }
    if db.is_dir() {
        return Err(Failure::usage(format!(
            "{} is a directory; --db takes the path of a cache file",
            db.display()
        )));
    }
    let conn = store::open(db, OpenMode::Create)?;
    store::admins::ensure_creator(&conn, actor)?;
    Ok(db.to_owned())
}

fn open_console(
    db_path: PathBuf,
    config: &Config,
    actor: String,
    read_only: bool,
    generate_demo: Option<(u32, u64)>,
) -> Result<(), Failure> {
    let keymap = config.keymap().map_err(Failure::usage)?;
    console::run(ConsoleOptions {
        db_path,
        keymap,
        actor,
        read_only,
        generate_demo,
        colour: config.ui.colour,
    })
    .map_err(Failure::unexpected)
}

#[allow(clippy::too_many_arguments)]
fn demo(
    db: &Path,
    default_location: bool,
    users: u32,
    seed: u64,
    no_open: bool,
    config: &Config,
    actor: String,
    read_only: bool,
) -> Result<(), Failure> {
    let db = prepare_new_cache(db, default_location, &actor, read_only)?;
    let populated = crate::store::status::read(&store::open(&db, OpenMode::MustExist)?, &actor)?
        .tenant
        .is_some();
    if no_open {
        if populated {
            eprintln!(
                "demo tenant already built at {}; delete the file to build it anew",
                db.display()
            );
        } else {
            build_demo_with_progress(&db, users, seed, &actor)?;
        }
        return Ok(());
    }
    let generate = (!populated).then_some((users, seed));
    open_console(db, config, actor, read_only, generate)
}

fn build_demo_with_progress(db: &Path, users: u32, seed: u64, actor: &str) -> Result<(), Failure> {
    let mut conn = store::open(db, OpenMode::MustExist)?;
    let options = crate::demo::DemoOptions {
        users,
        seed,
        now: chrono::Utc::now(),
        actor: actor.to_owned(),
    };
    let started = std::time::Instant::now();
    let mut last_percent = u64::MAX;
    let summary = crate::demo::generate(&mut conn, &options, &mut |p| {
        let percent = (p.done * 100).checked_div(p.total).unwrap_or(0);
        if percent != last_percent {
            last_percent = percent;
            eprint!("\rbuilding demo tenant: {percent:>3}% ({})     ", p.stage);
        }
    })?;
    eprintln!(
        "\rdemo tenant built at {}: {} users, {} pools, {} assignments in {:.1}s",
        db.display(),
        summary.users,
        summary.pools,
        summary.assignments,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Parses the command line, runs it and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let paths = Paths::discover();
    // --help ends with where this machine keeps the files.
    let command = Cli::command().after_help(format!(
        "Files:\n  config  {}\n  cache   {}\n  demo    {}\n  log     {}",
        paths.config_file.display(),
        paths.default_db().display(),
        paths.demo_db().display(),
        paths.log_dir.join(crate::logging::LOG_FILE).display()
    ));
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    let _log = crate::logging::init(&paths.log_dir);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("seats: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
