//! The commands that open the console: `seats` (with `--init` on a new
//! file) and `seats demo`. Both refuse before touching anything when there
//! is no terminal, and print what they have to say only once the console
//! has given the screen back.

use std::path::Path;

use crate::cli::Failure;
use crate::cli_cache::{CachePath, Origin};
use crate::config::Config;
use crate::console::{self, ConsoleOptions};
use crate::store::{self, OpenMode, StoreError};

/// `seats [--db PATH] [--init] [--read-only]`: the console.
pub fn console_on(
    cache: &CachePath,
    init: bool,
    config: &Config,
    actor: String,
    read_only: bool,
) -> Result<(), Failure> {
    cache.check()?;
    if !cache.exists() {
        if cache.origin != Origin::Default && !init {
            return Err(StoreError::Missing {
                path: cache.path.clone(),
            }
            .into());
        }
        if read_only {
            // --read-only never writes: it opens what exists, and creates nothing.
            return Err(Failure {
                code: 4,
                message: format!(
                    "no cache at {}, and --read-only creates none; run without --read-only to create it",
                    cache.path.display()
                ),
            });
        }
    }
    require_terminal("")?;
    let opened = prepare(cache, &actor)?;
    open_console(cache, config, actor, read_only, &opened, None)
}

/// What `seats demo` was asked to do.
pub struct DemoRun {
    pub users: u32,
    pub seed: u64,
    pub no_open: bool,
    pub read_only: bool,
}

/// `seats demo`: builds the demo tenant if absent, then opens the console.
pub fn demo(cache: &CachePath, run: DemoRun, config: &Config, actor: String) -> Result<(), Failure> {
    cache.check()?;
    if run.read_only && !cache.exists() {
        return Err(Failure {
            code: 4,
            message: format!(
                "no demo cache at {}, and --read-only creates none; run without --read-only to build it",
                cache.path.display()
            ),
        });
    }
    if !run.no_open {
        require_terminal(", or `seats demo --no-open` to build the demo without the console")?;
    }
    let opened = prepare(cache, &actor)?;
    if !opened.populated && opened.read_only_file {
        return Err(Failure {
            code: 4,
            message: format!(
                "cannot build the demo tenant in {}: the file is read-only for you; choose another with --db",
                cache.path.display()
            ),
        });
    }
    if run.no_open {
        if let Some(warning) = &opened.warning {
            eprintln!("seats: {warning}");
        }
        if opened.populated {
            eprintln!(
                "demo tenant already built at {}; delete the file to build it anew",
                cache.path.display()
            );
            return Ok(());
        }
        return build_demo_with_progress(&cache.path, run.users, run.seed, &actor);
    }
    let generate = (!opened.populated).then_some((run.users, run.seed));
    open_console(cache, config, actor, run.read_only, &opened, generate)?;
    // Printed once the console has given the screen back.
    eprintln!("the demo tenant is in {}", cache.path.display());
    Ok(())
}

/// A cache ready for the console.
struct Opened {
    /// The file is read-only for this user: browse only.
    read_only_file: bool,
    /// It holds a tenant already.
    populated: bool,
    /// Others may read it: the warning for stderr and the log.
    warning: Option<String>,
    /// The same, short, for the console's hint line.
    notice: Option<String>,
}

/// Creates the cache if it is missing (the caller decided it may), and
/// makes its creator the global administrator.
fn prepare(cache: &CachePath, actor: &str) -> Result<Opened, Failure> {
    let created = cache.create_if_missing()?;
    let conn = store::open(&cache.path, OpenMode::MustExist)?;
    let read_only_file = store::db::is_read_only(&conn);
    if !read_only_file {
        store::admins::ensure_creator(&conn, actor)?;
    }
    Ok(Opened {
        read_only_file,
        populated: store::status::read(&conn, actor)?.tenant.is_some(),
        warning: if created { None } else { cache.exposure_warning() },
        notice: if created { None } else { cache.exposure_notice() },
    })
}

/// The console draws on a terminal; without one (a pipe, a cron job) it
/// refuses before touching anything.
fn require_terminal(more: &str) -> Result<(), Failure> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "seats needs a terminal; use the headless commands (seats --help){more}"
    )))
}

/// Runs the console; a warning about the file shows in it (and the log),
/// and again on stderr once the screen is back.
fn open_console(
    cache: &CachePath,
    config: &Config,
    actor: String,
    read_only: bool,
    opened: &Opened,
    generate_demo: Option<(u32, u64)>,
) -> Result<(), Failure> {
    let keymap = config.keymap().map_err(Failure::usage)?;
    console::run(ConsoleOptions {
        db_path: cache.path.clone(),
        keymap,
        actor,
        read_only,
        read_only_file: opened.read_only_file,
        notice: opened.notice.clone(),
        generate_demo,
        colour: config.ui.colour,
        release_disabled: config.reclaim.release_disabled(),
        sync_interval_minutes: config.sync.interval_minutes,
    })
    .map_err(Failure::unexpected)?;
    if let Some(warning) = &opened.warning {
        eprintln!("seats: {warning}");
    }
    Ok(())
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
    let mut last = (u64::MAX, "");
    let summary = crate::demo::generate_alone(&mut conn, &options, &mut |p| {
        let percent = (p.done * 100).checked_div(p.total).unwrap_or(0);
        // The last stages (indexing, saving) run at 100 %: their names say
        // the build is still going.
        if (percent, p.stage) != last {
            last = (percent, p.stage);
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
